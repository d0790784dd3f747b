// User networks of docker's "bridge" driver, kept in the store:
//
//   networks/ID.json   one network: Name, Id, Created, Driver, Subnet, ...
//
// and docker's three predefined ones (bridge, host, none), which are not
// files: they always exist and cannot be removed. A network record appears
// whole or not at all (written to a temporary name and renamed); its name is
// unique, under the networks lock (networks/.lock). Containers name a network
// in HostConfig.NetworkMode; as docker's endpoints, only the running ones keep
// it from removal (see networks.cc).
//
// What exists only while containers use it (the namespace, its bridge and
// its DNS) is container/network_keeper's, not the store's.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/lock.h"
#include "store/containers.h"
#include "store/store.h"

namespace hutch {

struct Network {
  std::string id;  // 64 hex digits
  std::string name;
  std::string driver = "bridge";  // user networks: only "bridge"
  std::string scope = "local";
  std::string created;  // RFC 3339 with nanoseconds, local time, as docker's inspect
  // IPv4 only: "172.18.0.0/16" and "172.18.0.1". Empty for host and none.
  std::string subnet;
  std::string gateway;
  bool internal = false;    // no route out of the network
  bool attachable = false;  // --attachable, kept and shown
  bool ipv6 = false;        // --ipv6: refused for now, kept false
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;  // -o/--opt, kept and shown
  bool predefined() const { return name == "bridge" || name == "host" || name == "none"; }
};

struct NetworkCreateRequest {
  std::string name;
  std::string driver = "bridge";
  std::string subnet;   // "" picks the next free pool, as docker does
  std::string gateway;  // "" is the subnet's first address
  bool internal = false;
  bool attachable = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
};

class NetworkStore {
 public:
  explicit NetworkStore(const Store& store) : store_(store) {}

  // docker's checks and messages: a name already used ("network with name X
  // already exists"), a subnet overlapping another network's, including the
  // default bridge's 172.17.0.0/16 ("Pool overlaps with other one on this
  // address space"), a gateway outside its subnet, drivers other than bridge.
  Network create(const NetworkCreateRequest& request) const;
  // By full name, full id or a unique id prefix; the predefined ones too.
  std::optional<Network> get(const std::string& name_or_id) const;
  // Throws docker's "network X not found".
  Network find(const std::string& name_or_id) const;
  // The predefined ones first, then the user networks, by name.
  std::vector<Network> list() const;
  // Throws "X is a pre-defined network and cannot be removed", or docker's
  // "error while removing network: network X id ID has active endpoints"
  // while a running container uses it. A stopped one does not hold it, as in
  // docker: its next start fails with "network X not found".
  void remove(const std::string& name_or_id) const;
  // Removes each user network that `select` picks and no running container
  // uses; the names removed.
  std::vector<std::string> prune(const std::function<bool(const Network&)>& select) const;

  // Held shared by a container's start from resolving its network until its
  // record says running (and by creation until its record is saved); create,
  // remove and prune take it exclusively.
  FileLock lock(FileLock::Mode mode) const;

 private:
  void remove_files(const Network& network) const;
  const Store& store_;
};

// The containers among `containers` that have docker's endpoint on the
// network: the running ones that name it (bridge: also "default").
std::vector<ContainerRecord> network_endpoints(const Network& network, const std::vector<ContainerRecord>& containers);

}  // namespace hutch
