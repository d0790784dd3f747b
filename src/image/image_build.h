// Images hutch makes itself (`import`, `commit`): a layer tar written into
// staging, a config, and the record, in the order that keeps the store
// consistent: the blob goes to its content address, the layer is unpacked
// and verified against it (ensure_layers), then the config blob, the record
// and the tags. The caller holds store.lock_content(kShared) throughout, so
// rmi and prune never collect the new layer before the record names it.
//
// Layers are stored as uncompressed tars: the blob digest is the diff_id, and
// `save` copies it as it is.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "image/config_changes.h"
#include "image/platform.h"
#include "image/layers.h"
#include "image/tar_writer.h"
#include "store/images.h"
#include "store/store.h"

namespace hutch {

struct StagedLayer {
  std::string path;    // inside the staging directory
  Digest digest;  // of the tar: blob digest and diff_id at once
  int64_t size = 0;
  size_t entries = 0;  // 0: nothing changed (commit records an empty layer)
};

// Runs `write` on a tar writer over a new staging file and finishes the tar.
StagedLayer stage_layer(Staging& staging, const std::function<void(TarWriter&)>& write);

// Links a staged layer into blobs/ and describes it for an image record.
LayerRecord store_layer(const Store& store, const StagedLayer& layer);


struct HistoryEntry {
  std::string created;
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

// An imported image's config: one layer, docker's "Imported from -" history.
std::string import_config(const Platform& platform, const RunConfig& config, const Digest& diff_id,
                          const HistoryEntry& history);

// A committed image's config: the parent's, with `config` in place of its
// own, the new diff_id appended (none when empty), the history entry
// appended, and the container and author recorded as docker records them.
std::string child_config(const std::string& parent_json, const RunConfig& config, const Digest& diff_id,
                         const HistoryEntry& history, const std::string& container_id);

// Stores the config blob, unpacks every layer (each verified against its
// diff_id), records the image and points the tags (full references) at it.
// Returns the image id.
Digest record_image(const Store& store, const LayerTarget& target, const std::string& config_json,
                         std::vector<LayerRecord> layers, const std::vector<std::string>& tags);

// The REPOSITORY[:TAG] argument of import and commit, as a full reference.
std::string tag_reference(const std::string& text);

}  // namespace hutch
