#include "base/fd.h"

#include <fcntl.h>
#include <sys/socket.h>

#include "base/error.h"

namespace hutch {

Pipe Pipe::create() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) fail_errno("pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

SocketPair SocketPair::create() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) fail_errno("socketpair");
  return SocketPair{Fd(fds[0]), Fd(fds[1])};
}

}  // namespace hutch
