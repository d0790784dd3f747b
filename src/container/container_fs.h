// A container's filesystem as the store keeps it, read without mounting:
// the image's unpacked layers (for the id mapping in force) below the
// container's own upper directory. `export`, `diff` and `commit` read it.
#pragma once
#include <string>
#include <vector>

#include "container/rootless.h"
#include "image/upper_changes.h"
#include "store/containers.h"
#include "store/images.h"
#include "store/store.h"

namespace hutch {

struct ContainerFs {
  ImageRecord image;
  std::vector<std::string> lowers_top_first;  // the image's layer directories
  std::string upper;                          // empty when the container never got one
};

// The image record of a container; throws when the image is gone.
ImageRecord container_image(const Store& store, const ContainerRecord& container);

// Needs the user namespace (enter_rootless): unpacks the image's layers if
// this mapping has not got them yet.
ContainerFs open_container_fs(const Store& store, const RootlessSession& session, const ContainerRecord& container);

// What the runtime puts into the upper directory as mount points when the
// image lacks them (runtime/rootfs.cc, container/etc_files.cc): not changes
// the container made.
const std::vector<RuntimeArtifact>& runtime_artifacts();

// `hutch export`: the merged filesystem as a tar written to out_fd.
void export_container(const Store& store, const std::string& name_or_id, int out_fd);

// `hutch diff`: the container's changes to its image, sorted by path.
std::vector<Change> diff_container(const Store& store, const std::string& name_or_id);

}  // namespace hutch
