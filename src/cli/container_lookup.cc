#include "cli/container_lookup.h"

#include "base/error.h"

namespace hutch {

ContainerRecord find_container(const ContainerStore& containers, const std::string& key) {
  try {
    return containers.find(key);
  } catch (const Error& e) {
    fail_status(1, "%s", e.what());
  }
}

}  // namespace hutch
