// Directories back into tar streams: a container's changes as a layer
// (`commit`) and a merged filesystem (`export`). Entries come depth-first in
// bytewise name order, so the same tree always gives the same bytes; files
// that share an inode are written once and then as hard links; owners are the
// ones the container sees (overlay_view.h); overlay's own xattrs and hutch's
// override record are never written, other user.* xattrs and
// security.capability are.
#pragma once
#include <string>
#include <vector>

#include "image/tar_writer.h"
#include "image/upper_changes.h"

namespace hutch {

// Directories with their metadata, files, deletions as ".wh.NAME" and opaque
// directories marked by "DIR/.wh..wh..opq": the layer format of the OCI spec.
void write_changes_layer(TarWriter& tar, const std::string& upper_dir, const UpperChanges& changes);

// Everything visible in the merged view of a layer stack (top first).
void write_merged_tree(TarWriter& tar, const std::vector<std::string>& dirs_top_first);

// The entry `name` of the directory dir_fd ("." for that directory itself)
// and, when it is a directory, everything below it, named `as` in the tar
// ("as/..." below it; "." gives "./" and "./NAME"): what `cp` copies. Links
// are archived as links, never followed. Returns false when name is missing.
bool write_entry_tree(TarWriter& tar, int dir_fd, const std::string& name, const std::string& as);

}  // namespace hutch
