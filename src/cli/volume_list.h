// The rows `volume ls` and `system df -v` print: docker's volume formatter
// fields (.Name .Driver .Scope .Mountpoint .Labels .Links .Size, and the
// cluster-volume ones .Group .Availability .Status, always N/A here).
#pragma once
#include <string>

#include "base/json_reader.h"
#include "store/volumes.h"

namespace hutch {

// Links and Size are "N/A" in `volume ls`, which does not count them.
JsonValue volume_row(const Volume& volume, const std::string& links = "N/A", const std::string& size = "N/A");
JsonValue volume_header();

}  // namespace hutch
