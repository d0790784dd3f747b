// hutch carries a static pasta (third_party/passt, built from Debian's
// source with the same musl toolchain), so that a host with nothing
// installed beside hutch still gets outbound networking and published ports.
// It runs from a sealed memfd: nothing is written to disk, and nothing can
// change the program between the seal and the exec.
#pragma once
#include "base/fd.h"

namespace hutch {

// The name errors and logs give it.
inline constexpr const char* kBundledPastaName = "pasta (built into hutch)";

// Whether this binary carries pasta and the kernel lets a memfd be executed
// (sysctl vm.memfd_noexec=2 forbids it; hutch then looks on PATH).
bool bundled_pasta_available();

// A sealed memfd holding it (close-on-exec: execveat runs it all the same).
// Throws when the kernel refuses one.
Fd bundled_pasta_memfd();

}  // namespace hutch
