#include "image/archive_load.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <set>

#include "image/image_config.h"
#include "image/reference.h"
#include "store/images.h"
#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/sha256.h"

namespace hutch {

namespace {

constexpr int64_t kMaxJsonSize = 16 << 20;

// A file of the outer archive, staged on disk and named by its digest.
struct StagedFile {
  std::string path;
  Digest digest;  // of its content, computed while staging
  int64_t size = 0;
};

std::string normalize(std::string name) {
  while (name.compare(0, 2, "./") == 0) name.erase(0, 2);
  return name;
}

// Resolves "a/b/../c" forms that docker save's layer symlinks use.
std::string resolve_relative(const std::string& from_entry, const std::string& target) {
  std::vector<std::string> parts;
  std::string dir = from_entry.find('/') == std::string::npos ? "" : from_entry.substr(0, from_entry.rfind('/'));
  std::string joined = target.front() == '/' ? target.substr(1) : (dir.empty() ? target : dir + "/" + target);
  size_t pos = 0;
  while (pos <= joined.size()) {
    size_t slash = joined.find('/', pos);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(pos, slash - pos);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    pos = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

class ArchiveContents {
 public:
  ArchiveContents(int fd, Staging& staging) { read_all(fd, staging); }

  bool has(const std::string& name) const { return find(name) != nullptr; }
  const StagedFile& get(const std::string& name) const {
    const StagedFile* f = find(name);
    if (!f) fail("archive has no %s", name.c_str());
    return *f;
  }
  std::string read_json(const std::string& name) const {
    const StagedFile& f = get(name);
    if (f.size > kMaxJsonSize) fail("%s is too large", name.c_str());
    return read_file(f.path);
  }

 private:
  const StagedFile* find(std::string name) const {
    for (int hops = 0; hops < 16; hops++) {
      if (auto it = files_.find(name); it != files_.end()) return &it->second;
      auto link = links_.find(name);
      if (link == links_.end()) return nullptr;
      name = link->second;
    }
    return nullptr;
  }

  void read_all(int fd, Staging& staging);

  std::map<std::string, StagedFile> files_;
  std::map<std::string, std::string> links_;
};

void ArchiveContents::read_all(int fd, Staging& staging) {
  struct archive* a = archive_read_new();
  struct Closer {
    struct archive* a;
    ~Closer() { archive_read_free(a); }
  } closer{a};
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  if (archive_read_open_fd(a, fd, 256 * 1024) != ARCHIVE_OK)
    fail("cannot read archive: %s", archive_error_string(a));
  for (;;) {
    struct archive_entry* entry;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) fail("archive is truncated or corrupt: %s", archive_error_string(a));
    std::string name = normalize(archive_entry_pathname(entry));
    if (const char* hard = archive_entry_hardlink(entry)) {
      links_[name] = normalize(hard);
      continue;
    }
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (target && *target) links_[name] = resolve_relative(name, target);
      continue;
    }
    if (type != AE_IFREG) continue;
    StagedFile staged;
    staged.path = staging.make_path("f");
    Fd out = open_or_fail(staged.path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    Sha256 hash;
    const void* buf;
    size_t size;
    la_int64_t offset;
    std::string write_entry = "write " + name;
    for (;;) {
      int r = archive_read_data_block(a, &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK) fail("archive is truncated or corrupt: %s", archive_error_string(a));
      hash.update(buf, size);
      write_all(out.get(), std::string_view(static_cast<const char*>(buf), size), write_entry.c_str());
      staged.size += size;
    }
    staged.digest = Digest::from_computed(hash.hex());
    files_[name] = std::move(staged);
  }
}

// One image found in the archive, before anything is stored.
struct FoundImage {
  std::string config_entry;
  std::vector<std::string> layer_entries;
  std::vector<std::string> layer_media_types;  // empty: decide from content
  // What an OCI manifest promises; empty for docker-archive, which names files.
  Digest config_digest;
  std::vector<Digest> layer_digests;
  std::vector<std::string> tags;  // full references
};

std::string normalize_tag(const std::string& tag) {
  return with_context("tag " + tag, [&] { return parse_reference(tag).full(); });
}

std::vector<FoundImage> read_docker_manifest(const ArchiveContents& contents) {
  JsonValue manifest = parse_json(contents.read_json("manifest.json"), "manifest.json");
  if (!manifest.is_array()) fail("manifest.json: not a list of images");
  std::vector<FoundImage> found;
  for (const auto& item : manifest.items()) {
    FoundImage image;
    image.config_entry = normalize(item.string_at("Config"));
    if (image.config_entry.empty()) fail("manifest.json: image without Config");
    for (const auto& layer : item.strings_at("Layers")) image.layer_entries.push_back(normalize(layer));
    for (const auto& tag : item.strings_at("RepoTags")) image.tags.push_back(normalize_tag(tag));
    found.push_back(std::move(image));
  }
  return found;
}

std::string blob_entry(const Digest& digest) { return "blobs/sha256/" + std::string(digest.hex()); }

Digest descriptor_digest(const JsonValue& descriptor, const std::string& what) {
  return Digest::parse(descriptor.string_at("digest"), what);
}

bool for_this_host(const JsonValue& descriptor) {
  const JsonValue* platform = descriptor.get("platform");
  return !platform || (platform->string_at("architecture") == "amd64" && platform->string_at("os") == "linux");
}

void add_oci_manifests(const ArchiveContents& contents, const JsonValue& index, int depth,
                       std::vector<FoundImage>& found) {
  const JsonValue* manifests = index.get("manifests");
  if (!manifests || depth > 4) fail("index.json: no manifests");
  for (const auto& desc : manifests->items()) {
    if (!for_this_host(desc)) continue;
    Digest digest = descriptor_digest(desc, "index.json: manifest");
    const StagedFile& blob = contents.get(blob_entry(digest));
    if (blob.digest != digest) fail("blob %s: digest mismatch (content is %s)", digest.c_str(), blob.digest.c_str());
    JsonValue doc = parse_json(contents.read_json(blob_entry(digest)), digest.str());
    if (doc.get("manifests")) {  // a nested index (multi-platform image)
      add_oci_manifests(contents, doc, depth + 1, found);
      continue;
    }
    const JsonValue* config = doc.get("config");
    if (!config) fail("manifest %s: no config", digest.c_str());
    FoundImage image;
    image.config_digest = descriptor_digest(*config, "manifest " + digest.str() + ": config");
    image.config_entry = blob_entry(image.config_digest);
    if (const JsonValue* layers = doc.get("layers")) {
      for (const auto& l : layers->items()) {
        image.layer_digests.push_back(descriptor_digest(l, "manifest " + digest.str() + ": layer"));
        image.layer_entries.push_back(blob_entry(image.layer_digests.back()));
        image.layer_media_types.push_back(l.string_at("mediaType"));
      }
    }
    if (const JsonValue* notes = desc.get("annotations")) {
      // skopeo and podman put the whole reference in ref.name; docker puts a
      // bare tag there and the name in containerd's annotation.
      std::string name = notes->string_at("io.containerd.image.name");
      std::string ref = notes->string_at("org.opencontainers.image.ref.name");
      if (name.empty() && ref.find_first_of(":/") != std::string::npos) name = ref;
      if (!name.empty()) image.tags.push_back(normalize_tag(name));
    }
    found.push_back(std::move(image));
  }
}

std::string media_type_for(const std::string& blob_path) {
  unsigned char magic[4] = {};
  Fd fd = open_or_fail(blob_path, O_RDONLY);
  ssize_t n = ::read(fd.get(), magic, sizeof magic);
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return "application/vnd.docker.image.rootfs.diff.tar.gzip";
  if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.docker.image.rootfs.diff.tar";
}


}  // namespace

std::vector<LoadedImage> load_archive(const Store& store, int fd, const LayerTarget& target) {
  FileLock content = store.lock_content(FileLock::kShared);
  Staging staging(store);
  ArchiveContents contents(fd, staging);

  std::vector<FoundImage> found;
  if (contents.has("manifest.json")) {
    found = read_docker_manifest(contents);
  } else if (contents.has("index.json") && contents.has("oci-layout")) {
    add_oci_manifests(contents, parse_json(contents.read_json("index.json"), "index.json"), 0, found);
  } else {
    fail("not an image archive: no manifest.json or OCI index.json");
  }
  if (found.empty()) fail("archive holds no images");

  ImageStore images(store);
  std::vector<LoadedImage> loaded;
  for (const auto& image : found) {
    const StagedFile& config_file = contents.get(image.config_entry);
    if (!image.config_digest.empty() && config_file.digest != image.config_digest)
      fail("config %s: digest mismatch (content is %s)", image.config_digest.c_str(), config_file.digest.c_str());
    ImageConfig config = parse_image_config(contents.read_json(image.config_entry));
    if (config.diff_ids.size() != image.layer_entries.size())
      fail("image %s: config lists %zu layers, archive has %zu", config_file.digest.c_str(),
           config.diff_ids.size(), image.layer_entries.size());
    ImageRecord record;
    record.id = config_file.digest;
    record.created = config.created;
    std::vector<std::string> staged_blobs;
    for (size_t i = 0; i < image.layer_entries.size(); i++) {
      const StagedFile& blob = contents.get(image.layer_entries[i]);
      if (!image.layer_digests.empty() && blob.digest != image.layer_digests[i])
        fail("layer %s: digest mismatch (content is %s)", image.layer_digests[i].c_str(), blob.digest.c_str());
      LayerRecord layer;
      layer.diff_id = config.diff_ids[i];
      layer.blob = blob.digest;
      layer.blob_size = blob.size;
      layer.media_type = image.layer_media_types.empty() ? media_type_for(blob.path) : image.layer_media_types[i];
      record.layers.push_back(layer);
      staged_blobs.push_back(blob.path);
    }
    // Layer blobs join the store as their layers verify; the config only
    // after all of them did.
    ensure_layers(store, target, record.layers, staged_blobs);
    record.size = fill_layer_sizes(store, target, record.layers);
    store.adopt_blob(config_file.digest, config_file.path);
    images.put(record);
    loaded.push_back(LoadedImage{config_file.digest, image.tags});
  }
  for (const auto& image : loaded) images.tag(image.tags, image.id);
  return loaded;
}

}  // namespace hutch
