// Container records: one directory per container, its state in container.json.
#pragma once
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "store/container_config.h"
#include "store/store.h"

namespace hutch {

// One of a container's mounts, with the fields of docker inspect's "Mounts".
struct MountPoint {
  std::string type;  // bind | volume | tmpfs
  std::string name;  // a volume's name
  std::string source;       // host path: the bind's source, the volume's directory
  std::string destination;  // in the container
  std::string driver;       // "local" for a volume
  std::string mode;         // -v's options as given: "ro", "z", "" (inspect's Mode)
  bool rw = true;
  std::string propagation;  // binds: rprivate unless given
  bool nonrecursive = false;  // --mount bind-nonrecursive (not in docker's Mounts)
};

// One probe of a health check, as inspect's State.Health.Log shows it.
struct HealthProbe {
  std::string start, end;  // RFC 3339, nanoseconds
  int exit_code = 0;       // 0 healthy, 1 unhealthy, -1 the probe could not run or timed out
  std::string output;      // the probe's stdout and stderr, cut at 4 KiB
};

struct HealthState {
  std::string status;  // starting | healthy | unhealthy; empty: no health check
  int failing_streak = 0;
  std::vector<HealthProbe> log;  // the last five probes
};

struct ContainerRecord {
  std::string id;  // 64 hex digits
  std::string name;
  std::string image;     // as the user named it
  Digest image_id;
  std::vector<std::string> command;  // entrypoint + cmd as run
  std::string created;
  std::string state = "created";  // created | running | restarting | exited
  int exit_code = 0;
  std::string error;  // why the last start failed (inspect's State.Error)
  int restart_count = 0;  // restarts by the policy since the last start
  // docker's HasBeenManuallyStopped: stop, kill or rm -f ended it, so no
  // policy restarts it (unless-stopped not even after a reboot).
  bool manually_stopped = false;
  // Frozen by `pause` until `unpause`: status() says "paused" while it runs.
  bool paused = false;
  HealthState health;  // kept while it runs, cleared when it starts
  std::string started_at;
  std::string finished_at;
  // The host ports the running container's published ports took
  // (NetworkSettings.Ports); empty when it is not running.
  PortBindings ports;
  // Its address on the engine's network while it runs; "" without one.
  std::string ip_address;
  // What it asked of its user network (none elsewhere).
  EndpointConfig endpoint;
  // The user networks it is on beside HostConfig.NetworkMode's (network
  // connect), with their addresses while it runs.
  struct ExtraNetwork {
    std::string name;
    EndpointConfig endpoint;
    std::string ip_address;
  };
  std::vector<ExtraNetwork> extra_networks;
  // Whether its record names the network (by name or id), first or not.
  bool on_network(const std::string& network_name, const std::string& network_id) const;
  // Its address on the network, "" when it has none there (by name or id).
  std::string address_on(const std::string& network_name, const std::string& network_id) const;
  // Off the network (by name or id): its next network becomes its first;
  // with none left it is on none, as docker's is then.
  void leave_network(const std::string& network_name, const std::string& network_id);
  pid_t monitor_pid = 0;  // the hutch process supervising it: run's, or a monitor
  unsigned long long monitor_start = 0;

  // As docker keeps them (and inspect shows them): Config is the image's
  // with the run flags applied, before the runtime's defaults such as PATH and
  // HOSTNAME, what `commit` builds on; HostConfig as the daemon completed it.
  ContainerConfig config;
  HostConfig host_config;
  // A record written before records kept their Config: its config is the
  // image's, which commit then keeps whole.
  bool config_from_image = false;

  // Its mounts in the order they are made; --volumes-from copies them.
  std::vector<MountPoint> mounts;
  // The volumes it mounts: a volume is in use while a record lists it.
  std::vector<std::string> volumes;
  // Those of them mounted without a name (-v /path, --mount without a source,
  // the image's VOLUMEs, or such a mount copied by --volumes-from): rm -v and
  // run --rm remove them when no other container uses them.
  std::vector<std::string> anonymous_volumes;

  // "running" (or paused) only while its supervisor is alive: a killed hutch
  // leaves a record that says running, but the container died with it.
  bool is_running() const;
  // Waiting to be restarted by its policy: its monitor lives.
  bool is_restarting() const;
  // The state as docker reports it: a record whose monitor died says
  // "exited", with 137 (the monitor's death killed the container).
  std::string status() const;
  int reported_exit_code() const;
  // A --rm container whose hutch died (kill -9) before removing it: docker
  // would have removed it when it ended, so nothing may treat it as present.
  bool is_abandoned() const;
};

class ContainerStore {
 public:
  explicit ContainerStore(const Store& store) : store_(store) {}

  // Claims the name atomically and creates the container's directory, or
  // takes one that recycle() kept. An empty name is replaced by a generated
  // one, retried until it is free.
  void create(ContainerRecord& record) const;
  void save(const ContainerRecord& record) const;
  // Claims new_name, records it, then lets the old name go.
  void rename(const ContainerRecord& record, const std::string& new_name) const;
  // Loads the record, applies change and saves it, under a lock on the
  // container's directory: the monitor and the commands that stop or rename
  // a container each change their own fields of one record. Returns the
  // record saved; throws "No such container" when it is gone.
  ContainerRecord update(const std::string& id, const std::function<void(ContainerRecord&)>& change) const;
  std::optional<ContainerRecord> load(const std::string& id) const;
  // Removes abandoned records on the way (best effort: what a removal from
  // outside the user namespace cannot delete is left to staging collection),
  // so that they block neither rmi nor prune nor show in ps.
  std::vector<ContainerRecord> list() const;
  // Finds by name, full id or unique id prefix; throws "No such container".
  ContainerRecord find(const std::string& name_or_id) const;
  // Moves the directory aside first, so a kill mid-removal leaves either the
  // whole container or garbage that the next collection removes.
  void remove(const ContainerRecord& record) const;
  // remove() for a container whose every process has exited and whose mount
  // namespace is gone: a directory whose container wrote nothing (upper/
  // empty, the etc files still plain files of ours) is kept, up to a few, for
  // create() to reuse. A container start then allocates almost no inodes,
  // which on ext4 without a journal grow dearer with every one freed in the
  // last minute, and on a network filesystem each cost a round trip.
  void recycle(const ContainerRecord& record) const;

 private:
  std::string claim_name(const std::string& name, const std::string& id) const;
  // claim_name for a name the user chose: checked, and refused in docker's
  // words when another container holds it.
  void claim_given_name(const std::string& name, const std::string& id) const;
  void release_name(const ContainerRecord& record) const;
  bool take_recycled(const std::string& dir) const;
  // overlay_marks: the attributes overlay left on upper/, for recycle() to clear.
  bool recyclable(const std::string& dir, std::vector<std::string>* overlay_marks) const;
  std::string generate_name() const;
  const Store& store_;
};

}  // namespace hutch
