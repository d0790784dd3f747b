// A container's mounts put together as docker's daemon does, then resolved
// against the store:
//
//   plan_mounts       pure: --volumes-from, -v binds, --mount, --tmpfs, then
//                     anonymous volumes (-v /path and the image's VOLUMEs)
//                     where nothing else is mounted; docker's duplicate rules;
//                     ordered parents first
//   resolve_mounts    at create: volumes created or found, their directories;
//                     a --mount bind's missing source refused
//   create_missing_bind_sources   at start: -v's missing host directories
//   needs_copy_up     docker's copy of the image's content into a volume
//   record_mounts     what the container record keeps of them
//   to_oci_mount      what the runtime mounts
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "container/mount_options.h"
#include "container/run_options.h"
#include "runtime/oci_config.h"
#include "store/containers.h"
#include "store/volumes.h"

namespace hutch {

// Finds the record of a container --volumes-from names; throws "No such
// container: X" (ContainerStore::find does).
using FindContainer = std::function<ContainerRecord(const std::string& name_or_id)>;

// config.volumes: -v /path (and, in a merged config, the image's VOLUMEs
// again: they count once); image_volumes: the image config's Volumes keys
// (relative ones are taken from /, as docker does). Later --volumes-from
// entries and then -v, --mount and --tmpfs replace what an earlier one put at
// a destination; -v, --mount and --tmpfs at the same destination are refused
// ("Duplicate mount point: /x"), a --tmpfs given twice counts once (the
// last). An anonymous volume is made only where nothing else is mounted. The
// result is ordered by the depth of the destination (docker's order: a parent
// before what is mounted inside it), otherwise as given. Throws the messages
// of mount_options.h, "invalid name or ID supplied: \"\"", and for -v of a
// relative or root path "invalid volume specification: 'x': invalid mount
// config for type \"volume\": invalid mount path: 'x' mount path must be
// absolute" (docker takes a relative one from / silently; docker's own
// words for the same fault elsewhere).
std::vector<PlannedMount> plan_mounts(const ContainerConfig& config, const HostConfig& host,
                                      const std::vector<std::string>& image_volumes, const FindContainer& find);

// At container creation, with volumes.lock(kShared) held until the record
// naming the volumes is saved: creates named volumes that do not exist (with
// a --mount's volume-label, volume-opt, volume-driver) and every anonymous
// one; sets each volume mount's source (and tmpfs options for a tmpfs-option
// volume); refuses a --mount bind whose source does not exist ("invalid
// mount config for type \"bind\": bind source path does not exist: X").
void resolve_mounts(std::vector<PlannedMount>& mounts, const VolumeStore& volumes);

// At start, as the user (docker creates them as root): makes the missing
// host directories of -v binds, mode 0755.
void create_missing_bind_sources(const std::vector<PlannedMount>& mounts);

// docker's copy-up: a volume (not nocopy, not a tmpfs, not one copied by
// --volumes-from) whose directory is empty gets the image's content at the
// mount point before the container first uses it, so a fresh volume at /etc
// starts as the image's /etc. The copy itself (when the image has content
// there; docker refuses a file there: "source ... is not directory") happens
// in the container's mount namespace at start.
bool needs_copy_up(const PlannedMount& mount);

// Fills the record's mounts (inspect's "Mounts"), volumes and
// anonymous_volumes from the resolved mounts.
void record_mounts(const std::vector<PlannedMount>& mounts, ContainerRecord& record);

// The OCI mount: a bind ("rbind" or "bind", "ro", the propagation) or a tmpfs
// (source "tmpfs", its options, the propagation).
oci::Mount to_oci_mount(const PlannedMount& mount);

}  // namespace hutch
