// The OCI runtime configuration (runtime-spec 1.x config.json): the one seam
// between docker's semantics (container/) and Linux (runtime/). The runtime
// executes exactly what it says. Field names follow the spec's JSON names in
// snake_case; a field absent from the JSON keeps its default here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hutch::oci {

inline constexpr const char* kVersion = "1.0.2";

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;

  bool operator==(const User&) const = default;
};

// Capability names as the spec writes them ("CAP_CHOWN"); unknown names are
// refused when the config is parsed.
struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;

  bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t hard = 0;
  uint64_t soft = 0;

  bool operator==(const Rlimit&) const = default;
};

struct ConsoleSize {
  unsigned height = 0;
  unsigned width = 0;

  bool operator==(const ConsoleSize&) const = default;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  std::string apparmor_profile;  // refused when set: no AppArmor rootless
  std::string selinux_label;     // refused when set

  bool operator==(const Process&) const = default;
};

struct Root {
  std::string path;  // relative paths are relative to the bundle
  bool readonly = false;

  bool operator==(const Root&) const = default;
};

// A mount whose destination is "/" is mounted on root.path itself, before any
// other: that is how hutch's overlay of the image layers is expressed.
struct Mount {
  std::string destination;
  std::string type;  // "bind", "tmpfs", "proc", "overlay", ... ; empty with "bind" in options
  std::string source;
  std::vector<std::string> options;

  bool operator==(const Mount&) const = default;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds

  bool operator==(const Hook&) const = default;
};

struct Hooks {
  std::vector<Hook> prestart;  // deprecated by the spec, still run (as runc does)
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;

  bool operator==(const Hooks&) const = default;
};

struct Namespace {
  std::string type;  // pid network mount ipc uts user cgroup time
  std::string path;  // empty: create a new one

  bool operator==(const Namespace&) const = default;
};

struct IdMap {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;

  bool operator==(const IdMap&) const = default;
};

struct Device {
  std::string type;  // c b u p
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;

  bool operator==(const Device&) const = default;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMap> uid_mappings;
  std::vector<IdMap> gid_mappings;
  std::vector<Device> devices;
  std::vector<std::pair<std::string, std::string>> sysctl;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::string rootfs_propagation;  // shared slave private unbindable (r-forms too)
  std::string mount_label;
  std::string cgroups_path;
  // Kept as JSON: resources are placed by the cgroup code, seccomp compiled by
  // runtime/seccomp; empty when absent.
  std::string resources_json;
  std::string seccomp_json;
  // JSON paths of Linux fields present in the document that hutch does not
  // implement ("linux.intelRdt", "process.scheduler", "mounts[3].uidMappings"),
  // kept so the runtime refuses them by name instead of ignoring them. Their
  // values are not kept: write_config does not write them back.
  std::vector<std::string> unsupported;

  bool has_namespace(std::string_view type) const {
    for (const auto& ns : namespaces)
      if (ns.type == type) return true;
    return false;
  }
  const Namespace* find_namespace(std::string_view type) const {
    for (const auto& ns : namespaces)
      if (ns.type == type) return &ns;
    return nullptr;
  }

  bool operator==(const Linux&) const = default;
};

struct Config {
  std::string oci_version = kVersion;
  Process process;
  Root root;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::vector<std::pair<std::string, std::string>> annotations;
  Linux linux;

  const std::string* annotation(std::string_view key) const {
    for (const auto& [k, v] : annotations)
      if (k == key) return &v;
    return nullptr;
  }

  bool operator==(const Config&) const = default;
};

// hutch's extensions, as annotations (crun's run.oci.* is the model): the
// runtime honours them and ignores none it does not know.
//   run.hutch.user: docker's -u form (name|uid[:group|gid]), resolved against
//     the container's /etc/passwd and /etc/group once its root is mounted; it
//     replaces process.user, and sets HOME from the entry when env lacks HOME.
inline constexpr const char* kUserAnnotation = "run.hutch.user";

// Throws Error naming the field ("config.json: process.args: ...") when the
// document is malformed, a required field is missing, or a value is invalid.
// Unknown fields are ignored, as the spec requires; so are the other
// platforms' sections (windows, solaris, vm, zos, freebsd).
//   - process is required (the spec allows its absence until start; hutch's
//     create readies the process, as runc's does);
//   - a relative mount destination is made absolute ("relative to /", as the
//     spec allows for Linux, deprecated);
//   - console_size is kept only when terminal is true (the spec says ignore it
//     otherwise);
//   - capability names and rlimit types must be known, namespace types unique,
//     and every path the spec says is absolute is.
Config parse_config(std::string_view json);
// Compact JSON; fields at their defaults are left out, as Go's omitempty does.
// parse_config(write_config(c)) == c for every c that parse_config returned
// with an empty linux.unsupported.
std::string write_config(const Config& config);

// The process object alone, as `runtime exec --process FILE` reads it;
// `document` names the file in errors.
Process parse_process(std::string_view json, const std::string& document);
std::string write_process(const Process& process);

}  // namespace hutch::oci
