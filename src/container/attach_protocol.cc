#include "container/attach_protocol.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/unix_socket.h"

namespace hutch {

namespace {

// Larger than anything either side sends in one frame (reads of 64 KiB).
constexpr uint32_t kMaxFrame = 1 << 20;

constexpr const char* kSocketName = "attach.sock";

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
  // Only the owner may connect: whoever attaches can type into the container.
  return listen_unix_socket(container_dir, kSocketName, SOCK_STREAM);
}

Fd connect_attach_socket(const std::string& container_dir) {
  return connect_unix_socket(container_dir, kSocketName, SOCK_STREAM);
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
