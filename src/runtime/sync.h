// The handshake between the runtime and a container's first process over a
// SOCK_SEQPACKET pair: each message is one packet, and the child's end closes
// at exec, so a read of 0 bytes means the command is running.
//
//   child: kMapMe (only when it made a user namespace) ... parent writes maps
//   parent: kGo
//   child: kHooks (only with createRuntime/prestart hooks) ... parent runs them
//   parent: kGo
//   child: kCreated (everything but exec is done; waits for start or execs)
//   child: kError STATUS MESSAGE, at any point
#pragma once
#include <string>

namespace hutch {

enum class SyncMessage : char { kMapMe = 'M', kGo = 'G', kHooks = 'H', kCreated = 'C', kError = 'E' };

void sync_send(int fd, SyncMessage type, const std::string& payload = "");
// Returns false at end of stream (the peer exec'd or exited).
bool sync_receive(int fd, SyncMessage* type, std::string* payload);
// Waits for one message of this type; a kError becomes an Error with its
// status; end of stream throws `what` ("container init exited").
void sync_expect(int fd, SyncMessage type, const char* what);
// The same, keeping the message's payload (kGo carries the state JSON for hooks).
void sync_expect_payload(int fd, SyncMessage type, std::string* payload, const char* what = "the runtime went away");

}  // namespace hutch
