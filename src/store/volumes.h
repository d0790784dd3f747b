// Volumes of docker's "local" driver, kept in the store:
//
//   volumes/NAME/volume.json   Name, Driver, CreatedAt, Labels, Options, Scope
//   volumes/NAME/_data/        what containers see at the mount point
//
// A volume appears whole or not at all: it is built in staging and renamed
// into place, and removed by renaming it into tmp/ first, so a kill -9 at any
// moment leaves either the volume or garbage that staging collection removes.
// A volume is in use while a container record lists it (ContainerRecord::
// volumes); removal checks that under the exclusive volume lock, which
// container creation holds shared until its record is saved.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/lock.h"
#include "store/store.h"

namespace hutch {

// docker 23+ marks the volumes it names itself (anonymous ones) with this
// label; prune without --all removes only those.
constexpr const char* kAnonymousVolumeLabel = "com.docker.volume.anonymous";

struct Volume {
  std::string name;
  std::string driver = "local";
  std::string mountpoint;  // <store>/volumes/NAME/_data
  std::string created_at;  // RFC 3339 in seconds, local time, as docker writes it
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  // the local driver's -o: type, device, o
  std::string scope = "local";

  bool anonymous() const { return labels.count(kAnonymousVolumeLabel) > 0; }
  // -o type=tmpfs: each use mounts a fresh tmpfs with the options in "o".
  bool is_tmpfs() const;
  // -o type=none,o=bind,device=PATH: each use binds PATH instead of _data.
  bool is_bind() const;
  // What a container mounts: _data, or the bind's device ("" for a tmpfs).
  std::string source() const;
};

// docker's local driver names: "[a-zA-Z0-9][a-zA-Z0-9_.-]+". Throws its
// messages ("volume name is too short, ...", "\"x/y\" includes invalid
// characters for a local volume name, ...").
void validate_volume_name(const std::string& name);

// The local driver's -o options as hutch can honour them without root: none;
// type=tmpfs,device=tmpfs[,o=size=..,mode=..,uid=..,gid=..,nr_inodes=..] (a
// tmpfs made at each use: unlike docker's, two containers using one at the
// same time do not share its files); or type=none,o=bind,device=/abs/path (a
// bind of that directory). docker's checks and messages first ("invalid
// option: \"foo\"", "missing required option: \"device\""), then
// "volume option type=ext4 is not supported rootless: ..." for the rest.
void validate_volume_options(const std::map<std::string, std::string>& options);

class VolumeStore {
 public:
  explicit VolumeStore(const Store& store) : store_(store) {}

  // Creates the volume, or returns it as it is when it exists (docker keeps
  // the first labels and options). An empty name makes an anonymous volume:
  // 64 random hex digits and the anonymous label. Errors read
  // "create NAME: ...", as docker's.
  Volume create(const std::string& name, const std::map<std::string, std::string>& labels = {},
                const std::map<std::string, std::string>& options = {}, const std::string& driver = "local") const;
  std::optional<Volume> get(const std::string& name) const;
  // Throws "get NAME: no such volume".
  Volume find(const std::string& name) const;
  // Sorted by name; unreadable entries are skipped.
  std::vector<Volume> list() const;

  // Ids of the containers whose records list the volume.
  std::vector<std::string> users(const std::string& name) const;
  // Throws "get NAME: no such volume" (unless missing_ok, then returns
  // false) or "remove NAME: volume is in use - [ID ...]". Files of
  // subordinate ids need the caller in the user namespace.
  bool remove(const std::string& name, bool missing_ok = false) const;

  struct Pruned {
    std::vector<std::string> names;
    int64_t bytes = 0;
  };
  // Removes each unused local volume without options that `select` picks, as
  // docker's prune does (a volume with options holds nothing of its own).
  Pruned prune(const std::function<bool(const Volume&)>& select) const;

  // Held shared by a container's creation from resolving its volumes until its
  // record is saved; remove and prune take it exclusively.
  FileLock lock(FileLock::Mode mode) const;

 private:
  std::string dir(const std::string& name) const { return store_.volumes_dir() + "/" + name; }
  Volume load(const std::string& name) const;
  void remove_unlocked(const std::string& name) const;
  const Store& store_;
};

// After the container's record is gone: removes its anonymous volumes that no
// other container uses (rm -v, run --rm); failures are logged, never thrown.
void remove_anonymous_volumes(const VolumeStore& volumes, const std::vector<std::string>& names);

}  // namespace hutch
