#include "image/platform.h"

#include <sys/utsname.h>

#include <vector>

#include "base/error.h"

namespace hutch {

std::string normalize_architecture(const std::string& arch) {
  if (arch == "armhf" || arch == "armel" || arch.compare(0, 4, "armv") == 0) return "arm";
  if (arch == "x86_64" || arch == "x86-64") return "amd64";
  if (arch == "aarch64") return "arm64";
  return arch;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

Platform parse_platform(const std::string& text) {
  if (text.empty() || text == "linux") return host_platform();
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (const auto& p : parts)
    if (p.empty()) fail("invalid platform \"%s\": expected OS/ARCH[/VARIANT]", text.c_str());
  Platform p;
  if (parts.size() == 1) {
    p.os = "linux";
    p.architecture = parts[0];
  } else if (parts.size() <= 3) {
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  } else {
    fail("invalid platform \"%s\": expected OS/ARCH[/VARIANT]", text.c_str());
  }
  if (p.os != "linux") fail("invalid platform \"%s\": hutch runs linux images only", text.c_str());
  p.architecture = normalize_architecture(p.architecture);
  return p;
}

Platform host_platform() {
  struct utsname u;
  uname(&u);
  std::string machine = u.machine;
  Platform p{"linux", normalize_architecture(machine), ""};
  if (machine == "i686" || machine == "i386") p.architecture = "386";
  if (machine.compare(0, 3, "arm") == 0 && machine != "arm64") {
    p.architecture = "arm";
    p.variant = machine.size() > 4 && machine[3] == 'v' ? std::string("v") + machine[4] : "v7";
  }
  if (p.architecture == "arm64") p.variant = "v8";
  return p;
}

}  // namespace hutch
