#include "container/attach_protocol.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace hutch {

namespace {

// Larger than anything either side sends in one frame (reads of 64 KiB).
constexpr uint32_t kMaxFrame = 1 << 20;

constexpr const char* kSocketName = "attach.sock";

struct sockaddr_un socket_address(int dir_fd) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir_fd, kSocketName);
  return addr;
}

Fd open_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open %s", dir.c_str());
  return fd;
}

}  // namespace

std::string AttachHello::encode() const {
  std::string s;
  if (in) s += "stdin ";
  if (out) s += "stdout ";
  if (err) s += "stderr ";
  if (owner) s += "owner ";
  if (fresh) s += "fresh ";
  return s;
}

AttachHello AttachHello::decode(std::string_view payload) {
  AttachHello h;
  auto has = [&](std::string_view word) {
    std::string w = std::string(word) + " ";
    return payload.find(w) == 0 || payload.find(" " + w) != std::string_view::npos;
  };
  h.in = has("stdin");
  h.out = has("stdout");
  h.err = has("stderr");
  h.owner = has("owner");
  h.fresh = has("fresh");
  return h;
}

std::string encode_frame(Frame type, std::string_view payload) {
  std::string frame(5, '\0');
  uint32_t n = payload.size();
  frame[0] = (char)type;
  frame[1] = (char)(n >> 24);
  frame[2] = (char)(n >> 16);
  frame[3] = (char)(n >> 8);
  frame[4] = (char)n;
  frame.append(payload);
  return frame;
}

std::optional<std::pair<Frame, std::string>> FrameReader::next() {
  if (buffer_.size() < 5) return std::nullopt;
  const unsigned char* b = (const unsigned char*)buffer_.data();
  uint32_t n = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
  if (n > kMaxFrame) fail("attach: a frame of %u bytes", n);
  if (buffer_.size() < 5 + (size_t)n) return std::nullopt;
  std::pair<Frame, std::string> frame{(Frame)b[0], buffer_.substr(5, n)};
  buffer_.erase(0, 5 + n);
  return frame;
}

Fd listen_attach_socket(const std::string& container_dir) {
  Fd dir = open_dir(container_dir);
  struct sockaddr_un addr = socket_address(dir.get());
  unlinkat(dir.get(), kSocketName, 0);
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) fail_errno("socket");
  // Only the owner may connect: whoever attaches can type into the container.
  mode_t old = umask(0077);
  int bound = bind(fd.get(), (struct sockaddr*)&addr, sizeof addr);
  umask(old);
  if (bound < 0) fail_errno("bind %s/%s", container_dir.c_str(), kSocketName);
  if (listen(fd.get(), 16) < 0) fail_errno("listen");
  return fd;
}

Fd connect_attach_socket(const std::string& container_dir) {
  Fd dir(::open(container_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Fd();
  struct sockaddr_un addr = socket_address(dir.get());
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail_errno("socket");
  while (connect(fd.get(), (struct sockaddr*)&addr, sizeof addr) < 0)
    if (errno != EINTR) return Fd();
  return fd;
}

void remove_attach_socket(const std::string& container_dir) {
  unlink((container_dir + "/" + kSocketName).c_str());
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(n);
  }
  return true;
}

}  // namespace hutch
