#include "cli/volume_list.h"

#include "cli/list_format.h"

namespace hutch {

JsonValue volume_row(const Volume& v, const std::string& links, const std::string& size) {
  // docker joins the labels in its map's (random) order; sorted here.
  std::string labels;
  for (const auto& [k, value] : v.labels) labels += (labels.empty() ? "" : ",") + k + "=" + value;
  return string_fields({{"Availability", "N/A"},
                        {"Driver", v.driver},
                        {"Group", "N/A"},
                        {"Labels", labels},
                        {"Links", links},
                        {"Mountpoint", v.mountpoint},
                        {"Name", v.name},
                        {"Scope", v.scope},
                        {"Size", size},
                        {"Status", "N/A"}});
}

JsonValue volume_header() {
  return string_fields({{"Availability", "AVAILABILITY"},
                        {"Driver", "DRIVER"},
                        {"Group", "GROUP"},
                        {"Labels", "LABELS"},
                        {"Links", "LINKS"},
                        {"Mountpoint", "MOUNTPOINT"},
                        {"Name", "VOLUME NAME"},
                        {"Scope", "SCOPE"},
                        {"Size", "SIZE"},
                        {"Status", "STATUS"}});
}

}  // namespace hutch
