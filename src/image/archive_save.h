// `hutch save`: images from the store as one tar stream, in either format
// `hutch load` (and docker load, podman load, skopeo) reads:
//
//   docker-archive  the classic `docker save` layout: manifest.json (Config,
//                   RepoTags, Layers), repositories, CONFIGHEX.json and one
//                   directory per layer with VERSION, json and layer.tar, the
//                   UNCOMPRESSED layer whose sha256 is the config's diff_id
//                   (compressed blobs are decompressed as they are written);
//   oci-archive     an OCI image layout: oci-layout, index.json (one entry per
//                   tag, named by org.opencontainers.image.ref.name), and
//                   blobs/sha256/ with manifests, configs and the layer blobs
//                   as stored, compressed or not, with their media types.
//
// Metadata comes first and layers are streamed, never held in memory; each
// layer is checked against its digest as it goes, and every entry carries the
// image's creation time, so the same images give the same bytes.
#pragma once
#include <string>
#include <vector>

#include "store/images.h"
#include "store/store.h"

namespace hutch {

enum class ArchiveFormat { kDockerArchive, kOciArchive };

// "docker-archive" or "oci-archive"; throws otherwise.
ArchiveFormat parse_archive_format(const std::string& name);

struct SaveItem {
  ImageRecord image;
  std::vector<std::string> tags;  // full references; empty: saved untagged
};

// docker save's names: "busybox" is every tag of that repository, "busybox:1"
// that tag, an image id (or unique prefix) the image untagged. The same image
// named twice is saved once with all its tags. Throws "No such image: X".
std::vector<SaveItem> resolve_save_names(const ImageStore& images, const std::vector<std::string>& names);

void save_archive(const Store& store, const std::vector<SaveItem>& items, ArchiveFormat format, int out_fd);

}  // namespace hutch
