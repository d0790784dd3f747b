#include "container/mount_plan.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "base/error.h"
#include "base/file.h"
#include "base/mount_flags.h"
#include "base/strings.h"

namespace hutch {

namespace {

// The mounts by destination: a later one put at a destination replaces the
// earlier.
class MountTable {
 public:
  void put(PlannedMount m) {
    auto old = std::find_if(list_.begin(), list_.end(), [&](const auto& x) { return x.destination == m.destination; });
    if (old != list_.end()) list_.erase(old);
    list_.push_back(std::move(m));
  }
  bool has(const std::string& destination) const {
    return std::any_of(list_.begin(), list_.end(), [&](const auto& x) { return x.destination == destination; });
  }
  std::vector<PlannedMount> take() { return std::move(list_); }

 private:
  std::vector<PlannedMount> list_;
};

[[noreturn]] void duplicate(const std::string& destination) {
  fail("Duplicate mount point: %s", destination.c_str());
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

PlannedMount anonymous_volume(const std::string& destination) {
  PlannedMount m;
  m.kind = MountKind::kVolume;
  m.destination = destination;
  m.given_destination = destination;
  m.propagation = "rprivate";
  m.anonymous = true;
  return m;
}

// -v /path: docker roots a relative one silently; refused here with
// docker's words for the same fault in -v HOST:CTR.
std::string flag_volume_destination(const std::string& path) {
  auto invalid = [&](const char* why) {
    fail("invalid volume specification: '%s': invalid mount config for type \"volume\": %s", path.c_str(), why);
  };
  if (clean_path(path) == "/") invalid("invalid specification: destination can't be '/'");
  if (path.empty() || path[0] != '/')
    invalid(format("invalid mount path: '%s' mount path must be absolute", path.c_str()).c_str());
  return clean_path(path);
}

// The mounts --volumes-from copies: binds and volumes (not tmpfs), read-only
// when the source's was or ":ro" says so, never copied into.
void copy_mounts_from(const VolumesFrom& from, const FindContainer& find, MountTable& table) {
  if (from.container.empty()) fail("invalid name or ID supplied: \"\"");
  ContainerRecord source = find(from.container);
  for (const MountPoint& mp : source.mounts) {
    if (mp.type != "bind" && mp.type != "volume") continue;
    PlannedMount m;
    m.kind = mp.type == "bind" ? MountKind::kBind : MountKind::kVolume;
    m.destination = mp.destination;
    m.given_destination = mp.destination;
    m.read_only = !mp.rw || from.read_only;
    m.propagation = mp.propagation.empty() ? "rprivate" : mp.propagation;
    m.recursive = !mp.nonrecursive;
    m.nocopy = true;
    if (m.kind == MountKind::kBind) {
      m.source = mp.source;
    } else {
      m.volume_name = mp.name;
      m.anonymous = contains(source.anonymous_volumes, mp.name);
    }
    table.put(std::move(m));
  }
}

size_t depth(const std::string& destination) {
  return (size_t)std::count(destination.begin(), destination.end(), '/');
}

void resolve_volume(PlannedMount& m, const VolumeStore& volumes) {
  std::optional<Volume> found;
  if (!m.volume_name.empty()) found = volumes.get(m.volume_name);
  Volume v = found ? *found : volumes.create(m.volume_name, m.volume_labels, m.volume_options, m.volume_driver);
  m.volume_name = v.name;
  m.source = v.source();
  m.tmpfs_volume = v.is_tmpfs();
  std::string o = v.options.count("o") ? v.options.at("o") : "";
  if (m.tmpfs_volume) {
    // docker's local driver mounts it with exactly "o": none of --tmpfs's defaults.
    m.tmpfs_options = o.empty() ? std::vector<std::string>{} : merge_tmpfs_options(split(o, ','));
  } else if (v.is_bind()) {
    // docker finds out when it mounts the volume; its words.
    struct stat st;
    if (stat(m.source.c_str(), &st) < 0)
      fail("error while mounting volume '%s': failed to mount local volume: mount %s:%s, flags: 0x1000: %s",
           v.mountpoint.c_str(), m.source.c_str(), v.mountpoint.c_str(), strerror(errno));
    if (contains(split(o, ','), "ro")) m.read_only = true;
  }
}

}  // namespace

std::vector<PlannedMount> plan_mounts(const ContainerConfig& config, const HostConfig& host,
                                      const std::vector<std::string>& image_volumes, const FindContainer& find) {
  // --tmpfs is a map in the Engine API: the last of a path counts.
  MountTable tmpfs;
  for (const auto& [path, options] : host.tmpfs) tmpfs.put(parse_tmpfs(path, options));

  MountTable table;
  for (const auto& spec : host.volumes_from) copy_mounts_from(parse_volumes_from(spec), find, table);

  std::set<std::string> given;  // destinations of -v and --mount
  for (const auto& raw : host.binds) {
    PlannedMount m = parse_bind(raw);
    if (given.count(m.destination) || tmpfs.has(m.destination)) duplicate(m.destination);
    given.insert(m.destination);
    table.put(std::move(m));
  }
  for (const auto& spec : host.mounts) {
    PlannedMount m = parse_mount_spec(spec);
    // docker lets a --mount and a --tmpfs share a destination and mounts
    // both; refused here like every other pair.
    if (given.count(m.destination) || tmpfs.has(m.destination)) duplicate(m.given_destination);
    given.insert(m.destination);
    table.put(std::move(m));
  }
  for (auto& m : tmpfs.take()) table.put(std::move(m));

  // Anonymous volumes where nothing else is mounted.
  std::vector<std::string> anonymous;
  for (const auto& path : config.volumes) anonymous.push_back(flag_volume_destination(path));
  for (const auto& path : image_volumes) {
    std::string destination = clean_path("/" + path);
    if (destination == "/") fail("invalid volume: the image's VOLUME %s is the root directory", path.c_str());
    anonymous.push_back(destination);
  }
  for (const auto& destination : anonymous)
    if (!table.has(destination)) table.put(anonymous_volume(destination));

  std::vector<PlannedMount> out = table.take();
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return depth(a.destination) < depth(b.destination); });
  return out;
}

void resolve_mounts(std::vector<PlannedMount>& mounts, const VolumeStore& volumes) {
  for (auto& m : mounts) {
    if (m.kind == MountKind::kVolume) {
      resolve_volume(m, volumes);
    } else if (m.kind == MountKind::kBind && !m.create_source) {
      struct stat st;
      if (stat(m.source.c_str(), &st) < 0)
        fail("invalid mount config for type \"bind\": bind source path does not exist: %s", m.source.c_str());
    }
  }
}

void create_missing_bind_sources(const std::vector<PlannedMount>& mounts) {
  for (const auto& m : mounts)
    if (m.kind == MountKind::kBind && m.create_source && !exists(m.source)) mkdir_p(m.source, 0755);
}

bool needs_copy_up(const PlannedMount& m) {
  if (m.kind != MountKind::kVolume || m.nocopy || m.tmpfs_volume || m.source.empty()) return false;
  DIR* dir = opendir(m.source.c_str());
  if (!dir) return false;
  bool empty = true;
  while (struct dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") {
      empty = false;
      break;
    }
  }
  closedir(dir);
  return empty;
}

void record_mounts(const std::vector<PlannedMount>& mounts, ContainerRecord& record) {
  record.mounts.clear();
  record.volumes.clear();
  record.anonymous_volumes.clear();
  for (const auto& m : mounts) {
    MountPoint mp;
    mp.type = mount_kind_name(m.kind);
    mp.source = m.source;
    mp.destination = m.destination;
    mp.mode = m.mode;
    mp.rw = !m.read_only;
    if (m.kind == MountKind::kBind) {
      mp.propagation = m.propagation;
      mp.nonrecursive = !m.recursive;
    }
    if (m.kind == MountKind::kVolume) {
      mp.name = m.volume_name;
      mp.driver = m.volume_driver;
      if (!contains(record.volumes, m.volume_name)) record.volumes.push_back(m.volume_name);
      if (m.anonymous && !contains(record.anonymous_volumes, m.volume_name))
        record.anonymous_volumes.push_back(m.volume_name);
    }
    record.mounts.push_back(std::move(mp));
  }
}

oci::Mount to_oci_mount(const PlannedMount& m) {
  oci::Mount out;
  out.destination = m.destination;
  if (m.is_tmpfs()) {
    out.type = "tmpfs";
    out.source = "tmpfs";
    out.options = m.tmpfs_options;
    if (m.read_only && !contains(out.options, "ro")) out.options.push_back("ro");
  } else {
    out.type = "bind";
    out.source = m.source;
    out.options.push_back(m.recursive ? "rbind" : "bind");
    if (m.read_only) out.options.push_back("ro");
  }
  if (!m.propagation.empty()) out.options.push_back(m.propagation);
  return out;
}

}  // namespace hutch
