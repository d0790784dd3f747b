#!/usr/bin/env bash
# zlib: static libz.a for libarchive's gzip filter (and for hutch itself).
# Run by scripts/build-deps.sh in the unpacked Debian source tree; see the
# environment contract at the top of that script.
set -euo pipefail

# zlib's own configure (not autoconf) only runs a dozen quick probes; it takes
# CC, AR, RANLIB and CFLAGS (with our -O2) from the environment.
# --static: we never want libz.so.
./configure --static --prefix="$PREFIX"
make -j"$JOBS" libz.a

install -m 644 libz.a "$PREFIX/lib/"
# zconf.h as left by configure (it records HAVE_UNISTD_H/HAVE_STDARG_H).
install -m 644 zlib.h zconf.h "$PREFIX/include/"
