// build_spec: docker's defaults and its flags' meaning, as an OCI config for
// a container in a user namespace. Where docker's config.json cannot work
// without privilege, the nearest thing that does is written instead, and said
// so where it is done (spec_mounts.cc for the mounts).
#include "container/spec_builder.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"
#include "container/capabilities.h"
#include "container/docker_defaults.h"
#include "container/docker_init.h"
#include "container/environment.h"
#include "container/network_mode.h"
#include "container/spec_plan.h"

namespace hutch {

namespace {

constexpr int64_t kDefaultShmSize = 64 * 1024 * 1024;

bool is_container_mode(const std::string& mode) { return mode.compare(0, 10, "container:") == 0; }

[[noreturn]] void not_supported(const char* flag, const std::string& mode) {
  fail("%s %s: sharing another container's namespace is not supported yet", flag, mode.c_str());
}

std::optional<uint32_t> parse_id(const std::string& text) {
  auto digit = [](char c) { return isdigit((unsigned char)c) != 0; };
  if (text.empty() || text.size() > 10 || !std::all_of(text.begin(), text.end(), digit)) return std::nullopt;
  unsigned long long n = strtoull(text.c_str(), nullptr, 10);
  if (n > 0xffffffffULL) return std::nullopt;
  return (uint32_t)n;
}

// Go's strconv.ParseBool, which docker uses for no-new-privileges:VALUE.
std::optional<bool> parse_go_bool(const std::string& s) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    if (s == t) return true;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    if (s == f) return false;
  return std::nullopt;
}

struct SecurityOptions {
  bool no_new_privileges = false;
};

// docker's rules for --security-opt. Labels and AppArmor profiles are
// accepted and have no effect, as on a docker host without SELinux or
// AppArmor; a seccomp profile is refused until profiles are supported.
SecurityOptions parse_security_opts(const std::vector<std::string>& opts) {
  SecurityOptions out;
  for (const auto& opt : opts) {
    if (opt == "no-new-privileges") {
      out.no_new_privileges = true;
      continue;
    }
    if (opt == "disable") continue;  // label=disable's old spelling
    size_t sep = opt.find('=');
    if (sep == std::string::npos) sep = opt.find(':');
    if (sep == std::string::npos) fail("Invalid --security-opt: \"%s\"", opt.c_str());
    std::string key = opt.substr(0, sep), value = opt.substr(sep + 1);
    if (key == "label" || key == "apparmor") continue;
    if (key == "seccomp" && value == "unconfined") continue;
    if (key == "seccomp") fail("--security-opt seccomp: only \"unconfined\" is supported yet (no seccomp profile is applied)");
    if (key == "systempaths" && value == "unconfined") continue;  // see masked_paths()
    auto flag = key == "no-new-privileges" ? parse_go_bool(value) : std::nullopt;
    if (!flag) fail("invalid --security-opt 2: \"%s\"", opt.c_str());
    out.no_new_privileges = *flag;
  }
  return out;
}

// docker's CLI allows only namespaced sysctls; runc then refuses those whose
// namespace the container shares with the host.
void check_sysctl(const std::string& key, const std::string& value, const NamespacePlan& plan) {
  static const char* const kIpc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",  "kernel.sem",
                                     "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  bool ipc = key.compare(0, 10, "fs.mqueue.") == 0 ||
             std::any_of(std::begin(kIpc), std::end(kIpc), [&](const char* k) { return key == k; });
  bool net = key.compare(0, 4, "net.") == 0;
  if (!ipc && !net) {
    std::string both = key + "=" + value;
    fail("invalid argument \"%s\" for \"--sysctl\" flag: sysctl '%s' is not whitelisted", both.c_str(), both.c_str());
  }
  if (ipc && !plan.ipc) fail("sysctl \"%s\" is not allowed in the hosts ipc namespace", key.c_str());
  if (net && !plan.network) fail("sysctl \"%s\" is not allowed in the hosts network namespace", key.c_str());
}

// The flags' sysctls, and docker's two for a network of the container's own:
// any port may be bound, and any group may ping. Only mapped groups can be
// named in a user namespace, so "any group" is 0 up to the last mapped one.
std::vector<std::pair<std::string, std::string>> sysctls(const HostConfig& host, const HostFacts& facts,
                                                         const NamespacePlan& plan) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : host.sysctls) {
    check_sysctl(key, value, plan);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != out.end()) it->second = value;
    else out.emplace_back(key, value);
  }
  auto set_default = [&](const char* key, const std::string& value) {
    if (std::none_of(out.begin(), out.end(), [&](const auto& kv) { return kv.first == key; }))
      out.emplace_back(key, value);
  };
  if (plan.network) {
    set_default("net.ipv4.ip_unprivileged_port_start", "0");
    set_default("net.ipv4.ping_group_range", "0 " + std::to_string(facts.subgid_count));
  }
  std::sort(out.begin(), out.end());
  return out;
}

oci::User process_user(const std::string& user, const HostConfig& host) {
  oci::User u;
  size_t colon = user.find(':');
  if (auto uid = parse_id(user.substr(0, colon))) u.uid = *uid;
  if (colon != std::string::npos)
    if (auto gid = parse_id(user.substr(colon + 1))) u.gid = *gid;
  for (const auto& group : host.group_add) {
    auto gid = parse_id(group);
    if (!gid) fail("--group-add %s: only numeric groups are supported yet", group.c_str());
    u.additional_gids.push_back(*gid);
  }
  return u;
}

oci::Process build_process(const ContainerConfig& merged, const HostConfig& host, const HostFacts& facts,
                           const SecurityOptions& security) {
  oci::Process p;
  if (merged.entrypoint) p.args = *merged.entrypoint;
  if (merged.cmd) p.args.insert(p.args.end(), merged.cmd->begin(), merged.cmd->end());
  if (p.args.empty()) fail("No command specified");

  std::vector<std::string> defaults = {kDefaultPathEnv, "HOSTNAME=" + container_hostname(merged, host, facts)};
  if (merged.tty) defaults.push_back("TERM=xterm");
  p.env = process_env(defaults, merged.env);
  // An empty HOME counts as none (runc's rule): the runtime then takes the
  // user's from /etc/passwd, as docker shows with `-e HOME=`.
  p.env.erase(std::remove(p.env.begin(), p.env.end(), "HOME="), p.env.end());

  p.cwd = merged.working_dir.empty() ? "/" : merged.working_dir;
  if (p.cwd[0] != '/')
    fail("the working directory '%s' is invalid, it needs to be an absolute path", p.cwd.c_str());
  p.terminal = merged.tty;
  if (merged.tty) p.console_size = facts.console_size;
  p.user = process_user(merged.user, host);

  // docker gives a non-root user only the bounding set, as its exec would
  // leave it. A user named in the image may be root: it gets the three sets,
  // which exec clears anyway for any other uid.
  std::vector<std::string> caps = container_capabilities(host);
  oci::Capabilities c;
  c.bounding = caps;
  bool non_root = parse_id(merged.user.substr(0, merged.user.find(':'))).value_or(0) != 0;
  if (!non_root) c.effective = c.permitted = caps;
  p.capabilities = c;

  p.no_new_privileges = security.no_new_privileges;
  if (host.oom_score_adj) {
    if (*host.oom_score_adj < -1000 || *host.oom_score_adj > 1000)
      fail("Invalid value %d, range for oom score adj is [-1000, 1000]", *host.oom_score_adj);
    p.oom_score_adj = host.oom_score_adj;
  }
  return p;
}

std::vector<oci::IdMap> id_map(uint32_t host_id, uint32_t start, uint32_t count) {
  std::vector<oci::IdMap> out = {{0, host_id, 1}};
  if (count > 0) out.push_back({1, start, count});
  return out;
}

}  // namespace

NamespacePlan plan_namespaces(const HostConfig& host) {
  NamespacePlan plan;
  plan.privileged = host.privileged;
  const std::string& net = host.network_mode;
  // container:X's namespace is joined where it is made (the monitor finds X's).
  // A user network's is made here too, and wired by its keeper.
  if (net == "host") plan.network = false;

  const std::string& ipc = host.ipc_mode;
  if (ipc == "host") plan.ipc = false;
  else if (ipc == "none") plan.ipc_none = true;
  else if (is_container_mode(ipc)) not_supported("--ipc", ipc);
  else if (!ipc.empty() && ipc != "private" && ipc != "shareable") fail("Invalid IPC mode: %s", ipc.c_str());

  if (host.pid_mode == "host") plan.pid = false;
  else if (is_container_mode(host.pid_mode)) not_supported("--pid", host.pid_mode);
  else if (!host.pid_mode.empty()) fail("--pid: invalid PID mode");

  if (host.uts_mode == "host") plan.uts = false;
  else if (!host.uts_mode.empty()) fail("--uts: invalid UTS mode");

  // The container always has its user namespace; "host" is docker's name for
  // not adding one more, which is what happens.
  if (!host.userns_mode.empty() && host.userns_mode != "host") fail("--userns: invalid USER mode");

  if (host.cgroupns_mode == "private") plan.cgroup = true;
  else if (host.cgroupns_mode != "host") fail("--cgroupns: invalid CGROUP mode");
  return plan;
}

std::string container_hostname(const ContainerConfig& merged, const HostConfig& host, const HostFacts& facts) {
  if (!merged.hostname.empty()) return merged.hostname;
  if (host.network_mode == "host") return facts.host_hostname;
  return facts.container_id.substr(0, 12);
}

HostConfig with_daemon_defaults(HostConfig host, const HostFacts& facts) {
  if (host.cgroupns_mode.empty()) host.cgroupns_mode = facts.cgroup2 ? "private" : "host";
  if (host.shm_size < 0) fail("SHM size can not be less than 0");
  if (host.shm_size == 0) host.shm_size = kDefaultShmSize;
  if (!host.privileged) {
    if (!host.masked_paths) host.masked_paths = masked_paths(host);
    if (!host.readonly_paths) host.readonly_paths = readonly_paths(host);
  }
  return host;
}

oci::Config build_spec(const ContainerConfig& merged, const HostConfig& given, const HostFacts& facts) {
  HostConfig host = with_daemon_defaults(given, facts);
  NamespacePlan plan = plan_namespaces(host);
  SecurityOptions security = parse_security_opts(host.security_opt);

  oci::Config spec;
  spec.process = build_process(merged, host, facts, security);
  spec.root = {facts.rootfs, host.readonly_rootfs};
  // Without a UTS namespace of its own the container has the host's names
  // (merge_config refused flags that asked otherwise).
  if (plan.uts) {
    spec.hostname = container_hostname(merged, host, facts);
    spec.domainname = merged.domainname;
  }
  spec.mounts = spec_mounts(host, facts, plan);
  // docker's --init: its init runs the command, bound read-only where
  // docker binds it (from a copy made at each start: container/docker_init.h).
  if (host.init.value_or(false)) {
    spec.process.args.insert(spec.process.args.begin(), {kInitPath, "--"});
    spec.mounts.push_back({kInitPath, "bind", kInitSource, {"bind", "ro"}});
  }
  // Resolved by the runtime in the container's own /etc/passwd, once its root
  // is mounted; "" is root, as for docker.
  spec.annotations = host.annotations;
  spec.annotations.emplace_back(oci::kUserAnnotation, merged.user.empty() ? "0" : merged.user);

  oci::Linux& lin = spec.linux;
  lin.namespaces.push_back({"user", ""});
  lin.namespaces.push_back({"mount", ""});
  if (plan.network) lin.namespaces.push_back({"network", ""});
  if (plan.uts) lin.namespaces.push_back({"uts", ""});
  if (plan.pid) lin.namespaces.push_back({"pid", ""});
  if (plan.ipc) lin.namespaces.push_back({"ipc", ""});
  if (plan.cgroup) lin.namespaces.push_back({"cgroup", ""});
  lin.uid_mappings = id_map(facts.host_uid, facts.subuid_start, facts.subuid_count);
  lin.gid_mappings = id_map(facts.host_gid, facts.subgid_start, facts.subgid_count);
  lin.sysctl = sysctls(host, facts, plan);
  lin.masked_paths = masked_paths(host);
  lin.readonly_paths = readonly_paths(host);
  return spec;
}

}  // namespace hutch
