// Unpacked layers on demand: each layer is unpacked once per id mapping, by
// whichever process gets to it first, and shared by every image and container.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/images.h"
#include "store/store.h"

namespace hutch {

// Where layers go for the id mapping in force and how owners are applied.
struct LayerTarget {
  std::string mapping_key;
  bool apply_owners = true;
};

// Makes sure every layer is unpacked (in parallel where several are missing),
// verifying each against its diff_id before it becomes visible. Fills in each
// record's `size`. Returns the layer directories, base first.
std::vector<std::string> ensure_layers(const Store& store, const LayerTarget& target,
                                       std::vector<LayerRecord>& layers);

}  // namespace hutch
