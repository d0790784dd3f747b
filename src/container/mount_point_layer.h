// docker's "init layer", made once per store: empty files where every
// container gets a bind mount (/etc/hosts, /etc/hostname, /etc/resolv.conf),
// stacked as the top lower layer, above the image's. Images rarely have these
// files, and without them the runtime makes each mount point in the
// container's upper layer: a copy-up of /etc and three files, made and
// deleted again by every `run --rm`.
#pragma once
#include <string>
#include <vector>

#include "store/store.h"

namespace hutch {

// The layer's directory, made on first use; empty when the image's /etc is
// not a directory of root's with mode 0755 (our directory above it would
// hide a link, and show other owners or modes as ours).
// layer_dirs: the image's unpacked layers, base first.
std::string mount_point_layer(const Store& store, const std::vector<std::string>& layer_dirs);

}  // namespace hutch
