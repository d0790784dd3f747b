// hutch network create|ls|inspect|rm|prune|connect|disconnect: docker's network commands over
// the store's network records (store/networks.h), with their flag tables.
// What a network does for the containers on it is container/'s.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "base/error.h"
#include "base/human.h"
#include "base/ipv4_subnet.h"
#include "base/log.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/filters.h"
#include "cli/list_format.h"
#include "cli/network_inspect.h"
#include "cli/network_list.h"
#include "container/control.h"
#include "container/endpoint_flags.h"
#include "container/network_mode.h"
#include "container/run.h"
#include "store/containers.h"
#include "store/networks.h"

namespace hutch {

namespace {

constexpr const char* kNetworkTable = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

// Go's sortorder.NaturalLess, how docker's CLI orders `network ls`: runs of
// digits compare as numbers, the rest byte by byte.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = isdigit((unsigned char)a[i]), db = isdigit((unsigned char)b[j]);
    if (da && db) {
      size_t ei = i, ej = j;
      while (ei < a.size() && isdigit((unsigned char)a[ei])) ei++;
      while (ej < b.size() && isdigit((unsigned char)b[ej])) ej++;
      std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return (unsigned char)a[i] < (unsigned char)b[j];
      i++;
      j++;
    }
  }
  return a.size() - i < b.size() - j;
}

// docker's --subnet, --gateway and --ip-range are string slices: repeated,
// or comma-separated in one value.
std::vector<std::string> slice_values(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const auto& value : given)
    for (auto& part : split(value, ',')) out.push_back(part);
  return out;
}

struct NetworkCreateOptions {
  std::string driver = "bridge";
  std::vector<std::string> subnets;
  std::vector<std::string> gateways;
  std::vector<std::string> ip_ranges;
  bool internal = false;
  bool attachable = false;
  bool ipv6 = false;
  FlagMap labels;
  FlagMap options;
};

// docker's CLI checks (consolidateIpam) before asking its daemon; hutch's
// networks take one IPv4 subnet and hand out all of it.
void check_ipam(const std::vector<std::string>& subnets, const std::vector<std::string>& gateways,
                const std::vector<std::string>& ranges) {
  if (subnets.size() < ranges.size() || subnets.size() < gateways.size())
    fail("every ip-range or gateway must have a corresponding subnet");
  if (subnets.size() > 1) fail("hutch networks take one subnet: --subnet was given %zu times", subnets.size());
  if (ranges.empty()) return;
  auto subnet = parse_ipv4_subnet(subnets[0]);
  if (!subnet) fail("invalid subnet: invalid CIDR address: %s", subnets[0].c_str());
  auto range = parse_ipv4_subnet(ranges[0]);
  if (!range) fail("invalid CIDR address: %s", ranges[0].c_str());
  if (!subnet->contains(range->base)) fail("no matching subnet for range %s", ranges[0].c_str());
  if (!(*range == *subnet))
    fail("--ip-range %s: hutch allocates from the whole subnet; give the subnet itself or leave --ip-range out",
         ranges[0].c_str());
}

int network_create(NetworkCreateOptions& o, const Args& args) {
  if (o.ipv6) fail("--ipv6: hutch networks are IPv4 only for now");
  std::vector<std::string> subnets = slice_values(o.subnets), gateways = slice_values(o.gateways);
  check_ipam(subnets, gateways, slice_values(o.ip_ranges));
  NetworkCreateRequest request;
  request.name = args.positional[0];
  request.driver = o.driver;
  if (!subnets.empty()) request.subnet = subnets[0];
  if (!gateways.empty()) request.gateway = gateways[0];
  request.internal = o.internal;
  request.attachable = o.attachable;
  request.labels = o.labels;
  request.options = o.options;
  Store store = open_store();
  Network n = NetworkStore(store).create(request);
  printf("%s\n", n.id.c_str());
  return 0;
}

struct NetworkLsOptions {
  std::vector<std::string> filters;
  std::string format;
  bool quiet = false;
  bool no_trunc = false;
};

// docker's daemon: one value, true|1|false|0.
std::optional<bool> dangling_filter(const Filters& filters) {
  if (!filters.contains("dangling")) return std::nullopt;
  auto values = filters.get("dangling");
  if (values.size() > 1) fail("got more than one value for filter key \"dangling\"");
  if (values[0] == "1" || values[0] == "true") return true;
  if (values[0] == "0" || values[0] == "false") return false;
  fail("invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")");
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// docker's FilterNetworks, in its order.
bool network_selected(const Filters& filters, const Network& n, bool dangling) {
  if (filters.contains("driver") && !contains(filters.get("driver"), n.driver)) return false;
  if (filters.contains("name") && !match_any(filters.get("name"), n.name)) return false;
  if (filters.contains("id") && !match_any(filters.get("id"), n.id)) return false;
  if (!filters.match_labels("label", n.labels)) return false;
  if (filters.contains("scope") && !contains(filters.get("scope"), n.scope)) return false;
  if (auto wanted = dangling_filter(filters); wanted && *wanted != dangling) return false;
  if (filters.contains("type")) {
    auto types = filters.get("type");
    for (const auto& t : types)
      if (t != "builtin" && t != "custom") fail("invalid filter: 'type'='%s'", t.c_str());
    if (!contains(types, n.predefined() ? "builtin" : "custom")) return false;
  }
  return true;
}

int network_ls(NetworkLsOptions& options, const Args& args) {
  Filters filters(options.filters, "-f, --filter", args.command);
  filters.validate({"driver", "id", "label", "name", "scope", "type", "dangling"}, true);
  std::string format = options.format;
  if (format.empty() || format == "table") format = options.quiet ? "{{.ID}}" : kNetworkTable;
  ListFormat list(format);
  Store store = open_store();
  std::vector<Network> networks = NetworkStore(store).list();
  std::sort(networks.begin(), networks.end(),
            [](const Network& a, const Network& b) { return natural_less(a.name, b.name); });
  std::vector<ContainerRecord> containers;
  if (filters.contains("dangling")) containers = ContainerStore(store).list();
  for (const auto& n : networks) {
    // docker's dangling: a user network without containers on it.
    bool dangling = !n.predefined() && network_endpoints(n, containers).empty();
    if (!network_selected(filters, n, dangling)) continue;
    list.add_row(network_row(n, !options.no_trunc), network_row_methods(n), "*network.networkContext");
  }
  fputs(list.finish(network_header()).c_str(), stdout);
  return 0;
}

struct NetworkInspectOptions {
  std::string format;
};

int network_inspect(NetworkInspectOptions& options, const Args& args) {
  const std::string& format = options.format;
  if (!format.empty() && format != "json") GoTemplate check(format);
  Store store = open_store();
  NetworkStore networks(store);
  std::vector<ContainerRecord> containers = ContainerStore(store).list();
  std::vector<std::string> objects, errors;
  for (const auto& name : args.positional) {
    try {
      auto n = networks.get(name);
      if (!n) fail("No such network: %s", name.c_str());
      objects.push_back(network_inspect_json(*n, network_endpoints(*n, containers)));
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return print_inspect(objects, errors, format, 1);
}

int network_rm(NoOptions&, const Args& args) {
  Store store = open_store();
  NetworkStore networks(store);
  // As docker's CLI: each name, or its error, in order.
  bool failed = false;
  for (const auto& name : args.positional) {
    try {
      if (!networks.get(name)) fail("No such network: %s", name.c_str());
      networks.remove(name);
      printf("%s\n", name.c_str());
      fflush(stdout);
    } catch (const Error& e) {
      print_error(e.what());
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

struct NetworkConnectOptions {
  std::vector<std::string> aliases, links;
  std::string ip, ip6;
  std::vector<std::string> link_local_ips, driver_opts;
};

// Whether the container is on the user network (by name or id), as its
// first or another one.
bool on_user_network(const ContainerRecord& c, const Network& n) {
  return !n.predefined() && c.on_network(n.name, n.id);
}

// A container on user networks joins more of them, running or not. One on
// the default network must be stopped, and moves to the user network
// (docker would keep it on both: here the default network's engine and the
// user networks' keeper do not share a container).
int network_connect(NetworkConnectOptions& options, const Args& args) {
  if (!options.ip6.empty()) fail("invalid argument \"%s\" for \"--ip6\": networks are IPv4 only here", options.ip6.c_str());
  if (!options.link_local_ips.empty()) fail("--link-local-ip is not supported: networks are IPv4 only here");
  if (!options.ip.empty()) check_ipv4_flag(options.ip);
  for (const auto& l : options.links) parse_link(l);
  for (const auto& a : options.aliases) check_network_alias(a);
  Store store = open_store();
  NetworkStore networks(store);
  ContainerStore containers(store);
  Network n = networks.find(args.positional[0]);
  ContainerRecord c = containers.find(args.positional[1]);
  const HostConfig& host = c.host_config;
  if (n.name == "host" || host.network_mode == "host")
    fail("container cannot be disconnected from host network or connected to host network");
  if (!network_container(host).empty())
    fail("container sharing network namespace with another container or host cannot be connected to any other "
         "network");
  if (n.name == "none" || host.network_mode == "none" || host.network_mode == "private")
    fail("container cannot be connected to multiple networks with one of the networks in private (none) mode");
  bool on_default = user_network(host).empty();
  if (on_user_network(c, n) || (n.name == "bridge" && on_default))
    fail("endpoint with name %s already exists in network %s", c.name.c_str(), n.name.c_str());
  if (n.predefined())
    fail("container %s is on user networks: the default network cannot be added to them here", c.name.c_str());
  if (!options.ip.empty()) {
    auto subnet = parse_ipv4_subnet(n.subnet);
    if (!(subnet && subnet->contains(*parse_ipv4(options.ip))))
      fail("no configured subnet or ip-range contain the IP address %s", options.ip.c_str());
  }
  EndpointConfig endpoint{options.ip, options.aliases};
  if (!on_default) {
    if (!options.links.empty()) fail("--link is taken on a container's first network only here");
    if (c.is_running()) {
      connect_running_container(store, c, n.name, endpoint);
      return 0;
    }
    containers.update(c.id, [&](ContainerRecord& r) { r.extra_networks.push_back({n.name, endpoint, ""}); });
    return 0;
  }
  if (c.is_running())
    fail("container %s is on the default network: stop it to connect it to %s (it then moves there)",
         c.name.c_str(), n.name.c_str());
  FileLock held = networks.lock(FileLock::kShared);
  for (const auto& l : options.links) containers.find(parse_link(l).first);
  ContainerRecord updated = containers.update(c.id, [&](ContainerRecord& r) {
    r.host_config.network_mode = n.name;
    r.host_config.links = options.links;
    r.endpoint = endpoint;
  });
  rewrite_etc_files(store, updated);
  return 0;
}

struct NetworkDisconnectOptions {
  bool force = false;
};

int network_disconnect(NetworkDisconnectOptions&, const Args& args) {
  Store store = open_store();
  NetworkStore networks(store);
  ContainerStore containers(store);
  Network n = networks.find(args.positional[0]);
  ContainerRecord c = containers.find(args.positional[1]);
  if (n.name == "host" || c.host_config.network_mode == "host")
    fail("container cannot be disconnected from host network or connected to host network");
  bool on_default = n.name == "bridge" && uses_network_engine(c.host_config);
  if (!on_default && !on_user_network(c, n))
    fail("container %s is not connected to network %s", c.id.c_str(), n.name.c_str());
  if (c.is_running()) {
    if (on_default)
      fail("disconnecting a running container from the default network is not supported: stop %s first",
           c.name.c_str());
    disconnect_running_container(store, c, n.name);
    return 0;
  }
  ContainerRecord updated = containers.update(c.id, [&](ContainerRecord& r) {
    r.leave_network(on_default ? r.host_config.network_mode : n.name, n.id);
  });
  rewrite_etc_files(store, updated);
  return 0;
}

struct NetworkPruneOptions {
  std::vector<std::string> filters;
  bool force = false;
};

int network_prune(NetworkPruneOptions& options, const Args& args) {
  Filters filters(options.filters, "--filter", args.command);
  filters.validate({"label", "label!", "until"}, true);
  time_t now = time(nullptr);
  std::optional<time_t> until;
  if (filters.contains("until")) {
    auto values = filters.get("until");
    if (values.size() > 1) fail("more than one until filter specified");
    until = parse_until(values[0], now);
  }
  // docker 20.10 ends quietly, with status 0, when the answer is no.
  if (!options.force && !confirm("WARNING! This will remove all custom networks not used by at least one container.\n"
                                 "Are you sure you want to continue?"))
    return 0;
  Store store = open_store();
  auto removed = NetworkStore(store).prune([&](const Network& n) {
    if (until && parse_rfc3339(n.created) > *until) return false;
    if (!filters.match_labels("label", n.labels)) return false;
    return !(filters.contains("label!") && filters.match_labels("label!", n.labels));
  });
  if (removed.empty()) return 0;
  std::string out = "Deleted Networks:\n";
  for (const auto& name : removed) out += name + "\n";
  fputs((out + "\n").c_str(), stdout);
  return 0;
}

}  // namespace

Command network_create_command() {
  using F = Flag<NetworkCreateOptions>;
  return make_command<NetworkCreateOptions>(
      {.name = "network create",
       .args = "[OPTIONS] NETWORK",
       .summary = "Create a network",
       .description =
           "Creates a network of the bridge driver, a record in the store (networks/ID.json), and prints its id; "
           "containers join it with run --network NAME. Without --subnet it takes the first of docker's default "
           "pools that overlaps no other network: 172.18.0.0/16 to 172.31.0.0/16, then 192.168.0.0/20, "
           "192.168.16.0/20 and so on (172.17.0.0/16 is the predefined bridge's). The gateway defaults to the "
           "subnet's first address. Names follow [a-zA-Z0-9][a-zA-Z0-9_.-]*; bridge, host, none and default are "
           "taken.\n\n"
           "Networks are IPv4 only: --ipv6 and IPv6 subnets are refused, and --ip-range only takes the subnet "
           "itself. --attachable and -o options are kept and shown by inspect.",
       .min_args = 1,
       .max_args = 1},
      {
          F::string("driver", 'd', &NetworkCreateOptions::driver, "Driver to manage the Network"),
          F::list("subnet", 0, &NetworkCreateOptions::subnets,
                  "Subnet in CIDR format that represents a network segment")
              .value_name("strings"),
          F::list("gateway", 0, &NetworkCreateOptions::gateways, "IPv4 or IPv6 Gateway for the master subnet")
              .value_name("strings"),
          F::list("ip-range", 0, &NetworkCreateOptions::ip_ranges, "Allocate container ip from a sub-range")
              .value_name("strings"),
          F::boolean("internal", 0, &NetworkCreateOptions::internal, "Restrict external access to the network"),
          F::boolean("attachable", 0, &NetworkCreateOptions::attachable, "Enable manual container attachment"),
          F::boolean("ipv6", 0, &NetworkCreateOptions::ipv6, "Enable IPv6 networking"),
          F::key_value_list("label", 0, &NetworkCreateOptions::labels, "Set metadata on a network"),
          F::map("opt", 'o', &NetworkCreateOptions::options, "Set driver specific options"),
      },
      network_create);
}

Command network_ls_command() {
  using F = Flag<NetworkLsOptions>;
  return make_command<NetworkLsOptions>(
      {.name = "network ls",
       .args = "[OPTIONS]",
       .summary = "List networks",
       .description =
           "Lists the networks, the predefined bridge, host and none among them, sorted by name. Filters (several "
           "must all match; values of one key, any): driver=bridge|host|null, id=REGEXP, label=KEY[=VALUE], "
           "name=REGEXP (searched in the name), scope=local, type=builtin|custom, dangling=true|false (a user "
           "network without a running container, or the others). --format takes a Go template over .ID .Name "
           ".Driver .Scope .IPv6 .Internal .Labels .CreatedAt and .Label \"KEY\", 'table TEMPLATE', or 'json'.",
       .max_args = 0},
      {
          F::list("filter", 'f', &NetworkLsOptions::filters, "Provide filter values (e.g. 'driver=bridge')")
              .value_name("filter"),
          F::string("format", 0, &NetworkLsOptions::format, kTableFormatHelp),
          F::boolean("no-trunc", 0, &NetworkLsOptions::no_trunc, "Do not truncate the output"),
          F::boolean("quiet", 'q', &NetworkLsOptions::quiet, "Only display network IDs"),
      },
      network_ls);
}

Command network_inspect_command() {
  return make_command<NetworkInspectOptions>(
      {.name = "network inspect",
       .args = "[OPTIONS] NETWORK [NETWORK...]",
       .summary = "Display detailed information on one or more networks",
       .description = "Prints docker's JSON for each network named (by name, id or a unique id prefix), as one "
                      "array: its IPAM config (subnet and gateway), options, labels and, under Containers, the "
                      "running containers on it with their addresses. --format takes a Go template instead, "
                      "evaluated once per network. The status is 1 when one is missing.",
       .min_args = 1},
      {Flag<NetworkInspectOptions>::string("format", 'f', &NetworkInspectOptions::format, kInspectFormatHelp)},
      network_inspect);
}

Command network_rm_command() {
  return make_command<NoOptions>(
      {.name = "network rm",
       .args = "NETWORK [NETWORK...]",
       .summary = "Remove one or more networks",
       .description = "Removes each network. The predefined ones cannot be removed, nor a network a running "
                      "container is on; as with docker, a stopped container does not hold its network, and "
                      "starting it after the network is gone fails. The status is 1 when one failed.",
       .min_args = 1},
      {}, network_rm);
}

Command network_connect_command() {
  using F = Flag<NetworkConnectOptions>;
  return make_command<NetworkConnectOptions>(
      {.name = "network connect",
       .args = "[OPTIONS] NETWORK CONTAINER",
       .summary = "Connect a container to a network",
       .description =
           "Connects a container to a user network, with --ip and --alias as run's --ip and --network-alias. A "
           "container on user networks gets an interface on one more (eth1, eth2, ...) at once if it runs, from "
           "its next start if not; the network's DNS answers its name there, and it reaches the names of every "
           "network it is on. A container on the default network must be stopped, and moves to the user network "
           "(docker would keep it on both); --link is taken then. docker's refusals for host, none and "
           "container: networks.",
       .min_args = 2,
       .max_args = 2},
      {
          F::list("alias", 0, &NetworkConnectOptions::aliases, "Add network-scoped alias for the container")
              .value_name("strings"),
          F::list("driver-opt", 0, &NetworkConnectOptions::driver_opts, "driver options for the network")
              .value_name("strings"),
          F::string("ip", 0, &NetworkConnectOptions::ip, "IPv4 address (e.g., 172.30.100.104)"),
          F::string("ip6", 0, &NetworkConnectOptions::ip6, "IPv6 address (e.g., 2001:db8::33)"),
          F::list("link", 0, &NetworkConnectOptions::links, "Add link to another container"),
          F::list("link-local-ip", 0, &NetworkConnectOptions::link_local_ips,
                  "Add a link-local address for the container")
              .value_name("strings"),
      },
      network_connect);
}

Command network_disconnect_command() {
  using F = Flag<NetworkDisconnectOptions>;
  return make_command<NetworkDisconnectOptions>(
      {.name = "network disconnect",
       .args = "[OPTIONS] NETWORK CONTAINER",
       .summary = "Disconnect a container from a network",
       .description = "Takes a container off a network. A running container on a user network loses its "
                      "interface there at once, with its names there (and its published ports when none is left: "
                      "they lead to its address on its first network); a stopped one starts without it. Its next "
                      "network becomes its first; one with none left is on no network (loopback only), as "
                      "docker's.",
       .min_args = 2,
       .max_args = 2},
      {F::boolean("force", 'f', &NetworkDisconnectOptions::force, "Force the container to disconnect from a network")},
      network_disconnect);
}

Command network_prune_command() {
  using F = Flag<NetworkPruneOptions>;
  return make_command<NetworkPruneOptions>(
      {.name = "network prune",
       .args = "[OPTIONS]",
       .summary = "Remove all unused networks",
       .description = "Removes every user network no running container is on. Asks first unless --force is given. "
                      "Filters: label=KEY[=VALUE], label!=KEY[=VALUE], until=TIMESTAMP (created before it: a "
                      "duration such as 10m, a Unix time or an RFC 3339 date).",
       .max_args = 0},
      {
          F::list("filter", 0, &NetworkPruneOptions::filters, "Provide filter values (e.g. 'until=<timestamp>')")
              .value_name("filter"),
          F::boolean("force", 'f', &NetworkPruneOptions::force, "Do not prompt for confirmation"),
      },
      network_prune);
}

}  // namespace hutch
