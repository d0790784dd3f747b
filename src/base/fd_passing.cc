#include "base/fd_passing.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace hutch {

void send_message(int socket, std::string_view text, int fd) {
  char nothing = 0;
  struct iovec iov = {text.empty() ? &nothing : const_cast<char*>(text.data()), text.empty() ? 1 : text.size()};
  char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  while (sendmsg(socket, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) fail_errno("send message");
}

std::optional<std::string> receive_message(int socket, Fd* fd) {
  char buf[4096];
  struct iovec iov = {buf, sizeof buf};
  char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return std::nullopt;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int got;
    memcpy(&got, CMSG_DATA(c), sizeof(int));
    // A descriptor nobody asked for is closed, not leaked.
    if (fd) fd->reset(got);
    else ::close(got);
  }
  return std::string(buf, n);
}

}  // namespace hutch
