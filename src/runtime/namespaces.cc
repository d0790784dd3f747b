#include "runtime/namespaces.h"

#include <sched.h>

namespace hutch {

const std::vector<NamespaceKind>& namespace_kinds() {
  static const std::vector<NamespaceKind> kinds = {
      {"user", "user", CLONE_NEWUSER}, {"cgroup", "cgroup", CLONE_NEWCGROUP}, {"ipc", "ipc", CLONE_NEWIPC},
      {"uts", "uts", CLONE_NEWUTS},    {"network", "net", CLONE_NEWNET},      {"time", "time", CLONE_NEWTIME},
      {"mount", "mnt", CLONE_NEWNS},   {"pid", "pid", CLONE_NEWPID},
  };
  return kinds;
}

const NamespaceKind* find_namespace_kind(std::string_view type) {
  for (const auto& kind : namespace_kinds())
    if (type == kind.type) return &kind;
  return nullptr;
}

int new_namespace_flags(const oci::Linux& linux) {
  int flags = 0;
  for (const auto& ns : linux.namespaces)
    if (ns.path.empty())
      if (const NamespaceKind* kind = find_namespace_kind(ns.type)) flags |= kind->clone_flag;
  return flags;
}

}  // namespace hutch
