// Unpacked layers on demand: each layer is unpacked once per id mapping, by
// whichever process gets to it first, and shared by every image and container.
#pragma once
#include <cstdint>
#include <functional>
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
// verifying each against its diff_id before it becomes visible.
//
// A blob is read from `staged[i]` when given (a file of a load not yet in the
// store), else from the store. Every blob is checked against its diff_id
// before it joins the store, even when its layer is already unpacked (a
// repeated layer, or one another image brought): a blob in the store is
// always one whose layer was verified.
//
// Returns the directories to stack, base first. A layer listed more than once
// (every empty layer has the same diff_id) is stacked once, where it is
// highest: applying a layer again over itself changes nothing, and overlayfs
// refuses the same directory twice.
std::vector<std::string> ensure_layers(const Store& store, const LayerTarget& target,
                                       std::vector<LayerRecord>& layers,
                                       const std::vector<std::string>& staged = {});

// Whether every layer is already unpacked for this mapping: then
// ensure_layers() only names their directories, and needs no user namespace.
bool all_layers_present(const Store& store, const LayerTarget& target, const std::vector<LayerRecord>& layers);

// Fills in each record's `size` from what unpacking wrote beside the layer,
// and returns their sum, as docker reports an image's size. For records
// (load, import, commit), not on the way to starting a container.
int64_t fill_layer_sizes(const Store& store, const LayerTarget& target, std::vector<LayerRecord>& layers);

// Delivers a blob that is not in the store yet: calls `write` with its bytes,
// in order, and returns when all have been written.
using BlobWriter = std::function<void(const char* data, size_t size)>;
using BlobSource = std::function<void(const BlobWriter& write)>;

enum class LayerOutcome {
  kPresent,     // already unpacked (maybe by another process while we waited)
  kFromStore,   // unpacked from a blob the store had
  kDownloaded,  // unpacked while `source` delivered it; the blob is kept too
};

// Makes one layer ready, unpacking as the blob arrives rather than after: the
// blob's bytes go both to a staging file and, through a pipe, to an unpacking
// thread. The layer and the blob become visible only once both digests match.
// Holds the layer's lock throughout, so concurrent pulls fetch it once.
LayerOutcome ensure_layer(const Store& store, const LayerTarget& target, LayerRecord& layer,
                          const BlobSource& source);

}  // namespace hutch
