// Image platforms as docker names them: "linux/amd64", "linux/arm/v7".
#pragma once
#include <string>

namespace hutch {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string str() const;  // "linux/arm/v7"
};

// What this machine runs, as image platforms name it.
Platform host_platform();
// "linux/amd64", "linux/arm64/v8", "arm64" (linux assumed), "linux" (this
// machine's architecture); empty is this machine. Throws on anything else.
Platform parse_platform(const std::string& text);
// "x86_64" -> "amd64", "aarch64" -> "arm64", ...
std::string normalize_architecture(const std::string& arch);

}  // namespace hutch
