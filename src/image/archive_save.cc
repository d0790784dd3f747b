#include "image/archive_save.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include "base/error.h"
#include "base/file.h"
#include "base/human.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "image/decompress.h"
#include "image/image_config.h"
#include "image/lookup.h"
#include "image/reference.h"
#include "image/tar_writer.h"

namespace hutch {

ArchiveFormat parse_archive_format(const std::string& name) {
  if (name.empty() || name == "docker-archive" || name == "docker") return ArchiveFormat::kDockerArchive;
  if (name == "oci-archive" || name == "oci") return ArchiveFormat::kOciArchive;
  fail("unknown archive format %s (supported: docker-archive, oci-archive)", name.c_str());
}

// ---- names

namespace {

void add_item(std::vector<SaveItem>& items, const ImageRecord& image, const std::string& tag) {
  for (auto& item : items) {
    if (item.image.id != image.id) continue;
    if (!tag.empty() && std::find(item.tags.begin(), item.tags.end(), tag) == item.tags.end())
      item.tags.push_back(tag);
    return;
  }
  items.push_back(SaveItem{image, tag.empty() ? std::vector<std::string>{} : std::vector<std::string>{tag}});
}

}  // namespace

std::vector<SaveItem> resolve_save_names(const ImageStore& images, const std::vector<std::string>& names) {
  std::vector<SaveItem> items;
  auto tags = images.tags();
  for (const auto& name : names) {
    auto ref = parse_stored_reference(name);
    if (ref && ref->tag_defaulted) {
      bool any = false;
      for (const auto& [full, id] : tags) {
        auto stored = parse_stored_reference(full);
        if (!stored || stored->name() != ref->name() || stored->tag.empty() || !stored->digest.empty()) continue;
        auto image = images.get(id);
        if (!image) continue;
        add_item(items, *image, full);
        any = true;
      }
      if (any) continue;
    } else if (ref && ref->digest.empty()) {
      if (auto it = tags.find(ref->full()); it != tags.end()) {
        if (auto image = images.get(it->second)) {
          add_item(items, *image, it->first);
          continue;
        }
      }
    }
    // An id, an id prefix, or a digest reference: saved without a tag.
    auto image = find_image(images, name);
    if (!image) fail("No such image: %s", name.c_str());
    add_item(items, *image, "");
  }
  return items;
}

// ---- writing

namespace {

constexpr const char* kEpoch = "1970-01-01T00:00:00Z";

struct LayerSource {
  Digest diff_id;
  Digest blob;
  std::string path;
  Compression compression = Compression::kNone;
  int64_t blob_size = 0;
  int64_t tar_size = 0;  // docker-archive: the uncompressed size
};

struct ImagePlan {
  const SaveItem* item;
  std::string config_path;
  int64_t config_size = 0;
  int64_t mtime = 0;
  std::vector<LayerSource> layers;
};

Compression compression_of(const std::string& path) {
  Fd fd = open_or_fail(path, O_RDONLY);
  DecompressingReader reader(fd.get());
  return reader.compression();
}

int64_t file_size(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0) fail_errno("stat %s", path.c_str());
  return st.st_size;
}

// The uncompressed size of a compressed layer, read once before the tar
// header that must state it; the content is checked against the diff_id.
int64_t measure_layer(const LayerSource& layer) {
  Fd fd = open_or_fail(layer.path, O_RDONLY);
  DecompressingReader reader(fd.get());
  std::vector<char> buf(256 * 1024);
  int64_t total = 0;
  while (size_t n = reader.read(buf.data(), buf.size())) total += n;
  if (reader.uncompressed_digest() != layer.diff_id)
    fail("layer %s: stored blob %s does not match it", layer.diff_id.c_str(), layer.blob.c_str());
  return total;
}

ImagePlan plan_image(const Store& store, const SaveItem& item, ArchiveFormat format) {
  ImagePlan plan;
  plan.item = &item;
  plan.config_path = store.blob_path(item.image.id);
  plan.config_size = file_size(plan.config_path);
  plan.mtime = parse_rfc3339(item.image.created);
  if (plan.mtime < 0) plan.mtime = 0;
  for (const auto& l : item.image.layers) {
    LayerSource layer;
    layer.diff_id = l.diff_id;
    layer.blob = l.blob;
    layer.path = store.blob_path(l.blob);
    if (!exists(layer.path))
      fail("image %s: the blob of layer %s is missing from the store", item.image.id.c_str(), l.diff_id.c_str());
    layer.blob_size = file_size(layer.path);
    layer.compression = compression_of(layer.path);
    if (format == ArchiveFormat::kDockerArchive)
      layer.tar_size = layer.compression == Compression::kNone ? layer.blob_size : measure_layer(layer);
    plan.layers.push_back(layer);
  }
  return plan;
}

// Copies a layer into the archive, decompressed or as stored, checking the
// digest of what was written.
void stream_layer(TarWriter& tar, const LayerSource& layer, const std::string& entry_path, bool decompress,
                  int64_t mtime) {
  Fd fd = open_or_fail(layer.path, O_RDONLY);
  TarEntry e;
  e.path = entry_path;
  e.mtime = mtime;
  std::vector<char> buf(256 * 1024);
  if (decompress && layer.compression != Compression::kNone) {
    e.size = layer.tar_size;
    tar.begin(e);
    DecompressingReader reader(fd.get());
    int64_t total = 0;
    while (size_t n = reader.read(buf.data(), buf.size())) {
      tar.write(buf.data(), n);
      total += n;
    }
    if (total != layer.tar_size || reader.uncompressed_digest() != layer.diff_id)
      fail("layer %s changed while it was saved", layer.diff_id.c_str());
    return;
  }
  e.size = layer.blob_size;
  tar.begin(e);
  Sha256 hash;
  int64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read %s", layer.path.c_str());
    if (n == 0) break;
    hash.update(buf.data(), n);
    tar.write(buf.data(), n);
    total += n;
  }
  if (total != layer.blob_size || Digest::from_computed(hash.hex()) != layer.blob)
    fail("layer blob %s does not match its digest", layer.blob.c_str());
}

std::string familiar_tag(const std::string& full) {
  auto ref = parse_stored_reference(full);
  return ref ? ref->familiar_name() + ":" + ref->tag : full;
}

// ---- docker-archive

// The directory of each layer is named by its chain id (the id of the layer
// stack up to it), so images sharing a base share its directories.
std::vector<std::string> chain_ids(const std::vector<LayerSource>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers)
    out.push_back(out.empty() ? std::string(l.diff_id.hex()) : sha256_hex("sha256:" + out.back() + " " + l.diff_id.str()));
  return out;
}

void write_docker_archive(TarWriter& tar, const std::vector<ImagePlan>& plans) {
  JsonWriter manifest;
  manifest.begin_array();
  std::map<std::string, std::map<std::string, std::string>> repositories;
  for (const auto& plan : plans) {
    auto ids = chain_ids(plan.layers);
    manifest.begin_object().field("Config", std::string(plan.item->image.id.hex()) + ".json").key("RepoTags");
    if (plan.item->tags.empty()) {
      manifest.null();
    } else {
      manifest.begin_array();
      for (const auto& tag : plan.item->tags) manifest.value(familiar_tag(tag));
      manifest.end_array();
    }
    manifest.key("Layers").begin_array();
    for (const auto& id : ids) manifest.value(id + "/layer.tar");
    manifest.end_array().end_object();
    for (const auto& tag : plan.item->tags) {
      auto ref = parse_stored_reference(tag);
      if (ref && !ids.empty()) repositories[ref->familiar_name()][ref->tag] = ids.back();
    }
  }
  manifest.end_array();
  tar.add_file("manifest.json", manifest.str() + "\n", 0);
  if (!repositories.empty()) {
    JsonWriter repos;
    repos.begin_object();
    for (const auto& [name, tags] : repositories) {
      repos.key(name).begin_object();
      for (const auto& [tag, id] : tags) repos.field(tag, id);
      repos.end_object();
    }
    repos.end_object();
    tar.add_file("repositories", repos.str() + "\n", 0);
  }

  std::set<std::string> written;
  for (const auto& plan : plans) {
    Fd config = open_or_fail(plan.config_path, O_RDONLY);
    TarEntry e;
    e.path = std::string(plan.item->image.id.hex()) + ".json";
    e.size = plan.config_size;
    e.mtime = plan.mtime;
    tar.add_from_fd(e, config.get());
    auto ids = chain_ids(plan.layers);
    for (size_t i = 0; i < plan.layers.size(); i++) {
      if (!written.insert(ids[i]).second) continue;
      tar.add_dir(ids[i] + "/", plan.mtime);
      tar.add_file(ids[i] + "/VERSION", "1.0", plan.mtime);
      JsonWriter json;
      json.begin_object().field("id", ids[i]);
      if (i > 0) json.field("parent", ids[i - 1]);
      json.field("created", kEpoch).key("container_config").begin_object().end_object();
      json.field("os", "linux").end_object();
      tar.add_file(ids[i] + "/json", json.str(), plan.mtime);
      stream_layer(tar, plan.layers[i], ids[i] + "/layer.tar", true, plan.mtime);
    }
  }
}

// ---- oci-archive

std::string oci_layer_media_type(Compression c) {
  switch (c) {
    case Compression::kGzip: return "application/vnd.oci.image.layer.v1.tar+gzip";
    case Compression::kZstd: return "application/vnd.oci.image.layer.v1.tar+zstd";
    case Compression::kNone: break;
  }
  return "application/vnd.oci.image.layer.v1.tar";
}

std::string oci_manifest(const ImagePlan& plan) {
  JsonWriter m;
  m.begin_object()
      .field("schemaVersion", 2)
      .field("mediaType", "application/vnd.oci.image.manifest.v1+json")
      .key("config")
      .begin_object()
      .field("mediaType", "application/vnd.oci.image.config.v1+json")
      .field("digest", plan.item->image.id)
      .field("size", plan.config_size)
      .end_object()
      .key("layers")
      .begin_array();
  for (const auto& l : plan.layers) {
    m.begin_object()
        .field("mediaType", oci_layer_media_type(l.compression))
        .field("digest", l.blob)
        .field("size", l.blob_size)
        .end_object();
  }
  m.end_array().end_object();
  return m.str();
}

void write_oci_archive(TarWriter& tar, const std::vector<ImagePlan>& plans) {
  std::vector<std::string> manifests;
  JsonWriter index;
  index.begin_object()
      .field("schemaVersion", 2)
      .field("mediaType", "application/vnd.oci.image.index.v1+json")
      .key("manifests")
      .begin_array();
  for (const auto& plan : plans) {
    manifests.push_back(oci_manifest(plan));
    std::string digest = "sha256:" + sha256_hex(manifests.back());
    auto descriptor = [&] {
      index.begin_object()
          .field("mediaType", "application/vnd.oci.image.manifest.v1+json")
          .field("digest", digest)
          .field("size", (int64_t)manifests.back().size());
    };
    if (plan.item->tags.empty()) {
      descriptor();
      index.end_object();
    }
    for (const auto& tag : plan.item->tags) {
      // The short "name:tag" form skopeo and podman write and read; the full
      // name also under containerd's key, which docker reads.
      descriptor();
      index.key("annotations")
          .begin_object()
          .field("io.containerd.image.name", tag)
          .field("org.opencontainers.image.ref.name", familiar_tag(tag))
          .end_object()
          .end_object();
    }
  }
  index.end_array().end_object();

  tar.add_file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 0);
  tar.add_file("index.json", index.str(), 0);
  tar.add_dir("blobs/", 0);
  tar.add_dir("blobs/sha256/", 0);
  std::set<std::string> written;
  for (size_t i = 0; i < plans.size(); i++) {
    const ImagePlan& plan = plans[i];
    std::string digest = "sha256:" + sha256_hex(manifests[i]);
    if (written.insert(digest).second) tar.add_file("blobs/sha256/" + digest.substr(7), manifests[i], plan.mtime);
    if (written.insert(plan.item->image.id.str()).second) {
      Fd config = open_or_fail(plan.config_path, O_RDONLY);
      TarEntry e;
      e.path = "blobs/sha256/" + std::string(plan.item->image.id.hex());
      e.size = plan.config_size;
      e.mtime = plan.mtime;
      tar.add_from_fd(e, config.get());
    }
    for (const auto& layer : plan.layers) {
      if (!written.insert(layer.blob.str()).second) continue;
      stream_layer(tar, layer, "blobs/sha256/" + std::string(layer.blob.hex()), false, plan.mtime);
    }
  }
}

}  // namespace

void save_archive(const Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, int out_fd) {
  // Everything is checked and measured before the first byte goes out.
  std::vector<ImagePlan> plans;
  for (const auto& item : items) {
    plans.push_back(with_context("image " + item.image.id.str(), [&] { return plan_image(store, item, format); }));
  }
  TarWriter tar(out_fd);
  if (format == ArchiveFormat::kDockerArchive) write_docker_archive(tar, plans);
  else write_oci_archive(tar, plans);
  tar.finish();
}

}  // namespace hutch
