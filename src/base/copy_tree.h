// Copying a directory's contents into another, keeping modes, owners, times
// and links: what a tmpfs with tmpcopyup and a volume's first use start with.
#pragma once

namespace hutch {

// Copies what is in from_dir into to_dir (both open directories). Owners are
// kept where the caller may set them; device nodes and sockets, which an
// unprivileged copy cannot make, are skipped.
void copy_tree(int from_dir, int to_dir);

}  // namespace hutch
