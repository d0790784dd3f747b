#include "store/gc.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "base/random.h"
#include "store/images.h"

namespace hutch {

namespace {

std::string layers_root(const Store& store) { return store.root() + "/layers"; }
std::string blobs_dir(const Store& store) { return store.root() + "/blobs/sha256"; }

// The diff_id an entry of layers/MAPKEY/ belongs to (HEX, HEX.size,
// HEX.lock, HEX.size.tmp-...), if any.
std::optional<Digest> layer_of(const std::string& name) {
  if (name.size() < 64 || (name.size() > 64 && name[64] != '.')) return std::nullopt;
  return Digest::from_hex(std::string_view(name).substr(0, 64));
}

int64_t recorded_size(const std::string& layer_dir) {
  auto text = read_file_if_exists(layer_dir + ".size");
  return text ? atoll(text->c_str()) : 0;
}

int64_t file_size(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? (int64_t)st.st_size : 0;
}

// Removes one unpacked layer and its sidecars from one mapping directory;
// returns the bytes it held (0 when it was not there).
int64_t remove_layer(const Store& store, const std::string& mapping_dir, const Digest& diff_id,
                     const std::vector<std::string>& entries) {
  std::string hex(diff_id.hex());
  std::string dir = mapping_dir + "/" + hex;
  int64_t bytes = 0;
  if (is_dir(dir)) {
    bytes = recorded_size(dir);
    std::string trash = store.tmp_dir() + "/gc-" + random_hex(8);
    if (rename(dir.c_str(), trash.c_str()) < 0) {
      if (errno != ENOENT) fail_errno("move layer %s aside", hex.c_str());
    } else {
      try {
        remove_tree(trash);
      } catch (const Error& e) {
        // Files of ids this mapping no longer has: the next staging
        // collection in a matching namespace can still remove them.
        log_warn("layer %s left in %s: %s", hex.c_str(), trash.c_str(), e.what());
      }
    }
  }
  // The .lock goes last: an unpacker takes it before it looks for the directory.
  for (const auto& name : entries)
    if (name.compare(0, 64, hex) == 0 && name.size() > 64 && name.compare(64, 5, ".lock") != 0)
      unlink((mapping_dir + "/" + name).c_str());
  unlink((dir + ".lock").c_str());
  return bytes;
}

Collected collect(const Store& store, const ContentRefs* candidates) {
  ContentRefs keep = referenced_content(store);
  Collected out;
  std::set<Digest> removed;
  for (const auto& mapping : list_dir(layers_root(store))) {
    std::string mapping_dir = layers_root(store) + "/" + mapping;
    if (!is_dir(mapping_dir)) continue;
    std::vector<std::string> entries = list_dir(mapping_dir);
    std::set<Digest> layers;
    for (const auto& name : entries)
      if (auto diff_id = layer_of(name)) layers.insert(*diff_id);
    for (const auto& diff_id : layers) {
      if (keep.diff_ids.count(diff_id)) continue;
      if (candidates && !candidates->diff_ids.count(diff_id)) continue;
      bool present = is_dir(store.layer_dir(mapping, diff_id));
      out.bytes += remove_layer(store, mapping_dir, diff_id, entries);
      if (present) removed.insert(diff_id);
    }
  }
  out.diff_ids.assign(removed.begin(), removed.end());
  for (const auto& name : list_dir(blobs_dir(store))) {
    auto digest = Digest::from_hex(name);
    if (!digest) continue;
    if (keep.blobs.count(*digest)) continue;
    if (candidates && !candidates->blobs.count(*digest)) continue;
    std::string path = store.blob_path(*digest);
    int64_t size = file_size(path);
    if (unlink(path.c_str()) == 0) out.bytes += size;
    else if (errno != ENOENT) fail_errno("remove blob %s", digest->c_str());
  }
  return out;
}

}  // namespace

ContentRefs referenced_content(const Store& store) {
  ContentRefs refs;
  // A record that cannot be read throws here: nothing is collected on a guess.
  for (const auto& image : ImageStore(store).list()) add_image_content(refs, image);
  return refs;
}

void add_image_content(ContentRefs& refs, const ImageRecord& image) {
  refs.blobs.insert(image.id);
  for (const auto& layer : image.layers) {
    refs.diff_ids.insert(layer.diff_id);
    refs.blobs.insert(layer.blob);
  }
  for (const auto& d : image.repo_digests)
    if (size_t at = d.find('@'); at != std::string::npos)
      if (auto digest = Digest::try_parse(std::string_view(d).substr(at + 1))) refs.blobs.insert(*digest);
}

Collected collect_unreferenced(const Store& store, const ContentRefs& candidates) {
  return collect(store, &candidates);
}

Collected collect_all_unreferenced(const Store& store) {
  Collected out = collect(store, nullptr);
  // Temporary files of metadata writes that a kill interrupted (the caller
  // holds the metadata lock, so none is in progress).
  for (const auto& name : list_dir(store.images_dir()))
    if (name.find(".tmp-") != std::string::npos) unlink((store.images_dir() + "/" + name).c_str());
  for (const auto& name : list_dir(store.root()))
    if (name.compare(0, 22, "repositories.json.tmp-") == 0) unlink((store.root() + "/" + name).c_str());
  return out;
}

void collect_after_failure(const Store& store) {
  try {
    FileLock content = store.try_lock_content_exclusive();
    if (!content.held()) {
      log_debug("content left by the failure not collected: another command is adding content");
      return;
    }
    FileLock metadata = store.lock_metadata();
    Collected gone = collect_all_unreferenced(store);
    if (!gone.diff_ids.empty() || gone.bytes > 0)
      log_debug("collected %zu layers, %lld bytes left by the failure", gone.diff_ids.size(), (long long)gone.bytes);
  } catch (const Error& e) {
    log_debug("collecting what the failure left: %s", e.what());
  }
}

ContentSizes content_sizes(const Store& store) {
  ContentSizes sizes;
  for (const auto& mapping : list_dir(layers_root(store))) {
    std::string mapping_dir = layers_root(store) + "/" + mapping;
    if (!is_dir(mapping_dir)) continue;
    for (const auto& name : list_dir(mapping_dir)) {
      auto diff_id = Digest::from_hex(name);
      if (!diff_id || !is_dir(store.layer_dir(mapping, *diff_id))) continue;
      sizes.layers[*diff_id] += recorded_size(store.layer_dir(mapping, *diff_id));
    }
  }
  for (const auto& name : list_dir(blobs_dir(store)))
    if (auto digest = Digest::from_hex(name)) sizes.blobs[*digest] = file_size(store.blob_path(*digest));
  return sizes;
}

}  // namespace hutch
