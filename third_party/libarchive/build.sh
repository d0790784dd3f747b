#!/usr/bin/env bash
# libarchive: static libarchive.a to read and write image layers (tar with
# gzip or zstd) and to extract them with xattrs. Nothing else is enabled.
# Run by scripts/build-deps.sh in the unpacked Debian source tree, after zlib
# and zstd have been installed into $PREFIX.
set -euo pipefail

# Debian's security patches edit configure.ac and Makefile.am (to add tests),
# which makes the shipped configure/Makefile.in look stale: make would then try
# to run aclocal/automake. The generated files are still right for the
# library sources, so mark them up to date, in dependency order.
touch aclocal.m4 configure Makefile.in config.h.in

# Every configure probe is a full zig link (about 0.5-1 s each); this configure
# is still the slowest step of build-deps (~3 min). Its cache file lives in the
# work dir, so a re-run after an interrupted build reuses the answers.
#
# Only zlib and zstd: layers are tar + gzip/zstd. Everything optional that
# would drag in another library or read host configuration is off:
#   --disable-acl: POSIX ACLs need libacl; they are lost, like with most
#     rootless extractors.
#   --without-iconv: no charset conversion (musl's iconv is minimal anyway);
#     tar/pax names are bytes to us.
#   crypto libs off: only used for encrypted zip/7z and some digests we don't
#     use (hutch hashes blobs itself).
#   --enable-xattr: Linux xattrs need only <sys/xattr.h> from musl.
# CPPFLAGS/LDFLAGS point the probes at the zlib and zstd just built.
./configure \
    --cache-file="$WORK/libarchive-config.cache" \
    --prefix="$PREFIX" \
    --disable-shared --enable-static \
    --disable-bsdtar --disable-bsdcat --disable-bsdcpio \
    --disable-acl --enable-xattr \
    --with-zlib --with-zstd \
    --without-bz2lib --without-libb2 --without-iconv --without-lz4 \
    --without-lzma --without-lzo2 --without-cng --without-mbedtls \
    --without-nettle --without-openssl --without-xml2 --without-expat \
    CPPFLAGS="-I$PREFIX/include" LDFLAGS="-L$PREFIX/lib"

# Fail early if configure silently lost a feature we rely on (it falls back
# quietly when a probe fails, e.g. because of a toolchain problem).
for want in HAVE_ZLIB_H HAVE_LIBZ HAVE_ZSTD_H HAVE_LIBZSTD ARCHIVE_XATTR_LINUX; do
    grep -q "^#define $want 1" config.h ||
        { echo "libarchive: configure did not enable $want (see config.log)" >&2; exit 1; }
done

# Only the library: the test programs and frontends would double the build time.
make -j"$JOBS" libarchive.la

install -m 644 .libs/libarchive.a "$PREFIX/lib/"
install -m 644 libarchive/archive.h libarchive/archive_entry.h "$PREFIX/include/"
