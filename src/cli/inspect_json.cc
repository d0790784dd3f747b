#include "cli/inspect_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/error.h"
#include "base/file.h"
#include "base/ipv4_subnet.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "container/logs.h"
#include "container/network_engine.h"
#include "container/network_keeper.h"
#include "container/run.h"
#include "image/image_refs.h"
#include "store/container_config_json.h"
#include "store/networks.h"
#include "runtime/userns.h"

namespace hutch {

namespace {

constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

// Go's RFC3339Nano of a parsed time: trailing zeros of the fraction dropped
// and a zero offset written "Z".
std::string rfc3339_nano(std::string s) {
  if (s.size() < 20 || s[10] != 'T') return s;
  size_t dot = s.find('.', 19);
  if (dot != std::string::npos) {
    size_t end = dot + 1;
    while (end < s.size() && isdigit((unsigned char)s[end])) end++;
    size_t last = end;
    while (last > dot + 1 && s[last - 1] == '0') last--;
    s.erase(last == dot + 1 ? dot : last, end - (last == dot + 1 ? dot : last));
  }
  for (const char* zero : {"+00:00", "-00:00"})
    if (s.size() >= 6 && s.compare(s.size() - 6, 6, zero) == 0) s.replace(s.size() - 6, 6, "Z");
  return s;
}

bool empty_json(const JsonValue& v) {
  switch (v.kind()) {
    case JsonValue::kNull: return true;
    case JsonValue::kBool: return !v.as_bool();
    case JsonValue::kString: return v.as_string().empty();
    case JsonValue::kArray: return v.items().empty();
    case JsonValue::kObject: return v.members().empty();
    case JsonValue::kNumber: return v.to_json() == "0";
  }
  return true;
}

// docker's image Config (DockerOCIImageConfig): the OCI fields in their
// order, each left out when empty.
void write_config(JsonWriter& w, const JsonValue* config) {
  static const char* const kFields[] = {"User",       "ExposedPorts", "Env",        "Entrypoint", "Cmd",
                                        "Volumes",    "WorkingDir",   "Labels",     "StopSignal", "ArgsEscaped",
                                        "Healthcheck", "OnBuild",     "Shell"};
  w.begin_object();
  for (const char* field : kFields) {
    const JsonValue* v = config ? config->get(field) : nullptr;
    if (!v || empty_json(*v)) continue;
    w.key(field).raw(v->to_json());
  }
  w.end_object();
}

// State.Health, once the container has run with a health check.
void write_health(JsonWriter& w, const HealthState& health) {
  if (health.status.empty()) return;
  w.key("Health").begin_object().field("Status", health.status).field("FailingStreak", health.failing_streak);
  w.key("Log").begin_array();
  for (const auto& p : health.log)
    w.begin_object()
        .field("Start", rfc3339_nano(p.start))
        .field("End", rfc3339_nano(p.end))
        .field("ExitCode", p.exit_code)
        .field("Output", p.output)
        .end_object();
  w.end_array().end_object();
}

}  // namespace

std::string image_inspect_json(const Store& store, const ImageRecord& image) {
  ImageStore images(store);
  JsonValue config = parse_json(images.config_json(image), "image config " + image.id.str());
  std::vector<std::string> tags, digests;
  for (const auto& r : image_refs(image, images.tags())) (r.canonical ? digests : tags).push_back(familiar_string(r.ref));
  std::string comment = config.string_at("comment");
  if (const JsonValue* history = config.get("history"); comment.empty() && history && !history->items().empty())
    comment = history->items().back().string_at("comment");

  JsonWriter w;
  w.begin_object().field("Id", image.id);
  w.key("RepoTags").string_array(tags);
  w.key("RepoDigests").string_array(digests);
  w.field("Parent", "").field("Comment", comment);
  if (std::string created = config.string_at("created"); !created.empty()) w.field("Created", rfc3339_nano(created));
  w.field("DockerVersion", config.string_at("docker_version")).field("Author", config.string_at("author"));
  w.key("Config");
  write_config(w, config.get("config"));
  w.field("Architecture", config.string_at("architecture"));
  if (std::string variant = config.string_at("variant"); !variant.empty()) w.field("Variant", variant);
  w.field("Os", config.string_at("os"));
  if (std::string v = config.string_at("os.version"); !v.empty()) w.field("OsVersion", v);
  w.field("Size", image.size);

  // Where the layers are unpacked for this user's id mapping: the top layer
  // as docker's UpperDir, the others (top first) as LowerDir.
  std::string key = detect_id_mapping().key();
  w.key("GraphDriver").begin_object().key("Data").begin_object();
  if (!image.layers.empty()) {
    std::string lower;
    for (size_t i = image.layers.size() - 1; i-- > 0;)
      lower += (lower.empty() ? "" : ":") + store.layer_dir(key, image.layers[i].diff_id);
    if (!lower.empty()) w.field("LowerDir", lower);
    w.field("UpperDir", store.layer_dir(key, image.layers.back().diff_id));
  }
  w.end_object().field("Name", "overlay").end_object();

  std::vector<std::string> layers;
  for (const auto& l : image.layers) layers.push_back(l.diff_id.str());
  w.key("RootFS").begin_object().field("Type", "layers");
  if (!layers.empty()) w.key("Layers").string_array(layers);
  w.end_object();
  w.key("Metadata").begin_object().field("LastTagTime", kZeroTime).end_object();
  w.end_object();
  return w.str();
}

namespace {

// docker's NetworkSettings: the address, gateway and ports of a running
// container on the engine's network; the zero values otherwise. A container
// on another's network has none of its own.
void write_network_settings(JsonWriter& w, const Store& store, const ContainerRecord& c, bool running) {
  std::string mode = uses_network_engine(c.host_config) ? "bridge" : c.host_config.network_mode;
  bool shares_another = !network_container(c.host_config).empty();
  bool on_engine = running && !c.ip_address.empty();
  // The engine's addresses (slirp4netns has its own).
  NetworkPlan plan = uses_network_engine(c.host_config) ? network_plan(c.host_config) : NetworkPlan{};
  // A user network's address, gateway and MAC as its keeper gave them.
  std::string network_id;
  if (std::string name = user_network(c.host_config); !name.empty()) {
    if (auto network = NetworkStore(store).get(name)) {
      network_id = network->id;
      auto subnet = parse_ipv4_subnet(network->subnet);
      plan.gateway = network->gateway;
      plan.prefix_length = subnet ? subnet->prefix : 0;
      if (auto address = parse_ipv4(c.ip_address)) plan.mac_address = docker_mac_address(*address);
    }
  }
  if (!c.config.mac_address.empty()) plan.mac_address = c.config.mac_address;
  std::string ip = on_engine ? c.ip_address : "", gateway = on_engine ? plan.gateway : "";
  std::string mac = on_engine ? plan.mac_address : "";
  int prefix = on_engine ? plan.prefix_length : 0;
  pid_t pid = running ? container_init_pid(store, c) : 0;
  w.begin_object()
      .field("Bridge", "")
      .field("SandboxID", "")
      .field("HairpinMode", false)
      .field("LinkLocalIPv6Address", "")
      .field("LinkLocalIPv6PrefixLen", 0);
  write_port_bindings(w.key("Ports"), running ? c.ports : PortBindings{});
  w.field("SandboxKey", pid > 0 && !shares_another ? "/proc/" + std::to_string(pid) + "/ns/net" : "");
  w.key("SecondaryIPAddresses").null().key("SecondaryIPv6Addresses").null();
  auto endpoint = [&](JsonWriter& e) {
    e.field("EndpointID", "")
        .field("Gateway", gateway)
        .field("GlobalIPv6Address", "")
        .field("GlobalIPv6PrefixLen", 0)
        .field("IPAddress", ip)
        .field("IPPrefixLen", prefix)
        .field("IPv6Gateway", "")
        .field("MacAddress", mac);
  };
  endpoint(w);
  auto network_entry = [&](const std::string& name, const EndpointConfig& config, const std::string& id) {
    w.key(name).begin_object().key("IPAMConfig");
    if (config.ipv4_address.empty()) w.null();
    else w.begin_object().field("IPv4Address", config.ipv4_address).end_object();
    w.key("Links").null().key("Aliases");
    // docker adds the short id to a user network's aliases.
    if (id.empty()) {
      w.null();
    } else {
      std::vector<std::string> aliases = config.aliases;
      aliases.push_back(c.id.substr(0, 12));
      w.string_array(aliases);
    }
    w.field("NetworkID", id);
    endpoint(w);
    w.key("DriverOpts").null().end_object();
  };
  w.key("Networks").begin_object();
  if (!shares_another) network_entry(mode, c.endpoint, network_id);
  // The others it was connected to, each with its own address.
  for (const auto& extra : c.extra_networks) {
    auto network = NetworkStore(store).get(extra.name);
    if (!network) continue;
    auto subnet = parse_ipv4_subnet(network->subnet);
    auto address = parse_ipv4(extra.ip_address);
    bool there = running && address;
    ip = there ? extra.ip_address : "";
    gateway = there ? network->gateway : "";
    prefix = there && subnet ? subnet->prefix : 0;
    mac = there ? docker_mac_address(*address) : "";
    network_entry(extra.name, extra.endpoint, network->id);
  }
  w.end_object().end_object();
}

}  // namespace

std::string container_inspect_json(const Store& store, const ContainerRecord& c, bool with_size) {
  // A monitor killed with -9 took its container with it (as ps shows).
  std::string status = c.status();
  bool running = c.is_running();  // paused too, as docker says
  int exit_code = c.reported_exit_code();
  std::string dir = store.container_dir(c.id);
  std::vector<std::string> args(c.command.size() > 1 ? c.command.begin() + 1 : c.command.end(), c.command.end());

  JsonWriter w;
  w.begin_object().field("Id", c.id).field("Created", c.created);
  w.field("Path", c.command.empty() ? "" : c.command[0]);
  w.key("Args").string_array(args);
  w.key("State")
      .begin_object()
      .field("Status", status)
      .field("Running", running)
      .field("Paused", status == "paused")
      .field("Restarting", status == "restarting")
      .field("OOMKilled", false)
      .field("Dead", false)
      .field("Pid", running ? (int64_t)container_init_pid(store, c) : 0)
      .field("ExitCode", exit_code)
      .field("Error", c.error)
      .field("StartedAt", c.started_at.empty() ? kZeroTime : c.started_at)
      .field("FinishedAt", c.finished_at.empty() || running ? kZeroTime : c.finished_at);
  write_health(w, c.health);
  w.end_object();
  w.field("Image", c.image_id)
      .field("ResolvConfPath", dir + "/resolv.conf")
      .field("HostnamePath", dir + "/hostname")
      .field("HostsPath", dir + "/hosts")
      .field("LogPath", log_path(dir, c.id, c.host_config.log_config))
      .field("Name", "/" + c.name)
      .field("RestartCount", c.restart_count)
      .field("Driver", "overlay")
      .field("Platform", "linux")
      .field("MountLabel", "")
      .field("ProcessLabel", "")
      .field("AppArmorProfile", "");
  w.key("ExecIDs").null();
  write_host_config(w.key("HostConfig"), c.host_config);

  ImageStore images(store);
  auto image = images.get(c.image_id);
  w.key("GraphDriver").begin_object().key("Data").begin_object();
  if (image) {
    std::string key = detect_id_mapping().key(), lower;
    for (size_t i = image->layers.size(); i-- > 0;)
      lower += (lower.empty() ? "" : ":") + store.layer_dir(key, image->layers[i].diff_id);
    if (!lower.empty()) w.field("LowerDir", lower);
  }
  w.field("MergedDir", store.rootfs_mount_point()).field("UpperDir", dir + "/upper").field("WorkDir", dir + "/work");
  w.end_object().field("Name", "overlay").end_object();
  if (with_size) {
    int64_t rw = tree_bytes(dir + "/upper");
    w.field("SizeRw", rw).field("SizeRootFs", rw + (image ? image->size : 0));
  }
  // docker's Mounts: the binds, volumes and --mount tmpfs; --tmpfs mounts
  // show only in HostConfig.Tmpfs.
  w.key("Mounts").begin_array();
  for (const auto& m : c.mounts) {
    bool tmpfs_flag = false;
    for (const auto& [path, options] : c.host_config.tmpfs) tmpfs_flag |= m.type == "tmpfs" && path == m.destination;
    if (tmpfs_flag) continue;
    w.begin_object().field("Type", m.type);
    if (m.type == "volume") w.field("Name", m.name);
    w.field("Source", m.source).field("Destination", m.destination);
    if (m.type == "volume") w.field("Driver", m.driver.empty() ? "local" : m.driver);
    w.field("Mode", m.mode).field("RW", m.rw).field("Propagation", m.propagation);
    w.end_object();
  }
  w.end_array();
  write_container_config(w.key("Config"), c.config);
  write_network_settings(w.key("NetworkSettings"), store, c, running);
  w.end_object();
  return w.str();
}

}  // namespace hutch
