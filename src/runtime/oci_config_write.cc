// Writing config.json in the spec's field order, leaving out what is at its
// default the way Go's omitempty does, so the output reads like runc's.
#include <string>

#include "base/json_writer.h"
#include "runtime/oci_config.h"
#include "runtime/oci_config_fields.h"

namespace hutch::oci {
namespace {

void strings_if_any(JsonWriter& w, const char* key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  w.key(key).string_array(items);
}

void string_if_set(JsonWriter& w, const char* key, const std::string& s) {
  if (!s.empty()) w.field(key, s);
}

// JsonWriter's integers are signed 64-bit; an rlimit of RLIM_INFINITY is not.
void unsigned_field(JsonWriter& w, const char* key, uint64_t n) { w.key(key).raw(std::to_string(n)); }

void string_map(JsonWriter& w, const char* key, const std::vector<std::pair<std::string, std::string>>& map) {
  if (map.empty()) return;
  w.key(key).begin_object();
  for (const auto& [k, v] : map) w.field(k, v);
  w.end_object();
}

void write_user(JsonWriter& w, const User& user) {
  w.key("user").begin_object();
  unsigned_field(w, "uid", user.uid);
  unsigned_field(w, "gid", user.gid);
  if (user.umask) unsigned_field(w, "umask", *user.umask);
  if (!user.additional_gids.empty()) {
    w.key("additionalGids").begin_array();
    for (uint32_t gid : user.additional_gids) w.value((int64_t)gid);
    w.end_array();
  }
  w.end_object();
}

void write_capabilities(JsonWriter& w, const Capabilities& caps) {
  w.key("capabilities").begin_object();
  for (const auto& [name, set] : kCapabilitySets) strings_if_any(w, name, caps.*set);
  w.end_object();
}

void write_process_body(JsonWriter& w, const Process& p) {
  w.begin_object();
  if (p.terminal) w.field("terminal", true);
  if (p.console_size) {
    w.key("consoleSize").begin_object();
    unsigned_field(w, "height", p.console_size->height);
    unsigned_field(w, "width", p.console_size->width);
    w.end_object();
  }
  write_user(w, p.user);
  w.key("args").string_array(p.args);
  strings_if_any(w, "env", p.env);
  w.field("cwd", p.cwd);
  if (p.capabilities) write_capabilities(w, *p.capabilities);
  if (!p.rlimits.empty()) {
    w.key("rlimits").begin_array();
    for (const auto& limit : p.rlimits) {
      w.begin_object().field("type", limit.type);
      unsigned_field(w, "hard", limit.hard);
      unsigned_field(w, "soft", limit.soft);
      w.end_object();
    }
    w.end_array();
  }
  if (p.no_new_privileges) w.field("noNewPrivileges", true);
  if (p.oom_score_adj) w.field("oomScoreAdj", *p.oom_score_adj);
  string_if_set(w, "apparmorProfile", p.apparmor_profile);
  string_if_set(w, "selinuxLabel", p.selinux_label);
  w.end_object();
}

void write_mounts(JsonWriter& w, const std::vector<Mount>& mounts) {
  if (mounts.empty()) return;
  w.key("mounts").begin_array();
  for (const auto& m : mounts) {
    w.begin_object().field("destination", m.destination);
    string_if_set(w, "type", m.type);
    string_if_set(w, "source", m.source);
    strings_if_any(w, "options", m.options);
    w.end_object();
  }
  w.end_array();
}

void write_hook_list(JsonWriter& w, const char* key, const std::vector<Hook>& hooks) {
  if (hooks.empty()) return;
  w.key(key).begin_array();
  for (const auto& h : hooks) {
    w.begin_object().field("path", h.path);
    strings_if_any(w, "args", h.args);
    strings_if_any(w, "env", h.env);
    if (h.timeout) w.field("timeout", *h.timeout);
    w.end_object();
  }
  w.end_array();
}

void write_hooks(JsonWriter& w, const Hooks& h) {
  if (h == Hooks{}) return;
  w.key("hooks").begin_object();
  for (const auto& [name, list] : kHookLists) write_hook_list(w, name, h.*list);
  w.end_object();
}

void write_id_mappings(JsonWriter& w, const char* key, const std::vector<IdMap>& maps) {
  if (maps.empty()) return;
  w.key(key).begin_array();
  for (const auto& m : maps) {
    w.begin_object();
    unsigned_field(w, "containerID", m.container_id);
    unsigned_field(w, "hostID", m.host_id);
    unsigned_field(w, "size", m.size);
    w.end_object();
  }
  w.end_array();
}

void write_devices(JsonWriter& w, const std::vector<Device>& devices) {
  if (devices.empty()) return;
  w.key("devices").begin_array();
  for (const auto& d : devices) {
    w.begin_object().field("type", d.type).field("path", d.path);
    if (d.type != "p" || d.major || d.minor) w.field("major", d.major).field("minor", d.minor);
    if (d.file_mode) unsigned_field(w, "fileMode", *d.file_mode);
    if (d.uid) unsigned_field(w, "uid", *d.uid);
    if (d.gid) unsigned_field(w, "gid", *d.gid);
    w.end_object();
  }
  w.end_array();
}

void write_linux(JsonWriter& w, const Linux& l) {
  w.key("linux").begin_object();
  if (!l.namespaces.empty()) {
    w.key("namespaces").begin_array();
    for (const auto& ns : l.namespaces) {
      w.begin_object().field("type", ns.type);
      string_if_set(w, "path", ns.path);
      w.end_object();
    }
    w.end_array();
  }
  write_id_mappings(w, "uidMappings", l.uid_mappings);
  write_id_mappings(w, "gidMappings", l.gid_mappings);
  write_devices(w, l.devices);
  string_map(w, "sysctl", l.sysctl);
  strings_if_any(w, "maskedPaths", l.masked_paths);
  strings_if_any(w, "readonlyPaths", l.readonly_paths);
  string_if_set(w, "rootfsPropagation", l.rootfs_propagation);
  string_if_set(w, "mountLabel", l.mount_label);
  string_if_set(w, "cgroupsPath", l.cgroups_path);
  if (!l.resources_json.empty()) w.key("resources").raw(l.resources_json);
  if (!l.seccomp_json.empty()) w.key("seccomp").raw(l.seccomp_json);
  w.end_object();
}

}  // namespace

std::string write_config(const Config& c) {
  JsonWriter w;
  w.begin_object().field("ociVersion", c.oci_version);
  w.key("process");
  write_process_body(w, c.process);
  w.key("root").begin_object().field("path", c.root.path);
  if (c.root.readonly) w.field("readonly", true);
  w.end_object();
  string_if_set(w, "hostname", c.hostname);
  string_if_set(w, "domainname", c.domainname);
  write_mounts(w, c.mounts);
  write_hooks(w, c.hooks);
  string_map(w, "annotations", c.annotations);
  write_linux(w, c.linux);
  w.end_object();
  return w.str();
}

std::string write_process(const Process& process) {
  JsonWriter w;
  write_process_body(w, process);
  return w.str();
}

}  // namespace hutch::oci
