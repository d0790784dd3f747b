#!/usr/bin/env bash
# zstd: static libzstd.a (library only, no CLI) for libarchive's zstd filter:
# OCI layers may be tar+zstd (application/vnd.oci.image.layer.v1.tar+zstd).
# Run by scripts/build-deps.sh in the unpacked Debian source tree.
set -euo pipefail

# libzstd.a-mt: the multi-threaded variant (-DZSTD_MULTITHREAD), so that
#   compressing layers can use ZSTD_c_nbWorkers; musl has pthreads in libc.
# ZSTD_LEGACY_SUPPORT=0: no decoders for pre-1.0 (2016) zstd frames; no image
#   uses them and they only add code.
# Our CFLAGS (-O2) reach make through the environment, not the command line:
#   that replaces zstd's default -O3 but keeps the flags its makefile appends
#   (warnings, -Wa,--noexecstack).
make -C lib -j"$JOBS" libzstd.a-mt \
    CC="$CC" AR="$AR" RANLIB="$RANLIB" \
    ZSTD_LEGACY_SUPPORT=0

install -m 644 lib/libzstd.a "$PREFIX/lib/"
install -m 644 lib/zstd.h lib/zstd_errors.h lib/zdict.h "$PREFIX/include/"
