// The references that name an image, as docker's reference store lists them:
// its tags (repositories.json) and its repo digests (the image record).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "image/reference.h"
#include "store/images.h"

namespace hutch {

struct ImageRef {
  std::string full;  // "docker.io/library/busybox:latest" or "docker.io/library/busybox@sha256:..."
  Reference ref;
  bool canonical = false;  // a digest reference rather than a tag
};

// Sorted as docker sorts them (lexically by the full reference).
std::vector<ImageRef> image_refs(const ImageRecord& image, const std::map<std::string, Digest>& tags);

// docker's FamiliarString: "busybox:latest", "user/app@sha256:...".
std::string familiar_string(const Reference& ref);

// find_image, plus the repo digests image records carry ("busybox@sha256:...").
std::optional<ImageRecord> find_image_or_digest(const ImageStore& images, const std::string& user_ref);

// docker's "No such image: busybox:latest" (the reference as docker normalizes it).
[[noreturn]] void fail_no_such_image(const std::string& user_ref);

// docker's short id: 12 hex digits, without the algorithm.
std::string short_id(const Digest& id);

}  // namespace hutch
