// Image records and tags.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace hutch {

struct LayerRecord {
  Digest diff_id;          // of the uncompressed tar: names the unpacked layer
  Digest blob;             // of the blob as stored (equals diff_id when uncompressed)
  std::string media_type;
  int64_t blob_size = 0;
  int64_t size = 0;        // unpacked content size
};

struct ImageRecord {
  Digest id;  // the config's digest, as docker's image ID
  std::vector<LayerRecord> layers;  // base first
  std::string created;              // from the config
  int64_t size = 0;
  // "docker.io/library/busybox@sha256:..." for each repository the image was
  // pulled from (the manifest's digest), as docker's RepoDigests.
  std::vector<std::string> repo_digests;
};

class ImageStore {
 public:
  explicit ImageStore(const Store& store) : store_(store) {}

  void put(const ImageRecord& image) const;
  std::optional<ImageRecord> get(const Digest& id) const;
  std::vector<ImageRecord> list() const;
  std::string config_json(const ImageRecord& image) const;

  // Full references ("docker.io/library/a:b") to image ids.
  // A tag naming something that is not a digest is dropped as unreadable.
  std::map<std::string, Digest> tags() const;
  // Points each reference at the image, under the metadata lock.
  void tag(const std::vector<std::string>& full_refs, const Digest& id) const;
  // Replaces every tag; the caller holds lock_metadata().
  void write_tags(const std::map<std::string, Digest>& all) const;
  // Deletes the image record (durably); the caller holds lock_metadata().
  void remove(const Digest& id) const;

  // Adds repo digests to an existing record, under the metadata lock.
  void add_repo_digests(const Digest& id, const std::vector<std::string>& digests) const;

  // Ids whose hex starts with prefix.
  std::vector<Digest> ids_with_prefix(const std::string& prefix) const;

 private:
  const Store& store_;
};

// "sha256:HEX" or "HEX" -> "HEX".
std::string hex_of(const std::string& id);
// Lower-case hex digits, at least one (id prefixes typed by users).
bool is_hex(const std::string& s);

}  // namespace hutch
