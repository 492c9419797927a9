#!/bin/sh
# valgrind.sh BUILD - `make valgrind`: every text case (tests/cases) with
# carsc and carsvm run under valgrind memcheck (--leak-check=full; the first
# 40 runs of each case, CARS_VALGRIND_MAX). Each
# process logs to BUILD/valgrind/logs/; a case fails on any error or leak
# (exit 99), and the script lists every log that is not empty.
set -u
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)"; exit 1; }
BUILD=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
W="$BUILD/valgrind"; LOGS="$W/logs"; MAX=${CARS_VALGRIND_MAX:-40}
rm -rf "$W" && mkdir -p "$LOGS" || exit 1
for t in gencorpus gentables; do ln -s "$BUILD/$t" "$W/$t"; done
for b in carsc carsvm; do
  cat > "$W/$b" <<WRAP
#!/bin/sh
# the first $MAX runs of each case under memcheck, the rest (a case that runs
# carsvm once per prefix of a release) natively
c="$W/count\$(printf '%s' "\$TMP" | tr / _)"
n=\$(cat "\$c" 2>/dev/null || echo 0); echo \$((n + 1)) > "\$c"
[ "\$n" -ge $MAX ] && exec "$BUILD/$b" "\$@"
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \\
  --errors-for-leak-kinds=definite,indirect,possible --log-file="$LOGS/$b.%p" "$BUILD/$b" "\$@"
WRAP
  chmod +x "$W/$b"
done
CARS_VALGRIND=1 BUILD="$W" sh "$ROOT/tests/run_cases.sh"; status=$?
n=$(ls "$LOGS" | wc -l); bad=0
for f in "$LOGS"/*; do [ -s "$f" ] && { echo "valgrind: $f"; head -30 "$f"; bad=$((bad + 1)); }; done
echo "valgrind: $n processes, $bad with errors or leaks"
[ "$status" = 0 ] && [ "$bad" = 0 ]
