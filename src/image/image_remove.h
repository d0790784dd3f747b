// docker's rmi and image prune: which references are untagged, when the image
// itself is deleted, and the conflicts that refuse it. Content goes through
// store/gc.h, which deletes only what no remaining image names.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/gc.h"
#include "store/images.h"
#include "store/store.h"

namespace hutch {

// One line of docker's output: "Untagged: busybox:latest" or "Deleted: sha256:...".
struct RemoveRecord {
  bool deleted = false;
  std::string ref;
};

class ImageRemover {
 public:
  // Holds the ContentWriteLock for its lifetime. Call enter_rootless() first:
  // layer directories may hold files of subordinate ids.
  explicit ImageRemover(const Store& store);

  // docker rmi IMAGE (a reference, id or id prefix). Throws Error ("No such
  // image: ...", "conflict: ...") having changed nothing for this image.
  //
  // An image a container was created from is never deleted: docker refuses
  // without force and, with force, only untags it (it stays as a dangling
  // image, since the container's root filesystem is made of its layers).
  std::vector<RemoveRecord> remove(const std::string& user_ref, bool force);

  // docker image prune: deletes the selected images that no container uses
  // (with `all` false, only those without a tag), then any layer or blob no
  // image names (left by interrupted loads or crashes).
  std::vector<RemoveRecord> prune(bool all, const std::function<bool(const ImageRecord&)>& selected);

  // Bytes of layer content and blobs freed so far.
  int64_t reclaimed() const { return reclaimed_; }

 private:
  void untag(const std::string& full, std::vector<RemoveRecord>& records);
  void delete_image(const ImageRecord& image, std::vector<RemoveRecord>& records);

  const Store& store_;
  ContentWriteLock lock_;
  ImageStore images_;
  int64_t reclaimed_ = 0;
};

}  // namespace hutch
