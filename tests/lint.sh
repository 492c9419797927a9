#!/bin/sh
# lint.sh BUILD - `make lint`: cppcheck (warnings, portability, performance;
# false positives in tests/cppcheck.supp, each with its reason) and
# clang-tidy (the clang static analyzer) over every C file of the tree.
# BUILD supplies the generated parser headers. Fails on any finding.
set -u
for t in cppcheck clang-tidy; do command -v $t >/dev/null || { echo "lint: $t not installed"; exit 1; }; done
BUILD=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
DEFS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ivm -Icompiler -I$BUILD/gen"
FILES=$(ls vm/*.c compiler/*.c tests/unit/*.c tests/fuzz/*.c tools/*.c bench/*.c bench/*/*.c 2>/dev/null)
# clang-tidy: the product and the fuzz harnesses. tools/, bench/ and
# tests/unit/ still give analyzer warnings (docs/reliability.md).
TIDY_FILES=$(ls vm/*.c compiler/*.c tests/fuzz/*.c)
status=0
echo "== cppcheck"
cppcheck -q --enable=warning,portability,performance --std=c11 --inline-suppr --error-exitcode=1 \
  --suppressions-list=tests/cppcheck.supp -D_POSIX_C_SOURCE=200809L -Ivm -Icompiler -I"$BUILD/gen" \
  --template='{file}:{line}: {severity}: {message} [{id}]' $FILES || status=1
# clang-tidy: the analyzer's checks, except insecureAPI (it flags every
# memcpy and snprintf: C11 Annex K is not used here) and DeadStores
# (defensive resets such as `out = stdout` after fclose are wanted).
echo "== clang-tidy"
CHECKS='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,-clang-analyzer-deadcode.DeadStores'
out=$(for f in $TIDY_FILES; do clang-tidy -quiet --checks="$CHECKS" "$f" -- $DEFS 2>/dev/null; done)
found=$(printf '%s\n' "$out" | grep 'warning:\|error:' | while IFS= read -r l; do
  known=no
  while read -r file check reason; do
    case "$file" in ''|'#'*) continue ;; esac
    case "$l" in *"$file:"*"[$check]"*) known=yes ;; esac
  done < tests/clang-tidy.supp
  [ "$known" = no ] && printf '%s\n' "$l"
done)
[ -n "$found" ] && { printf '%s\n' "$found"; status=1; }
[ "$status" = 0 ] && echo "lint: clean"
exit $status
