#include "store/networks.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/file.h"
#include "base/human.h"
#include "base/ipv4_subnet.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/random.h"
#include "store/containers.h"

namespace hutch {

namespace {

constexpr const char* kPredefinedNames[] = {"bridge", "host", "none"};

// docker also refuses "default", the name of the default network mode.
bool is_predefined_name(const std::string& name) {
  return name == "default" || std::find(std::begin(kPredefinedNames), std::end(kPredefinedNames), name) !=
                                  std::end(kPredefinedNames);
}

bool is_id(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// docker takes any name that is not blank; hutch keeps to the rule of its
// other names, so that a network's name is always safe as a DNS name and in
// a file or interface description.
void validate_network_name(const std::string& name) {
  bool valid = !name.empty() && isalnum((unsigned char)name[0]) &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
               });
  if (!valid)
    fail("invalid name: %s: only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed in a network name", name.c_str());
}

// A running container has docker's endpoint on its network; a stopped one has
// none. docker removes and prunes a network that only stopped containers name
// (starting them later fails with "network X not found"), so hutch does too.
// One waiting on its restart policy counts as running: its restart would fail.
bool has_endpoint(const ContainerRecord& c) { return c.is_running() || c.is_restarting(); }

bool names_network(const ContainerRecord& c, const Network& n) {
  return c.on_network(n.name, n.id) || (n.name == "bridge" && c.host_config.network_mode == "default");
}

Network predefined_network(const std::string& name, const std::string& id, const std::string& created) {
  Network n;
  n.name = name;
  n.id = id;
  n.created = created;
  if (name == "bridge") {
    n.subnet = "172.17.0.0/16";
    n.gateway = "172.17.0.1";
    // What docker's inspect shows of its default bridge.
    n.options = {{"com.docker.network.bridge.default_bridge", "true"},
                 {"com.docker.network.bridge.enable_icc", "true"},
                 {"com.docker.network.bridge.enable_ip_masquerade", "true"},
                 {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"},
                 {"com.docker.network.bridge.name", "docker0"},
                 {"com.docker.network.driver.mtu", "1500"}};
  } else {
    n.driver = name == "host" ? "host" : "null";
  }
  return n;
}

std::string record_json(const Network& n) {
  JsonWriter w;
  w.begin_object()
      .field("Name", n.name)
      .field("Id", n.id)
      .field("Created", n.created)
      .field("Driver", n.driver)
      .field("Scope", n.scope)
      .field("Subnet", n.subnet)
      .field("Gateway", n.gateway)
      .field("Internal", n.internal)
      .field("Attachable", n.attachable)
      .field("EnableIPv6", n.ipv6);
  write_string_map(w, "Labels", n.labels);
  write_string_map(w, "Options", n.options);
  w.end_object();
  return w.str();
}

bool bool_at(const JsonValue& j, const char* key) {
  const JsonValue* v = j.get(key);
  return v && v->kind() == JsonValue::kBool && v->as_bool();
}

Network parse_record(const std::string& text, const std::string& what) {
  JsonValue j = parse_json(text, what);
  Network n;
  n.name = j.string_at("Name");
  n.id = j.string_at("Id");
  n.created = j.string_at("Created");
  n.driver = j.string_at("Driver", "bridge");
  n.scope = j.string_at("Scope", "local");
  n.subnet = j.string_at("Subnet");
  n.gateway = j.string_at("Gateway");
  n.internal = bool_at(j, "Internal");
  n.attachable = bool_at(j, "Attachable");
  n.ipv6 = bool_at(j, "EnableIPv6");
  n.labels = string_map_of(j.get("Labels"));
  n.options = string_map_of(j.get("Options"));
  return n;
}

// The subnet and gateway of a new network, docker's checks in docker's order.
void assign_addresses(Network& n, const NetworkCreateRequest& request, const std::vector<Network>& existing) {
  std::vector<Ipv4Subnet> taken;
  for (const Network& other : existing)
    if (auto s = parse_ipv4_subnet(other.subnet)) taken.push_back(*s);
  Ipv4Subnet subnet;
  if (request.subnet.empty()) {
    auto pool = free_default_pool(taken);
    if (!pool) fail("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    subnet = *pool;
  } else {
    if (request.subnet.find(':') != std::string::npos)
      fail("invalid subnet %s: IPv6 networks are not supported by hutch yet", request.subnet.c_str());
    auto parsed = parse_ipv4_subnet(request.subnet);
    if (!parsed) fail("Invalid subnet %s : invalid CIDR address: %s", request.subnet.c_str(), request.subnet.c_str());
    subnet = *parsed;
    for (const Ipv4Subnet& other : taken)
      if (subnet.overlaps(other)) fail("Pool overlaps with other one on this address space");
  }
  // docker's IPAM keeps the network and broadcast addresses; a /31 or /32
  // leaves no address for the gateway and a container.
  if (subnet.prefix > 30) fail("invalid subnet %s: no addresses left for a gateway and containers", subnet.format().c_str());
  uint32_t gateway = subnet.host(1);
  if (!request.gateway.empty()) {
    auto given = parse_ipv4(request.gateway);
    if (!given || !subnet.contains(*given)) fail("no matching subnet for gateway %s", request.gateway.c_str());
    if (*given == subnet.base || *given == subnet.last())
      fail("failed to allocate gateway (%s): Address already in use", request.gateway.c_str());
    gateway = *given;
  }
  // docker keeps the subnet as written ("172.18.0.5/16"); hutch keeps its
  // network address, the form every reader of the record parses.
  n.subnet = subnet.format();
  n.gateway = format_ipv4(gateway);
}

}  // namespace

// docker's predefined networks get random ids and the daemon's start as their
// creation; hutch draws them once per store, kept in networks/predefined.json.
// Made with link(2) so that concurrent first readers agree on one.
static std::vector<Network> predefined_networks(const Store& store) {
  std::string path = store.networks_dir() + "/predefined.json";
  auto text = read_file_if_exists(path);
  if (!text) {
    mkdir_p(store.networks_dir(), 0700);
    JsonWriter w;
    w.begin_object().field("Created", rfc3339_nano_local(unix_nanos_now()));
    for (const char* name : kPredefinedNames) w.field(name, random_hex(32));
    w.end_object();
    std::string temp = path + ".tmp-" + random_hex(8);
    write_file_atomic(temp, w.str(), false, 0600);
    if (link(temp.c_str(), path.c_str()) < 0 && errno != EEXIST) {
      int saved = errno;
      unlink(temp.c_str());
      errno = saved;
      fail_errno("link %s", path.c_str());
    }
    unlink(temp.c_str());
    text = read_file(path);
  }
  JsonValue j = parse_json(*text, path);
  std::vector<Network> out;
  for (const char* name : kPredefinedNames) out.push_back(predefined_network(name, j.string_at(name), j.string_at("Created")));
  return out;
}

static std::vector<Network> user_networks(const Store& store) {
  std::vector<Network> out;
  if (!is_dir(store.networks_dir())) return out;
  for (const auto& entry : list_dir(store.networks_dir())) {
    if (entry.size() != 69 || entry.compare(64, 5, ".json") != 0 || !is_id(entry.substr(0, 64))) continue;
    std::string path = store.networks_dir() + "/" + entry;
    try {
      auto text = read_file_if_exists(path);
      if (text) out.push_back(parse_record(*text, path));
    } catch (const Error& e) {
      log_debug("network %s skipped: %s", entry.c_str(), e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const Network& a, const Network& b) { return a.name < b.name; });
  return out;
}

std::vector<Network> NetworkStore::list() const {
  std::vector<Network> out = predefined_networks(store_);
  for (Network& n : user_networks(store_)) out.push_back(std::move(n));
  return out;
}

std::optional<Network> NetworkStore::get(const std::string& name_or_id) const {
  if (name_or_id.empty()) return std::nullopt;
  // docker's FindNetwork: a full id, then a name, then a unique id prefix.
  std::vector<Network> all = list();
  std::vector<const Network*> by_prefix;
  for (const Network& n : all)
    if (n.id == name_or_id) return n;
  for (const Network& n : all)
    if (n.name == name_or_id) return n;
  for (const Network& n : all)
    if (n.id.compare(0, name_or_id.size(), name_or_id) == 0) by_prefix.push_back(&n);
  if (by_prefix.size() > 1)
    fail("network %s is ambiguous (%zu matches found based on ID prefix)", name_or_id.c_str(), by_prefix.size());
  if (by_prefix.empty()) return std::nullopt;
  return *by_prefix[0];
}

Network NetworkStore::find(const std::string& name_or_id) const {
  auto n = get(name_or_id);
  if (!n) fail("network %s not found", name_or_id.c_str());
  return *n;
}

Network NetworkStore::create(const NetworkCreateRequest& request) const {
  if (is_predefined_name(request.name))
    fail("operation is not permitted on predefined %s network", request.name.c_str());
  validate_network_name(request.name);
  FileLock held = lock(FileLock::kExclusive);
  std::vector<Network> existing = list();
  for (const Network& other : existing)
    if (other.name == request.name) fail("network with name %s already exists", request.name.c_str());
  if (request.driver != "bridge") fail("plugin %s not found", quoted(request.driver).c_str());
  Network n;
  n.name = request.name;
  n.internal = request.internal;
  n.attachable = request.attachable;
  n.labels = request.labels;
  n.options = request.options;
  assign_addresses(n, request, existing);
  n.id = random_hex(32);
  n.created = rfc3339_nano_local(unix_nanos_now());
  write_file_atomic(store_.networks_dir() + "/" + n.id + ".json", record_json(n), false, 0600);
  return n;
}

std::vector<ContainerRecord> network_endpoints(const Network& network, const std::vector<ContainerRecord>& containers) {
  std::vector<ContainerRecord> out;
  for (const auto& c : containers)
    if (names_network(c, network) && has_endpoint(c)) out.push_back(c);
  return out;
}

void NetworkStore::remove(const std::string& name_or_id) const {
  FileLock held = lock(FileLock::kExclusive);
  Network n = find(name_or_id);
  if (n.predefined()) fail("%s is a pre-defined network and cannot be removed", n.name.c_str());
  if (!network_endpoints(n, ContainerStore(store_).list()).empty())
    fail("error while removing network: network %s id %s has active endpoints", n.name.c_str(), n.id.c_str());
  remove_files(n);
}

void NetworkStore::remove_files(const Network& network) const {
  std::string path = store_.networks_dir() + "/" + network.id + ".json";
  if (unlink(path.c_str()) < 0 && errno != ENOENT) fail_errno("remove network %s", network.name.c_str());
}

std::vector<std::string> NetworkStore::prune(const std::function<bool(const Network&)>& select) const {
  FileLock held = lock(FileLock::kExclusive);
  std::vector<ContainerRecord> containers = ContainerStore(store_).list();
  std::vector<std::string> removed;
  for (const Network& n : user_networks(store_)) {
    if (!network_endpoints(n, containers).empty() || !select(n)) continue;
    try {
      remove_files(n);
    } catch (const Error& e) {
      log_warn("could not remove local network %s: %s", n.name.c_str(), e.what());
      continue;
    }
    removed.push_back(n.name);
  }
  return removed;
}

FileLock NetworkStore::lock(FileLock::Mode mode) const {
  // A store made before networks existed has no networks/ directory.
  mkdir_p(store_.networks_dir(), 0700);
  return FileLock(store_.networks_dir() + "/.lock", mode);
}

}  // namespace hutch
