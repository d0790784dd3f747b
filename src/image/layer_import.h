// `import`'s input, a root filesystem tarball (uncompressed, gzip, zstd, or
// whatever else libarchive can read through an external program: xz, bzip2),
// rewritten entry by entry as a layer: names made relative ("/etc/x" and
// "./etc/x" become "etc/x"), the root entry dropped, sockets skipped, and
// names or hard links that climb out with ".." refused. The result is an
// uncompressed tar that hutch's own unpacker then checks again.
#pragma once
#include "image/tar_writer.h"

namespace hutch {

// Reads the tarball from in_fd (a file or a pipe) and writes the layer.
void rewrite_rootfs_tar(int in_fd, TarWriter& out);

// "etc/x" from "/etc/x", "./etc//x"; "" for the root; throws on "..".
std::string clean_entry_name(const std::string& name);

}  // namespace hutch
