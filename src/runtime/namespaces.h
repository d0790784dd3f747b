// The config's namespace types, their clone flags and /proc/PID/ns names.
#pragma once
#include <string_view>
#include <vector>

#include "runtime/oci_config.h"

namespace hutch {

struct NamespaceKind {
  const char* type;     // the config's name: "pid"
  const char* proc;     // /proc/PID/ns/NAME: "pid"
  int clone_flag;
};

// In the order a process must enter them: user first (it grants the rights
// to join the rest), mount last but one (after it, host paths are gone), pid
// last (it applies to children only).
const std::vector<NamespaceKind>& namespace_kinds();
// nullptr for an unknown type.
const NamespaceKind* find_namespace_kind(std::string_view type);

// CLONE_NEW* flags of the namespaces the config creates (those without a path).
int new_namespace_flags(const oci::Linux& linux);

}  // namespace hutch
