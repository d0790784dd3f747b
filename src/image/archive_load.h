// `hutch load`: docker-archive tarballs (as docker save, podman save and skopeo
// write them, several images and tags per archive) and OCI image-layout archives.
#pragma once
#include <string>
#include <vector>

#include "image/layers.h"
#include "store/store.h"

namespace hutch {

struct LoadedImage {
  Digest id;
  std::vector<std::string> tags;  // full references
};

// Reads the archive from fd (a file or a pipe; gzip or zstd compressed too).
// Nothing becomes visible unless every blob and layer verified.
std::vector<LoadedImage> load_archive(const Store& store, int fd, const LayerTarget& target);

}  // namespace hutch
