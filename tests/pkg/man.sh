#!/bin/sh
# man.sh BUILD - the man pages (man/): mandoc -Tlint -Wwarning clean; every
# command and option of carsc's and carsvm's --help in carsc(1) and
# carsvm(1) (tests/pkg/man.py); every reserved word of docs/language.md in
# cars-language(5); every field of the reference schema in cars-records(5).
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
fail=0
if ! mandoc -Tlint -Wwarning man/*.1 man/*.5; then
  echo "man: mandoc -Tlint found the problems above in man/"; fail=1
fi
for p in carsc carsvm; do
  sh tests/pkg/options.sh "$p" "$BUILD/$p" > "$TMP/$p.opts" || { echo "man: $BUILD/$p --help failed"; fail=1; }
  python3 tests/pkg/man.py "man/$p.1" "$TMP/$p.opts" || fail=1
done
# The keyword list of "Lexical rules" (between "Keywords are reserved:" and
# the next full stop) against the .Ic words of cars-language(5).
words=$(sed -n '/^- Keywords are reserved:/,/`\./p' docs/language.md | tr '\n' ' ' \
        | sed 's/.*reserved: `//; s/`\..*//')
[ -n "$words" ] || { echo "man: no keyword list found in docs/language.md"; fail=1; }
for w in $words; do
  grep -Eq "^\.Ic( .*)? $w( |$)" man/cars-language.5 \
    || { echo "man/cars-language.5: the reserved word '$w' of docs/language.md is missing"; fail=1; }
done
# Every field of the reference schema (the records contract) in cars-records(5).
for f in $(sed -n '/^schema {/,/^}/s/^  \([a-z_.]*\):.*/\1/p' rulesets/cars-v/schema.cars); do
  grep -Eq "^\.It Li( .*)? $f( |$)" man/cars-records.5 \
    || { echo "man/cars-records.5: the field '$f' of rulesets/cars-v/schema.cars is missing"; fail=1; }
done
[ "$fail" = 0 ] && echo "man: 4 pages lint-clean, options as --help lists them"
exit "$fail"
