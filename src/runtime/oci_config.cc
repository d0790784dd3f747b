// Reading config.json: runtime-spec's config.md and config-linux.md, field by
// field. Every check here is one the spec words as MUST (or runc makes at
// create), so a config that passes is one the runtime can act on as written.
#include "runtime/oci_config.h"

#include <algorithm>

#include "base/json_field.h"
#include "base/printable.h"
#include "runtime/capabilities.h"
#include "runtime/oci_config_fields.h"
#include "runtime/rlimits.h"

namespace hutch::oci {
namespace {

constexpr const char* kNamespaceTypes[] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
constexpr const char* kPropagations[] = {"shared",  "slave",  "private",  "unbindable",
                                         "rshared", "rslave", "rprivate", "runbindable"};
// Fields of the spec hutch has no code for, by the object holding them.
constexpr const char* kUnsupportedProcess[] = {"scheduler", "ioPriority", "execCPUAffinity"};
constexpr const char* kUnsupportedMount[] = {"uidMappings", "gidMappings"};
constexpr const char* kUnsupportedLinux[] = {"intelRdt", "personality", "timeOffsets", "netDevices", "memoryPolicy"};

template <size_t N>
bool one_of(std::string_view s, const char* const (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

template <size_t N>
void note_unsupported(const JsonField& object, const char* const (&names)[N], std::vector<std::string>& out) {
  for (const char* name : names) {
    JsonField field = object[name];
    if (field.present()) out.push_back(field.path());
  }
}

std::string string_or(const JsonField& field, std::string fallback = "") {
  return field.present() ? field.string() : fallback;
}

bool bool_or(const JsonField& field, bool fallback = false) { return field.present() ? field.boolean() : fallback; }

std::string absolute_path(const JsonField& field) {
  const std::string& path = field.string();
  if (path.empty() || path[0] != '/') field.fail("must be an absolute path");
  return path;
}

std::vector<std::string> absolute_paths(const JsonField& field) {
  std::vector<std::string> out;
  for (const auto& item : field.items()) out.push_back(absolute_path(item));
  return out;
}

// Ordered string map (annotations, sysctl): values MUST be strings, keys not empty.
std::vector<std::pair<std::string, std::string>> string_map(const JsonField& field) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : field.members()) {
    if (key.empty()) value.fail("empty key");
    out.emplace_back(key, value.string());
  }
  return out;
}

User parse_user(const JsonField& field) {
  User user;
  if (!field.present()) return user;
  field.object();
  user.uid = field.required("uid").u32();
  user.gid = field.required("gid").u32();
  if (field["umask"].present()) user.umask = field["umask"].u32();
  for (const auto& gid : field["additionalGids"].items()) user.additional_gids.push_back(gid.u32());
  return user;
}

std::vector<std::string> capability_set(const JsonField& field) {
  std::vector<std::string> names;
  for (const auto& item : field.items()) {
    const std::string& name = item.string();
    // runtime-spec 1.0.2 says an error; 1.1 softened it to a warning for
    // capabilities the kernel cannot grant, but a name no kernel knows is a
    // typo, and the validation suite expects a refusal.
    if (!capability_number(name)) item.fail("unknown capability " + quoted(name));
    names.push_back(name);
  }
  return names;
}

Capabilities parse_capabilities(const JsonField& field) {
  field.object();
  Capabilities caps;
  for (const auto& [name, set] : kCapabilitySets) caps.*set = capability_set(field[name]);
  return caps;
}

// An entry's "type": known (`known` says), and not repeated in the list so far.
template <typename Entry, typename Known>
std::string unique_type(const JsonField& item, const std::vector<Entry>& seen, const std::string& what, Known known) {
  JsonField type = item.required("type");
  const std::string& value = type.string();
  if (!known(value)) type.fail("unknown " + what + " " + quoted(value));
  for (const auto& entry : seen)
    if (entry.type == value) type.fail("duplicate " + what + " " + quoted(value));
  return value;
}

std::vector<Rlimit> parse_rlimits(const JsonField& field) {
  std::vector<Rlimit> out;
  for (const auto& item : field.items()) {
    item.object();
    Rlimit limit;
    limit.type =
        unique_type(item, out, "rlimit type", [](const std::string& t) { return rlimit_resource(t).has_value(); });
    limit.hard = item.required("hard").u64();
    limit.soft = item.required("soft").u64();
    out.push_back(std::move(limit));
  }
  return out;
}

std::vector<std::string> parse_env(const JsonField& field) {
  std::vector<std::string> env;
  for (const auto& item : field.items()) {
    const std::string& entry = item.string();
    size_t eq = entry.find('=');
    // execve passes anything, but an entry without "=" or without a name is
    // a caller's bug the program would misread (runc refuses both).
    if (eq == std::string::npos || eq == 0) item.fail("expected NAME=VALUE, got " + quoted(entry));
    env.push_back(entry);
  }
  return env;
}

Process parse_process_field(const JsonField& field, std::vector<std::string>& unsupported) {
  field.object();
  Process process;
  process.terminal = bool_or(field["terminal"]);
  JsonField console = field["consoleSize"];
  if (process.terminal && console.present()) {
    console.object();
    process.console_size = ConsoleSize{console.required("height").u32(), console.required("width").u32()};
  }
  process.user = parse_user(field["user"]);
  JsonField args = field["args"];
  process.args = args.strings();
  if (process.args.empty()) args.fail(args.present() ? "must not be empty" : "missing");
  process.env = parse_env(field["env"]);
  process.cwd = absolute_path(field.required("cwd"));
  if (field["capabilities"].present()) process.capabilities = parse_capabilities(field["capabilities"]);
  process.rlimits = parse_rlimits(field["rlimits"]);
  process.no_new_privileges = bool_or(field["noNewPrivileges"]);
  if (field["oomScoreAdj"].present()) process.oom_score_adj = field["oomScoreAdj"].i32();
  process.apparmor_profile = string_or(field["apparmorProfile"]);
  process.selinux_label = string_or(field["selinuxLabel"]);
  note_unsupported(field, kUnsupportedProcess, unsupported);
  return process;
}

Root parse_root(const JsonField& field) {
  field.object();
  Root root;
  JsonField path = field.required("path");
  root.path = path.string();
  if (root.path.empty()) path.fail("must not be empty");
  root.readonly = bool_or(field["readonly"]);
  return root;
}

std::vector<Mount> parse_mounts(const JsonField& field, std::vector<std::string>& unsupported) {
  std::vector<Mount> out;
  for (const auto& item : field.items()) {
    item.object();
    Mount mount;
    JsonField destination = item.required("destination");
    mount.destination = destination.string();
    if (mount.destination.empty()) destination.fail("must not be empty");
    if (mount.destination[0] != '/') mount.destination = "/" + mount.destination;
    mount.type = string_or(item["type"]);
    mount.source = string_or(item["source"]);
    mount.options = item["options"].strings();
    note_unsupported(item, kUnsupportedMount, unsupported);
    out.push_back(std::move(mount));
  }
  return out;
}

std::vector<Hook> parse_hook_list(const JsonField& field) {
  std::vector<Hook> out;
  for (const auto& item : field.items()) {
    item.object();
    Hook hook;
    hook.path = absolute_path(item.required("path"));
    hook.args = item["args"].strings();
    hook.env = item["env"].strings();
    JsonField timeout = item["timeout"];
    if (timeout.present()) {
      hook.timeout = timeout.i32();
      if (*hook.timeout <= 0) timeout.fail("must be greater than zero");
    }
    out.push_back(std::move(hook));
  }
  return out;
}

Hooks parse_hooks(const JsonField& field) {
  Hooks hooks;
  if (!field.present()) return hooks;
  field.object();
  for (const auto& [name, list] : kHookLists) hooks.*list = parse_hook_list(field[name]);
  return hooks;
}

std::vector<Namespace> parse_namespaces(const JsonField& field) {
  std::vector<Namespace> out;
  for (const auto& item : field.items()) {
    item.object();
    Namespace ns;
    ns.type = unique_type(item, out, "namespace type", [](const std::string& t) { return one_of(t, kNamespaceTypes); });
    if (item["path"].present()) ns.path = absolute_path(item["path"]);
    out.push_back(std::move(ns));
  }
  return out;
}

std::vector<IdMap> parse_id_mappings(const JsonField& field) {
  std::vector<IdMap> out;
  for (const auto& item : field.items()) {
    item.object();
    out.push_back({item.required("containerID").u32(), item.required("hostID").u32(), item.required("size").u32()});
  }
  return out;
}

std::vector<Device> parse_devices(const JsonField& field) {
  std::vector<Device> out;
  for (const auto& item : field.items()) {
    item.object();
    Device device;
    JsonField type = item.required("type");
    device.type = type.string();
    if (device.type != "c" && device.type != "b" && device.type != "u" && device.type != "p")
      type.fail("unknown device type " + quoted(device.type) + " (expected c, b, u or p)");
    device.path = absolute_path(item.required("path"));
    // A FIFO has no numbers; every other node needs both.
    if (device.type != "p" || item["major"].present()) device.major = item.required("major").i64();
    if (device.type != "p" || item["minor"].present()) device.minor = item.required("minor").i64();
    if (item["fileMode"].present()) device.file_mode = item["fileMode"].u32();
    if (item["uid"].present()) device.uid = item["uid"].u32();
    if (item["gid"].present()) device.gid = item["gid"].u32();
    out.push_back(std::move(device));
  }
  return out;
}

std::string raw_object(const JsonField& field) { return field.present() ? field.object().to_json() : ""; }

Linux parse_linux(const JsonField& field) {
  Linux linux;
  if (!field.present()) return linux;
  field.object();
  linux.namespaces = parse_namespaces(field["namespaces"]);
  linux.uid_mappings = parse_id_mappings(field["uidMappings"]);
  linux.gid_mappings = parse_id_mappings(field["gidMappings"]);
  linux.devices = parse_devices(field["devices"]);
  linux.sysctl = string_map(field["sysctl"]);
  linux.masked_paths = absolute_paths(field["maskedPaths"]);
  linux.readonly_paths = absolute_paths(field["readonlyPaths"]);
  JsonField propagation = field["rootfsPropagation"];
  linux.rootfs_propagation = string_or(propagation);
  if (!linux.rootfs_propagation.empty() && !one_of(linux.rootfs_propagation, kPropagations))
    propagation.fail("unknown propagation " + quoted(linux.rootfs_propagation));
  linux.mount_label = string_or(field["mountLabel"]);
  linux.cgroups_path = string_or(field["cgroupsPath"]);
  linux.resources_json = raw_object(field["resources"]);
  linux.seccomp_json = raw_object(field["seccomp"]);
  note_unsupported(field, kUnsupportedLinux, linux.unsupported);
  return linux;
}

void check_version(const JsonField& field) {
  const std::string& version = field.string();
  // Compatible within a major version (config.md); 1.0.0-rc configs and a
  // future 2.x are not ours to guess at.
  if (version.rfind("1.", 0) != 0) field.fail("unsupported version " + quoted(version) + " (hutch reads 1.x)");
}

}  // namespace

Config parse_config(std::string_view json) {
  JsonValue document = parse_json(json, "config.json");
  JsonField root(document, "config.json");
  root.object();
  Config config;
  JsonField version = root.required("ociVersion");
  check_version(version);
  config.oci_version = version.string();
  std::vector<std::string> unsupported;
  config.process = parse_process_field(root.required("process"), unsupported);
  config.root = parse_root(root.required("root"));
  config.hostname = string_or(root["hostname"]);
  config.domainname = string_or(root["domainname"]);
  config.mounts = parse_mounts(root["mounts"], unsupported);
  config.hooks = parse_hooks(root["hooks"]);
  config.annotations = string_map(root["annotations"]);
  config.linux = parse_linux(root["linux"]);
  // Fields found outside `linux` are listed in linux.unsupported too: they are
  // Linux-specific by the spec, and one list is what the runtime checks.
  unsupported.insert(unsupported.end(), config.linux.unsupported.begin(), config.linux.unsupported.end());
  config.linux.unsupported = std::move(unsupported);
  return config;
}

Process parse_process(std::string_view json, const std::string& document) {
  JsonValue value = parse_json(json, document);
  std::vector<std::string> unsupported;
  Process process = parse_process_field(JsonField(value, document), unsupported);
  if (!unsupported.empty()) JsonField(value, document)[unsupported[0]].fail("is not supported");
  return process;
}

}  // namespace hutch::oci
