// Messages with a file descriptor riding along (SCM_RIGHTS), over a unix
// socket: a namespace, a terminal or a socket handed to another process.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "base/fd.h"

namespace hutch {

// Sends TEXT (at least one byte is sent, so an empty text still carries the
// descriptor) and FD when it is not -1. Throws on failure.
void send_message(int socket, std::string_view text, int fd = -1);
// One message (a datagram or seqpacket record; for a stream, what one read
// returns), with the descriptor it carried in *fd when fd is given. nullopt
// when the peer has closed.
std::optional<std::string> receive_message(int socket, Fd* fd = nullptr);

}  // namespace hutch
