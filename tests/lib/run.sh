#!/bin/sh
# run.sh BUILD - make lib-test (part of make test-fast and test-san):
#  1. libcars.so.1.0.0 and libcars.a define exactly the CARS_API functions
#     of include/cars.h, which are exactly lib/libcars.map's; the soname is
#     libcars.so.1 and the links are in place;
#  2. include/cars.h compiles alone as C11 and as C++11 (-Wall -Wextra
#     -Werror -pedantic), and a C++ program calls the library;
#  3. docs/examples/route_one.c, built with build/cars.pc (pkg-config, its
#     prefix and libdir pointed at the tree) against the shared and then the
#     static library, routes the demo corpus (as tools/demo.sh makes it, and
#     blank, invalid and unterminated lines) to the same bytes and exit
#     status as carsvm route, and refuses a tampered, an expired and an
#     unsigned release with carsvm's exit status and message.
# CC, CXX and OPT: the build's (sanitizers included).
set -u
BUILD=$1
CC=${CC:-cc}
CXX=${CXX:-g++}
OPT=${OPT:--O2 -g}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/cars-lib.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
failures=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failures=$((failures + 1)); }
LIBPATH="$ROOT/$BUILD"

# ---- 1. exports --------------------------------------------------------------
sed -n 's/^CARS_API .*[ *]\(cars_[a-z_]*\)(.*/\1/p' include/cars.h | sort >"$T/api"
sed -n 's/^ *\(cars_[a-z_]*\);$/\1/p' lib/libcars.map | sort >"$T/map"
nm -D --defined-only "$BUILD/libcars.so.1.0.0" | awk 'NF == 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
  sort >"$T/so"
nm -g --defined-only "$BUILD/libcars.a" | awk 'NF == 3 { print $3 }' | sort >"$T/a"
[ -s "$T/api" ] && [ "$(wc -l <"$T/api")" -ge 10 ] || bad "no CARS_API function found in include/cars.h"
cmp -s "$T/api" "$T/map" && ok "lib/libcars.map lists exactly the header's $(wc -l <"$T/api") functions" ||
  { bad "lib/libcars.map and include/cars.h differ:"; diff "$T/api" "$T/map"; }
cmp -s "$T/api" "$T/so" && ok "libcars.so.1.0.0 exports only the cars_ API (nm -D)" ||
  { bad "libcars.so.1.0.0 exports other than the header's functions:"; diff "$T/api" "$T/so"; }
cmp -s "$T/api" "$T/a" && ok "libcars.a defines only the cars_ API globally" ||
  { bad "libcars.a defines other global symbols:"; diff "$T/api" "$T/a" | head -20; }
readelf -d "$BUILD/libcars.so.1.0.0" | grep -q 'Library soname: \[libcars.so.1\]' && ok "soname libcars.so.1" ||
  bad "the soname is not libcars.so.1"
[ "$(readlink "$BUILD/libcars.so.1")" = libcars.so.1.0.0 ] && [ "$(readlink "$BUILD/libcars.so")" = libcars.so.1 ] &&
  ok "links libcars.so -> libcars.so.1 -> libcars.so.1.0.0" || bad "the libcars.so links are wrong"

# ---- 2. the header -------------------------------------------------------------
printf '#include <cars.h>\nint main(void) { return cars_version_number() == CARS_VERSION_NUMBER ? 0 : 1; }\n' >"$T/alone.c"
$CC -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -fsyntax-only "$T/alone.c" &&
  ok "include/cars.h compiles alone as C11 -pedantic" || bad "include/cars.h does not compile as C11"
# shellcheck disable=SC2086
if $CXX -std=c++11 -Wall -Wextra -Werror -pedantic $OPT -Iinclude tests/lib/header.cpp -o "$T/header" \
     -L"$BUILD" -lcars; then
  ok "include/cars.h compiles as C++11 -pedantic"
  LD_LIBRARY_PATH="$LIBPATH" "$T/header" >"$T/header.out" && grep -q "^1.0.0 10000 CARS_E_FATAL" "$T/header.out" &&
    ok "a C++ program links and calls libcars.so" || { bad "the C++ program failed"; cat "$T/header.out"; }
else
  bad "include/cars.h does not compile as C++11"
fi

# ---- 3. the example against the installed-style artifacts --------------------------
PC="pkg-config --define-variable=prefix=$ROOT --define-variable=libdir=$LIBPATH"
export PKG_CONFIG_PATH="$LIBPATH"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror -pedantic $OPT docs/examples/route_one.c $($PC --cflags --libs cars) \
  -o "$T/route_one_shared" || bad "route_one.c does not build with pkg-config --libs cars"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror -pedantic $OPT docs/examples/route_one.c \
  $($PC --static --cflags --libs cars | sed 's/-lcars\b/-l:libcars.a/') -o "$T/route_one_static" ||
  bad "route_one.c does not build with pkg-config --static --libs cars"
readelf -d "$T/route_one_shared" 2>/dev/null | grep -q 'NEEDED.*\[libcars.so.1\]' && ok "route_one links libcars.so.1" ||
  bad "route_one (shared) does not need libcars.so.1"
readelf -d "$T/route_one_static" 2>/dev/null | grep -q 'libcars' && bad "route_one (static) needs libcars.so" ||
  ok "route_one links libcars.a"

"$BUILD/gencorpus" --count 10000 --seed 2026 --tables rulesets/cars-v/tables -o "$T/corpus.jsonl" || bad "gencorpus"
printf '\n  \t\r\n\f\n{"id":"cut"\nnot json\n{"id":"dup","id":"dup"}\n{"id":"last"}' >>"$T/corpus.jsonl"
"$BUILD/carsc" build rulesets/cars-v -o "$T/r.carsb" --release-id 2026-W48 --sequence 48 --valid-from 2026-11-23 \
  --valid-until 2026-11-29 --channel production >/dev/null || bad "carsc build"
"$BUILD/carsc" keygen -o "$T/k" >/dev/null && "$BUILD/carsc" sign --key "$T/k.key" "$T/r.carsb" >/dev/null ||
  bad "carsc keygen and sign"
"$BUILD/carsvm" route --release "$T/r.carsb" --trust "$T/k.pub" --as-of 2026-11-25 "$T/corpus.jsonl" \
  -o "$T/carsvm.out" --threads 2
want=$?
for kind in shared static; do
  LD_LIBRARY_PATH="$LIBPATH" "$T/route_one_$kind" "$T/r.carsb" "$T/k.pub" 2026-11-25 <"$T/corpus.jsonl" \
    >"$T/$kind.out" 2>"$T/$kind.err"
  got=$?
  if [ "$want" = 3 ] && [ "$got" = "$want" ] && cmp -s "$T/carsvm.out" "$T/$kind.out"; then
    ok "route_one ($kind) = carsvm route on the demo corpus: $(wc -l <"$T/$kind.out") lines, exit $got"
  else
    bad "route_one ($kind) differs from carsvm route (exit $got, carsvm $want)"
    cat "$T/$kind.err"
    cmp "$T/carsvm.out" "$T/$kind.out"
  fi
done

# Refusals: carsvm's exit status, and its message (without "carsvm: ").
cp "$T/r.carsb" "$T/bad.carsb" && cp "$T/r.carsb.minisig" "$T/bad.carsb.minisig"
printf 'X' | dd of="$T/bad.carsb" bs=1 seek=200 conv=notrunc 2>/dev/null
refusal() { # name, expected status, release, key or --unsigned-test, carsvm TRUST, as-of
  vm=$("$BUILD/carsvm" verify $5 --as-of "$6" "$3" 2>&1 >/dev/null)
  vs=$?
  lib=$(LD_LIBRARY_PATH="$LIBPATH" "$T/route_one_shared" "$3" "$4" "$6" </dev/null 2>&1 >/dev/null)
  ls=$?
  msg=${vm#carsvm: }
  case "$lib" in
    *"$msg"*) same=1 ;;
    *) same=0 ;;
  esac
  if [ "$vs" = "$2" ] && [ "$ls" = "$2" ] && [ "$same" = 1 ]; then
    ok "$1: refused with exit $ls and carsvm's message"
  else
    bad "$1: carsvm exit $vs, route_one exit $ls (want $2): '$vm' / '$lib'"
  fi
}
refusal "tampered release" 12 "$T/bad.carsb" "$T/k.pub" "--trust $T/k.pub" 2026-11-25
refusal "expired release" 16 "$T/r.carsb" "$T/k.pub" "--trust $T/k.pub" 2026-12-01
refusal "production release, unsigned mode" 11 "$T/r.carsb" --unsigned-test "--channel test" 2026-11-25

[ "$failures" = 0 ] && echo "lib-test: all passed" || echo "lib-test: $failures failed"
[ "$failures" = 0 ]
