#include "container/capabilities.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "container/docker_defaults.h"

namespace hutch {

namespace {

constexpr const char* kAll = "ALL";

bool contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::vector<std::string> normalize(const std::vector<std::string>& names, const char* field) {
  std::vector<std::string> out;
  for (std::string name : names) {
    for (char& c : name) c = (char)toupper((unsigned char)c);
    if (name != kAll && name.compare(0, 4, "CAP_") != 0) name = "CAP_" + name;
    if (name != kAll && !contains(all_capabilities(), name))
      fail("invalid %s: unknown capability: \"%s\"", field, name.c_str());
    out.push_back(name);
  }
  return out;
}

}  // namespace

std::vector<std::string> container_capabilities(const HostConfig& host) {
  std::vector<std::string> add = normalize(host.cap_add, "CapAdd");
  std::vector<std::string> drop = normalize(host.cap_drop, "CapDrop");
  std::vector<std::string> caps;
  auto keep = [&](const std::string& name) {
    if (!contains(caps, name)) caps.push_back(name);
  };
  if (host.privileged) {
    caps = all_capabilities();
  } else if (contains(add, kAll)) {
    for (const auto& name : all_capabilities())
      if (!contains(drop, name)) keep(name);
  } else if (contains(drop, kAll)) {
    // Dropping ALL leaves exactly what was added.
    for (const auto& name : add) keep(name);
  } else {
    for (const auto& name : default_capabilities())
      if (!contains(drop, name)) keep(name);
    for (const auto& name : add) keep(name);
  }
  return caps;
}

}  // namespace hutch
