#!/bin/sh
# run.sh BUILD - the editor grammar tests (make editors-test): every .cars
# file of the tree and every example of the docs (tests/editors/corpus.py)
# through the VS Code TextMate grammar (textmate.js, vscode-textmate and
# vscode-oniguruma as pinned in package-lock.json) and the Vim syntax file
# (vim_check.vim, vim headless). Each says what failed; exits 1 if any did.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cars-editors.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
status=0
mkdir "$TMP/docs"
python3 "$ROOT/tests/editors/corpus.py" "$BUILD/carsc" "$TMP/docs" >"$TMP/list" || exit 1
node "$ROOT/tests/editors/textmate.js" "$TMP/list" || status=1
CARS_LIST="$TMP/list" CARS_OUT="$TMP/vim.out" \
  vim -Es -N -u NONE -i NONE --cmd "set rtp^=$ROOT/editors/vim" --cmd 'filetype on' \
  -S "$ROOT/tests/editors/vim_check.vim" </dev/null >/dev/null 2>&1 || status=1
if [ -f "$TMP/vim.out" ]; then cat "$TMP/vim.out"; else echo "FAIL vim: vim did not finish"; status=1; fi
exit $status
