#include "container/commit.h"

#include <algorithm>
#include <optional>

#include "base/error.h"
#include "base/human.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/strings.h"
#include "container/container_fs.h"
#include "container/pause.h"
#include "container/rootless.h"
#include "container/run.h"
#include "image/config_changes.h"
#include "image/image_build.h"
#include "image/layer_pack.h"
#include "store/containers.h"
#include "store/images.h"

namespace hutch {

namespace {

void set_list_or_null(RunConfig& config, const std::string& key, const std::optional<std::vector<std::string>>& values) {
  if (!values) config.set_raw(key, "null");
  else config.set_strings(key, *values);
}

// Sets {"KEY": {}, ...}, keeping the parent's (absent or null) when empty.
// Sorted, as docker writes its maps.
void set_key_set(RunConfig& config, const std::string& key, std::vector<std::string> keys) {
  if (keys.empty()) return;
  std::sort(keys.begin(), keys.end());
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& k : keys) members.emplace_back(k, "{}");
  config.set_object(key, members);
}

// The image's config with the container's own on top, as docker's container
// config is what a commit starts from. What hutch does not interpret
// (Healthcheck, OnBuild, Shell, ...) comes through from the image unchanged.
RunConfig container_config(const std::string& image_config_json, const ContainerRecord& container) {
  JsonValue root = parse_json(image_config_json, "image config");
  RunConfig config = RunConfig::from_json(root.get("config"));
  if (container.config_from_image) return config;
  const ContainerConfig& c = container.config;
  config.set_string("User", c.user);
  set_key_set(config, "ExposedPorts", c.exposed_ports);
  config.set_strings("Env", c.env);
  set_list_or_null(config, "Cmd", c.cmd);
  set_key_set(config, "Volumes", c.volumes);
  config.set_string("WorkingDir", c.working_dir);
  set_list_or_null(config, "Entrypoint", c.entrypoint);
  if (!c.labels.empty()) {
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& [k, v] : c.labels) labels.emplace_back(k, json_quote(v));
    std::stable_sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    config.set_object("Labels", labels);
  }
  if (!c.stop_signal.empty()) config.set_string("StopSignal", c.stop_signal);
  return config;
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
  pid_t init = options.pause && container.is_running() ? container_init_pid(store, container) : 0;
  if (init > 0) pause.emplace(init);
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
  history.created_by = join(container.config_from_image ? container.command : container.config.cmd.value_or(std::vector<std::string>{}), " ");
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
