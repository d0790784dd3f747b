#include "store/images.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"

namespace hutch {

std::string hex_of(const std::string& id) { return id.compare(0, 7, "sha256:") == 0 ? id.substr(7) : id; }

bool is_hex(const std::string& s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return !s.empty();
}

void ImageStore::put(const ImageRecord& image) const {
  JsonWriter w;
  w.begin_object().field("id", image.id).field("created", image.created).field("size", image.size);
  w.key("layers").begin_array();
  for (const auto& l : image.layers) {
    w.begin_object()
        .field("diff_id", l.diff_id)
        .field("blob", l.blob)
        .field("media_type", l.media_type)
        .field("blob_size", l.blob_size)
        .field("size", l.size)
        .end_object();
  }
  w.end_array();
  w.key("repo_digests").begin_array();
  for (const auto& d : image.repo_digests) w.value(d);
  w.end_array().end_object();
  write_file_atomic(store_.image_record_path(image.id), w.str(), true);
}

std::optional<ImageRecord> ImageStore::get(const Digest& id) const {
  if (id.empty()) return std::nullopt;
  auto text = read_file_if_exists(store_.image_record_path(id));
  if (!text) return std::nullopt;
  std::string what = "image record " + std::string(id.hex());
  JsonValue root = parse_json(*text, what);
  ImageRecord image;
  // Records are written by hutch, but the store is a directory anyone with the
  // user's rights can edit: the digests in it are checked like any others.
  image.id = Digest::parse(root.string_at("id"), what);
  if (image.id != id) fail("%s: names image %s", what.c_str(), image.id.c_str());
  image.created = root.string_at("created");
  image.size = root.int_at("size");
  if (const JsonValue* layers = root.get("layers")) {
    for (const auto& l : layers->items()) {
      image.layers.push_back(LayerRecord{Digest::parse(l.string_at("diff_id"), what),
                                         Digest::parse(l.string_at("blob"), what),
                                         l.string_at("media_type"), l.int_at("blob_size"),
                                         l.int_at("size")});
    }
  }
  if (const JsonValue* digests = root.get("repo_digests"))
    for (const auto& d : digests->items()) image.repo_digests.push_back(d.as_string());
  return image;
}

void ImageStore::add_repo_digests(const Digest& id, const std::vector<std::string>& digests) const {
  FileLock lock = store_.lock_metadata();
  auto image = get(id);
  if (!image) fail("no such image: %s", id.c_str());
  bool changed = false;
  for (const auto& d : digests) {
    if (std::find(image->repo_digests.begin(), image->repo_digests.end(), d) != image->repo_digests.end()) continue;
    image->repo_digests.push_back(d);
    changed = true;
  }
  if (changed) put(*image);
}

std::vector<ImageRecord> ImageStore::list() const {
  std::vector<ImageRecord> out;
  for (const auto& name : list_dir(store_.images_dir())) {
    if (name.size() != 69 || name.compare(64, 5, ".json") != 0) continue;
    auto id = Digest::from_hex(std::string_view(name).substr(0, 64));
    if (!id) continue;
    if (auto image = get(*id)) out.push_back(std::move(*image));
  }
  return out;
}

std::string ImageStore::config_json(const ImageRecord& image) const {
  return read_file(store_.blob_path(image.id));
}

std::map<std::string, Digest> ImageStore::tags() const {
  std::map<std::string, Digest> out;
  auto text = read_file_if_exists(store_.tags_path());
  if (!text) return out;
  JsonValue root = parse_json(*text, store_.tags_path());
  for (const auto& [ref, id] : root.members())
    if (auto digest = id.is_string() ? Digest::try_parse(id.as_string()) : std::nullopt) out[ref] = *digest;
  return out;
}

void ImageStore::tag(const std::vector<std::string>& full_refs, const Digest& id) const {
  if (full_refs.empty()) return;
  FileLock lock = store_.lock_metadata();
  auto all = tags();
  for (const auto& ref : full_refs) all[ref] = id;
  write_tags(all);
}

void ImageStore::write_tags(const std::map<std::string, Digest>& all) const {
  JsonWriter w;
  w.begin_object();
  for (const auto& [ref, image] : all) w.field(ref, image.str());
  w.end_object();
  write_file_atomic(store_.tags_path(), w.str(), true);
}

void ImageStore::remove(const Digest& id) const {
  std::string path = store_.image_record_path(id);
  if (unlink(path.c_str()) < 0 && errno != ENOENT) fail_errno("remove image record %s", id.c_str());
  Fd dir = open_dir(store_.images_dir());
  fsync(dir.get());
}

std::vector<Digest> ImageStore::ids_with_prefix(const std::string& prefix) const {
  std::vector<Digest> out;
  for (const auto& name : list_dir(store_.images_dir())) {
    if (name.size() != 69 || name.compare(64, 5, ".json") != 0 || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (auto id = Digest::from_hex(std::string_view(name).substr(0, 64))) out.push_back(*id);
  }
  return out;
}

}  // namespace hutch
