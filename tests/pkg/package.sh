#!/bin/sh
# package.sh BUILD - the Debian packages, end to end (make package-test):
#  1. copy the tree into a scratch directory (the working tree stays clean)
#     and build the source package and the .debs there (dpkg-buildpackage
#     -us -uc; nocheck, since make test has just run the same tests on the
#     same tree; no dbgsym packages);
#     carsvm's Depends name libevent (core and extra), no TLS stack and
#     no libffi;
#  2. lintian: no error, no warning;
#  3. apt-get install ./*.deb (carsvm, carsc, libcars1, libcars-dev);
#  4. man -w finds the four pages, the completions are where
#     bash-completion loads them from, pkg-config --modversion cars, and a
#     program built with pkg-config's flags runs against the installed
#     library;
#  5. the demo corpus (tools/demo.sh's) routed with the installed
#     /usr/bin/carsvm by the very commands carsvm(1)'s EXAMPLES show, and
#     the same commands with BUILD/carsvm: same output, same exit status;
#  6. apt-get purge: no file dpkg -L listed is left, nor any directory that
#     no other package owns.
# Needs root (apt-get; it waits up to 5 minutes for another apt or dpkg to
# finish); prints how long each step took.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PKGS="carsvm carsc libcars1 libcars-dev"
if [ "$(id -u)" != 0 ]; then
  echo "package-test: installing and purging the .debs needs root; run: sudo make package-test"
  exit 1
fi
for p in $PKGS; do
  if dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok'; then
    echo "package-test: $p is installed already, and this test purges what it installs;"
    echo "  remove it first: apt-get purge -y $PKGS"
    exit 1
  fi
done
TMP=$(mktemp -d /tmp/cars-package.XXXXXX) || exit 1
installed=0
cleanup() {
  [ "$installed" = 0 ] || apt-get purge -y -qq -o DPkg::Lock::Timeout=300 $PKGS >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "package-test: $*"; exit 1; }
fail=0
bad() { echo "package-test: $*"; fail=1; }
t0=$(date +%s); t=$t0
step() { now=$(date +%s); echo "package-test: $1 ($((now - t)) s)"; t=$now; }

# 1. Build from a copy of the tree.
mkdir "$TMP/src" && (cd "$ROOT" && tar -c --exclude=./.git --exclude=./build --exclude='./build-*' \
  --exclude=./out --exclude=node_modules .) | tar -x -C "$TMP/src" || die "cannot copy the tree"
(cd "$TMP/src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" dpkg-buildpackage -us -uc) \
  >"$TMP/build.log" 2>&1 || { tail -40 "$TMP/build.log"; die "dpkg-buildpackage failed (log above)"; }
debs=""
for p in $PKGS; do
  f=$(ls "$TMP"/${p}_*.deb 2>/dev/null) || die "no ${p}_*.deb was built"
  debs="$debs $f"
done
step "built$(for f in $debs; do printf ' %s' "${f##*/}"; done)"
# carsvm's run-time dependencies (shlibs): libevent's core and extra
# libraries for serve's HTTP; never a TLS stack or libffi.
dep=$(dpkg-deb -f "$TMP"/carsvm_*.deb Depends)
for p in libevent-core-2.1-7 libevent-extra-2.1-7; do
  case ", $dep," in *", $p "*|*", $p,"*) ;; *) bad "carsvm's Depends do not name $p: $dep" ;; esac
done
case $dep in *microhttpd*|*gnutls*|*libffi*|*p11-kit*|*nettle*) bad "carsvm depends on a TLS stack or libffi: $dep" ;; esac

# 2. Lintian.
lintian --fail-on error,warning "$TMP"/cars_*.changes >"$TMP/lintian.log" 2>&1
status=$?
grep -v 'running with root privileges' "$TMP/lintian.log"
[ "$status" = 0 ] || bad "lintian found errors or warnings (above): fix them, or override one with its reason in debian/*.lintian-overrides"
step "lintian: no errors, no warnings"

# 3. Install.
installed=1
(cd "$TMP" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 $(for f in $debs; do printf ' ./%s' "${f##*/}"; done)) \
  >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log"; die "apt-get install ./*.deb failed"; }
for p in $PKGS; do dpkg -L "$p" > "$TMP/$p.files" || die "dpkg -L $p failed"; done
step "installed $PKGS"

# 4. Man pages, completion, pkg-config, the library.
for page in "1 carsvm" "1 carsc" "5 cars-language" "5 cars-records"; do
  set -- $page
  got=$(man -w "$1" "$2" 2>&1)
  [ "$got" = "/usr/share/man/man$1/$2.$1.gz" ] || bad "man -w $1 $2 gives '$got', expected /usr/share/man/man$1/$2.$1.gz"
done
for c in carsc carsvm; do
  f=/usr/share/bash-completion/completions/$c
  [ -f "$f" ] || bad "$f is missing"
  bash -c ". /usr/share/bash-completion/bash_completion; __load_completion $c; complete -p $c" 2>/dev/null \
    | grep -q -- "-F _$c $c" || bad "bash-completion does not load the completion of $c"
done
v=$(pkg-config --modversion cars 2>&1)
[ "$v" = "$("$BUILD/carsvm" --version | cut -d' ' -f2)" ] || bad "pkg-config --modversion cars gives '$v'"
printf '#include <cars.h>\n#include <stdio.h>\nint main(void) { puts(cars_version_string()); return 0; }\n' > "$TMP/v.c"
# shellcheck disable=SC2046
if cc -o "$TMP/v" "$TMP/v.c" $(pkg-config --cflags --libs cars) 2>"$TMP/cc.log"; then
  [ "$("$TMP/v")" = "$v" ] || bad "a program linked with the installed libcars prints '$("$TMP/v")', expected $v"
  ldd "$TMP/v" | grep -Eq "libcars.so.1 => (/usr)?/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libcars.so.1 " \
    || bad "the program did not load the installed libcars.so.1: $(ldd "$TMP/v" | grep libcars)"
else
  cat "$TMP/cc.log"; bad "cannot build a program with pkg-config --cflags --libs cars"
fi
step "man -w, completions, pkg-config, a program linked with libcars"

# 5. The demo corpus, routed as carsvm(1) shows.
mkdir -p "$TMP/demo/tools" && cp "$ROOT/tools/demo.sh" "$TMP/demo/tools/" && cp -r "$ROOT/rulesets" "$TMP/demo/" \
  || die "cannot copy the demo"
sh "$TMP/demo/tools/demo.sh" "$BUILD" >"$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log"; die "tools/demo.sh failed"; }
# The first display of EXAMPLES: the lines starting with "$ ", continued
# lines joined.
MANWIDTH=250 man -P cat carsvm 2>/dev/null | sed -n '/^EXAMPLES/,/^SEE ALSO/p' \
  | sed -e :a -e '/\\$/N; s/\\\n *//; ta' | sed 's/^ *//' \
  | awk '/^\$ / { print substr($0, 3); seen = 1; next } seen && /^$/ { exit }' > "$TMP/examples"
grep -q '^carsvm route ' "$TMP/examples" || die "carsvm(1) EXAMPLES show no carsvm route command: $(cat "$TMP/examples")"
mkdir -p "$TMP/bin" && ln -s "$BUILD/carsvm" "$TMP/bin/carsvm"
for who in installed build; do
  d=$TMP/run-$who; mkdir "$d"
  (cd "$TMP/demo/out" && cp corpus.jsonl cars-v.carsb cars-v.carsb.minisig DEMO-ONLY-signing-key.pub "$d/") \
    || die "tools/demo.sh did not leave its corpus, release and key in out/"
  if [ $who = installed ]; then path=/usr/bin:/bin; else path=$TMP/bin:/usr/bin:/bin; fi
  while IFS= read -r cmd; do
    (cd "$d" && PATH=$path sh -c "$cmd"; echo "exit $?") >>"$d/transcript" 2>&1
  done < "$TMP/examples"
  (cd "$d" && PATH=$path command -v carsvm) >"$d/which"
done
[ "$(cat "$TMP/run-installed/which")" = /usr/bin/carsvm ] || bad "the commands ran $(cat "$TMP/run-installed/which"), not /usr/bin/carsvm"
cmp -s "$TMP/run-installed/transcript" "$TMP/run-build/transcript" \
  || { diff "$TMP/run-build/transcript" "$TMP/run-installed/transcript" | head -20
       bad "the installed carsvm did not print or exit as build/carsvm did (diff above)"; }
out=$(sed -n 's/.* -o \([^ ]*\).*/\1/p' "$TMP/examples" | head -1)
[ -s "$TMP/run-installed/$out" ] || bad "the EXAMPLES' routing wrote no $out"
cmp -s "$TMP/run-installed/$out" "$TMP/run-build/$out" || bad "the installed carsvm routed the demo corpus differently from build/carsvm"
cmp -s "$TMP/run-installed/$out" "$TMP/demo/out/routed.jsonl" || bad "the EXAMPLES' routing differs from make demo's"
lines=$(grep -c . "$TMP/run-installed/corpus.jsonl"); routed=$(wc -l < "$TMP/run-installed/$out" | tr -d ' ')
[ "$lines" = "$routed" ] || bad "$routed routing lines for $lines records"
sed 's/^/    /' "$TMP/examples"
step "routed $routed demo records with /usr/bin/carsvm as carsvm(1) shows (exits: $(grep '^exit' "$TMP/run-installed/transcript" | cut -d' ' -f2 | tr '\n' ' ')), the same bytes as build/carsvm"

# 6. Purge, and nothing left behind.
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=300 $PKGS >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log"; die "apt-get purge failed"; }
installed=0
n=0
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 && bad "$p is still known to dpkg after the purge"
  while IFS= read -r f; do
    [ "$f" = /. ] && continue
    n=$((n + 1))
    if [ -d "$f" ] && [ ! -L "$f" ]; then
      dpkg -S "$f" >/dev/null 2>&1 || bad "purge left the directory $f (of $p), which no package owns"
    elif [ -e "$f" ] || [ -L "$f" ]; then
      bad "purge left $f (of $p)"
    fi
  done < "$TMP/$p.files"
done
step "purged: none of the $n paths dpkg -L listed is left"
echo "package-test: $([ "$fail" = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - t0 )) s"
exit "$fail"
