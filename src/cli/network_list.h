// The rows `network ls` prints: docker's network formatter fields (.ID .Name
// .Driver .Scope .IPv6 .Internal .Labels .CreatedAt, and the method .Label).
#pragma once
#include <functional>
#include <map>
#include <string>

#include "base/json_reader.h"
#include "store/networks.h"

namespace hutch {

JsonValue network_row(const Network& network, bool trunc);
std::map<std::string, std::function<std::string(const std::string&)>> network_row_methods(const Network& network);
JsonValue network_header();

}  // namespace hutch
