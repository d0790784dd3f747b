#include "store/containers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/process.h"
#include "base/random.h"
#include "store/container_config_json.h"

namespace hutch {

bool ContainerRecord::is_running() const {
  return state == "running" && process_alive(monitor_pid, monitor_start);
}

bool ContainerRecord::is_abandoned() const {
  return host_config.auto_remove && !process_alive(monitor_pid, monitor_start);
}

namespace {

bool valid_name(const std::string& name) {
  if (name.size() < 2 || !isalnum((unsigned char)name[0])) return false;
  for (char c : name)
    if (!isalnum((unsigned char)c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

// Returns "" once the name is ours, else the id of the live container holding it.
std::string ContainerStore::claim_name(const std::string& name, const std::string& id) const {
  std::string link = store_.names_dir() + "/" + name;
  char owner[128] = {};
  for (int attempt = 0; attempt < 2; attempt++) {
    if (symlink(id.c_str(), link.c_str()) == 0) return "";
    if (errno != EEXIST) fail_errno("claim name %s", name.c_str());
    ssize_t n = readlink(link.c_str(), owner, sizeof owner - 1);
    owner[n > 0 ? n : 0] = 0;
    if (n > 0 && is_dir(store_.container_dir(owner))) return owner;
    // A claim whose container is gone was left by an interrupted removal.
    unlink(link.c_str());
  }
  return owner;
}

void ContainerStore::create(ContainerRecord& record) const {
  if (record.name.empty()) {
    do record.name = generate_name();
    while (!claim_name(record.name, record.id).empty());
  } else {
    if (!valid_name(record.name))
      fail("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", record.name.c_str());
    std::string owner = claim_name(record.name, record.id);
    if (!owner.empty())
      fail("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
           record.name.c_str(), owner.c_str());
  }
  std::string link = store_.names_dir() + "/" + record.name;
  try {
    std::string dir = store_.container_dir(record.id);
    if (mkdir(dir.c_str(), 0700) < 0) fail_errno("mkdir %s", dir.c_str());
    save(record);
  } catch (...) {
    unlink(link.c_str());
    throw;
  }
}

void ContainerStore::save(const ContainerRecord& r) const {
  JsonWriter w;
  w.begin_object()
      .field("Id", r.id)
      .field("Name", r.name)
      .field("Image", r.image)
      .field("ImageID", r.image_id)
      .key("Command")
      .string_array(r.command)
      .field("Created", r.created)
      .field("State", r.state)
      .field("ExitCode", r.exit_code)
      .field("StartedAt", r.started_at)
      .field("FinishedAt", r.finished_at)
      .field("MonitorPid", (int64_t)r.monitor_pid)
      .field("MonitorStart", (int64_t)r.monitor_start)
      .field("InitPid", (int64_t)r.init_pid);
  write_host_config(w.key("HostConfig"), r.host_config);
  write_container_config(w.key("Config"), r.config);
  if (!r.mounts.empty()) {
    w.key("Mounts").begin_array();
    for (const auto& m : r.mounts) {
      w.begin_object().field("Type", m.type);
      if (!m.name.empty()) w.field("Name", m.name);
      w.field("Source", m.source).field("Destination", m.destination);
      if (!m.driver.empty()) w.field("Driver", m.driver);
      w.field("Mode", m.mode).field("RW", m.rw).field("Propagation", m.propagation);
      if (m.nonrecursive) w.field("NonRecursive", true);
      w.end_object();
    }
    w.end_array();
  }
  if (!r.volumes.empty()) w.key("VolumeNames").string_array(r.volumes);
  if (!r.anonymous_volumes.empty()) w.key("AnonymousVolumes").string_array(r.anonymous_volumes);
  w.end_object();
  write_file_atomic(store_.container_dir(r.id) + "/container.json", w.str());
}

std::optional<ContainerRecord> ContainerStore::load(const std::string& id) const {
  auto text = read_file_if_exists(store_.container_dir(id) + "/container.json");
  if (!text) return std::nullopt;
  JsonValue j = parse_json(*text, "container " + id);
  ContainerRecord r;
  r.id = j.string_at("Id");
  r.name = j.string_at("Name");
  r.image = j.string_at("Image");
  r.image_id = Digest::parse(j.string_at("ImageID"), "container record: ImageID");
  r.command = j.strings_at("Command");
  r.created = j.string_at("Created");
  r.state = j.string_at("State");
  r.exit_code = j.int_at("ExitCode");
  r.started_at = j.string_at("StartedAt");
  r.finished_at = j.string_at("FinishedAt");
  r.monitor_pid = j.int_at("MonitorPid");
  r.monitor_start = j.int_at("MonitorStart");
  r.init_pid = j.int_at("InitPid");
  const JsonValue* config = j.get("Config");
  if (config && config->is_object()) r.config = parse_container_config(*config);
  else r.config_from_image = true;
  if (r.config.image.empty()) r.config.image = r.image;
  if (const JsonValue* host = j.get("HostConfig"); host && host->is_object()) {
    r.host_config = parse_host_config(*host);
  } else {
    // Older records: AutoRemove stood alone, the rest was the default.
    const JsonValue* rm = j.get("AutoRemove");
    r.host_config.auto_remove = rm && rm->as_bool();
  }
  if (const JsonValue* mounts = j.get("Mounts"); mounts && mounts->is_array()) {
    for (const auto& m : mounts->items()) {
      const JsonValue* rw = m.get("RW");
      const JsonValue* nonrecursive = m.get("NonRecursive");
      r.mounts.push_back(MountPoint{m.string_at("Type"), m.string_at("Name"), m.string_at("Source"),
                                    m.string_at("Destination"), m.string_at("Driver"), m.string_at("Mode"),
                                    !rw || rw->as_bool(), m.string_at("Propagation"),
                                    nonrecursive && nonrecursive->as_bool()});
    }
  }
  r.volumes = j.strings_at("VolumeNames");
  r.anonymous_volumes = j.strings_at("AnonymousVolumes");
  return r;
}

std::vector<ContainerRecord> ContainerStore::list() const {
  std::vector<ContainerRecord> out;
  for (const auto& id : list_dir(store_.containers_dir())) {
    try {
      auto r = load(id);
      if (r && r->is_abandoned()) {
        remove(*r);
        continue;
      }
      if (r) out.push_back(std::move(*r));
    } catch (const Error&) {
      // A record torn by a crash would be replaced whole; skip anything unreadable.
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
  return out;
}

ContainerRecord ContainerStore::find(const std::string& key) const {
  char target[128] = {};
  if (!key.empty() && key.find('/') == std::string::npos) {
    std::string name = key[0] == '/' ? key.substr(1) : key;
    ssize_t n = readlink((store_.names_dir() + "/" + name).c_str(), target, sizeof target - 1);
    if (n > 0) {
      if (auto r = load(target)) return *r;
    }
  }
  std::optional<ContainerRecord> match;
  if (!key.empty()) {
    for (const auto& id : list_dir(store_.containers_dir())) {
      if (id.compare(0, key.size(), key) != 0) continue;
      if (match) fail("Multiple IDs found with provided prefix: %s", key.c_str());
      match = load(id);
    }
  }
  if (!match) fail("No such container: %s", key.c_str());
  return *match;
}

void ContainerStore::remove(const ContainerRecord& record) const {
  std::string dir = store_.container_dir(record.id);
  std::string trash = store_.tmp_dir() + "/rm-" + random_hex(8);
  if (rename(dir.c_str(), trash.c_str()) < 0) {
    if (errno != ENOENT) fail_errno("remove container %s", record.id.c_str());
  } else {
    remove_tree(trash);
  }
  std::string link = store_.names_dir() + "/" + record.name;
  char target[128] = {};
  if (readlink(link.c_str(), target, sizeof target - 1) > 0 && record.id == target) unlink(link.c_str());
}

std::string ContainerStore::generate_name() const {
  // Same shape as docker's generated names; the words are our own.
  static const char* kAdjectives[] = {"brave", "calm", "eager", "fond", "gentle", "happy", "jolly", "keen",
                                      "lucid", "merry", "nimble", "proud", "quiet", "sharp", "tender",
                                      "vivid", "witty", "zesty", "bold", "clever"};
  static const char* kNouns[] = {"badger", "beaver", "falcon", "ferret", "heron", "ibex", "lynx", "marten",
                                 "otter", "panda", "puffin", "quokka", "raven", "stoat", "tapir", "vole",
                                 "walrus", "wombat", "yak", "zebu"};
  for (int attempt = 0;; attempt++) {
    std::string hex = random_hex(2);
    unsigned r = strtoul(hex.c_str(), nullptr, 16);
    std::string name = std::string(kAdjectives[r % 20]) + "_" + kNouns[(r / 20) % 20];
    if (attempt > 3) name += "_" + random_hex(2);
    if (!exists(store_.names_dir() + "/" + name)) return name;
  }
}

}  // namespace hutch
