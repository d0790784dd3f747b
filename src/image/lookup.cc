#include "image/lookup.h"

#include "image/reference.h"
#include "base/error.h"

namespace hutch {

std::optional<ImageRecord> find_image(const ImageStore& images, const std::string& user_ref) {
  if (auto id = Digest::try_parse(user_ref)) return images.get(*id);
  if (auto ref = parse_stored_reference(user_ref)) {
    auto tags = images.tags();
    if (!ref->digest.empty()) {
      for (const auto& [full, id] : tags) {
        auto stored = parse_stored_reference(full);
        if (stored && stored->name() == ref->name() && stored->digest == ref->digest) return images.get(id);
      }
      // Pulled by digest: docker's RepoDigests, "name@sha256:...".
      std::string wanted = ref->name() + "@" + ref->digest.str();
      for (auto& image : images.list())
        for (const auto& d : image.repo_digests)
          if (d == wanted) return image;
    }
    if (auto it = tags.find(ref->full()); it != tags.end()) return images.get(it->second);
  }
  std::string prefix = hex_of(user_ref);
  if (!is_hex(prefix)) return std::nullopt;
  auto ids = images.ids_with_prefix(prefix);
  if (ids.size() > 1) fail("image id prefix %s is ambiguous", prefix.c_str());
  if (ids.empty()) return std::nullopt;
  return images.get(ids.front());
}

}  // namespace hutch
