#include "image/image_build.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "image/image_config.h"
#include "image/reference.h"

namespace hutch {

StagedLayer stage_layer(Staging& staging, const std::function<void(TarWriter&)>& write) {
  StagedLayer layer;
  layer.path = staging.make_path("layer");
  Fd out = open_or_fail(layer.path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  TarWriter tar(out.get(), "write layer");
  write(tar);
  tar.finish();
  layer.digest = tar.digest();
  layer.size = tar.bytes();
  layer.entries = tar.entries();
  return layer;
}

LayerRecord store_layer(const Store& store, const StagedLayer& layer) {
  store.adopt_blob(layer.digest, layer.path);
  LayerRecord record;
  record.diff_id = layer.digest;
  record.blob = layer.digest;
  record.media_type = "application/vnd.docker.image.rootfs.diff.tar";
  record.blob_size = layer.size;
  return record;
}

namespace {

void write_platform(JsonWriter& w, const Platform& p) {
  w.field("architecture", p.architecture);
  if (!p.variant.empty()) w.field("variant", p.variant);
  w.field("os", p.os);
}

void write_history(JsonWriter& w, const HistoryEntry& h) {
  w.begin_object().field("created", h.created);
  if (!h.author.empty()) w.field("author", h.author);
  if (!h.created_by.empty()) w.field("created_by", h.created_by);
  if (!h.comment.empty()) w.field("comment", h.comment);
  if (h.empty_layer) w.field("empty_layer", true);
  w.end_object();
}

}  // namespace

std::string import_config(const Platform& platform, const RunConfig& config, const Digest& diff_id,
                          const HistoryEntry& history) {
  JsonWriter w;
  w.begin_object();
  write_platform(w, platform);
  if (!history.comment.empty()) w.field("comment", history.comment);
  w.field("created", history.created).key("config").raw(config.to_json());
  w.key("rootfs").begin_object().field("type", "layers").key("diff_ids").string_array({diff_id.str()}).end_object();
  w.key("history").begin_array();
  write_history(w, history);
  w.end_array().end_object();
  return w.str();
}

std::string child_config(const std::string& parent_json, const RunConfig& config, const Digest& diff_id,
                         const HistoryEntry& history, const std::string& container_id) {
  JsonValue parent = parse_json(parent_json, "parent image config");
  if (!parent.is_object()) fail("parent image config is not a JSON object");
  std::vector<std::string> diff_ids;
  for (const auto& d : parse_image_config(parent_json).diff_ids) diff_ids.push_back(d.str());
  if (!diff_id.empty()) diff_ids.push_back(diff_id.str());

  auto rootfs = [&](JsonWriter& w) {
    w.key("rootfs").begin_object().field("type", "layers").key("diff_ids").string_array(diff_ids).end_object();
  };
  auto history_list = [&](JsonWriter& w) {
    w.key("history").begin_array();
    if (const JsonValue* old = parent.get("history"))
      for (const auto& item : old->items()) w.raw(item.to_json());
    write_history(w, history);
    w.end_array();
  };

  JsonWriter w;
  w.begin_object();
  bool wrote_rootfs = false, wrote_history = false;
  // The parent's members in their order, with what a commit changes replaced
  // and what described the parent's own making dropped, as docker does.
  for (const auto& [key, value] : parent.members()) {
    if (key == "config") {
      w.key("config").raw(config.to_json());
    } else if (key == "created") {
      w.field("created", history.created);
    } else if (key == "rootfs") {
      rootfs(w);
      wrote_rootfs = true;
    } else if (key == "history") {
      history_list(w);
      wrote_history = true;
    } else if (key == "author" || key == "comment" || key == "container" || key == "container_config" ||
               key == "docker_version" || key == "id" || key == "parent") {
      continue;
    } else {
      w.key(key).raw(value.to_json());
    }
  }
  if (!parent.get("config")) w.key("config").raw(config.to_json());
  if (!parent.get("created")) w.field("created", history.created);
  if (!history.author.empty()) w.field("author", history.author);
  if (!container_id.empty()) w.field("container", container_id);
  if (!wrote_rootfs) rootfs(w);
  if (!wrote_history) history_list(w);
  w.end_object();
  return w.str();
}

Digest record_image(const Store& store, const LayerTarget& target, const std::string& config_json,
                         std::vector<LayerRecord> layers, const std::vector<std::string>& tags) {
  ImageConfig config = parse_image_config(config_json);
  if (config.diff_ids.size() != layers.size()) fail("image config lists %zu layers, not %zu", config.diff_ids.size(), layers.size());
  ensure_layers(store, target, layers);
  Digest id = Digest::of(config_json);
  store.put_blob(id, config_json);

  ImageRecord record;
  record.id = id;
  record.created = config.created;
  record.size = fill_layer_sizes(store, target, layers);
  record.layers = std::move(layers);
  ImageStore images(store);
  images.put(record);
  images.tag(tags, id);
  return id;
}

std::string tag_reference(const std::string& text) {
  Reference ref = parse_reference(text);
  if (!ref.digest.empty()) fail("refusing to create a tag with a digest reference");
  return ref.full();
}

}  // namespace hutch
