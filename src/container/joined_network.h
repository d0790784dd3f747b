// --network container:X: the container joins X's network namespace and, with
// it, X's user namespace, which owns that network namespace (a namespace of
// one's own could not join it). Its other namespaces stay its own.
#pragma once
#include <string>

#include "base/fd.h"
#include "runtime/oci_config.h"
#include "store/store.h"

namespace hutch {

class JoinedNetwork {
 public:
  // Opens X's namespaces; throws docker's error when X is not running.
  JoinedNetwork(const Store& store, const std::string& name_or_id);
  // Points the spec's user and network namespaces at X's.
  void join(oci::Config& spec) const;

 private:
  Fd userns_, netns_;
};

}  // namespace hutch
