#include "base/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>

#include "base/error.h"

namespace hutch {

namespace {

struct sockaddr_un address_in(int dir_fd, const char* name) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir_fd, name);
  return addr;
}

}  // namespace

Fd listen_unix_socket(const std::string& dir, const char* name, int type) {
  Fd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) fail_errno("open %s", dir.c_str());
  struct sockaddr_un addr = address_in(dir_fd.get(), name);
  unlinkat(dir_fd.get(), name, 0);
  Fd fd(socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) fail_errno("socket");
  mode_t old = umask(0077);
  int bound = bind(fd.get(), (struct sockaddr*)&addr, sizeof addr);
  umask(old);
  if (bound < 0) fail_errno("bind %s/%s", dir.c_str(), name);
  if (listen(fd.get(), 16) < 0) fail_errno("listen");
  return fd;
}

Fd connect_unix_socket(const std::string& dir, const char* name, int type) {
  Fd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return Fd();
  struct sockaddr_un addr = address_in(dir_fd.get(), name);
  Fd fd(socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!fd) fail_errno("socket");
  while (connect(fd.get(), (struct sockaddr*)&addr, sizeof addr) < 0)
    if (errno != EINTR) return Fd();
  return fd;
}

}  // namespace hutch
