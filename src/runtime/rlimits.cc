#include "runtime/rlimits.h"

#include <sys/resource.h>

namespace hutch {
namespace {

struct Limit {
  const char* name;
  int resource;
};

constexpr Limit kLimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

}  // namespace

std::optional<int> rlimit_resource(std::string_view name) {
  for (const auto& limit : kLimits)
    if (name == limit.name) return limit.resource;
  return std::nullopt;
}

const char* rlimit_name(int resource) {
  for (const auto& limit : kLimits)
    if (resource == limit.resource) return limit.name;
  return nullptr;
}

}  // namespace hutch
