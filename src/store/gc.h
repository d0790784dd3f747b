// Deleting content nobody needs any more. Unpacked layers and blobs are
// shared between images, so they go only when no remaining image record
// names them.
//
// Crash safety: callers remove an image's record before its content, so a
// record never names missing content (a crash leaves orphans, which prune
// collects). A doomed layer directory is renamed into tmp/ before it is
// emptied: staging collection clears it if we die, and a half-deleted layer is
// never found at its final path, where `run` would trust it.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/lock.h"
#include "store/images.h"
#include "store/store.h"

namespace hutch {

// What rmi and prune hold while they decide and delete: the content lock
// exclusively (no load, pull or run is adding content that no image names
// yet) and then the metadata lock (nobody tags meanwhile). Layer directories
// may hold files of subordinate ids: enter the user namespace first.
class ContentWriteLock {
 public:
  explicit ContentWriteLock(const Store& store)
      : content_(store.lock_content(FileLock::kExclusive)), metadata_(store.lock_metadata()) {}

 private:
  FileLock content_;
  FileLock metadata_;
};

// Everything the image records name: layers by diff_id, blobs by digest
// (configs, layer blobs, and the manifests of repo digests).
struct ContentRefs {
  std::set<Digest> diff_ids;
  std::set<Digest> blobs;
};
ContentRefs referenced_content(const Store& store);
// What one image names: its config, layers and blobs, and its repo digests' manifests.
void add_image_content(ContentRefs& refs, const ImageRecord& image);

struct Collected {
  std::vector<Digest> diff_ids;  // layers whose directories went (any mapping)
  int64_t bytes = 0;                  // layer content and blob bytes freed
};

// Deletes the unpacked layers (under every id mapping) and blobs among the
// candidates that no image record names any more. The caller holds a
// ContentWriteLock and has already removed the records it is deleting.
Collected collect_unreferenced(const Store& store, const ContentRefs& candidates);

// Like collect_unreferenced for everything in the store: also the leftovers
// of failed or interrupted loads that no image ever named.
Collected collect_all_unreferenced(const Store& store);

// After a load, pull, import, commit or run failed: deletes what it left that
// no image names (blobs and layers of an image never recorded), so a full
// disk gets its space back. Only when no other command is adding content
// (the content lock is free now); a failure here is logged, never thrown.
void collect_after_failure(const Store& store);

// Runs `add`, which takes the content lock itself; collects what a failure
// left, then rethrows.
template <typename F>
auto collecting_on_failure(const Store& store, F&& add) -> decltype(add()) {
  try {
    return add();
  } catch (const Error&) {
    collect_after_failure(store);
    throw;
  }
}

// What the store's content takes on disk: each unpacked layer by diff_id
// (its recorded size, summed over id mappings) and each blob.
struct ContentSizes {
  std::map<Digest, int64_t> layers;
  std::map<Digest, int64_t> blobs;
};
ContentSizes content_sizes(const Store& store);

}  // namespace hutch
