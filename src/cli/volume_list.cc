#include "cli/volume_list.h"

#include "cli/list_format.h"

namespace hutch {

JsonValue volume_row(const Volume& v, const std::string& links, const std::string& size) {
  return string_fields({{"Availability", "N/A"},
                        {"Driver", v.driver},
                        {"Group", "N/A"},
                        {"Labels", joined_labels(v.labels)},
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
