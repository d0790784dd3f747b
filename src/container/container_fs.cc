#include "container/container_fs.h"

#include "base/error.h"
#include "base/file.h"
#include "image/layer_pack.h"
#include "image/layers.h"
#include "image/tar_writer.h"

namespace hutch {

ImageRecord container_image(const Store& store, const ContainerRecord& container) {
  auto image = ImageStore(store).get(container.image_id);
  if (!image) fail("the image of container %s (%s) is no longer in the store", container.name.c_str(),
                   container.image_id.c_str());
  return *image;
}

ContainerFs open_container_fs(const Store& store, const RootlessSession& session, const ContainerRecord& container) {
  ContainerFs fs;
  fs.image = container_image(store, container);
  std::vector<std::string> dirs = ensure_layers(store, session.layers, fs.image.layers);
  fs.lowers_top_first.assign(dirs.rbegin(), dirs.rend());
  std::string upper = store.container_dir(container.id) + "/upper";
  if (is_dir(upper)) fs.upper = upper;
  return fs;
}

const std::vector<RuntimeArtifact>& runtime_artifacts() {
  static const std::vector<RuntimeArtifact> artifacts = {
      {"/dev", true},         {"/proc", true},          {"/sys", true},
      {"/etc/hostname", false}, {"/etc/hosts", false}, {"/etc/resolv.conf", false},
  };
  return artifacts;
}

void export_container(const Store& store, const std::string& name_or_id, int out_fd) {
  ContainerRecord container = ContainerStore(store).find(name_or_id);
  // Files may belong to subordinate ids, with modes only their owner passes.
  RootlessSession session = enter_rootless(store);
  FileLock content = store.lock_content(FileLock::kShared);
  ContainerFs fs = open_container_fs(store, session, container);
  std::vector<std::string> stack = fs.lowers_top_first;
  if (!fs.upper.empty()) stack.insert(stack.begin(), fs.upper);
  with_context("export " + container.name, [&] {
    TarWriter tar(out_fd);
    write_merged_tree(tar, stack);
    tar.finish();
  });
}

std::vector<Change> diff_container(const Store& store, const std::string& name_or_id) {
  ContainerRecord container = ContainerStore(store).find(name_or_id);
  RootlessSession session = enter_rootless(store);
  FileLock content = store.lock_content(FileLock::kShared);
  ContainerFs fs = open_container_fs(store, session, container);
  if (fs.upper.empty()) return {};
  return list_changes(compare_upper(fs.upper, fs.lowers_top_first, runtime_artifacts()));
}

}  // namespace hutch
