#!/usr/bin/env bash
# simdjson: static libsimdjson.a, used to parse OCI/docker manifests and configs.
# Run by scripts/build-deps.sh in the unpacked Debian source tree.
set -euo pipefail

# No -march: the library must run on any x86-64. simdjson compiles its
# haswell/icelake/westmere kernels with per-function target attributes and
# picks one at run time with its own CPUID code (no glibc ifunc or
# __builtin_cpu_supports), which is why the dispatch also works under musl.
#
# Layout warning for users: simdjson.h adds debug-only members to some classes
# when __OPTIMIZE__ is undefined (SIMDJSON_DEVELOPMENT_CHECKS). This library is
# built with -O2, so code including simdjson.h must be optimised too (it always
# is here: zig needs -O2 anyway to keep its UBSan traps out).
if [[ -f singleheader/simdjson.cpp && -f singleheader/simdjson.h ]]; then
    # The amalgamated release files: one translation unit, one header.
    # shellcheck disable=SC2086 # $CXXFLAGS is a list of flags
    "$CXX" $CXXFLAGS -c singleheader/simdjson.cpp -o simdjson.o
    install -m 644 singleheader/simdjson.h "$PREFIX/include/"
else
    # A source package without the amalgamation (Debian's DFSG repack may drop
    # it): src/simdjson.cpp #includes the rest of src/ itself.
    # shellcheck disable=SC2086 # $CXXFLAGS is a list of flags
    "$CXX" $CXXFLAGS -Iinclude -Isrc -c src/simdjson.cpp -o simdjson.o
    cp -R include/. "$PREFIX/include/"
fi
rm -f libsimdjson.a
"$AR" rcs libsimdjson.a simdjson.o
install -m 644 libsimdjson.a "$PREFIX/lib/"
