#include "store/containers.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/process.h"
#include "base/random.h"
#include "store/container_config_json.h"

namespace hutch {

bool ContainerRecord::on_network(const std::string& network_name, const std::string& network_id) const {
  const std::string& mode = host_config.network_mode;
  if (mode == network_name || mode == network_id) return true;
  return std::any_of(extra_networks.begin(), extra_networks.end(),
                     [&](const ExtraNetwork& e) { return e.name == network_name || e.name == network_id; });
}

std::string ContainerRecord::address_on(const std::string& network_name, const std::string& network_id) const {
  const std::string& mode = host_config.network_mode;
  if (mode == network_name || mode == network_id) return ip_address;
  for (const auto& n : extra_networks)
    if (n.name == network_name || n.name == network_id) return n.ip_address;
  return "";
}

void ContainerRecord::leave_network(const std::string& network_name, const std::string& network_id) {
  auto& extras = extra_networks;
  const std::string& mode = host_config.network_mode;
  if (mode != network_name && mode != network_id) {
    extras.erase(std::remove_if(extras.begin(), extras.end(),
                                [&](const ExtraNetwork& e) { return e.name == network_name || e.name == network_id; }),
                 extras.end());
    return;
  }
  host_config.links.clear();  // links are the first network's
  if (extras.empty()) {
    host_config.network_mode = "none";
    endpoint = {};
    ip_address.clear();
    ports.clear();
    return;
  }
  host_config.network_mode = extras.front().name;
  endpoint = extras.front().endpoint;
  ip_address = extras.front().ip_address;
  extras.erase(extras.begin());
}

std::string ContainerRecord::status() const {
  if (state == "created") return state;
  if (state == "running" || state == "restarting") {
    if (!process_running(monitor_pid, monitor_start)) return "exited";
    return state == "running" && paused ? "paused" : state;
  }
  return "exited";
}

bool ContainerRecord::is_running() const {
  std::string s = status();
  return s == "running" || s == "paused";
}

bool ContainerRecord::is_restarting() const { return status() == "restarting"; }

int ContainerRecord::reported_exit_code() const {
  // Recorded as live, but its monitor is gone, and took the container along.
  return state != "exited" && state != "created" && status() == "exited" ? 137 : exit_code;
}

bool ContainerRecord::is_abandoned() const {
  return host_config.auto_remove && !process_running(monitor_pid, monitor_start);
}

namespace {

bool valid_name(const std::string& name) {
  if (name.size() < 2 || !isalnum((unsigned char)name[0])) return false;
  for (char c : name)
    if (!isalnum((unsigned char)c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

// Where a recycled directory keeps its old record's inode.
constexpr const char* kSpareRecord = "container.json.spare";
// Enough for a few containers run one after another, or side by side.
constexpr size_t kMaxRecycled = 8;
// The files of a container directory that it reuses as they are.
constexpr const char* kReusedFiles[] = {"hosts", "hostname", "resolv.conf", "config.json"};

// The names of path's extended attributes, when all are overlay's own
// (user.overlay.*); false when any is not, or they cannot be read.
bool overlay_attributes(const std::string& path, std::vector<std::string>* names) {
  char list[1024];
  ssize_t n = llistxattr(path.c_str(), list, sizeof list);
  if (n < 0) return false;
  for (ssize_t i = 0; i < n; i += strlen(list + i) + 1) {
    if (strncmp(list + i, "user.overlay.", 13) != 0) return false;
    names->emplace_back(list + i);
  }
  return true;
}

std::string record_json(const ContainerRecord& r) {
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
      .field("Error", r.error)
      .field("RestartCount", r.restart_count)
      .field("ManuallyStopped", r.manually_stopped)
      .field("Paused", r.paused)
      .field("StartedAt", r.started_at)
      .field("FinishedAt", r.finished_at)
      .field("MonitorPid", (int64_t)r.monitor_pid)
      .field("MonitorStart", (int64_t)r.monitor_start);
  if (!r.health.status.empty()) {
    w.key("Health").begin_object().field("Status", r.health.status).field("FailingStreak", r.health.failing_streak);
    w.key("Log").begin_array();
    for (const auto& p : r.health.log)
      w.begin_object()
          .field("Start", p.start)
          .field("End", p.end)
          .field("ExitCode", p.exit_code)
          .field("Output", p.output)
          .end_object();
    w.end_array().end_object();
  }
  if (!r.ports.empty()) write_port_bindings(w.key("Ports"), r.ports);
  if (!r.ip_address.empty()) w.field("IPAddress", r.ip_address);
  if (!r.endpoint.ipv4_address.empty() || !r.endpoint.aliases.empty()) {
    w.key("EndpointConfig").begin_object().field("IPv4Address", r.endpoint.ipv4_address);
    w.key("Aliases").string_array(r.endpoint.aliases).end_object();
  }
  if (!r.extra_networks.empty()) {
    w.key("ExtraNetworks").begin_array();
    for (const auto& n : r.extra_networks) {
      w.begin_object().field("Name", n.name).field("IPv4Address", n.endpoint.ipv4_address);
      w.key("Aliases").string_array(n.endpoint.aliases).field("IPAddress", n.ip_address).end_object();
    }
    w.end_array();
  }
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
  return w.str();
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

void ContainerStore::claim_given_name(const std::string& name, const std::string& id) const {
  if (!valid_name(name))
    fail("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name.c_str());
  std::string owner = claim_name(name, id);
  if (!owner.empty())
    fail("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
         name.c_str(), owner.c_str());
}

void ContainerStore::create(ContainerRecord& record) const {
  if (record.name.empty()) {
    do record.name = generate_name();
    while (!claim_name(record.name, record.id).empty());
  } else {
    claim_given_name(record.name, record.id);
  }
  std::string link = store_.names_dir() + "/" + record.name;
  try {
    std::string dir = store_.container_dir(record.id);
    if (!take_recycled(dir) && mkdir(dir.c_str(), 0700) < 0) fail_errno("mkdir %s", dir.c_str());
    // A recycled directory keeps its record's inode aside: refilled while
    // nothing names it, then renamed into place.
    std::string spare = dir + "/" + kSpareRecord;
    if (exists(spare)) {
      write_file_in_place(spare, record_json(record));
      if (::rename(spare.c_str(), (dir + "/container.json").c_str()) < 0) fail_errno("rename %s", spare.c_str());
    } else {
      save(record);
    }
  } catch (...) {
    unlink(link.c_str());
    throw;
  }
}


void ContainerStore::rename(const ContainerRecord& record, const std::string& new_name) const {
  std::string name = !new_name.empty() && new_name[0] == '/' ? new_name.substr(1) : new_name;
  if (name == record.name) fail("Renaming a container with the same name as its current name");
  claim_given_name(name, record.id);
  try {
    update(record.id, [&](ContainerRecord& r) { r.name = name; });
  } catch (...) {
    unlink((store_.names_dir() + "/" + name).c_str());
    throw;
  }
  release_name(record);
}

void ContainerStore::save(const ContainerRecord& r) const {
  write_file_atomic(store_.container_dir(r.id) + "/container.json", record_json(r));
}

ContainerRecord ContainerStore::update(const std::string& id,
                                       const std::function<void(ContainerRecord&)>& change) const {
  std::string dir = store_.container_dir(id);
  Fd lock(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!lock) fail("No such container: %s", id.c_str());
  while (flock(lock.get(), LOCK_EX) < 0)
    if (errno != EINTR) fail_errno("lock container %s", id.c_str());
  std::optional<ContainerRecord> record = load(id);
  if (!record) fail("No such container: %s", id.c_str());
  change(*record);
  save(*record);
  return *record;
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
  r.error = j.string_at("Error");
  r.restart_count = j.int_at("RestartCount");
  if (const JsonValue* v = j.get("ManuallyStopped")) r.manually_stopped = v->as_bool();
  if (const JsonValue* v = j.get("Paused")) r.paused = v->as_bool();
  if (const JsonValue* h = j.get("Health"); h && h->is_object()) {
    r.health.status = h->string_at("Status");
    r.health.failing_streak = h->int_at("FailingStreak");
    if (const JsonValue* log = h->get("Log"); log && log->is_array())
      for (const auto& p : log->items())
        r.health.log.push_back({p.string_at("Start"), p.string_at("End"), (int)p.int_at("ExitCode"), p.string_at("Output")});
  }
  r.started_at = j.string_at("StartedAt");
  r.finished_at = j.string_at("FinishedAt");
  r.monitor_pid = j.int_at("MonitorPid");
  r.monitor_start = j.int_at("MonitorStart");
  r.ports = parse_port_bindings(j.get("Ports"));
  r.ip_address = j.string_at("IPAddress");
  if (const JsonValue* e = j.get("EndpointConfig"); e && e->is_object()) {
    r.endpoint.ipv4_address = e->string_at("IPv4Address");
    r.endpoint.aliases = e->strings_at("Aliases");
  }
  if (const JsonValue* v = j.get("ExtraNetworks"); v && v->is_array())
    for (const auto& n : v->items())
      r.extra_networks.push_back({n.string_at("Name"), {n.string_at("IPv4Address"), n.strings_at("Aliases")},
                                  n.string_at("IPAddress")});
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
  if (::rename(dir.c_str(), trash.c_str()) < 0) {
    if (errno != ENOENT) fail_errno("remove container %s", record.id.c_str());
  } else {
    remove_tree(trash);
  }
  release_name(record);
}

void ContainerStore::release_name(const ContainerRecord& record) const {
  std::string link = store_.names_dir() + "/" + record.name;
  char target[128] = {};
  if (readlink(link.c_str(), target, sizeof target - 1) > 0 && record.id == target) unlink(link.c_str());
}

// Only what hutch itself would have made may pass to the next container: an
// empty upper layer with its first owner, mode and no attributes (a chmod of
// the container's / lands there), and etc files that are still plain files of
// ours (the container may chmod or chown its /etc/hosts).
bool ContainerStore::recyclable(const std::string& dir, std::vector<std::string>* overlay_marks) const {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  std::string upper = dir + "/upper";
  struct stat st;
  if (lstat(upper.c_str(), &st) < 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 07777) != 0755 || st.st_uid != uid ||
      st.st_gid != gid || st.st_nlink != 2)
    return false;
  // Overlay marks its upper root (user.overlay.uuid); any other attribute is
  // the container's.
  if (!overlay_attributes(upper, overlay_marks)) return false;
  try {
    if (!list_dir(upper).empty()) return false;
  } catch (const Error&) {
    return false;
  }
  for (const char* name : kReusedFiles) {
    if (lstat((dir + "/" + name).c_str(), &st) < 0) continue;
    if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0644 || st.st_uid != uid || st.st_nlink != 1) return false;
  }
  return lstat((dir + "/work").c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid;
}

void ContainerStore::recycle(const ContainerRecord& record) const {
  std::string dir = store_.container_dir(record.id);
  std::string pool = store_.recycled_dir();
  std::vector<std::string> overlay_marks;
  if (!recyclable(dir, &overlay_marks)) return remove(record);
  // The old overlay's identity goes with it.
  for (const auto& name : overlay_marks)
    if (lremovexattr((dir + "/upper").c_str(), name.c_str()) < 0) return remove(record);
  // A volatile overlay leaves work/work/incompat/volatile/dirty, which makes
  // the next mount on this work directory fail; overlay remakes work/work at
  // every mount in any case.
  try {
    remove_tree(dir + "/work/work");
  } catch (const Error&) {
    return remove(record);
  }
  // The name goes first: a kill in what follows leaves at worst a directory
  // nothing reads, never a name held by a container that cannot be found.
  release_name(record);
  // Readers skip a directory without a record, as they do one being created.
  std::string spare = dir + "/" + kSpareRecord;
  if (::rename((dir + "/container.json").c_str(), spare.c_str()) < 0 && errno != ENOENT)
    return remove(record);
  if (mkdir(pool.c_str(), 0700) < 0 && errno != EEXIST) return remove(record);
  // The pool's places are numbered: rename(2) onto one that holds a directory
  // fails, so each place is taken by one container however many race for it.
  for (size_t place = 0; place < kMaxRecycled; place++) {
    if (::rename(dir.c_str(), (pool + "/" + std::to_string(place)).c_str()) == 0) return;
  }
  remove(record);
}

bool ContainerStore::take_recycled(const std::string& dir) const {
  std::string pool = store_.recycled_dir();
  // Another container may take the same one first: then its rename fails.
  for (const auto& name : list_dir(pool))
    if (::rename((pool + "/" + name).c_str(), dir.c_str()) == 0) return true;
  return false;
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
