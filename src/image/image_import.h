// `hutch import`: a root filesystem tarball becomes a one-layer image, as
// docker makes it: the config from the -c changes alone, the platform given
// (or the host's), and one history entry "Imported from -" (docker names the
// source "-" for a file and for standard input alike) unless a message is
// given.
#pragma once
#include <string>
#include <vector>

#include "image/layers.h"
#include "store/store.h"

namespace hutch {

struct ImportOptions {
  std::vector<std::string> changes;  // Dockerfile instructions
  std::string message;
  std::string platform;   // "linux/amd64"; empty: the host's
  std::string reference;  // REPOSITORY[:TAG], may be empty
};

// Checks what can be checked before the input is read: changes, platform,
// reference. import_image() checks them again.
void validate_import(const ImportOptions& options);

// Reads the tarball from in_fd. Must run in the user namespace (the layer is
// unpacked before the image is recorded). Returns the image id.
Digest import_image(const Store& store, const LayerTarget& target, int in_fd, const ImportOptions& options);

}  // namespace hutch
