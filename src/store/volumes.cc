#include "store/volumes.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/mount_flags.h"
#include "base/printable.h"
#include "base/random.h"
#include "base/strings.h"
#include "base/tree_size.h"
#include "store/containers.h"

namespace hutch {

namespace {

bool is_name_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-'; }

// Also what keeps a name from ever leaving volumes/: no '/', never "." or "..".
bool valid_name(const std::string& name) {
  if (name.size() < 2 || !isalnum((unsigned char)name[0])) return false;
  return std::all_of(name.begin(), name.end(), is_name_char);
}

// Go's time.RFC3339 of the local time, as docker's local driver writes CreatedAt.
std::string created_now() {
  time_t now = time(nullptr);
  struct tm tm;
  localtime_r(&now, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  long offset = tm.tm_gmtoff / 60;
  if (offset == 0) snprintf(buf + n, sizeof buf - n, "Z");
  else snprintf(buf + n, sizeof buf - n, "%c%02ld:%02ld", offset < 0 ? '-' : '+', labs(offset) / 60, labs(offset) % 60);
  return buf;
}

bool has_word(const std::string& list, const char* word) {
  auto words = split(list, ',');
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string option(const std::map<std::string, std::string>& options, const char* key) {
  auto it = options.find(key);
  return it == options.end() ? "" : it->second;
}

}  // namespace

bool Volume::is_tmpfs() const { return option(options, "type") == "tmpfs"; }

bool Volume::is_bind() const {
  std::string o = option(options, "o");
  return !is_tmpfs() && (has_word(o, "bind") || has_word(o, "rbind"));
}

std::string Volume::source() const {
  if (is_tmpfs()) return "";
  return is_bind() ? option(options, "device") : mountpoint;
}

void validate_volume_name(const std::string& name) {
  if (name.size() == 1) fail("volume name is too short, names should be at least two alphanumeric characters");
  if (!valid_name(name))
    fail("%s includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. "
         "If you intended to pass a host directory, use absolute path",
         quoted(name).c_str());
}

void validate_volume_options(const std::map<std::string, std::string>& options) {
  for (const auto& [key, value] : options)
    if (key != "type" && key != "device" && key != "o" && key != "size")
      fail("invalid option: %s", quoted(key).c_str());
  // docker's local driver: each of these needs the others listed.
  const std::pair<const char*, std::vector<const char*>> kNeeds[] = {
      {"type", {"device"}}, {"device", {"type"}}, {"o", {"device", "type"}}};
  for (const auto& [key, needed] : kNeeds) {
    if (!options.count(key)) continue;
    for (const char* need : needed)
      if (!options.count(need)) fail("missing required option: %s", quoted(need).c_str());
  }
  // The quota of docker's local driver needs XFS project quotas and root.
  if (options.count("size")) fail("quota size requested but no quota support");
  if (options.empty()) return;

  // docker mounts the rest with mount(2) as root; without root only a tmpfs
  // and a bind of a directory the user can reach remain.
  std::string type = option(options, "type"), device = option(options, "device"), o = option(options, "o");
  if (type == "tmpfs") {
    if (!o.empty()) merge_tmpfs_options(split(o, ','));
    return;
  }
  if (has_word(o, "bind") || has_word(o, "rbind")) {
    for (const auto& word : split(o, ','))
      if (word != "bind" && word != "rbind" && word != "ro" && word != "rw")
        fail("volume option o=%s is not supported rootless: a bind takes only bind, rbind, ro and rw", o.c_str());
    if (device.empty() || device[0] != '/')
      fail("volume option device=%s: the directory of a bind must be an absolute path", device.c_str());
    return;
  }
  fail("volume option type=%s is not supported rootless: only type=tmpfs, and o=bind with a directory as device",
       type.c_str());
}

Volume VolumeStore::create(const std::string& given, const std::map<std::string, std::string>& labels,
                           const std::map<std::string, std::string>& options, const std::string& driver) const {
  std::string name = given.empty() ? random_hex(32) : given;
  return with_context("create " + name, [&] {
    if (driver != "local") fail("error looking up volume plugin %s: plugin %s not found", driver.c_str(), quoted(driver).c_str());
    if (!given.empty()) {
      validate_volume_name(name);
      if (auto existing = get(name)) return *existing;
    }
    validate_volume_options(options);
    Volume v;
    v.name = name;
    v.created_at = created_now();
    v.labels = labels;
    if (given.empty()) v.labels[kAnonymousVolumeLabel] = "";
    v.options = options;
    mkdir_p(store_.volumes_dir(), 0700);
    // Built whole in staging, then renamed into place: a volume is there
    // complete or not at all.
    Staging staging(store_);
    std::string built = staging.make_path("volume");
    if (mkdir(built.c_str(), 0700) < 0) fail_errno("mkdir %s", built.c_str());
    if (mkdir((built + "/_data").c_str(), 0755) < 0) fail_errno("mkdir %s/_data", built.c_str());
    JsonWriter w;
    w.begin_object().field("Name", v.name).field("Driver", v.driver).field("CreatedAt", v.created_at);
    write_string_map(w, "Labels", v.labels);
    write_string_map(w, "Options", v.options);
    w.field("Scope", v.scope).end_object();
    write_file_atomic(built + "/volume.json", w.str(), false, 0600);
    if (rename(built.c_str(), dir(name).c_str()) < 0) {
      // Another hutch created it meanwhile: theirs stands, as docker's would.
      if ((errno == EEXIST || errno == ENOTEMPTY) && !given.empty()) return load(name);
      fail_errno("rename %s", built.c_str());
    }
    v.mountpoint = dir(name) + "/_data";
    return v;
  });
}

Volume VolumeStore::load(const std::string& name) const {
  JsonValue j = parse_json(read_file(dir(name) + "/volume.json"), "volume " + name);
  Volume v;
  v.name = name;
  v.driver = j.string_at("Driver", "local");
  // Built from where the store is now, so a moved store stays right.
  v.mountpoint = dir(name) + "/_data";
  v.created_at = j.string_at("CreatedAt");
  v.labels = string_map_of(j.get("Labels"));
  v.options = string_map_of(j.get("Options"));
  v.scope = j.string_at("Scope", "local");
  return v;
}

std::optional<Volume> VolumeStore::get(const std::string& name) const {
  if (!valid_name(name) || !exists(dir(name) + "/volume.json")) return std::nullopt;
  return load(name);
}

Volume VolumeStore::find(const std::string& name) const {
  auto v = get(name);
  if (!v) fail("get %s: no such volume", name.c_str());
  return *v;
}

std::vector<Volume> VolumeStore::list() const {
  std::vector<Volume> out;
  if (!is_dir(store_.volumes_dir())) return out;
  for (const auto& name : list_dir(store_.volumes_dir())) {
    try {
      if (auto v = get(name)) out.push_back(std::move(*v));
    } catch (const Error& e) {
      log_debug("volume %s skipped: %s", name.c_str(), e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const Volume& a, const Volume& b) { return a.name < b.name; });
  return out;
}

static std::vector<std::string> users_among(const std::string& name, const std::vector<ContainerRecord>& containers) {
  std::vector<std::string> ids;
  for (const auto& c : containers)
    if (std::find(c.volumes.begin(), c.volumes.end(), name) != c.volumes.end()) ids.push_back(c.id);
  return ids;
}

std::vector<std::string> VolumeStore::users(const std::string& name) const {
  return users_among(name, ContainerStore(store_).list());
}

bool VolumeStore::remove(const std::string& name, bool missing_ok) const {
  FileLock held = lock(FileLock::kExclusive);
  if (!get(name)) {
    if (missing_ok) return false;
    fail("get %s: no such volume", name.c_str());
  }
  std::vector<std::string> ids = users(name);
  if (!ids.empty()) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : " ") + id;
    fail("remove %s: volume is in use - [%s]", name.c_str(), list.c_str());
  }
  remove_unlocked(name);
  return true;
}

void VolumeStore::remove_unlocked(const std::string& name) const {
  std::string trash = store_.tmp_dir() + "/rm-" + random_hex(8);
  if (rename(dir(name).c_str(), trash.c_str()) < 0) {
    if (errno == ENOENT) return;
    fail_errno("remove %s", name.c_str());
  }
  // The volume is gone once renamed; what cannot be deleted now is left to
  // staging collection rather than reported as a failed removal.
  try {
    remove_tree(trash);
  } catch (const Error& e) {
    log_debug("removed volume %s left for collection: %s", name.c_str(), e.what());
  }
}

VolumeStore::Pruned VolumeStore::prune(const std::function<bool(const Volume&)>& select) const {
  FileLock held = lock(FileLock::kExclusive);
  auto containers = ContainerStore(store_).list();
  Pruned out;
  for (const auto& v : list()) {
    if (v.driver != "local" || !v.options.empty() || !users_among(v.name, containers).empty() || !select(v))
      continue;
    int64_t bytes = tree_bytes(v.mountpoint);
    remove_unlocked(v.name);
    out.names.push_back(v.name);
    out.bytes += bytes;
  }
  return out;
}

FileLock VolumeStore::lock(FileLock::Mode mode) const { return FileLock(store_.root() + "/volumes.lock", mode); }

void remove_anonymous_volumes(const VolumeStore& volumes, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    try {
      volumes.remove(name, true);
    } catch (const Error& e) {
      // In use by another container (--volumes-from): docker keeps it too.
      log_debug("anonymous volume kept: %s", e.what());
    }
  }
}

}  // namespace hutch
