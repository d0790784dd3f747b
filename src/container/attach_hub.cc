#include "container/attach_hub.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hutch {

namespace {

// Past this much unsent output for one client (or unwritten input), the other
// side waits: memory stays bounded whoever is slow.
constexpr size_t kBacklog = 1 << 20;

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// The frames a reader takes from one client: a hostile or broken peer gets
// closed, not believed.
bool valid_signal(const std::string& text) {
  int sig = atoi(text.c_str());
  return sig > 0 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP;
}

}  // namespace

AttachHub::AttachHub(Fd listener, Fd owner) : listener_(std::move(listener)) {
  if (!owner) return;
  Client c;
  c.fd = std::move(owner);
  // The foreground client sent its hello before the monitor was exec'd.
  char buf[256];
  for (int tries = 0; !c.greeted && tries < 100; tries++) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    c.reader.feed(std::string_view(buf, n));
    if (auto frame = c.reader.next(); frame && frame->first == Frame::kHello) {
      c.hello = AttachHello::decode(frame->second);
      c.greeted = true;
    }
  }
  if (!c.greeted) {
    owner_lost_ = true;
    return;
  }
  owner_fresh_ = c.hello.fresh;
  set_nonblocking(c.fd.get());
  clients_.push_back(std::move(c));
}

bool AttachHub::has_owner() const {
  return std::any_of(clients_.begin(), clients_.end(), [](const Client& c) { return c.hello.owner; });
}

void AttachHub::container_started(Fd stdin_pipe, int terminal_fd, bool stdin_once) {
  stdin_pipe_ = std::move(stdin_pipe);
  if (stdin_pipe_) set_nonblocking(stdin_pipe_.get());
  terminal_fd_ = terminal_fd;
  stdin_once_ = stdin_once;
  close_stdin_ = false;
  stdin_pending_.clear();
}

void AttachHub::container_ended() {
  stdin_pipe_.reset();
  terminal_fd_ = -1;
  stdin_pending_.clear();
}

void AttachHub::add_poll_fds(std::vector<struct pollfd>& fds) {
  listener_at_ = stdin_at_ = -1;
  client_at_.assign(clients_.size(), -1);
  bool input_full = stdin_pending_.size() >= kBacklog;
  if (listener_) {
    listener_at_ = fds.size();
    fds.push_back({listener_.get(), POLLIN, 0});
  }
  int input = stdin_pipe_ ? stdin_pipe_.get() : terminal_fd_;
  if (input >= 0 && !stdin_pending_.empty()) {
    stdin_at_ = fds.size();
    fds.push_back({input, POLLOUT, 0});
  }
  for (size_t i = 0; i < clients_.size(); i++) {
    short events = input_full ? 0 : POLLIN;
    if (!clients_[i].out.empty()) events |= POLLOUT;
    client_at_[i] = fds.size();
    fds.push_back({clients_[i].fd.get(), events, 0});
  }
}

void AttachHub::handle(const std::vector<struct pollfd>& fds) {
  if (stdin_at_ >= 0 && fds[stdin_at_].revents) write_stdin();
  for (size_t i = 0; i < client_at_.size() && i < clients_.size(); i++) {
    const struct pollfd& p = fds[client_at_[i]];
    Client& c = clients_[i];
    bool keep = true;
    if (p.revents & POLLOUT) keep = flush(c);
    if (keep && p.revents & (POLLIN | POLLHUP | POLLERR)) keep = read_from(c);
    if (!keep) c.fd.reset();
  }
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return !c.fd; }),
                 clients_.end());
  if (listener_at_ >= 0 && fds[listener_at_].revents & POLLIN) accept_clients();
}

void AttachHub::accept_clients() {
  for (;;) {
    Fd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;
    // Only the user who owns the container: the socket's mode says so too,
    // but a directory made group-writable would not.
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid()) continue;
    Client c;
    c.fd = std::move(fd);
    clients_.push_back(std::move(c));
  }
}

bool AttachHub::read_from(Client& c) {
  char buf[65536];
  ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) {
    // The end, or ECONNRESET: a client that left output of ours unread.
    drop(c, false);
    return false;
  }
  return take_frames(c, std::string_view(buf, n));
}

bool AttachHub::take_frames(Client& c, std::string_view data) {
  c.reader.feed(data);
  try {
    while (auto frame = c.reader.next()) {
      auto& [type, payload] = *frame;
      if (!c.greeted) {
        if (type != Frame::kHello) return false;
        c.hello = AttachHello::decode(payload);
        // Only the socket pair a foreground run hands over makes an owner.
        c.hello.owner = c.hello.fresh = false;
        c.greeted = true;
        continue;
      }
      switch (type) {
        case Frame::kStdin:
          if (c.hello.in && !c.stdin_ended && !close_stdin_) stdin_pending_.append(payload);
          break;
        case Frame::kStdinEnd:
          c.stdin_ended = true;
          if (c.hello.in && stdin_once_) end_stdin();
          break;
        case Frame::kResize: {
          struct winsize size = {};
          if (terminal_fd_ >= 0 && sscanf(payload.c_str(), "%hu %hu", &size.ws_row, &size.ws_col) == 2)
            ioctl(terminal_fd_, TIOCSWINSZ, &size);
          break;
        }
        case Frame::kSignal:
          if (valid_signal(payload)) signals_.push_back(atoi(payload.c_str()));
          break;
        case Frame::kDetach:
          drop(c, true);
          return false;
        case Frame::kHangup:
          if (c.hello.owner) owner_hung_up_ = true;
          break;
        case Frame::kRequest:
          c.out += encode_frame(Frame::kReply, on_request ? on_request(payload) : "not supported");
          break;
        default:
          return false;
      }
    }
  } catch (const std::exception&) {
    return false;
  }
  if (!stdin_pending_.empty()) write_stdin();
  return true;
}

bool AttachHub::flush(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return true;
      drain_gone(c);
      return false;
    }
    c.out.erase(0, n);
  }
  return true;
}

// A client that can no longer be written to has gone, but what it sent before
// it went is still to be read: a detach there means it left on purpose (and
// the container it owned keeps running), not that it was killed.
void AttachHub::drain_gone(Client& c) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!take_frames(c, std::string_view(buf, n))) break;
  }
  drop(c, false);
}

void AttachHub::drop(Client& c, bool detached) {
  if (c.dropped) return;
  c.dropped = true;
  if (c.hello.owner && !detached) owner_lost_ = true;
  // docker's StdinOnce: the container's input ends with its attached client.
  if (c.hello.in && stdin_once_ && !c.stdin_ended && stdin_pipe_) end_stdin();
  c.hello.owner = false;
}

void AttachHub::write_stdin() {
  int input = stdin_pipe_ ? stdin_pipe_.get() : terminal_fd_;
  while (input >= 0 && !stdin_pending_.empty()) {
    ssize_t n = ::write(input, stdin_pending_.data(), stdin_pending_.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      // The container closed its stdin: what it did not read is lost, as
      // with any pipe.
      stdin_pending_.clear();
      break;
    }
    stdin_pending_.erase(0, n);
  }
  if (stdin_pending_.empty() && close_stdin_) {
    if (stdin_pipe_) {
      stdin_pipe_.reset();
    } else if (terminal_fd_ >= 0) {
      // A terminal reads ^D at the start of a line as the end of input.
      char eof = 4;
      ssize_t ignored = ::write(terminal_fd_, &eof, 1);
      (void)ignored;
    }
    close_stdin_ = false;
    stdin_once_ = false;
  }
}

void AttachHub::end_stdin() {
  close_stdin_ = true;
  write_stdin();
}

void AttachHub::broadcast(Frame stream, std::string_view data) {
  std::string frame;
  for (auto& c : clients_) {
    if (!c.greeted || !(stream == Frame::kStdout ? c.hello.out : c.hello.err)) continue;
    if (frame.empty()) frame = encode_frame(stream, data);
    c.out += frame;
    if (!flush(c)) c.fd.reset();
  }
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return !c.fd; }),
                 clients_.end());
}

bool AttachHub::backed_up() const {
  return std::any_of(clients_.begin(), clients_.end(), [](const Client& c) { return c.out.size() >= kBacklog; });
}

void AttachHub::send_exit(int code, bool restarting) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (auto& c : clients_) {
    if (!c.greeted) continue;
    c.out += encode_frame(Frame::kExit, std::to_string(code) + (restarting ? " restarting" : ""));
    // A client that reads nothing for 5 s loses the rest: the monitor has a
    // restart or a removal to get on with.
    fcntl(c.fd.get(), F_SETFL, fcntl(c.fd.get(), F_GETFL) & ~O_NONBLOCK);
    struct timeval timeout = {5, 0};
    setsockopt(c.fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    send_all(c.fd.get(), c.out);
  }
  clients_.clear();
}

}  // namespace hutch
