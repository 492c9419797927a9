#!/bin/sh
# options.sh carsc|carsvm BIN - what --help says a command accepts, one
# "COMMAND OPTION" line each (COMMAND "-" for the command itself; OPTION "-"
# for a subcommand with no options), sorted. The man pages' and the bash
# completion's tests compare themselves with this list, so that neither can
# drift from --help (tests/pkg/man.sh, tests/pkg/completion.sh).
set -u
prog=$1 bin=$2
# Every -x or --long-name in a help text that stands as an option: after a
# blank, '[', '|', '(' or ',' (prose words such as "non-complex" do not
# start with a dash); text quoted in backticks (another program's command
# line) is not ours.
opts() {
  sed 's/`[^`]*`//g' | sed 's/\([[ |(,]\)\(--*[a-z][a-z0-9-]*\)/\1\n\2\n/g; s/^\(--*[a-z][a-z0-9-]*\)/\n\1\n/' \
    | grep -E '^--?[a-z][a-z0-9-]*$' | sort -u
}
emit() { # COMMAND, options on stdin
  o=$(opts)
  if [ -z "$o" ]; then echo "$1 -"; else printf '%s\n' "$o" | sed "s/^/$1 /"; fi
}
case $prog in
  carsc)
    "$bin" --help | grep -E '^ +carsc help COMMAND' | emit -
    echo "help -"
    for c in $("$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
      "$bin" help "$c" | emit "$c"
    done ;;
  carsvm)
    echo "- --help"; echo "- -h"; echo "- --version"
    for c in $("$bin" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u); do
      case $c in
        log) for s in keygen verify replay; do
               # [TRUST] stands for the TRUST options of the same help text
               { "$bin" log --help | grep -E "^(usage: |       )carsvm log $s|log $s "
                 "$bin" log --help | grep -qE "carsvm log $s .*\[TRUST\]" \
                   && "$bin" log --help | sed -n '/^TRUST/,/^$/p'; } | emit "log-$s"
             done ;;
        *) "$bin" "$c" --help | emit "$c" ;;
      esac
    done ;;
  *) echo "options.sh: unknown program '$prog' (carsc or carsvm)" >&2; exit 2 ;;
esac | sort -u
