#!/usr/bin/env bash
# passt: a static pasta, the user-mode network engine hutch carries inside
# its own binary (Makefile: build/gen/pasta_blob.S), so a host with nothing
# installed still gets networking. Run by scripts/build-deps.sh in the
# unpacked, Debian-patched source tree; see its environment contract.
set -euo pipefail

# seccomp.sh asks the compiler for each syscall's number with "-E ... -o -";
# zig cc writes nothing to "-o -", and the filter then had empty numbers
# (pasta killed by SIGSYS at its first epoll_pwait). Without -o it prints.
sed -i 's/ -E -xc - -o - / -E -xc - /' seccomp.sh
# One portable build: no re-exec of a passt.avx2 twin through /proc/self/exe,
# which is a memfd when hutch runs it (and __builtin_cpu_supports needs a
# libgcc that zig does not link).
sed -i 's/^#ifdef __x86_64__$/#if 0 \/* hutch: no .avx2 twin *\//' arch.c
grep -q '^#if 0 /\* hutch' arch.c || { echo "arch.c: the AVX2 switch moved; update the recipe" >&2; exit 1; }

make -j"$JOBS" CC="$CC" CFLAGS="$CFLAGS" LDFLAGS="-static -s" VERSION="debian-$DEBIAN_VERSION" passt
if grep -q 'BPF_K, ,' seccomp.h; then
    echo "seccomp.h has syscalls without numbers" >&2
    exit 1
fi
file passt | grep -q 'statically linked\|static-pie linked' || { echo "passt is not static" >&2; exit 1; }
mkdir -p "$PREFIX/bin"
install -m 755 passt "$PREFIX/bin/pasta"
