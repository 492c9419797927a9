#!/bin/sh
# install.sh BUILD - make install into a scratch DESTDIR (PREFIX /usr/local
# and a Debian-style LIBDIR): every file where the GNU conventions put it,
# with its mode; the installed carsvm and carsc run; pkg-config finds the
# library; man finds the pages. Then make uninstall leaves no file behind.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
D=$TMP/root P=/usr/local L=/usr/local/lib/x86_64-linux-gnu
fail=0
bad() { echo "install: $*"; fail=1; }
# The .pc is written for the LIBDIR given: put build/cars.pc back as it was.
restore_pc() { make --no-print-directory -s BUILD="$BUILD" "$BUILD/cars.pc" >/dev/null; }
if ! make --no-print-directory -s BUILD="$BUILD" install DESTDIR="$D" PREFIX=$P LIBDIR=$L >"$TMP/log" 2>&1; then
  cat "$TMP/log"; restore_pc; echo "install: make install failed"; exit 1
fi
restore_pc
mode() { stat -c %a "$D$1" 2>/dev/null; }
for f in $P/bin/carsc $P/bin/carsvm; do [ "$(mode $f)" = 755 ] || bad "$f: mode $(mode $f), expected 755"; done
for f in $L/libcars.so.1.0.0 $L/libcars.a $L/pkgconfig/cars.pc $P/include/cars.h \
         $P/share/man/man1/carsc.1 $P/share/man/man1/carsvm.1 \
         $P/share/man/man5/cars-language.5 $P/share/man/man5/cars-records.5 \
         $P/share/bash-completion/completions/carsc $P/share/bash-completion/completions/carsvm \
         $P/share/doc/cars/README.md $P/share/doc/cars/docs/language.md \
         $P/share/doc/cars/examples/cars-v/rules.cars $P/share/doc/cars/examples/cars-v/tables/false_documents.csv; do
  [ "$(mode $f)" = 644 ] || bad "$f: mode $(mode $f), expected 644"
done
[ "$(readlink "$D$L/libcars.so.1")" = libcars.so.1.0.0 ] || bad "$L/libcars.so.1 is not a link to libcars.so.1.0.0"
[ "$(readlink "$D$L/libcars.so")" = libcars.so.1 ] || bad "$L/libcars.so is not a link to libcars.so.1"
soname=$(objdump -p "$D$L/libcars.so.1.0.0" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libcars.so.1 ] || bad "SONAME '$soname', expected libcars.so.1"
[ "$("$D$P/bin/carsvm" --version)" = "$("$BUILD/carsvm" --version)" ] || bad "the installed carsvm does not run as build/carsvm"
"$D$P/bin/carsc" check "$D$P/share/doc/cars/examples/cars-v" >/dev/null || bad "the installed carsc cannot check the installed example ruleset"
v=$(PKG_CONFIG_PATH="$D$L/pkgconfig" pkg-config --modversion cars)
[ "$v" = "$("$BUILD/carsvm" --version | cut -d' ' -f2)" ] || bad "pkg-config --modversion cars gives '$v'"
libdir=$(PKG_CONFIG_PATH="$D$L/pkgconfig" pkg-config --variable=libdir cars)
[ "$libdir" = $L ] || bad "cars.pc says libdir=$libdir, expected $L"
[ "$(man -M "$D$P/share/man" -w carsvm)" = "$D$P/share/man/man1/carsvm.1" ] || bad "man -w carsvm does not find carsvm.1 under MANDIR"
[ "$(man -M "$D$P/share/man" -w 5 cars-language)" = "$D$P/share/man/man5/cars-language.5" ] || bad "man -w 5 cars-language does not find it"
n=$(find "$D" -type f -o -type l | wc -l)
make --no-print-directory -s BUILD="$BUILD" uninstall DESTDIR="$D" PREFIX=$P LIBDIR=$L >"$TMP/log" 2>&1 \
  || { cat "$TMP/log"; bad "make uninstall failed"; }
left=$(find "$D" \( -type f -o -type l \) -print; [ ! -d "$D$P/share/doc/cars" ] || echo "$P/share/doc/cars (a directory)")
[ -z "$left" ] || bad "make uninstall left: $left"
[ "$fail" = 0 ] && echo "install: $n files and links installed under DESTDIR$P, uninstall removed them all"
exit "$fail"
