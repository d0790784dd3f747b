#include "image/image_remove.h"

#include <algorithm>
#include <set>

#include "base/error.h"
#include "base/sha256.h"
#include "image/image_refs.h"
#include "store/containers.h"

namespace hutch {

namespace {

// docker's isImageIDPrefix: the argument names the image by id, not by reference.
bool is_id_prefix(const Digest& id, const std::string& arg) {
  return !arg.empty() && (id.str().compare(0, arg.size(), arg) == 0 || id.hex().substr(0, arg.size()) == arg);
}

// docker's isSingleReference: at most one tag, and digests only of that tag's
// repository. Removing the image by id then removes its references silently.
bool single_reference(const std::vector<ImageRef>& refs) {
  if (refs.size() <= 1) return refs.size() == 1;
  const ImageRef* tag = nullptr;
  std::set<std::string> canonical_names;
  for (const auto& r : refs) {
    if (r.canonical) canonical_names.insert(r.ref.name());
    else if (!tag) tag = &r;
    else return false;
  }
  std::string name = tag ? tag->ref.name() : refs.front().ref.name();
  return canonical_names.size() == 1 && canonical_names.count(name);
}

struct Users {
  std::vector<ContainerRecord> running, stopped;
  bool any() const { return !running.empty() || !stopped.empty(); }
  const ContainerRecord& first() const { return running.empty() ? stopped.front() : running.front(); }
};

Users containers_using(const Store& store, const Digest& image_id) {
  Users users;
  for (auto& c : ContainerStore(store).list()) {
    if (c.image_id != image_id) continue;
    (c.is_running() ? users.running : users.stopped).push_back(std::move(c));
  }
  return users;
}

// docker's layer chain ids: the first layer's diff_id, then
// sha256(parent chain id + " " + diff_id).
std::vector<std::string> chain_ids(const ImageRecord& image) {
  std::vector<std::string> out;
  for (const auto& layer : image.layers)
    out.push_back(out.empty() ? layer.diff_id.str() : "sha256:" + sha256_hex(out.back() + " " + layer.diff_id.str()));
  return out;
}

}  // namespace

ImageRemover::ImageRemover(const Store& store) : store_(store), lock_(store), images_(store) {}

void ImageRemover::untag(const std::string& full, std::vector<RemoveRecord>& records) {
  auto tags = images_.tags();
  if (auto it = tags.find(full); it != tags.end()) {
    tags.erase(it);
    images_.write_tags(tags);
  }
  // A repo digest lives in the image record; the manifest it names goes with
  // it unless another record names it too.
  for (auto& image : images_.list()) {
    auto it = std::find(image.repo_digests.begin(), image.repo_digests.end(), full);
    if (it == image.repo_digests.end()) continue;
    image.repo_digests.erase(it);
    images_.put(image);
    ContentRefs manifest;
    if (auto digest = Digest::try_parse(std::string_view(full).substr(full.find('@') + 1))) {
      manifest.blobs.insert(*digest);
      reclaimed_ += collect_unreferenced(store_, manifest).bytes;
    }
  }
  auto ref = parse_stored_reference(full);
  records.push_back(RemoveRecord{false, ref ? familiar_string(*ref) : full});
}

void ImageRemover::delete_image(const ImageRecord& image, std::vector<RemoveRecord>& records) {
  // The record goes first: a crash from here on leaves unnamed content, which
  // prune collects, and never a record naming missing layers.
  images_.remove(image.id);
  records.push_back(RemoveRecord{true, image.id.str()});
  ContentRefs candidates;
  add_image_content(candidates, image);
  reclaimed_ += collect_unreferenced(store_, candidates).bytes;
  // docker lists the layers that went with the image by chain id, top first.
  ContentRefs still = referenced_content(store_);
  std::vector<std::string> chains = chain_ids(image);
  std::set<Digest> listed;
  for (size_t i = chains.size(); i-- > 0;) {
    const Digest& diff_id = image.layers[i].diff_id;
    if (still.diff_ids.count(diff_id) || !listed.insert(diff_id).second) continue;
    records.push_back(RemoveRecord{true, chains[i]});
  }
}

std::vector<RemoveRecord> ImageRemover::remove(const std::string& arg, bool force) {
  auto image = find_image_or_digest(images_, arg);
  if (!image) fail_no_such_image(arg);
  std::vector<ImageRef> refs = image_refs(*image, images_.tags());
  Users users = containers_using(store_, image->id);
  std::vector<RemoveRecord> records;
  std::string id12 = short_id(image->id);

  if (!is_id_prefix(image->id, arg)) {
    // By reference: that reference goes; the image only when nothing else names it.
    if (!force && single_reference(refs) && users.any())
      fail("conflict: unable to remove repository reference \"%s\" (must force) - container %s is using its "
           "referenced image %s",
           arg.c_str(), users.first().id.substr(0, 12).c_str(), id12.c_str());
    Reference named = parse_reference(arg);
    std::string full = named.full();
    auto same = [&](const ImageRef& r) { return r.full == full; };
    if (std::none_of(refs.begin(), refs.end(), same)) {
      // Found through a digest stored under another form: remove what matched.
      for (const auto& r : refs)
        if (r.ref.name() == named.name() && r.ref.digest == named.digest && !named.digest.empty()) full = r.full;
    }
    untag(full, records);
    if (named.digest.empty()) {
      // The last tag of a repository takes that repository's digests with it.
      refs = image_refs(*images_.get(image->id), images_.tags());
      bool other_tag = std::any_of(refs.begin(), refs.end(),
                                   [&](const ImageRef& r) { return !r.canonical && r.ref.name() == named.name(); });
      if (!other_tag)
        for (const auto& r : refs)
          if (r.canonical && r.ref.name() == named.name()) untag(r.full, records);
    }
    refs = image_refs(*images_.get(image->id), images_.tags());
    // Still named, or still needed by a container (kept as a dangling image).
    if (!refs.empty() || users.any()) return records;
    delete_image(*image, records);
    return records;
  }

  // By id: conflicts are checked before anything changes.
  auto conflict = [&](bool hard, const std::string& why) {
    fail("conflict: unable to delete %s (%s) - %s", id12.c_str(), hard ? "cannot be forced" : "must be forced",
         why.c_str());
  };
  if (!users.running.empty())
    conflict(true, "image is being used by running container " + users.running.front().id.substr(0, 12));
  if (!force && !refs.empty() && !single_reference(refs)) conflict(false, "image is referenced in multiple repositories");
  if (!force && !users.stopped.empty())
    conflict(false, "image is being used by stopped container " + users.stopped.front().id.substr(0, 12));
  for (const auto& r : refs) untag(r.full, records);
  // Forced while a stopped container uses it: untagged, but kept for the
  // container. With nothing left to untag, nothing can be done.
  if (users.any()) {
    if (records.empty())
      conflict(true, "image is being used by stopped container " + users.stopped.front().id.substr(0, 12));
    return records;
  }
  delete_image(*image, records);
  return records;
}

std::vector<RemoveRecord> ImageRemover::prune(bool all, const std::function<bool(const ImageRecord&)>& selected) {
  std::vector<RemoveRecord> records;
  auto list = images_.list();
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return a.created != b.created ? a.created > b.created : a.id < b.id;
  });
  for (const auto& image : list) {
    if (!selected(image)) continue;
    if (containers_using(store_, image.id).any()) continue;
    std::vector<ImageRef> refs = image_refs(image, images_.tags());
    bool tagged = std::any_of(refs.begin(), refs.end(), [](const ImageRef& r) { return !r.canonical; });
    if (!all && tagged) continue;
    for (const auto& r : refs) untag(r.full, records);
    auto current = images_.get(image.id);
    if (current) delete_image(*current, records);
  }
  reclaimed_ += collect_all_unreferenced(store_).bytes;
  return records;
}

}  // namespace hutch
