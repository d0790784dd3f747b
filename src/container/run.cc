#include "container/run.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <optional>

#include "container/docker_init.h"
#include "container/endpoint_flags.h"
#include "container/environment.h"
#include "container/etc_files.h"
#include "container/attach_client.h"
#include "container/logs.h"
#include "container/monitor.h"
#include "container/mount_plan.h"
#include "container/mount_point_layer.h"
#include "container/network_engine.h"
#include "container/network_keeper.h"
#include "container/rootless.h"
#include "container/spec_builder.h"
#include "image/image_config.h"
#include "image/layers.h"
#include "image/lookup.h"
#include "image/reference.h"
#include "runtime/create.h"
#include "runtime/lifecycle.h"
#include "runtime/supervise.h"
#include "runtime/terminal.h"
#include "store/containers.h"
#include "store/images.h"
#include "store/networks.h"
#include "store/volumes.h"
#include "base/error.h"
#include "base/file.h"
#include "base/human.h"
#include "base/ipv4_subnet.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/process.h"
#include "base/random.h"
#include "base/signal_names.h"

namespace hutch {

namespace {

// docker's checks of --network and of the flags it conflicts with; returns
// the container whose network is shared (--network container:X), if any.
std::optional<ContainerRecord> check_network(const Store& store, const RunOptions& options) {
  const HostConfig& host = options.host;
  const std::string& mode = host.network_mode;
  std::string other = network_container(host);
  if (!host.links.empty()) {
    if (!other.empty())
      fail("conflicting options: container type network can't be used with links. This would result in undefined "
           "behavior");
    if (mode == "host")
      fail("conflicting options: host type networking can't be used with links. This would result in undefined "
           "behavior");
    if (user_network(host).empty())
      fail("--link needs a user network (--network NAME): on the default network each container has a network of "
           "its own");
  }
  if (user_network(host).empty()) {
    if (!options.endpoint.ipv4_address.empty())
      fail("user specified IP address is supported on user defined networks only");
    if (!options.endpoint.aliases.empty())
      fail("network-scoped alias is supported only for containers in user defined networks");
  }
  if (!other.empty() && !options.config.mac_address.empty())
    fail("Conflicting options: mac-address and the network mode");
  if (other.empty()) {
    if (std::string name = user_network(host); !name.empty()) {
      Network network = NetworkStore(store).find(name);
      const std::string& ip = options.endpoint.ipv4_address;
      auto subnet = parse_ipv4_subnet(network.subnet);
      if (!ip.empty() && !(subnet && subnet->contains(*parse_ipv4(ip))))
        fail("no configured subnet or ip-range contain the IP address %s", ip.c_str());
      return std::nullopt;
    }
    // Only the engine publishes ports: docker's warning for the host's
    // network, and its like for the networks that have none.
    if (!uses_network_engine(host) && (!host.port_bindings.empty() || host.publish_all_ports))
      log_warn("Published ports are discarded when using %s network mode", mode.c_str());
    return std::nullopt;
  }
  if (!options.config.hostname.empty()) fail("Conflicting options: hostname and the network mode");
  if (!host.dns.empty()) fail("Conflicting options: dns and the network mode");
  if (!host.extra_hosts.empty()) fail("Conflicting options: custom host-to-IP mapping and the network mode");
  if (!host.port_bindings.empty() || host.publish_all_ports)
    fail("Conflicting options: port publishing and the container type network mode");
  if (!options.config.exposed_ports.empty())
    fail("Conflicting options: port exposing and the container type network mode");
  return ContainerStore(store).find(other);
}

// --link's lines in /etc/hosts, docker's: "ALIAS ID NAME" of each target,
// which must exist now and run when the container starts.
std::vector<std::string> link_host_names(const Store& store, const HostConfig& host) {
  std::vector<std::string> out;
  ContainerStore containers(store);
  for (const auto& link : host.links) {
    auto [name, alias] = parse_link(link);
    ContainerRecord target;
    try {
      target = containers.find(name);
    } catch (const Error&) {
      fail("could not get container for %s", printable(name).c_str());
    }
    std::string names = alias + " " + target.id.substr(0, 12);
    if (target.name != alias) names += " " + target.name;
    out.push_back(names);
  }
  return out;
}

// What the container's /etc files say of its network.
EtcNetwork etc_network(const HostConfig& host, const ContainerConfig& config, std::vector<std::string> links) {
  EtcNetwork etc;
  etc.host_network = host.network_mode == "host";
  etc.domainname = config.domainname;
  etc.dns = host.dns;
  etc.dns_search = host.dns_search;
  etc.dns_options = host.dns_options;
  NetworkPlan network = network_plan(host);
  bool engine = uses_network_engine(host) && network.engine != EngineKind::kNone;
  for (auto entry : host.extra_hosts) {
    auto [name, ip] = split_extra_host(entry);
    // docker's host-gateway is its bridge's address, which reaches the host;
    // here the engine's gateway (a user network's keeper's), or the host's own
    // loopback for the host's network.
    if (ip == kHostGateway) {
      std::string gateway = !user_network(host).empty() ? kUserNetworkHostGateway
                            : etc.host_network || !engine ? "127.0.0.1"
                                                          : network.gateway;
      entry = name + ":" + gateway;
    }
    etc.extra_hosts.push_back(entry);
  }
  if (!user_network(host).empty()) {
    // The address comes at each start (update_hosts_address).
    etc.address = "0.0.0.0";
    etc.embedded_dns = true;
    etc.links = std::move(links);
  }
  if (uses_network_engine(host)) {
    // The monitor attaches the engine; without one the container still runs,
    // with loopback only, and the user is told once per run.
    if (!engine) {
      log_warn("no user-mode network engine can run (the built-in pasta needs an executable memfd, "
               "vm.memfd_noexec below 2; else pasta or slirp4netns on PATH): the container has loopback only");
    } else {
      etc.address = network.address;
      etc.dns_relay = network.dns_address;
    }
  }
  return etc;
}

std::string display_reference(const std::string& user_ref) {
  if (auto ref = parse_stored_reference(user_ref)) return ref->familiar_name() + (ref->tag.empty() ? "" : ":" + ref->tag);
  return user_ref;
}

// Until a monitor owns the container: a failure while it is being made
// leaves it created (docker keeps a container whose start failed), or
// removes it when --rm asked for that.
class ContainerScope {
 public:
  ContainerScope(const Store& store, const ContainerStore& containers, ContainerRecord& record, bool owned_by_caller)
      : store_(store), containers_(containers), record_(record), owned_by_caller_(owned_by_caller) {}
  void hand_over() { handed_over_ = true; }
  ~ContainerScope() {
    if (handed_over_) return;
    try {
      if (record_.host_config.auto_remove) {
        remove_ended_container(store_, record_, -1, owned_by_caller_, false);
      } else {
        record_.monitor_pid = 0;
        containers_.save(record_);
      }
    } catch (const Error& e) {
      log_warn("%s", e.what());
    }
  }

 private:
  const Store& store_;
  const ContainerStore& containers_;
  ContainerRecord& record_;
  bool owned_by_caller_;
  bool handed_over_ = false;
};

// --cidfile: claimed before the container exists (docker refuses a file that
// is there), filled with the id, and removed when the container was not made.
class CidFile {
 public:
  explicit CidFile(const std::string& path) : path_(path) {
    if (path_.empty()) return;
    Fd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) {
      if (errno == EEXIST)
        fail("container ID file found, make sure the other container isn't running or delete %s", path_.c_str());
      fail_errno("failed to create the container ID file");
    }
  }
  void write(const std::string& id) {
    if (path_.empty()) return;
    write_file_in_place(path_, id);
    written_ = true;
  }
  ~CidFile() {
    if (!path_.empty() && !written_) unlink(path_.c_str());
  }

 private:
  std::string path_;
  bool written_ = false;
};

// A script's background job starts with INT ignored; docker's signal proxy
// answers INT and TERM all the same, and so does a foreground run here. Until
// the container record exists they end hutch at once: whatever it leaves (a
// staging directory, a partial blob) the next command collects.
void answer_stop_signals() {
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) signal(sig, SIG_DFL);
  }
}

std::optional<oci::ConsoleSize> terminal_size() {
  struct winsize size;
  if (ioctl(0, TIOCGWINSZ, &size) == 0 || ioctl(1, TIOCGWINSZ, &size) == 0)
    return oci::ConsoleSize{size.ws_row, size.ws_col};
  return std::nullopt;
}

bool cgroup2_host() {
  struct statfs st;
  return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

LayerTarget layer_target(const IdMapping& mapping) {
  LayerTarget target;
  target.mapping_key = mapping.key();
  target.apply_owners = mapping.has_range();
  return target;
}

}  // namespace

void remove_ended_container(const Store& store, const ContainerRecord& record, int userns, bool owned_by_caller,
                            bool started) {
  ContainerStore containers(store);
  // Files the container made belong to its ids: only root in a user
  // namespace with its mapping may delete them.
  auto remove = [&] {
    // Every process of the container has exited with its init (the PID
    // namespace's end), and its mounts with them: the directory may serve
    // the next container.
    if (started) containers.recycle(record);
    else containers.remove(record);
    // docker's --rm takes the container's anonymous volumes with it.
    remove_anonymous_volumes(VolumeStore(store), record.anonymous_volumes);
    // With the container's mapping at hand, what killed commands left in
    // staging goes too (a warm start made no namespace to collect it in).
    store.collect_stale_staging();
  };
  if (owned_by_caller) remove();
  else if (userns >= 0) in_user_namespace_child(userns, remove);
  else in_rootless_child(store, [&](const RootlessSession&) { remove(); });
  log_phase("container removed");
}

StateDir container_state(const Store& store, const std::string& id) {
  return StateDir(store.containers_dir(), id, true);
}

pid_t container_init_pid(const Store& store, const ContainerRecord& record) {
  StateDir state = container_state(store, record.id);
  if (!state.exists()) return 0;
  try {
    return state.load().pid;
  } catch (const Error&) {
    return 0;
  }
}

int run_container(const Store& store, const RunOptions& options, const PullImage& pull) {
  log_phase("run");
  const ContainerConfig& asked = options.config;
  // -d attaches nothing: docker checks only a terminal it would relay.
  if (asked.tty && asked.attach_stdin && asked.open_stdin && !isatty(0))
    fail_status(1, "the input device is not a TTY");
  if (options.pull != "always" && options.pull != "missing" && options.pull != "never")
    fail("invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", options.pull.c_str());
  std::optional<ContainerRecord> network_owner = check_network(store, options);
  std::vector<std::string> links = link_host_names(store, options.host);
  if (options.host.auto_remove && options.host.restart_policy.name != "no")
    fail("Conflicting options: --restart and --rm");
  check_log_config(options.host.log_config);
  if (!asked.stop_signal.empty()) parse_docker_signal(asked.stop_signal);
  // docker refuses a malformed reference before it looks for the image, and so
  // before `--pull never` could call it missing.
  if (!Digest::try_parse(asked.image)) parse_reference(asked.image);
  answer_stop_signals();
  CidFile cidfile(options.host.container_id_file);
  IdMapping mapping = detect_id_mapping();
  ImageStore images(store);
  // Until the container record names the image, nothing stops rmi or prune
  // from collecting its layers but this lock.
  auto content = std::make_optional(store.lock_content(FileLock::kShared));
  std::optional<ImageRecord> image;
  if (options.pull != "always") image = find_image(images, asked.image);
  if (!image) {
    std::string shown = display_reference(asked.image);
    if (options.pull == "never") fail("No such image: %s", shown.c_str());
    // As docker does, a name that cannot be pulled is refused before the notice
    // (which would repeat it raw).
    parse_reference(asked.image);
    if (options.pull == "missing") fprintf(stderr, "Unable to find image '%s' locally\n", printable(shown).c_str());
    mapping = in_rootless_child(store, [&](const RootlessSession& session) { pull(asked.image, session.layers); });
    image = find_image(images, asked.image);
    if (!image) fail("Unable to find image '%s' locally", shown.c_str());
  }
  ImageConfig image_config = parse_image_config(images.config_json(*image));
  ContainerConfig merged = merge_config(image_config, options);
  log_phase("image resolved");

  // Layers are unpacked with their owners, which needs a user namespace of
  // its own: the container's is made later, from here.
  if (!all_layers_present(store, layer_target(mapping), image->layers))
    mapping = in_rootless_child(store, [&](const RootlessSession& session) {
      std::vector<LayerRecord> layers = image->layers;
      ensure_layers(store, session.layers, layers);
    });
  std::vector<LayerRecord> layers = image->layers;
  std::vector<std::string> layer_dirs = ensure_layers(store, layer_target(mapping), layers);
  log_phase("layers ready");

  ContainerStore containers(store);
  ContainerRecord record;
  record.id = random_hex(32);
  record.name = options.name;
  record.image = asked.image;
  record.image_id = image->id;
  record.created = rfc3339_now();
  // Created; its monitor records it as running once it is. Until the
  // monitor claims it, this process owns it: a --rm record whose owner died
  // first is collected by the next command (ContainerStore::list).
  record.state = "created";
  if (!options.create_only) {
    record.monitor_pid = getpid();
    record.monitor_start = process_start_time(record.monitor_pid);
  }

  HostFacts facts;
  facts.host_uid = mapping.host_uid;
  facts.host_gid = mapping.host_gid;
  facts.subuid_start = mapping.subuid_start;
  facts.subuid_count = mapping.subuid_count;
  facts.subgid_start = mapping.subgid_start;
  facts.subgid_count = mapping.subgid_count;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  facts.host_hostname = host;
  facts.container_id = record.id;
  facts.cgroup2 = cgroup2_host();
  // Sharing another's network, the container has that one's names too.
  if (network_owner) {
    merged.hostname = network_owner->config.hostname;
    merged.domainname = network_owner->config.domainname;
  }
  record.config = merged;
  record.command = merged.entrypoint.value_or(std::vector<std::string>{});
  if (merged.cmd) record.command.insert(record.command.end(), merged.cmd->begin(), merged.cmd->end());
  record.config.hostname = container_hostname(merged, options.host, facts);
  record.host_config = with_daemon_defaults(options.host, facts);
  record.endpoint = options.endpoint;
  // docker records the container by id.
  if (network_owner) record.host_config.network_mode = "container:" + network_owner->id;
  facts.layer_dirs = layer_dirs;
  if (std::string mount_points = mount_point_layer(store, layer_dirs); !mount_points.empty())
    facts.layer_dirs.push_back(mount_points);
  facts.volatile_upper = options.host.auto_remove;
  if (asked.tty) facts.console_size = terminal_size();

  // Volumes named by the plan exist from here; the lock keeps volume rm and
  // prune off them until the record that names them is saved.
  VolumeStore volumes(store);
  std::optional<FileLock> volume_lock(volumes.lock(FileLock::kShared));
  std::vector<PlannedMount> plan = plan_mounts(merged, options.host, image_config.volumes,
                                               [&](const std::string& name) { return containers.find(name); });
  resolve_mounts(plan, volumes);
  record_mounts(plan, record);

  // From here an INT or TERM must not end hutch outright, which would leave
  // the record behind: it waits, and the monitor's start turns it into
  // Interrupted (start_attached_monitor).
  hold_signals();
  containers.create(record);
  content.reset();
  volume_lock.reset();
  ContainerScope scope(store, containers, record, !mapping.has_range());
  std::string dir = store.container_dir(record.id);
  facts.upper_dir = dir + "/upper";
  facts.work_dir = dir + "/work";
  facts.rootfs = store.rootfs_mount_point();
  // A recycled directory has them already.
  for (const auto& sub : {facts.upper_dir, facts.work_dir})
    if (mkdir(sub.c_str(), 0755) < 0 && errno != EEXIST) fail_errno("mkdir %s", sub.c_str());
  // Stores made before the mount point existed get it on their first run.
  if (mkdir(facts.rootfs.c_str(), 0755) < 0 && errno != EEXIST) fail_errno("mkdir %s", facts.rootfs.c_str());
  facts.mounts = network_owner ? etc_file_mounts(store.container_dir(network_owner->id))
                               : write_etc_files(dir, record.config.hostname, etc_network(options.host, merged, links));
  if (options.host.readonly_rootfs)
    for (auto& m : facts.mounts) m.options.push_back("ro");
  create_missing_bind_sources(plan);
  for (const auto& planned : plan) {
    oci::Mount m = to_oci_mount(planned);
    ResolvedMount resolved{m.source, m.destination, m.options, m.type};
    // hutch's mount option: the runtime fills the empty volume with what the
    // image has at the mount point before it mounts it there.
    if (needs_copy_up(planned)) resolved.options.push_back("copyup");
    facts.mounts.push_back(std::move(resolved));
  }
  oci::Config spec = build_spec(merged, options.host, facts);
  // The bundle: the config alone says how this container was made. Nothing
  // reads it before the runtime is given it.
  write_file_in_place(dir + "/config.json", oci::write_config(spec));
  log_phase("container recorded");
  cidfile.write(record.id);

  scope.hand_over();
  if (options.create_only || options.detach) {
    if (!options.create_only) start_monitor(store, record.id);
    printf("%s\n", record.id.c_str());
    return 0;
  }
  // In the foreground, as docker's client does: attached to the monitor
  // from before the start, until the container exits or the user detaches.
  AttachHello hello;
  hello.in = asked.attach_stdin && asked.open_stdin;
  hello.out = asked.attach_stdout;
  hello.err = asked.attach_stderr;
  hello.owner = true;
  hello.fresh = true;
  AttachedMonitor monitor = start_attached_monitor(store, record.id, hello);
  log_phase("command started");
  AttachSession session;
  session.relay_stdin = hello.in;
  session.tty = asked.tty;
  session.sig_proxy = options.sig_proxy;
  session.detach_keys = options.detach_keys;
  // docker's client waits for no output it was not asked to show: it prints
  // the id, as for -d, and leaves once the input is in.
  bool no_output = !asked.attach_stdout && !asked.attach_stderr;
  session.detach_at_input_end = no_output;
  if (no_output) {
    printf("%s\n", record.id.c_str());
    fflush(stdout);
  }
  AttachEnd end = attach_session(monitor.socket.get(), session);
  log_phase("command exited");
  return end_attached(end, monitor.pid);
}

void rewrite_etc_files(const Store& store, const ContainerRecord& record) {
  // A container sharing another's network shares its files too.
  if (!network_container(record.host_config).empty()) return;
  write_etc_files(store.container_dir(record.id), record.config.hostname,
                  etc_network(record.host_config, record.config, link_host_names(store, record.host_config)));
}

}  // namespace hutch
