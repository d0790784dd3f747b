#!/usr/bin/env bash
# mimalloc: an OBJECT FILE lib/mimalloc.o that replaces malloc/free/new/delete.
# Run by scripts/build-deps.sh in the unpacked Debian source tree.
#
# Why: musl's malloc takes a global lock and is roughly 10x slower than
# glibc's under threads (layer extraction and hashing run in parallel).
# Why an object and not libmimalloc.a: a member of an archive is only pulled
# in when something still needs one of its symbols; since musl's libc.a also
# defines malloc, an archive could silently lose to libc. An object file given
# first on the link line always wins, and musl's public malloc functions are
# then never linked (musl's internal __libc_malloc users keep their own small
# heap, which musl supports for exactly this case).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# mimalloc-musl.c = src/static.c (the whole allocator in one translation
# unit) plus the aligned_alloc override mimalloc 2.0.9 omits on musl.
# The -Wno-* flags only silence clang 16 noise about ATOMIC_VAR_INIT.
# shellcheck disable=SC2086 # $CFLAGS is a list of flags
"$CC" $CFLAGS -DNDEBUG -DMI_MALLOC_OVERRIDE -Iinclude -Isrc \
    -Wno-deprecated-pragma -Wno-static-in-inline \
    -c "$here/mimalloc-musl.c" -o mimalloc.o

# Every public allocation function musl's libc.a could otherwise supply must
# come from mimalloc: memory from one allocator freed by the other crashes.
# (musl's calloc/memalign/posix_memalign/valloc call these, so are covered
# either way, but mimalloc defines them too.)
defined=$(nm -g --defined-only mimalloc.o | awk '{print $3}')
for sym in malloc calloc realloc free aligned_alloc posix_memalign memalign \
           valloc pvalloc reallocarray malloc_usable_size _Znwm _ZdlPv; do
    grep -qx "$sym" <<<"$defined" ||
        { echo "mimalloc: mimalloc.o does not define $sym" >&2; exit 1; }
done

install -m 644 mimalloc.o "$PREFIX/lib/"
install -m 644 include/mimalloc.h include/mimalloc-override.h include/mimalloc-new-delete.h \
    "$PREFIX/include/"
