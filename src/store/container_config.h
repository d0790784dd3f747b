// A container's Engine API Config and HostConfig (as `docker inspect` prints
// them, in snake_case here). Flag parsing fills them (container/run_options.h),
// the spec builder reads them, the container record keeps them, and inspect
// and commit print and reuse them: one struct for all four. They live here,
// below container/, because the record that keeps them is the store's.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hutch {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Engine API NetworkingConfig's one endpoint: on a user network, --ip and
// --network-alias.
struct EndpointConfig {
  std::string ipv4_address;
  std::vector<std::string> aliases;
};

// Engine API "Config". In RunOptions it holds only what the flags said (an
// empty field: not given; --entrypoint "" is an empty, present entrypoint); in
// a container record, the image's config with the flags applied, before the
// runtime's defaults such as PATH (what commit builds on).
struct ContainerConfig {
  std::string hostname;
  std::string domainname;
  std::string mac_address;  // --mac-address
  std::string user;
  bool attach_stdin = false;
  bool attach_stdout = true;
  bool attach_stderr = true;
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  // From the flags: the --env-file entries, then the -e ones, a bare NAME
  // already NAME=VALUE when the caller's environment has it (docker's CLI does
  // this; a NAME left bare unsets the variable). See env_from_flags.
  std::vector<std::string> env;
  std::optional<std::vector<std::string>> cmd;         // null when neither image nor run gave one
  std::string healthcheck_json;                        // the image's Healthcheck, as JSON; empty: none
  bool args_escaped = false;                           // the image's ArgsEscaped (comes with its Cmd)
  std::string image;                                   // as the user named it
  std::vector<std::string> volumes;                    // mount points: the image's VOLUMEs and -v /path
  std::string working_dir;
  std::optional<std::vector<std::string>> entrypoint;  // null when none
  KeyValues labels;
  std::string stop_signal;
  std::optional<int> stop_timeout;                     // seconds stop waits before SIGKILL; unset: 10
  std::vector<std::string> exposed_ports;              // "80/tcp"
};

// HostConfig.RestartPolicy: what the monitor does when the container exits.
struct RestartPolicy {
  std::string name = "no";  // no | always | unless-stopped | on-failure
  int maximum_retry_count = 0;  // on-failure's :N; 0: no limit
};

// HostConfig.LogConfig: where the monitor writes the container's output.
struct LogConfig {
  std::string type = "json-file";  // json-file | local | none
  KeyValues config;                // --log-opt KEY=VALUE
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

// One host address a container port is published on (HostConfig.PortBindings,
// NetworkSettings.Ports). In PortBindings HostPort "" is any free port and
// "8000-8010" the first free one of a range; in a record's ports, the port
// taken.
struct PortBinding {
  std::string host_ip;    // "" for every address
  std::string host_port;
};
// "80/tcp" -> its bindings, in the order -p gave them (docker's map).
using PortBindings = std::vector<std::pair<std::string, std::vector<PortBinding>>>;

// Engine API "HostConfig": how the host provides for the container.
struct HostConfig {
  std::vector<std::string> binds;  // -v as given: HOST:CTR[:OPTS], NAME:CTR[:OPTS]
  std::string network_mode = "default";
  PortBindings port_bindings;  // -p
  bool publish_all_ports = false;  // -P
  bool auto_remove = false;
  std::string container_id_file;  // --cidfile
  RestartPolicy restart_policy;
  LogConfig log_config;
  std::vector<std::string> volumes_from;  // NAME[:ro|rw]
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::vector<std::string> dns;
  std::vector<std::string> dns_options;
  std::vector<std::string> dns_search;
  std::vector<std::string> extra_hosts;
  std::vector<std::string> group_add;
  std::vector<std::string> links;  // --link as docker records it: /NAME:/CONTAINER/ALIAS
  std::string ipc_mode = "private";
  std::string pid_mode;
  std::string uts_mode;
  std::string userns_mode;
  std::string cgroupns_mode;  // empty: the daemon's default (container/spec_builder.h with_daemon_defaults)
  bool privileged = false;
  bool readonly_rootfs = false;
  std::vector<std::string> security_opt;
  KeyValues tmpfs;  // --tmpfs PATH[:OPTS]: path -> options
  int64_t shm_size = 64 * 1024 * 1024;
  KeyValues sysctls;
  KeyValues annotations;  // --annotation: into the OCI config's annotations
  std::vector<MountSpec> mounts;
  std::optional<int> oom_score_adj;
  std::optional<bool> init;
  // Unset: docker's lists, or none with --privileged or systempaths=unconfined
  // (resolved before the record keeps them, as docker's daemon does).
  std::optional<std::vector<std::string>> masked_paths;
  std::optional<std::vector<std::string>> readonly_paths;
};

}  // namespace hutch
