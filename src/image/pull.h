// `hutch pull`: an image from a registry into the store. Layers are fetched in
// parallel and unpacked as they arrive; nothing is recorded until every blob,
// layer and the config matched its digest.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "image/layers.h"
#include "image/reference.h"
#include "registry/registry.h"
#include "store/store.h"

namespace hutch {

enum class LayerPhase { kWaiting, kDownloading, kExtracting, kComplete, kAlreadyExists };

// What a pull reports as it goes; called from worker threads too.
class PullObserver {
 public:
  virtual ~PullObserver() = default;
  // Short ids (12 hex digits of each blob), base first.
  virtual void layers(const std::vector<std::string>& short_ids) {}
  virtual void layer_phase(size_t index, LayerPhase phase) {}
  virtual void layer_bytes(size_t index, int64_t done, int64_t total) {}
};

struct PullResult {
  Digest id;               // config digest: the image id
  Digest digest;           // manifest (or index) digest
  bool new_image = false;  // false: the store already had it ("Image is up to date")
};

// The registry is the one for ref's domain and path.
PullResult pull_image(const Store& store, const LayerTarget& target, Registry& registry, const Reference& ref,
                      const Platform& platform, PullObserver& observer);

}  // namespace hutch
