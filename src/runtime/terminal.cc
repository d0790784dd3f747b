#include "runtime/terminal.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/fd_passing.h"

namespace hutch {

RawMode::RawMode(int fd) : fd_(fd) {
  struct termios t;
  if (tcgetattr(fd, &t) < 0) return;
  saved_ = t;
  cfmakeraw(&t);
  tcsetattr(fd, TCSADRAIN, &t);
}

RawMode::~RawMode() {
  if (saved_) tcsetattr(fd_, TCSADRAIN, &*saved_);
}

int caller_terminal() {
  for (int fd = 0; fd < 3; fd++)
    if (isatty(fd)) return fd;
  return -1;
}

bool hung_up(int fd) {
  struct termios t;
  return fd >= 0 && tcgetattr(fd, &t) < 0 && errno == EIO;
}

void send_fd(int socket, int fd) { send_message(socket, {}, fd); }

Fd receive_fd(int socket) {
  Fd fd;
  receive_message(socket, &fd);
  return fd;
}

}  // namespace hutch
