#include "runtime/state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/printable.h"

namespace hutch {

namespace {

// Root of the host, not of a user namespace (podman runs its runtime as root
// of its own): only that root may write /run.
bool host_root() {
  if (geteuid() != 0) return false;
  auto map = read_file_if_exists("/proc/self/uid_map");
  return map && map->find("4294967295") != std::string::npos;
}

}  // namespace

std::string default_runtime_root() {
  if (host_root()) return "/run/hutch-runtime";
  const char* xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg == '/') return std::string(xdg) + "/hutch-runtime";
  return format("/tmp/hutch-runtime-%u", (unsigned)geteuid());
}

StateDir::StateDir(std::string root, std::string id, bool in_bundle)
    : root_(std::move(root)), id_(std::move(id)), in_bundle_(in_bundle) {
  dir_ = root_ + "/" + id_;
}

void StateDir::create() const {
  if (id_.empty() || id_ == "." || id_ == ".." || id_.find('/') != std::string::npos || id_.size() > 1024)
    fail("invalid container id %s", printable(id_).c_str());
  if (in_bundle_) {
    if (!is_dir(dir_)) fail("bundle %s does not exist", dir_.c_str());
    if (exists()) fail("container with id exists: %s", id_.c_str());
    return;
  }
  mkdir_p(root_, 0700);
  if (mkdir(dir_.c_str(), 0711) < 0) {
    if (errno == EEXIST) fail("container with id exists: %s", id_.c_str());
    fail_errno("create state directory %s", dir_.c_str());
  }
}

bool StateDir::exists() const { return hutch::exists(dir_ + "/state.json"); }

void StateDir::save(const ContainerState& s) const {
  JsonWriter w;
  w.begin_object();
  w.field("id", s.id).field("bundle", s.bundle).field("rootfs", s.rootfs).field("created", s.created);
  w.field("pid", (int64_t)s.pid).field("start_time", (int64_t)s.start_time).field("owner", (int64_t)s.owner);
  w.key("annotations").begin_object();
  for (const auto& [k, v] : s.annotations) w.field(k, v);
  w.end_object();
  w.end_object();
  write_file_atomic(dir_ + "/state.json", w.str());
}

ContainerState StateDir::load() const {
  auto text = read_file_if_exists(dir_ + "/state.json");
  if (!text) fail("container %s does not exist", printable(id_).c_str());
  JsonValue doc = parse_json(*text, "state of container " + id_);
  ContainerState s;
  s.id = doc.string_at("id");
  s.bundle = doc.string_at("bundle");
  s.rootfs = doc.string_at("rootfs");
  s.created = doc.string_at("created");
  s.pid = (pid_t)doc.int_at("pid");
  s.start_time = (unsigned long long)doc.int_at("start_time");
  s.owner = (uid_t)doc.int_at("owner");
  if (const JsonValue* a = doc.get("annotations"))
    for (const auto& [k, v] : a->members()) s.annotations.emplace_back(k, v.as_string());
  return s;
}

ContainerState StateDir::current() const {
  ContainerState s = load();
  if (!process_running(s.pid, s.start_time)) s.status = "stopped";
  else if (hutch::exists(fifo_path())) s.status = "created";
  else s.status = "running";
  return s;
}

ProcessHandle StateDir::process(const ContainerState& state) const {
  return ProcessHandle::open(state.pid, state.start_time);
}

void StateDir::remove() const {
  if (!in_bundle_) {
    remove_tree(dir_);
    return;
  }
  for (const std::string& path : {fifo_path(), dir_ + "/state.json"})
    if (unlink(path.c_str()) < 0 && errno != ENOENT) fail_errno("remove %s", path.c_str());
}

std::string state_json(const ContainerState& s) {
  JsonWriter w;
  w.begin_object();
  w.field("ociVersion", oci::kVersion).field("id", s.id).field("status", s.status);
  w.field("pid", (int64_t)(s.status == "stopped" ? 0 : s.pid));
  w.field("bundle", s.bundle);
  w.field("rootfs", s.rootfs);
  w.field("created", s.created).field("owner", std::to_string(s.owner));
  w.key("annotations").begin_object();
  for (const auto& [k, v] : s.annotations) w.field(k, v);
  w.end_object();
  w.end_object();
  return w.str();
}

std::vector<ContainerState> list_containers(const std::string& root) {
  std::vector<ContainerState> out;
  if (!is_dir(root)) return out;
  std::vector<std::string> ids = list_dir(root);
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    StateDir dir(root, id);
    if (!dir.exists()) continue;  // being created, or left by a create killed early
    try {
      out.push_back(dir.current());
    } catch (const Error&) {
    }
  }
  return out;
}

}  // namespace hutch
