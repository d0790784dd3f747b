#!/usr/bin/env bash
# curl: static libcurl.a (+ headers) over mbedTLS, for hutch's registry client.
# HTTP and HTTPS only. Run by scripts/build-deps.sh in the unpacked Debian
# source tree, after zlib and mbedtls have been installed into $PREFIX.
set -euo pipefail

# Debian builds three flavours (OpenSSL, GnuTLS, NSS) from one tree: the last
# two patches of its series rename the library to libcurl-gnutls/libcurl-nss in
# the Makefile.am files, and debian/rules pops them again for the OpenSSL
# build. dpkg-source -x applies the whole series, so undo them here, newest
# first. (The shipped Makefile.in files are upstream's and maintainer mode is
# off, so this only keeps the tree honest; the security patches all stay.)
for p in 99_nss.patch 90_gnutls.patch; do
    tail -n 1 .pc/applied-patches | grep -qx "$p" ||
        { echo "curl: expected $p on top of the applied Debian patches" >&2; exit 1; }
    patch -R -p1 --no-backup-if-mismatch < "debian/patches/$p"
    sed -i '$d' .pc/applied-patches
done

# What configure must not see: the host's libraries. zig targeting musl never
# searches /usr/include or /usr/lib, and the only -I/-L paths we give are
# $PREFIX's. pkg-config would report the host's glibc builds (our prefix has
# no .pc files), so there is none: PKG_CONFIG=false makes every probe say no.
#
# Features, and why:
#   HTTP and HTTPS only; every other protocol off. Proxies stay (HTTPS_PROXY
#     is how people reach registries from company networks), cookies stay.
#   --with-mbedtls=$PREFIX: the TLS backend; nothing else is searched.
#   --without-ca-bundle --without-ca-path --without-ca-fallback: no CA
#     location is compiled in (it would be this build machine's); hutch finds
#     the bundle at run time and sets CURLOPT_CAINFO/CURLOPT_CAPATH.
#   --with-zlib=$PREFIX: gzip/deflate Content-Encoding.
#   --enable-ipv6 explicitly: configure's IPv6 probe runs a test program and
#     would silently turn it off if that failed here.
#   --enable-threaded-resolver, --disable-ares: getaddrinfo in a thread, so
#     timeouts work during DNS lookups (musl's resolver reads only
#     /etc/resolv.conf and /etc/hosts; no NSS).
#   No NTLM (ntlm-wb would even exec the host's /usr/bin/ntlm_auth), no
#     libpsl, brotli, zstd, nghttp2 (HTTP/1.1 only), libidn2, libssh*, rtmp,
#     gsasl, GSSAPI; no unix sockets (registries are TCP); no manual.
# CFLAGS keeps our -O2: curl's configure respects an -O level it finds there
# (no --enable/--disable-optimize given).
./configure \
    --cache-file="$WORK/curl-config.cache" \
    --prefix="$PREFIX" \
    --disable-shared --enable-static \
    --disable-dependency-tracking --disable-maintainer-mode \
    --disable-debug --disable-curldebug \
    --enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps \
    --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 \
    --disable-imap --disable-smtp --disable-gopher --disable-mqtt --disable-smb \
    --enable-proxy --enable-cookies --disable-ntlm --disable-ntlm-wb \
    --disable-unix-sockets --disable-manual --disable-libcurl-option \
    --enable-ipv6 --enable-pthreads --enable-threaded-resolver --disable-ares \
    --with-mbedtls="$PREFIX" --without-openssl --without-gnutls --without-wolfssl \
    --without-bearssl --without-rustls --without-nss \
    --without-ca-bundle --without-ca-path --without-ca-fallback \
    --with-zlib="$PREFIX" \
    --without-brotli --without-zstd --without-libpsl --without-libidn2 \
    --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche \
    --without-msh3 --without-hyper --without-libssh2 --without-libssh \
    --without-wolfssh --without-librtmp --without-libgsasl --without-gssapi \
    --without-zsh-functions-dir --without-fish-functions-dir \
    PKG_CONFIG=false

# Fail early if configure silently lost or gained something (it falls back
# quietly when a probe fails, e.g. because of a toolchain problem).
h=lib/curl_config.h
for want in USE_MBEDTLS HAVE_LIBZ ENABLE_IPV6 USE_THREADS_POSIX; do
    grep -Eq "^#define $want 1" "$h" ||
        { echo "curl: configure did not define $want (see config.log)" >&2; exit 1; }
done
for unwanted in USE_OPENSSL USE_GNUTLS USE_NGHTTP2 USE_LIBPSL HAVE_BROTLI HAVE_ZSTD \
                USE_LIBIDN2 USE_LIBSSH2 USE_ARES USE_UNIX_SOCKETS CURL_CA_BUNDLE CURL_CA_PATH \
                CURL_CA_FALLBACK; do
    if grep -Eq "^#define $unwanted( |$)" "$h"; then
        echo "curl: configure defined $unwanted (see config.log)" >&2; exit 1
    fi
done
for proto in FTP FILE LDAP RTSP DICT TELNET TFTP POP3 IMAP SMTP GOPHER MQTT SMB; do
    grep -Eq "^#define CURL_DISABLE_$proto 1" "$h" ||
        { echo "curl: configure left protocol $proto enabled" >&2; exit 1; }
done
# Only our prefix on the compiler and linker lines, only our libraries.
flags=$(grep -E '^(CPPFLAGS|CFLAGS|LDFLAGS|LIBS|LIBCURL_LIBS) =' lib/Makefile)
if grep -Eq '(-I|-L|-isystem ?)/usr/' <<<"$flags"; then
    printf 'curl: configure added a host path:\n%s\n' "$flags" >&2; exit 1
fi
grep -qx 'LIBCURL_LIBS = -lmbedtls -lmbedx509 -lmbedcrypto -lz' <<<"$flags" ||
    { printf 'curl: unexpected libraries:\n%s\n' "$flags" >&2; exit 1; }

# Only the library: src/ (the curl tool), docs and tests are not built.
make -C lib -j"$JOBS" libcurl.la

install -m 644 lib/.libs/libcurl.a "$PREFIX/lib/"
mkdir -p "$PREFIX/include/curl"
install -m 644 include/curl/*.h "$PREFIX/include/curl/"
