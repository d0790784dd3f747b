// The on-disk store. Everything is either content-addressed (blobs, layers),
// replaced atomically with rename(2) (records, tags), or staged under tmp/
// beside a held lock, so a process killed at any moment leaves nothing that a
// later command would trust.
//
//   blobs/sha256/HEX          configs and layer blobs as received
//   layers/MAPKEY/HEX         unpacked layers by diff_id, per id mapping
//   images/HEX.json           image record: config digest and its layers
//   repositories.json         tags: normalized reference -> image id
//   containers/ID/            container.json, upper/, work/, rootfs/, etc files
//   names/NAME -> ID          symlinks; creating one is the atomic name claim
//   recycled/0..7/            directories of removed containers, for the next
//                             container to reuse (ContainerStore::recycle)
//   volumes/NAME/             volume.json and _data/, the volume's content
//   tmp/RAND + tmp/RAND.lock  staging; stale when its lock is free
#pragma once
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/lock.h"

namespace hutch {

class Store {
 public:
  // Creates the layout when missing.
  explicit Store(std::string root);

  const std::string& root() const { return root_; }
  // Store paths of content are built here, and only from a validated Digest.
  std::string blob_path(const Digest& digest) const;
  // Gives a verified file (in staging) its content address by a hard link; a
  // no-op when the blob is already there.
  void adopt_blob(const Digest& digest, const std::string& staged_path) const;
  // Writes bytes already verified to have this digest, unless the blob exists.
  void put_blob(const Digest& digest, std::string_view bytes) const;
  std::string layers_dir(const std::string& mapping_key) const;
  // layers/MAPKEY/HEX: the unpacked layer of this diff_id.
  std::string layer_dir(const std::string& mapping_key, const Digest& diff_id) const;
  std::string images_dir() const { return root_ + "/images"; }
  std::string image_record_path(const Digest& id) const;
  std::string tags_path() const { return root_ + "/repositories.json"; }
  std::string containers_dir() const { return root_ + "/containers"; }
  std::string container_dir(const std::string& id) const { return containers_dir() + "/" + id; }
  std::string names_dir() const { return root_ + "/names"; }
  std::string recycled_dir() const { return root_ + "/recycled"; }
  std::string volumes_dir() const { return root_ + "/volumes"; }
  std::string networks_dir() const { return root_ + "/networks"; }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  // Where every container mounts its root, each in its own mount namespace:
  // one empty directory for all, so that a container costs no directory of
  // its own to mount on (on ext4 each rmdir frees and discards a block).
  std::string rootfs_mount_point() const { return root_ + "/rootfs"; }
  // The layer of empty mount points every container has above its image's
  // (container/mount_point_layer.h).
  std::string mount_point_layer_dir() const { return root_ + "/mount-points"; }

  // Serialises read-modify-write of shared metadata (tags, image records).
  FileLock lock_metadata() const;

  // Held shared by everything that adds content (load, pull, import, commit,
  // run while it unpacks) and exclusive by what deletes content nobody
  // references (rmi, prune): a layer that is unpacked but not yet recorded in
  // an image is never collected under the writer's feet.
  FileLock lock_content(FileLock::Mode mode) const;
  // The content lock exclusively if nobody holds it now (held() says), else
  // an unheld lock at once.
  FileLock try_lock_content_exclusive() const;

  // Removes staging left by processes that died. Needs the user namespace when
  // staged files may belong to subordinate ids.
  void collect_stale_staging() const;

 private:
  std::string content_lock_path() const { return root_ + "/content.lock"; }
  std::string root_;
};

// A private directory under tmp/, removed on destruction unless its content was
// moved out. Its lock file marks it live for collect_stale_staging().
class Staging {
 public:
  explicit Staging(const Store& store);
  ~Staging();
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  const std::string& path() const { return path_; }
  // A fresh path inside the staging directory.
  std::string make_path(const std::string& prefix);

 private:
  std::string path_;
  std::string lock_path_;
  FileLock lock_;
  int counter_ = 0;
};

// Default store root: $HUTCH_ROOT, else $XDG_DATA_HOME/hutch, else ~/.local/share/hutch.
std::string default_store_root();

}  // namespace hutch
