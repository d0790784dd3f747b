#!/usr/bin/env bash
# mbedtls: static libmbedtls.a, libmbedx509.a and libmbedcrypto.a (+ headers),
# the TLS library under libcurl (third_party/curl), which hutch's registry
# client uses for HTTPS. Only the libraries: no programs, no tests.
# Run by scripts/build-deps.sh in the unpacked Debian source tree.
#
# Why mbedTLS and not OpenSSL: a static OpenSSL adds several MB and needs its
# own perl-driven configure; mbedTLS is small, plain C and builds with a plain
# makefile. Debian's source package carries no patches (its debian/rules only
# edits config.h), so this is upstream 2.28 LTS as Debian ships it.
set -euo pipefail

# Thread safety, as Debian configures it: hutch downloads layers from several
# threads, each with its own curl handle. With MBEDTLS_THREADING_C the library
# guards its few shared objects (e.g. the RSA blinding state inside a shared
# key) with pthread mutexes, and libcurl's mbedTLS backend serialises its
# shared entropy source. This edits include/mbedtls/config.h, which is
# installed below, so every user sees the same struct layouts as the library.
python3 scripts/config.py set MBEDTLS_THREADING_C
python3 scripts/config.py set MBEDTLS_THREADING_PTHREAD
# TLS 1.2 only, like docker (Go's TLS client has refused anything older since
# Go 1.18): libcurl 7.88 asks mbedTLS for at least TLS 1.0 by default, so the
# old versions must not be compiled in at all. (CBC record splitting is a TLS
# 1.0 countermeasure and must go with it.) TLS 1.3 is only an experimental,
# incomplete option in mbedTLS 2.28 and stays off.
python3 scripts/config.py unset MBEDTLS_SSL_PROTO_TLS1
python3 scripts/config.py unset MBEDTLS_SSL_PROTO_TLS1_1
python3 scripts/config.py unset MBEDTLS_SSL_CBC_RECORD_SPLITTING

# The library makefile takes CC/AR from the environment and our CFLAGS (-O2)
# replace its default -O2; it appends its own warnings and include paths.
# zig's ar (llvm-ar) accepts the "-src" spelling of its flags.
make -C library -j"$JOBS" libmbedcrypto.a libmbedx509.a libmbedtls.a

install -m 644 library/libmbedtls.a library/libmbedx509.a library/libmbedcrypto.a "$PREFIX/lib/"
mkdir -p "$PREFIX/include/mbedtls" "$PREFIX/include/psa"
install -m 644 include/mbedtls/*.h "$PREFIX/include/mbedtls/"
install -m 644 include/psa/*.h "$PREFIX/include/psa/"
