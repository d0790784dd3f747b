#include "container/attach_client.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "container/attach_protocol.h"
#include "runtime/terminal.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/strings.h"

namespace hutch {

namespace {

// What a foreground docker client proxies (and hutch's foreground run always
// did); WINCH becomes a resize.
constexpr int kProxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

sigset_t proxied_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kProxied) sigaddset(&set, sig);
  return set;
}


std::string terminal_size_text() {
  struct winsize size;
  if (ioctl(0, TIOCGWINSZ, &size) == 0 || ioctl(1, TIOCGWINSZ, &size) == 0)
    return std::to_string(size.ws_row) + " " + std::to_string(size.ws_col);
  return "";
}

// Holds back what may be the start of the detach keys: they reach the
// container only if what follows is not the rest of them.
class DetachKeys {
 public:
  explicit DetachKeys(const std::string& keys) : keys_(keys) {}
  // Appends what goes to the container to out; true once the keys were typed.
  bool scan(std::string_view input, std::string& out) {
    for (char ch : input) {
      if (keys_.empty()) {
        out += ch;
        continue;
      }
      if (ch == keys_[matched_]) {
        if (++matched_ == keys_.size()) return true;
        continue;
      }
      out.append(keys_, 0, matched_);
      matched_ = 0;
      if (ch == keys_[0]) matched_ = 1;
      else out += ch;
    }
    return false;
  }

 private:
  std::string keys_;
  size_t matched_ = 0;
};

}  // namespace

std::string parse_detach_keys(const std::string& given) {
  const std::string& spec = given.empty() ? std::string(kDefaultDetachKeys) : given;
  std::string keys;
  for (const auto& key : split(spec, ',')) {
    if (key.size() == 1) {
      keys += key[0];
    } else if (key.size() == 6 && key.compare(0, 5, "ctrl-") == 0) {
      char c = key[5];
      if (c >= 'a' && c <= 'z') keys += (char)(c - 'a' + 1);
      else if (c >= '@' && c <= '_') keys += (char)(c - '@');
      else fail("Invalid detach keys (%s) provided", spec.c_str());
    } else {
      fail("Invalid detach keys (%s) provided", spec.c_str());
    }
  }
  return keys;
}

AttachEnd attach_session(int socket, const AttachSession& session) {
  sigset_t signals = proxied_signals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  Fd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd) fail_errno("signalfd");
  std::optional<RawMode> raw;
  if (session.tty && isatty(0)) raw.emplace(0);
  int terminal = caller_terminal();
  bool relay_input = session.relay_stdin;
  bool output = true;  // false once our terminal is gone
  DetachKeys detach(session.tty ? session.detach_keys : "");
  FrameReader reader;
  auto send = [&](Frame type, std::string_view payload = {}) {
    if (!send_all(socket, encode_frame(type, payload))) fail("lost the connection to the container's monitor");
  };
  if (session.tty) {
    struct winsize size;
    if (ioctl(0, TIOCGWINSZ, &size) == 0 || ioctl(1, TIOCGWINSZ, &size) == 0) {
      if (session.redraw)
        send(Frame::kResize, std::to_string(size.ws_row + 1) + " " + std::to_string(size.ws_col + 1));
      send(Frame::kResize, std::to_string(size.ws_row) + " " + std::to_string(size.ws_col));
    }
  }
  if (session.detach_at_input_end && !relay_input) {
    send(Frame::kDetach);
    return AttachEnd{true};
  }
  auto hang_up = [&] {
    send(Frame::kHangup);
    relay_input = false;
    output = false;
  };

  for (;;) {
    struct pollfd fds[3] = {{signal_fd.get(), POLLIN, 0}, {socket, POLLIN, 0}, {relay_input ? 0 : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (::read(signal_fd.get(), &info, sizeof info) == sizeof info) {
        int sig = (int)info.ssi_signo;
        if (sig == SIGWINCH) {
          if (session.tty) {
            if (std::string size = terminal_size_text(); !size.empty()) send(Frame::kResize, size);
          }
        } else if (sig == SIGHUP && hung_up(terminal)) {
          hang_up();
        } else if (session.sig_proxy) {
          send(Frame::kSignal, std::to_string(sig));
        } else {
          // --sig-proxy=false: the signal is ours, and ends us as it would
          // any program; the container is left running.
          send(Frame::kDetach);
          raw.reset();
          signal(sig, SIG_DFL);
          sigset_t one;
          sigemptyset(&one);
          sigaddset(&one, sig);
          sigprocmask(SIG_UNBLOCK, &one, nullptr);
          raise(sig);
          return AttachEnd{true};
        }
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t n = ::read(socket, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) fail("lost the connection to the container's monitor");
      reader.feed(std::string_view(buf, n));
      while (auto frame = reader.next()) {
        auto& [type, payload] = *frame;
        if (type == Frame::kExit) {
          AttachEnd end;
          end.code = atoi(payload.c_str());
          end.restarting = payload.find(" restarting") != std::string::npos;
          return end;
        }
        if (!output || (type != Frame::kStdout && type != Frame::kStderr)) continue;
        try {
          write_all(type == Frame::kStdout ? 1 : 2, payload);
        } catch (const Error&) {
          // Our stdout is gone (a pipe's reader exited): as the container
          // writing to it would have been, we are done.
          if (hung_up(terminal)) hang_up();
          else return AttachEnd{false, 141};
        }
      }
    }
    if (relay_input && fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        if (hung_up(terminal)) {
          hang_up();
        } else {
          send(Frame::kStdinEnd);
          relay_input = false;
          if (session.detach_at_input_end) {
            send(Frame::kDetach);
            return AttachEnd{true};
          }
        }
        continue;
      }
      std::string input;
      bool detached = detach.scan(std::string_view(buf, n), input);
      if (!input.empty()) send(Frame::kStdin, input);
      if (detached) {
        send(Frame::kDetach);
        return AttachEnd{true};
      }
    }
  }
}

}  // namespace hutch
