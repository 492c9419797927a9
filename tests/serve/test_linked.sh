# What carsvm loads: the VM calls no foreign code (no libffi), and serve
# speaks plain HTTP (TLS is the load balancer's), so no TLS stack is mapped
# into any carsvm process. ldd lists every shared library it loads, the
# indirect ones too (libmicrohttpd brought GnuTLS, and GnuTLS p11-kit,
# libffi, nettle, hogweed and gmp).
command -v ldd >/dev/null || fail "ldd is missing"
ldd "$CARSVM" > ldd.out || fail "ldd $CARSVM: $(cat ldd.out)"
for lib in libffi libgnutls libmicrohttpd libp11-kit libnettle libhogweed libgmp libtasn1 libidn2 libssl libcrypto; do
  grep -q "$lib" ldd.out && fail "carsvm loads $lib: $(grep "$lib" ldd.out)"
done
for lib in libevent_core libevent_extra; do
  grep -q "$lib-" ldd.out || fail "carsvm does not load $lib: $(cat ldd.out)"
done
ok "carsvm loads no libffi, no TLS stack (GnuTLS, p11-kit, nettle, gmp, OpenSSL) and no libmicrohttpd; HTTP is libevent's"
