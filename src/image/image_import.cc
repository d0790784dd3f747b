#include "image/image_import.h"

#include "base/error.h"
#include "base/human.h"
#include "image/config_changes.h"
#include "image/image_build.h"
#include "image/layer_import.h"

namespace hutch {

void validate_import(const ImportOptions& options) {
  validate_changes(options.changes);
  parse_platform(options.platform);
  if (!options.reference.empty()) tag_reference(options.reference);
}

Digest import_image(const Store& store, const LayerTarget& target, int in_fd, const ImportOptions& options) {
  Platform platform = parse_platform(options.platform);
  RunConfig config;
  apply_changes(config, options.changes);
  std::vector<std::string> tags;
  if (!options.reference.empty()) tags.push_back(tag_reference(options.reference));

  FileLock content = store.lock_content(FileLock::kShared);
  Staging staging(store);
  StagedLayer layer = stage_layer(staging, [&](TarWriter& tar) { rewrite_rootfs_tar(in_fd, tar); });
  LayerRecord record = store_layer(store, layer);

  HistoryEntry history;
  history.created = rfc3339_now();
  history.comment = options.message.empty() ? "Imported from -" : options.message;
  std::string config_json = import_config(platform, config, layer.digest, history);
  return record_image(store, target, config_json, {record}, tags);
}

}  // namespace hutch
