#include "image/image_refs.h"

#include <algorithm>

#include "base/error.h"
#include "image/lookup.h"

namespace hutch {

std::vector<ImageRef> image_refs(const ImageRecord& image, const std::map<std::string, Digest>& tags) {
  std::vector<std::string> fulls;
  for (const auto& [full, id] : tags)
    if (id == image.id) fulls.push_back(full);
  fulls.insert(fulls.end(), image.repo_digests.begin(), image.repo_digests.end());
  std::sort(fulls.begin(), fulls.end());
  fulls.erase(std::unique(fulls.begin(), fulls.end()), fulls.end());
  std::vector<ImageRef> out;
  for (const auto& full : fulls) {
    auto ref = parse_stored_reference(full);
    if (!ref) continue;
    out.push_back(ImageRef{full, *ref, ref->tag.empty() && !ref->digest.empty()});
  }
  return out;
}

std::string familiar_string(const Reference& ref) {
  std::string out = ref.familiar_name();
  if (!ref.tag.empty()) out += ":" + ref.tag;
  if (!ref.digest.empty()) out += "@" + ref.digest.str();
  return out;
}

std::optional<ImageRecord> find_image_or_digest(const ImageStore& images, const std::string& user_ref) {
  if (auto image = find_image(images, user_ref)) return image;
  auto ref = parse_stored_reference(user_ref);
  if (!ref || ref->digest.empty()) return std::nullopt;
  std::string want = ref->name() + "@" + ref->digest.str();
  for (auto& image : images.list())
    for (const auto& d : image.repo_digests)
      if (d == want) return image;
  return std::nullopt;
}

void fail_no_such_image(const std::string& user_ref) {
  auto ref = parse_stored_reference(user_ref);
  fail("No such image: %s", ref ? familiar_string(*ref).c_str() : user_ref.c_str());
}

std::string short_id(const Digest& id) { return id.short_hex(); }

}  // namespace hutch
