// docker's JSON of one network (`network inspect`, `inspect`): Name, Id,
// Created, Scope, Driver, EnableIPv6, IPAM, Internal, Attachable, Ingress,
// ConfigFrom, ConfigOnly, Containers, Options, Labels.
#pragma once
#include <string>
#include <vector>

#include "store/containers.h"
#include "store/networks.h"

namespace hutch {

// `endpoints`: the running containers on it (network_endpoints), shown under
// Containers with the address each has on it.
std::string network_inspect_json(const Network& network, const std::vector<ContainerRecord>& endpoints);

}  // namespace hutch
