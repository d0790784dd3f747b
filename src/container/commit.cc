#include "container/commit.h"

#include <optional>

#include "base/error.h"
#include "base/human.h"
#include "base/json_reader.h"
#include "container/container_fs.h"
#include "container/pause.h"
#include "container/rootless.h"
#include "image/config_changes.h"
#include "image/image_build.h"
#include "image/layer_pack.h"
#include "store/containers.h"
#include "store/images.h"

namespace hutch {

namespace {

void set_list_or_null(RunConfig& config, const std::string& key, const std::vector<std::string>& values) {
  if (values.empty()) config.set_raw(key, "null");
  else config.set_strings(key, values);
}

// The image's config with the container's own on top, as docker's container
// config is what a commit starts from.
RunConfig container_config(const std::string& image_config_json, const ContainerRecord& container) {
  JsonValue root = parse_json(image_config_json, "image config");
  RunConfig config = RunConfig::from_json(root.get("config"));
  if (!container.has_config) return config;
  set_list_or_null(config, "Entrypoint", container.entrypoint);
  set_list_or_null(config, "Cmd", container.cmd);
  config.set_strings("Env", container.env);
  config.set_string("WorkingDir", container.working_dir);
  config.set_string("User", container.user);
  return config;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

Digest commit_container(const Store& store, const std::string& name_or_id, const CommitOptions& options) {
  // Everything that can be refused is refused before any work.
  validate_changes(options.changes);
  std::vector<std::string> tags;
  if (!options.reference.empty()) tags.push_back(tag_reference(options.reference));
  ContainerRecord container = ContainerStore(store).find(name_or_id);
  ImageRecord image = container_image(store, container);
  std::string parent_json = ImageStore(store).config_json(image);
  RunConfig config = container_config(parent_json, container);
  apply_changes(config, options.changes);

  // Paused from outside hutch's own user namespace, before entering it.
  std::optional<ContainerPause> pause;
  if (options.pause && container.is_running() && container.init_pid > 0) pause.emplace(container.init_pid);
  RootlessSession session = enter_rootless(store);
  FileLock content = store.lock_content(FileLock::kShared);
  ContainerFs fs = open_container_fs(store, session, container);
  Staging staging(store);
  StagedLayer layer = stage_layer(staging, [&](TarWriter& tar) {
    if (fs.upper.empty()) return;
    write_changes_layer(tar, fs.upper, compare_upper(fs.upper, fs.lowers_top_first, runtime_artifacts()));
  });
  pause.reset();

  HistoryEntry history;
  history.created = rfc3339_now();
  history.created_by = join(container.has_config ? container.cmd : container.command);
  history.author = options.author;
  history.comment = options.message;
  history.empty_layer = layer.entries == 0;
  std::vector<LayerRecord> layers = image.layers;
  if (!history.empty_layer) layers.push_back(store_layer(store, layer));
  std::string config_json =
      child_config(parent_json, config, history.empty_layer ? Digest() : layer.digest, history, container.id);
  Digest id = record_image(store, session.layers, config_json, layers, tags);
  session.note_mapping();
  return id;
}

}  // namespace hutch
