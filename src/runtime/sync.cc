#include "runtime/sync.h"

#include <sys/socket.h>

#include <cerrno>

#include "base/error.h"

namespace hutch {

void sync_send(int fd, SyncMessage type, const std::string& payload) {
  std::string packet = std::string(1, (char)type) + payload;
  ssize_t n;
  do n = ::send(fd, packet.data(), packet.size(), MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)packet.size()) fail_errno("send to the container's init");
}

bool sync_receive(int fd, SyncMessage* type, std::string* payload) {
  char buf[8192];
  ssize_t n;
  do n = ::recv(fd, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) fail_errno("read from the container's init");
  if (n == 0) return false;
  *type = (SyncMessage)buf[0];
  payload->assign(buf + 1, n - 1);
  return true;
}

void sync_expect(int fd, SyncMessage type, const char* what) {
  std::string payload;
  sync_expect_payload(fd, type, &payload, what);
}

void sync_expect_payload(int fd, SyncMessage type, std::string* out, const char* what) {
  SyncMessage got;
  std::string payload;
  if (!sync_receive(fd, &got, &payload)) fail("%s", what);
  if (got == SyncMessage::kError) {
    throw error_from_report(payload);
  }
  if (got != type) fail("unexpected message on the container's sync socket");
  *out = std::move(payload);
}

}  // namespace hutch
