// docker's rules, as one pure function: the image config, the run options and
// the host's facts in, the OCI runtime config out. Every docker default lives
// here (capabilities, masked and read-only paths, /dev, the shm size, which
// namespaces to create, HOME), so the runtime below does only what the config
// says. Nothing here touches the filesystem or the process.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "container/run_options.h"
#include "image/image_config.h"
#include "runtime/oci_config.h"

namespace hutch {

// One mount the builder has already resolved to a host path: a bind's source
// checked, a named or anonymous volume's directory, the /etc files written
// for this container.
struct ResolvedMount {
  std::string source;       // host path
  std::string destination;  // absolute path in the container
  std::vector<std::string> options;  // OCI mount options: "rbind", "ro", "rprivate", ...
  std::string type = "bind";
};

struct HostFacts {
  // The id mapping in force: container 0 is the invoking user; with a
  // subordinate range, 1..N map to it.
  uint32_t host_uid = 0;
  uint32_t host_gid = 0;
  uint32_t subuid_start = 0, subuid_count = 0;
  uint32_t subgid_start = 0, subgid_count = 0;
  std::string host_hostname;  // for --network host
  bool cgroup2 = false;       // the host's cgroup hierarchy is v2 (unified)
  std::string container_id;   // 64 hex digits; its first 12 are the default hostname
  // The overlay: lower directories base first, the container's upper and work.
  std::vector<std::string> layer_dirs;
  std::string upper_dir, work_dir, rootfs;
  bool volatile_upper = false;  // --rm: nothing of the upper layer survives
  std::vector<ResolvedMount> mounts;  // /etc files, volumes, binds, tmpfs: in order
  std::optional<oci::ConsoleSize> console_size;  // the caller's terminal, with -t
};

// The merged Config (image + flags) that the container record keeps; throws
// Error with docker's message when the flags cannot apply ("No command
// specified", a relative working directory, -h with --uts host). Its hostname
// stays as the flags gave it: container_hostname() is what the record shows
// (and build_spec takes either).
ContainerConfig merge_config(const ImageConfig& image, const RunOptions& options);

// The hostname docker records in Config.Hostname and gives HOSTNAME: -h's, or
// the host's with --network host, or the id's first 12 digits.
std::string container_hostname(const ContainerConfig& merged, const HostConfig& host, const HostFacts& facts);

// HostConfig as docker's daemon completes it before the record keeps it: the
// cgroup namespace mode (host on a v1 host, private on v2), a shm size of 0
// meaning 64 MiB, the masked and read-only paths. build_spec applies the same.
HostConfig with_daemon_defaults(HostConfig host, const HostFacts& facts);

// Throws Error when an option has no rootless meaning or is malformed. The
// config has what docker's does, translated for a user namespace (see
// spec_builder.cc): no linux.devices, since the runtime supplies the spec's
// default devices (bound from the host: nothing can be mknod'ed) and the
// /dev links itself; the user's -u form in the run.hutch.user annotation.
oci::Config build_spec(const ContainerConfig& merged, const HostConfig& host, const HostFacts& facts);

}  // namespace hutch
