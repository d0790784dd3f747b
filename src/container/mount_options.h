// docker's mount syntaxes, parsed with docker's rules and messages, in the
// two steps docker takes: its CLI turns -v, --mount and --tmpfs into the run
// options' Engine API fields (HostConfig.Binds, .Mounts, .Tmpfs,
// Config.Volumes), and its daemon parses those fields into mounts (here
// PlannedMount). Everything here is pure: mount_plan.h puts the mounts of a
// container together and resolves them against the store.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "container/run_options.h"

namespace hutch {

// ---- The CLI's step: flag values into RunOptions ----

// -v/--volume VALUE, as docker's CLI sorts it: HOST:CTR[:OPTS] and
// NAME:CTR[:OPTS] go to host.binds, a lone PATH to config.volumes (an
// anonymous volume). A host path starting with "." is made absolute against
// `cwd` (docker 23+). A value given twice counts once. Throws docker's
// "invalid empty volume spec", "invalid spec: V: too many colons", "invalid
// spec: V: empty section between colons".
void add_volume_flag(const std::string& value, const std::string& cwd, ContainerConfig& config, HostConfig& host);

// --mount VALUE: one CSV record (Go's quoting) of key=value fields: type,
// source/src, target/destination/dst, readonly/ro[=BOOL], consistency,
// bind-propagation, bind-nonrecursive[=BOOL], volume-nocopy[=BOOL],
// volume-label, volume-driver, volume-opt (repeatable), tmpfs-size (64m,
// 1.5g), tmpfs-mode (octal). Keys are case-insensitive; the type defaults to
// volume; a source starting with "." is made absolute against `cwd` (docker
// 28 does, whatever the type). Throws the
// whole message docker prints: invalid argument "V" for "--mount" flag:
// unexpected key 'foo' in 'foo=bar' (or: target is required, cannot mix
// 'bind-*' options with mount type 'volume', invalid value for tmpfs-size: x,
// a CSV parse error...).
MountSpec parse_mount_flag(const std::string& value, const std::string& cwd);

// --tmpfs PATH[:OPTS] as the CLI splits it, for HostConfig.tmpfs; checked
// when the mounts are planned (parse_tmpfs).
std::pair<std::string, std::string> parse_tmpfs_flag(const std::string& value);

// ---- The daemon's step: Engine API fields into mounts ----

enum class MountKind { kBind, kVolume, kTmpfs };
const char* mount_kind_name(MountKind kind);  // "bind", "volume", "tmpfs"

// One mount to make, in docker's terms. Parsing fills what the text says;
// resolve_mounts (mount_plan.h) fills a volume's name and directory.
struct PlannedMount {
  MountKind kind = MountKind::kBind;
  // bind: the host path (cleaned); volume: the directory mounted (its _data,
  // or the directory a bind-option volume names), set by resolve_mounts;
  // "" for a tmpfs and a tmpfs-option volume.
  std::string source;
  std::string destination;  // absolute and cleaned
  bool read_only = false;
  std::string mode;         // -v's options as given, inspect's "Mode"
  std::string propagation;  // rprivate unless given (volumes: always rprivate)
  bool recursive = true;    // rbind; --mount bind-nonrecursive: bind
  // -v HOST:CTR: docker creates a missing host directory (at start); for
  // --mount type=bind a missing source is an error.
  bool create_source = false;
  // A volume the image's content is never copied into: -v ...:nocopy,
  // volume-nocopy, and the mounts --volumes-from copies.
  bool nocopy = false;
  // tmpfs: docker's defaults (noexec, nosuid, nodev) merged with the options
  // given, in kernel syntax ("size=65536k", "mode=1777"); no size is
  // docker's default too (the kernel's: half of the memory). A tmpfs-option
  // volume: its "o" words.
  std::vector<std::string> tmpfs_options;
  bool tmpfs_volume = false;  // a volume created with -o type=tmpfs: mounted as a fresh tmpfs
  // volume
  std::string volume_name;  // "" for an anonymous volume until resolved
  bool anonymous = false;   // mounted without a name: rm -v and run --rm remove it
  std::map<std::string, std::string> volume_labels;   // for a volume this mount creates
  std::map<std::string, std::string> volume_options;
  std::string volume_driver = "local";
  // The destination as given, for docker's "Duplicate mount point" of a --mount.
  std::string given_destination;

  bool is_tmpfs() const { return kind == MountKind::kTmpfs || tmpfs_volume; }
};

// One HostConfig.Binds entry, as docker's daemon parses it: [SRC:]DST[:MODE],
// SRC absolute for a bind, else a volume name; MODE a comma list of at most
// one each of ro|rw, z|Z (accepted and ignored: SELinux relabelling, which
// needs SELinux and root), a propagation (binds only), nocopy (volumes only),
// consistent|cached|delegated (ignored, as docker on Linux does). Throws
// "invalid volume specification: 'V'", "invalid mode: M", "invalid volume
// specification: 'V': invalid mount config for type \"bind\": ...".
PlannedMount parse_bind(const std::string& raw);

// One HostConfig.Mounts entry. Throws "invalid mount config for type \"T\":
// ..." (mount type unknown, field Source must not be empty, invalid
// propagation mode: X, must not set ReadOnly mode when using anonymous
// volumes, ...) and "create NAME: ..." for a bad volume name.
PlannedMount parse_mount_spec(const MountSpec& spec);

// One HostConfig.Tmpfs entry. Throws "invalid mount path: 't' mount path must
// be absolute", "invalid specification: destination can't be '/'", "invalid
// tmpfs option [\"bogus\"]".
PlannedMount parse_tmpfs(const std::string& path, const std::string& options);

// One --volumes-from entry: CONTAINER[:ro|rw] (z and Z are accepted, as
// docker does). Throws "volumes-from specification cannot be an empty
// string", "invalid mode: M".
struct VolumesFrom {
  std::string container;
  bool read_only = false;
};
VolumesFrom parse_volumes_from(const std::string& spec);

}  // namespace hutch
