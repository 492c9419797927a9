#!/bin/sh
# coverage.sh BUILD - `make coverage`: after the --coverage build in BUILD has
# run the unit tests, the text cases and the fuzz replay, collects line and
# branch coverage with lcov (vm/ and compiler/ only: not the tests, tools or
# generated scanner and parser), writes an HTML report to BUILD/html and
# prints the totals and the figures of the verifier, loader and signatures.
set -u
BUILD=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
RC="--rc lcov_branch_coverage=1"
lcov -q $RC --capture --directory "$BUILD" --base-directory "$ROOT" --no-external -o "$BUILD/all.info" 2>/dev/null || exit 1
lcov -q $RC --extract "$BUILD/all.info" "$ROOT/vm/*" "$ROOT/compiler/*" -o "$BUILD/cov.info" || exit 1
genhtml -q $RC --branch-coverage -o "$BUILD/html" "$BUILD/cov.info" >/dev/null || exit 1
echo "== coverage (vm/ and compiler/; report: $BUILD/html/index.html)"
lcov $RC --summary "$BUILD/cov.info" 2>&1 | grep -E 'lines|branches|functions'
echo "== per file (lines, branches)"
lcov $RC --list "$BUILD/cov.info" 2>/dev/null | grep -E '\.c *\|' | awk -F'|' '{gsub(/ +/," "); print}'
