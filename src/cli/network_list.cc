#include "cli/network_list.h"

#include "base/human.h"
#include "cli/list_format.h"

namespace hutch {

JsonValue network_row(const Network& n, bool trunc) {
  int64_t created = parse_rfc3339_nanos(n.created);
  return string_fields({{"CreatedAt", created ? go_time_string_nanos(created) : ""},
                        {"Driver", n.driver},
                        {"ID", trunc ? n.id.substr(0, 12) : n.id},
                        {"IPv6", n.ipv6 ? "true" : "false"},
                        {"Internal", n.internal ? "true" : "false"},
                        {"Labels", joined_labels(n.labels)},
                        {"Name", n.name},
                        {"Scope", n.scope}});
}

std::map<std::string, std::function<std::string(const std::string&)>> network_row_methods(const Network& n) {
  return label_method(n.labels);
}

JsonValue network_header() {
  return string_fields({{"CreatedAt", "CREATED AT"},
                        {"Driver", "DRIVER"},
                        {"ID", "NETWORK ID"},
                        {"IPv6", "IPV6"},
                        {"Internal", "INTERNAL"},
                        {"Labels", "LABELS"},
                        {"Name", "NAME"},
                        {"Scope", "SCOPE"}});
}

}  // namespace hutch
