// The notices of the software linked into the static binary, which their
// licences require to travel with it. Defined in build/gen/licenses.cc, which
// scripts/gen-licenses.py writes from the dependencies' own sources.
#pragma once
#include <span>

namespace hutch {

struct BundledLicense {
  const char* name;     // "zlib", "musl libc"
  const char* version;  // "1.2.13.dfsg (Debian source package zlib 1:1.2.13.dfsg-1)"
  const char* license;  // SPDX expression
  const char* text;     // each notice file, headed "--- FILE"
};

std::span<const BundledLicense> bundled_licenses();

}  // namespace hutch
