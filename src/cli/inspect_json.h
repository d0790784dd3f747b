// The documents `inspect` prints: docker's image and container JSON, with the
// fields hutch has.
#pragma once
#include <string>

#include "base/tree_size.h"
#include "store/containers.h"
#include "store/images.h"
#include "store/store.h"

namespace hutch {

// docker's image inspect object (one element of the array).
std::string image_inspect_json(const Store& store, const ImageRecord& image);

// docker's container inspect object; with_size adds SizeRw and SizeRootFs.
std::string container_inspect_json(const Store& store, const ContainerRecord& container, bool with_size);

}  // namespace hutch
