// What a container was asked to be, in the shape and with the field names of
// the Docker Engine API's Config and HostConfig (as `docker inspect` prints
// them, in snake_case here). Flag parsing fills them, the spec builder reads
// them, the container record keeps them, and inspect and commit print and
// reuse them: one struct for all four.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hutch {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Engine API "Config". In RunOptions it holds only what the flags said (an
// empty field: not given; --entrypoint "" is an empty, present entrypoint); in
// a container record, the image's config with the flags applied, before the
// runtime's defaults such as PATH (what commit builds on).
struct ContainerConfig {
  std::string hostname;
  std::string domainname;
  std::string user;
  bool attach_stdin = false;
  bool attach_stdout = true;
  bool attach_stderr = true;
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  std::vector<std::string> env;
  std::optional<std::vector<std::string>> cmd;         // null when neither image nor run gave one
  std::string image;                                   // as the user named it
  std::vector<std::string> volumes;                    // mount points: the image's VOLUMEs and -v /path
  std::string working_dir;
  std::optional<std::vector<std::string>> entrypoint;  // null when none
  KeyValues labels;
  std::string stop_signal;
};

// One --mount (Engine API HostConfig.Mounts item).
struct MountSpec {
  std::string type;  // bind | volume | tmpfs
  std::string source;
  std::string target;
  bool read_only = false;
  std::string consistency;
  // bind
  std::string bind_propagation;  // private rprivate shared rshared slave rslave; empty: rprivate
  bool bind_nonrecursive = false;
  // volume
  bool volume_nocopy = false;
  KeyValues volume_labels;
  std::string volume_driver;
  KeyValues volume_driver_options;
  // tmpfs
  int64_t tmpfs_size = 0;  // bytes; 0: unlimited (the kernel's half of memory)
  uint32_t tmpfs_mode = 0;  // 0: 1777
};

// Engine API "HostConfig": how the host provides for the container.
struct HostConfig {
  std::vector<std::string> binds;  // -v as given: HOST:CTR[:OPTS], NAME:CTR[:OPTS]
  std::string network_mode = "default";
  bool auto_remove = false;
  std::vector<std::string> volumes_from;  // NAME[:ro|rw]
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::vector<std::string> dns;
  std::vector<std::string> dns_options;
  std::vector<std::string> dns_search;
  std::vector<std::string> extra_hosts;
  std::vector<std::string> group_add;
  std::string ipc_mode = "private";
  std::string pid_mode;
  std::string uts_mode;
  std::string userns_mode;
  std::string cgroupns_mode = "private";
  bool privileged = false;
  bool readonly_rootfs = false;
  std::vector<std::string> security_opt;
  KeyValues tmpfs;  // --tmpfs PATH[:OPTS]: path -> options
  int64_t shm_size = 64 * 1024 * 1024;
  KeyValues sysctls;
  std::vector<MountSpec> mounts;
  std::optional<int> oom_score_adj;
  std::optional<bool> init;
};

// What `hutch run` / `create` was asked for, after flag parsing and before any
// decision: the two Engine API structs plus what only the CLI knows.
struct RunOptions {
  ContainerConfig config;
  HostConfig host;
  std::string name;
  std::vector<std::string> env_files;  // read into config.env before anything else
  std::string pull = "missing";        // always | missing | never
  std::string platform;
};

}  // namespace hutch
