#!/bin/sh
# lint.sh BUILD - `make lint` (and the last step of `make test`): cppcheck
# (warnings, portability, performance) and clang-tidy (the clang static
# analyzer) over every C file of the tree: vm/, compiler/, lib/, tests/unit/,
# tests/fuzz/, tools/, bench/, bench/*/ and docs/examples/. BUILD supplies the generated
# parser headers. Fails on any finding that is not suppressed.
#
# Suppressions, one line per finding with its reason: tests/cppcheck.supp
# (cppcheck's own format) and tests/clang-tidy.supp ("FILE CHECK reason").
# A clang-tidy suppression line is used up by the first finding it matches,
# so two findings of the same check in the same file need two lines; lines
# that match nothing are listed (not an error) so they can be removed.
#
# Both tools run LINT_JOBS files at a time (default 2); clang-tidy starts
# with the largest files, so that no long one is left to run alone at the
# end (the longest, vm/verify_index.c, tools/gencorpus.c,
# tests/unit/test_reader.c, compiler/check.c and check_expr.c, take about
# a twentieth of its work each; the reader, split in four files, no longer
# stands out), and its output is collected per file and printed sorted, so
# the report does not depend on scheduling.
set -u
for t in cppcheck clang-tidy; do
  command -v $t >/dev/null || { echo "lint: $t not installed (make deps installs it)"; exit 1; }
done
BUILD=$1
JOBS=${LINT_JOBS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
DEFS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ivm -Icompiler -Iinclude -I$BUILD/gen"
FILES=$(ls vm/*.c compiler/*.c lib/*.c tests/unit/*.c tests/fuzz/*.c tools/*.c bench/*.c bench/*/*.c docs/examples/*.c \
  2>/dev/null)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cars-lint.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
status=0

echo "== cppcheck"
cppcheck -q -j "$JOBS" --enable=warning,portability,performance --std=c11 --inline-suppr --error-exitcode=1 \
  --suppressions-list=tests/cppcheck.supp -D_POSIX_C_SOURCE=200809L -Ivm -Icompiler -Iinclude -I"$BUILD/gen" \
  --template='{file}:{line}: {severity}: {message} [{id}]' $FILES 2>"$TMP/cppcheck" || status=1
sort "$TMP/cppcheck"

# clang-tidy: the analyzer's checks, except insecureAPI (it flags every
# memcpy and snprintf: C11 Annex K is not used here) and DeadStores
# (defensive resets such as `out = stdout` after fclose are wanted).
# Findings in the tree's own headers count too (--header-filter; system and
# generated headers do not). One output file per source file (its path with
# / as _); a run that fails (a file that does not compile, say) is itself a
# finding.
echo "== clang-tidy"
CHECKS='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,-clang-analyzer-deadcode.DeadStores'
HEADERS='(^|/)(vm|compiler|lib|include|tests|tools|bench|docs)/'
ls -S $FILES | xargs -P "$JOBS" -I{} sh -c '
  out="$1/$(printf %s "$2" | tr / _).out"
  clang-tidy -quiet --header-filter="$5" --checks="$3" "$2" -- $4 >"$out" 2>"$out.err" ||
    echo "$2:1:1: error: clang-tidy exited with status $? [clang-tidy]" >>"$out"' sh "$TMP" {} "$CHECKS" "$DEFS" "$HEADERS"
# One line per finding, its [check] at the end (a message of several lines,
# such as optin.performance.Padding's, is cut to its first line and its
# check); a finding in a header is reported once, however many files
# include it.
for f in $FILES; do cat "$TMP/$(printf %s "$f" | tr / _).out"; done | awk '
  /^[^ ]+:[0-9]+:[0-9]+: (warning|error): / {
    if (cur != "") print cur
    cur = $0; sub(/[ \t]+$/, "", cur)
    if (cur ~ /\]$/) { print cur; cur = "" }
    next
  }
  cur != "" && /\[[^] ]*\][ \t]*$/ { match($0, /\[[^] ]*\]/); print cur " " substr($0, RSTART, RLENGTH); cur = ""; next }
  END { if (cur != "") print cur }' | sed "s|^$ROOT/||" | sort -u >"$TMP/tidy"
awk '
  NR == FNR {
    if ($0 ~ /^[ \t]*(#|$)/) next
    n++; file[n] = $1; check[n] = $2; line[n] = $0; next
  }
  {
    for (i = 1; i <= n; i++)
      if (!used[i] && index($0, file[i] ":") && index($0, "[" check[i] "]")) { used[i] = 1; next }
    print; bad = 1
  }
  END {
    for (i = 1; i <= n; i++)
      if (!used[i]) print "lint: note: unused clang-tidy suppression: " line[i] > "/dev/stderr"
    exit bad
  }' tests/clang-tidy.supp "$TMP/tidy" || status=1

[ "$status" = 0 ] && echo "lint: clean"
exit $status
