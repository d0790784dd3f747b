// What a container's monitor and the hutch commands that attach to it say to
// each other over a unix stream socket: the foreground `run` (a socket pair it
// hands the monitor), `attach`, `start -a` and `pause` (the socket the monitor
// listens on in the container's directory).
//
// Every message is a frame: one type byte, a 4-byte big-endian length, the
// payload. The client opens with kHello; the monitor answers kExit when the
// container has ended (and the record says so), then closes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/fd.h"

namespace hutch {

enum class Frame : uint8_t {
  // client -> monitor
  kHello = 1,   // AttachHello
  kStdin,       // bytes for the container's stdin (the pipe, or the terminal)
  kStdinEnd,    // the client's stdin ended
  kResize,      // "ROWS COLS" of the client's terminal
  kSignal,      // a signal number for the container's init (--sig-proxy)
  kDetach,      // the detach keys: leave the container running
  kHangup,      // the client's terminal closed
  kRequest,     // "pause" | "unpause": answered with kReply
  // monitor -> client
  kStdout,
  kStderr,
  kExit,        // the container's exit code, in decimal
  kReply,       // "" on success, else the error message
};

// What an attaching client wants.
struct AttachHello {
  bool in = false;
  bool out = false;
  bool err = false;
  // The foreground run or start -a that made the container run: when it goes
  // away without detaching (kill -9, a batch system's job end), the monitor
  // kills the container, as the container of a killed foreground process dies.
  bool owner = false;
  // The owner made the container for this run: if the start is interrupted,
  // the container goes, as if never made.
  bool fresh = false;
  std::string encode() const;
  static AttachHello decode(std::string_view payload);
};

std::string encode_frame(Frame type, std::string_view payload = {});

// Cuts a byte stream into frames.
class FrameReader {
 public:
  void feed(std::string_view data) { buffer_.append(data); }
  // The next whole frame, if one has arrived; throws on a frame too big to be ours.
  std::optional<std::pair<Frame, std::string>> next();

 private:
  std::string buffer_;
};

// The socket a monitor listens on, in its container's directory. unix socket
// paths are short (108 bytes), so both ends name it through a descriptor of
// the directory.
Fd listen_attach_socket(const std::string& container_dir);
// Invalid when nothing listens (no monitor runs).
Fd connect_attach_socket(const std::string& container_dir);
void remove_attach_socket(const std::string& container_dir);

// Writes all of data to a blocking socket; false when the peer is gone.
bool send_all(int fd, std::string_view data);

}  // namespace hutch
