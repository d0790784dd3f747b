// Unix sockets named by a file in a directory. The address goes through
// /proc/self/fd/DIR/NAME, so a store at any depth fits sun_path's 108 bytes.
#pragma once
#include <string>

#include "base/fd.h"

namespace hutch {

// Replaces any old socket file; only the owner may connect (mode 0600).
// TYPE is SOCK_STREAM or SOCK_SEQPACKET; the listener is non-blocking.
Fd listen_unix_socket(const std::string& dir, const char* name, int type);
// An invalid Fd when nothing listens there (or the directory is gone).
Fd connect_unix_socket(const std::string& dir, const char* name, int type);

}  // namespace hutch
