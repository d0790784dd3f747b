#include "store/container_config_json.h"

#include <algorithm>


namespace hutch {

namespace {

void strings_or_null(JsonWriter& w, const char* key, const std::vector<std::string>& items) {
  w.key(key);
  if (items.empty()) w.null();
  else w.string_array(items);
}

void optional_strings(JsonWriter& w, const char* key, const std::optional<std::vector<std::string>>& items) {
  w.key(key);
  if (items) w.string_array(*items);
  else w.null();
}

// Go marshals a map with its keys sorted.
void string_map(JsonWriter& w, KeyValues items) {
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.begin_object();
  for (const auto& [k, v] : items) w.field(k, v);
  w.end_object();
}

// A set as docker writes one: {"KEY": {}, ...}.
void key_set(JsonWriter& w, std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  w.begin_object();
  for (const auto& k : keys) w.key(k).begin_object().end_object();
  w.end_object();
}

}  // namespace

void write_port_bindings(JsonWriter& w, const PortBindings& ports) {
  PortBindings sorted = ports;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.begin_object();
  for (const auto& [port, bindings] : sorted) {
    w.key(port);
    if (bindings.empty()) {
      w.null();
      continue;
    }
    w.begin_array();
    for (const auto& b : bindings) w.begin_object().field("HostIp", b.host_ip).field("HostPort", b.host_port).end_object();
    w.end_array();
  }
  w.end_object();
}

PortBindings parse_port_bindings(const JsonValue* json) {
  PortBindings out;
  if (!json || !json->is_object()) return out;
  for (const auto& [port, list] : json->members()) {
    std::vector<PortBinding> bindings;
    if (list.is_array())
      for (const auto& b : list.items()) bindings.push_back({b.string_at("HostIp"), b.string_at("HostPort")});
    out.emplace_back(port, std::move(bindings));
  }
  return out;
}

namespace {

void write_mount(JsonWriter& w, const MountSpec& m) {
  w.begin_object().field("Type", m.type);
  if (!m.source.empty()) w.field("Source", m.source);
  if (!m.target.empty()) w.field("Target", m.target);
  if (m.read_only) w.field("ReadOnly", true);
  if (!m.consistency.empty()) w.field("Consistency", m.consistency);
  if (!m.bind_propagation.empty() || m.bind_nonrecursive) {
    w.key("BindOptions").begin_object();
    if (!m.bind_propagation.empty()) w.field("Propagation", m.bind_propagation);
    if (m.bind_nonrecursive) w.field("NonRecursive", true);
    w.end_object();
  }
  bool driver = !m.volume_driver.empty() || !m.volume_driver_options.empty();
  if (m.volume_nocopy || !m.volume_labels.empty() || driver) {
    w.key("VolumeOptions").begin_object();
    if (m.volume_nocopy) w.field("NoCopy", true);
    if (!m.volume_labels.empty()) string_map(w.key("Labels"), m.volume_labels);
    if (driver) {
      w.key("DriverConfig").begin_object();
      if (!m.volume_driver.empty()) w.field("Name", m.volume_driver);
      if (!m.volume_driver_options.empty()) string_map(w.key("Options"), m.volume_driver_options);
      w.end_object();
    }
    w.end_object();
  }
  if (m.tmpfs_size || m.tmpfs_mode) {
    w.key("TmpfsOptions").begin_object();
    if (m.tmpfs_size) w.field("SizeBytes", m.tmpfs_size);
    if (m.tmpfs_mode) w.field("Mode", (int64_t)m.tmpfs_mode);
    w.end_object();
  }
  w.end_object();
}

std::optional<std::vector<std::string>> strings_or_none(const JsonValue& json, const char* key) {
  const JsonValue* v = json.get(key);
  if (!v || !v->is_array() || v->items().empty()) return std::nullopt;
  return json.strings_at(key);
}

bool bool_at(const JsonValue& json, const char* key, bool fallback) {
  const JsonValue* v = json.get(key);
  return v && v->kind() == JsonValue::kBool ? v->as_bool() : fallback;
}

KeyValues string_map_at(const JsonValue& json, const char* key) {
  KeyValues out;
  if (const JsonValue* v = json.get(key); v && v->is_object())
    for (const auto& [k, value] : v->members())
      if (value.is_string()) out.emplace_back(k, value.as_string());
  return out;
}

std::vector<std::string> keys_at(const JsonValue& json, const char* key) {
  std::vector<std::string> out;
  if (const JsonValue* v = json.get(key); v && v->is_object())
    for (const auto& [k, _] : v->members()) out.push_back(k);
  return out;
}

MountSpec parse_mount(const JsonValue& json) {
  MountSpec m;
  m.type = json.string_at("Type");
  m.source = json.string_at("Source");
  m.target = json.string_at("Target");
  m.read_only = bool_at(json, "ReadOnly", false);
  m.consistency = json.string_at("Consistency");
  if (const JsonValue* b = json.get("BindOptions")) {
    m.bind_propagation = b->string_at("Propagation");
    m.bind_nonrecursive = bool_at(*b, "NonRecursive", false);
  }
  if (const JsonValue* v = json.get("VolumeOptions")) {
    m.volume_nocopy = bool_at(*v, "NoCopy", false);
    m.volume_labels = string_map_at(*v, "Labels");
    if (const JsonValue* d = v->get("DriverConfig")) {
      m.volume_driver = d->string_at("Name");
      m.volume_driver_options = string_map_at(*d, "Options");
    }
  }
  if (const JsonValue* t = json.get("TmpfsOptions")) {
    m.tmpfs_size = t->int_at("SizeBytes");
    m.tmpfs_mode = (uint32_t)t->int_at("Mode");
  }
  return m;
}

}  // namespace

void write_container_config(JsonWriter& w, const ContainerConfig& c) {
  w.begin_object()
      .field("Hostname", c.hostname)
      .field("Domainname", c.domainname)
      .field("User", c.user)
      .field("AttachStdin", c.attach_stdin)
      .field("AttachStdout", c.attach_stdout)
      .field("AttachStderr", c.attach_stderr);
  if (!c.exposed_ports.empty()) key_set(w.key("ExposedPorts"), c.exposed_ports);
  w.field("Tty", c.tty).field("OpenStdin", c.open_stdin).field("StdinOnce", c.stdin_once);
  strings_or_null(w, "Env", c.env);
  optional_strings(w, "Cmd", c.cmd);
  if (!c.healthcheck_json.empty()) w.key("Healthcheck").raw(c.healthcheck_json);
  if (c.args_escaped) w.field("ArgsEscaped", true);
  w.field("Image", c.image);
  w.key("Volumes");
  if (c.volumes.empty()) w.null();
  else key_set(w, c.volumes);
  w.field("WorkingDir", c.working_dir);
  optional_strings(w, "Entrypoint", c.entrypoint);
  if (!c.mac_address.empty()) w.field("MacAddress", c.mac_address);
  w.key("OnBuild").null();
  string_map(w.key("Labels"), c.labels);
  if (!c.stop_signal.empty()) w.field("StopSignal", c.stop_signal);
  if (c.stop_timeout) w.field("StopTimeout", *c.stop_timeout);
  w.end_object();
}

void write_host_config(JsonWriter& h, const HostConfig& host) {
  h.begin_object();
  strings_or_null(h, "Binds", host.binds);
  h.field("ContainerIDFile", host.container_id_file);
  h.key("LogConfig").begin_object().field("Type", host.log_config.type);
  string_map(h.key("Config"), host.log_config.config);
  h.end_object();
  h.field("NetworkMode", host.network_mode);
  write_port_bindings(h.key("PortBindings"), host.port_bindings);
  h.key("RestartPolicy")
      .begin_object()
      .field("Name", host.restart_policy.name)
      .field("MaximumRetryCount", host.restart_policy.maximum_retry_count)
      .end_object();
  h.field("AutoRemove", host.auto_remove).field("VolumeDriver", "");
  strings_or_null(h, "VolumesFrom", host.volumes_from);
  strings_or_null(h, "CapAdd", host.cap_add);
  strings_or_null(h, "CapDrop", host.cap_drop);
  h.field("CgroupnsMode", host.cgroupns_mode);
  h.key("Dns").string_array(host.dns);
  h.key("DnsOptions").string_array(host.dns_options);
  h.key("DnsSearch").string_array(host.dns_search);
  strings_or_null(h, "ExtraHosts", host.extra_hosts);
  strings_or_null(h, "GroupAdd", host.group_add);
  h.field("IpcMode", host.ipc_mode).field("Cgroup", "");
  strings_or_null(h, "Links", host.links);
  h.field("OomScoreAdj", host.oom_score_adj.value_or(0))
      .field("PidMode", host.pid_mode)
      .field("Privileged", host.privileged)
      .field("PublishAllPorts", host.publish_all_ports)
      .field("ReadonlyRootfs", host.readonly_rootfs);
  strings_or_null(h, "SecurityOpt", host.security_opt);
  if (!host.tmpfs.empty()) string_map(h.key("Tmpfs"), host.tmpfs);
  h.field("UTSMode", host.uts_mode).field("UsernsMode", host.userns_mode).field("ShmSize", host.shm_size);
  if (!host.sysctls.empty()) string_map(h.key("Sysctls"), host.sysctls);
  if (!host.annotations.empty()) string_map(h.key("Annotations"), host.annotations);
  // The OCI runtime is hutch's own.
  h.field("Runtime", "hutch");
  h.key("ConsoleSize").begin_array().value(0).value(0).end_array();
  h.field("Isolation", "");
  // Resources: none of them can be set yet; docker's zero values.
  for (const char* key : {"CpuShares", "Memory", "NanoCpus"}) h.field(key, 0);
  h.field("CgroupParent", "").field("BlkioWeight", 0);
  h.key("BlkioWeightDevice").begin_array().end_array();
  for (const char* key : {"BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"})
    h.key(key).null();
  for (const char* key : {"CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime"}) h.field(key, 0);
  h.field("CpusetCpus", "").field("CpusetMems", "");
  h.key("Devices").begin_array().end_array();
  h.key("DeviceCgroupRules").null().key("DeviceRequests").null();
  for (const char* key : {"KernelMemory", "KernelMemoryTCP", "MemoryReservation", "MemorySwap"}) h.field(key, 0);
  h.key("MemorySwappiness").null();
  h.field("OomKillDisable", false);
  h.key("PidsLimit").null().key("Ulimits").null();
  for (const char* key : {"CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth"}) h.field(key, 0);
  if (!host.mounts.empty()) {
    h.key("Mounts").begin_array();
    for (const auto& m : host.mounts) write_mount(h, m);
    h.end_array();
  }
  // Resolved when the container is created (docker's defaults, or null for a
  // privileged container, as docker's daemon records them).
  optional_strings(h, "MaskedPaths", host.masked_paths);
  optional_strings(h, "ReadonlyPaths", host.readonly_paths);
  if (host.init) h.field("Init", *host.init);
  h.end_object();
}

ContainerConfig parse_container_config(const JsonValue& json) {
  ContainerConfig c;
  c.hostname = json.string_at("Hostname");
  c.domainname = json.string_at("Domainname");
  c.mac_address = json.string_at("MacAddress");
  c.user = json.string_at("User");
  c.attach_stdin = bool_at(json, "AttachStdin", c.attach_stdin);
  c.attach_stdout = bool_at(json, "AttachStdout", c.attach_stdout);
  c.attach_stderr = bool_at(json, "AttachStderr", c.attach_stderr);
  c.exposed_ports = keys_at(json, "ExposedPorts");
  c.tty = bool_at(json, "Tty", false);
  c.open_stdin = bool_at(json, "OpenStdin", false);
  c.stdin_once = bool_at(json, "StdinOnce", false);
  c.env = json.strings_at("Env");
  c.cmd = strings_or_none(json, "Cmd");
  if (const JsonValue* v = json.get("Healthcheck"); v && v->is_object()) c.healthcheck_json = v->to_json();
  c.args_escaped = bool_at(json, "ArgsEscaped", false);
  c.image = json.string_at("Image");
  c.volumes = keys_at(json, "Volumes");
  c.working_dir = json.string_at("WorkingDir");
  c.entrypoint = strings_or_none(json, "Entrypoint");
  c.labels = string_map_at(json, "Labels");
  c.stop_signal = json.string_at("StopSignal");
  if (const JsonValue* v = json.get("StopTimeout"); v && v->kind() == JsonValue::kNumber) c.stop_timeout = (int)v->as_int();
  return c;
}

HostConfig parse_host_config(const JsonValue& json) {
  HostConfig h;
  h.binds = json.strings_at("Binds");
  h.network_mode = json.string_at("NetworkMode", h.network_mode);
  h.port_bindings = parse_port_bindings(json.get("PortBindings"));
  h.publish_all_ports = bool_at(json, "PublishAllPorts", false);
  h.auto_remove = bool_at(json, "AutoRemove", false);
  h.container_id_file = json.string_at("ContainerIDFile");
  if (const JsonValue* v = json.get("RestartPolicy"); v && v->is_object()) {
    h.restart_policy.name = v->string_at("Name", "no");
    h.restart_policy.maximum_retry_count = (int)v->int_at("MaximumRetryCount");
  }
  // Records from before hutch kept logs say "none", and they have none.
  if (const JsonValue* v = json.get("LogConfig"); v && v->is_object()) {
    h.log_config.type = v->string_at("Type", h.log_config.type);
    h.log_config.config = string_map_at(*v, "Config");
  }
  h.volumes_from = json.strings_at("VolumesFrom");
  h.cap_add = json.strings_at("CapAdd");
  h.cap_drop = json.strings_at("CapDrop");
  h.cgroupns_mode = json.string_at("CgroupnsMode");
  h.dns = json.strings_at("Dns");
  h.dns_options = json.strings_at("DnsOptions");
  h.dns_search = json.strings_at("DnsSearch");
  h.extra_hosts = json.strings_at("ExtraHosts");
  h.group_add = json.strings_at("GroupAdd");
  h.links = json.strings_at("Links");
  h.ipc_mode = json.string_at("IpcMode", h.ipc_mode);
  if (const JsonValue* v = json.get("OomScoreAdj"); v && v->kind() == JsonValue::kNumber && v->as_int() != 0)
    h.oom_score_adj = (int)v->as_int();
  h.pid_mode = json.string_at("PidMode");
  h.privileged = bool_at(json, "Privileged", false);
  h.readonly_rootfs = bool_at(json, "ReadonlyRootfs", false);
  h.security_opt = json.strings_at("SecurityOpt");
  h.tmpfs = string_map_at(json, "Tmpfs");
  h.uts_mode = json.string_at("UTSMode");
  h.userns_mode = json.string_at("UsernsMode");
  h.shm_size = json.int_at("ShmSize", h.shm_size);
  h.sysctls = string_map_at(json, "Sysctls");
  h.annotations = string_map_at(json, "Annotations");
  if (const JsonValue* v = json.get("Mounts"); v && v->is_array())
    for (const auto& m : v->items()) h.mounts.push_back(parse_mount(m));
  if (const JsonValue* v = json.get("MaskedPaths"); v && v->is_array()) h.masked_paths = json.strings_at("MaskedPaths");
  if (const JsonValue* v = json.get("ReadonlyPaths"); v && v->is_array())
    h.readonly_paths = json.strings_at("ReadonlyPaths");
  if (const JsonValue* v = json.get("Init"); v && v->kind() == JsonValue::kBool) h.init = v->as_bool();
  return h;
}

}  // namespace hutch
