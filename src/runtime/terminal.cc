#include "runtime/terminal.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

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

void send_fd(int socket, int fd) {
  char byte = 0;
  struct iovec iov = {&byte, 1};
  char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  if (sendmsg(socket, &msg, 0) < 0) fail_errno("send terminal");
}

Fd receive_fd(int socket) {
  char byte;
  struct iovec iov = {&byte, 1};
  char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return Fd();
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return Fd();
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return Fd(fd);
}

}  // namespace hutch
