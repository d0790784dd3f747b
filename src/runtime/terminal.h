// Terminals: raw mode for the user's side, and passing a pty master between
// processes.
#pragma once
#include <termios.h>

#include <optional>

#include "base/fd.h"

namespace hutch {

// Puts fd's terminal in raw mode until destroyed (or not at all if fd is not a tty).
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  std::optional<struct termios> saved_;
};

// The first of our stdin, stdout and stderr that is a terminal: where a
// closed terminal shows.
int caller_terminal();
// A hung-up terminal fails every ioctl with EIO: the kernel replaced the
// operations of each file open on it.
bool hung_up(int fd);

void send_fd(int socket, int fd);
// Returns an invalid Fd when the peer closed the socket without sending one.
Fd receive_fd(int socket);

}  // namespace hutch
