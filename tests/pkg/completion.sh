#!/bin/bash
# completion.sh BUILD - drives the bash completion of carsc and carsvm
# (completion/) as bash does: COMP_WORDS, COMP_CWORD, the function that
# `complete -p` names, then COMPREPLY. Checks that the commands and each
# command's options are those of --help (tests/pkg/options.sh), that no
# option is offered that --help does not list, that option values are
# offered (channels, formats) and that files are filtered by kind.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || { echo "completion: $BC missing: install the Debian package bash-completion (make deps)"; exit 1; }
# shellcheck disable=SC1090
. "$BC"
. "$ROOT/completion/carsc"
. "$ROOT/completion/carsvm"
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "completion: $*"; fail=1; }

# complete WORD... : the sorted candidates for the last WORD.
complete_words() {
  local fn
  fn=$(complete -p "$1" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
  "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u
}
# expect "WORDS" "CANDIDATES": exactly these candidates.
expect() {
  local got want
  read -r -a w <<< "$1"
  got=$(complete_words "${w[@]}" "" | tr '\n' ' ')
  want=$(printf '%s\n' $2 | sed '/^$/d' | sort -u | tr '\n' ' ')
  [ "$got" = "$want" ] || bad "'$1 <TAB>' offers '$got', expected '$want'"
}

for prog in carsc carsvm; do
  sh "$ROOT/tests/pkg/options.sh" "$prog" "$BUILD/$prog" > "$TMP/$prog.opts" \
    || { bad "$BUILD/$prog --help failed"; continue; }
  # The commands.
  # carsvm's "log-keygen" is the command log's keygen; carsc's commands
  # may have a dash in their own name (audit-keygen)
  split='s/-.*//'; [ "$prog" = carsc ] && split=''
  want=$(cut -d' ' -f1 "$TMP/$prog.opts" | grep -v '^-$' | sed "$split" | sort -u | tr '\n' ' ')
  got=$(complete_words "$prog" "" | tr '\n' ' ')
  [ "$got" = "$want" ] || bad "'$prog <TAB>' offers '$got'; --help lists '$want'"
  # The program's own options, then each command's.
  for cmd in $(cut -d' ' -f1 "$TMP/$prog.opts" | sort -u); do
    if [ "$cmd" = - ]; then words=("$prog"); elif [ "$prog" = carsc ]; then words=("$prog" "$cmd")
    else words=("$prog" ${cmd/-/ }); fi
    want=$(awk -v c="$cmd" '$1 == c && $2 != "-" { print $2 }' "$TMP/$prog.opts" | sort -u)
    got=$(complete_words "${words[@]}" -)
    for o in $want; do
      grep -qx -- "$o" <<< "$got" || bad "'${words[*]} -<TAB>' does not offer $o, which --help lists"
    done
    for o in $got; do
      [ "$o" = --help ] && continue
      grep -qx -- "$o" <<< "$want" || bad "'${words[*]} -<TAB>' offers $o, which --help does not list"
    done
  done
done

# Values and files by kind.
cd "$TMP" || exit 1
mkdir sub && touch r.carsb r.carsb.minisig k.pub k.key a.cars rec.jsonl rcx.csv notes.txt
expect "carsvm route --release" "r.carsb sub"
expect "carsvm route --trust" "k.pub sub"
expect "carsvm verify --signature" "r.carsb.minisig sub"
expect "carsvm verify" "r.carsb sub"
expect "carsvm serve --watch" "sub"
expect "carsvm route --channel" "production test"
expect "carsvm serve --log-sync" "every second none"
expect "carsvm log" "keygen verify replay --help"
expect "carsc sign --key" "k.key sub"
expect "carsc inspect --trust" "k.pub sub"
expect "carsc check" "a.cars sub"
expect "carsc build a.cars -o" "r.carsb sub"
expect "carsc report r.carsb -o" "sub"
expect "carsc report --format" "html md json"
expect "carsc equality --format" "text csv html"
expect "carsc explain" "a.cars r.carsb rec.jsonl sub"
expect "carsc effectiveness" "rec.jsonl rcx.csv sub"
expect "carsc help" "check fmt build test explain disasm keygen sign decompile diff impact effectiveness equality inspect lsp audit-keygen report"
expect "carsc build --channel" "production test"
expect "carsc check --as-of" ""
[ "$fail" = 0 ] && echo "completion: carsc and carsvm offer what --help lists; values and files by kind"
exit "$fail"
