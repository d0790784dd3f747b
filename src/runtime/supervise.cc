#include "runtime/supervise.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>

#include "runtime/terminal.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

enum class Pumped { kData, kNothingYet, kEnd };

// Copies what is available from one fd to another.
Pumped pump(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return Pumped::kNothingYet;
  if (n <= 0) return Pumped::kEnd;
  try {
    write_all(to, std::string_view(buf, n));
  } catch (const Error&) {
    return Pumped::kEnd;
  }
  return Pumped::kData;
}

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

sigset_t supervised_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  return set;
}


int64_t now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// How long a container may take to end after its terminal closed before it is
// killed: docker stop's default timeout.
constexpr int64_t kHangupGraceMs = 10000;

}  // namespace

void hold_signals() {
  sigset_t signals = supervised_signals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
}

int supervise(RunningContainer& container, bool relay_stdin) {
  hold_signals();
  // Signals that arrived since they were held are pending, and read here.
  // Non-blocking: the loop drains it to EAGAIN after each wake-up, and a
  // blocking read would then sleep until the next signal (a resize froze -it).
  sigset_t signals = supervised_signals();
  Fd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd) fail_errno("signalfd");
  pid_t pid = container.init.pid();
  int console = container.console.get();
  bool relay_input = console >= 0 && relay_stdin;
  int terminal = caller_terminal();
  std::optional<RawMode> raw;
  if (console >= 0 && isatty(0)) raw.emplace(0);
  if (console >= 0) fcntl(console, F_SETFL, fcntl(console, F_GETFL) | O_NONBLOCK);

  // The terminal we run on closed (its window, or the ssh session): what the
  // kernel does for an ordinary session, whose leader dies of the SIGHUP and
  // takes the terminal's foreground job with it. The container's PID 1 ignores
  // a SIGHUP it has no handler for, so the foreground job of the container's
  // terminal gets one directly (and PID 1 if it is not in that job), the
  // container's terminal is hung up, and what still runs is killed after a
  // grace period.
  int64_t kill_at = -1;
  bool killed = false;
  auto hang_up = [&] {
    if (kill_at >= 0) return;
    kill_at = now_ms() + kHangupGraceMs;
    pid_t job = container.console ? tcgetpgrp(container.console.get()) : -1;
    if (job > 0) {
      kill(-job, SIGHUP);
      kill(-job, SIGCONT);
    }
    if (job != pid) kill(pid, SIGHUP);
    container.console.reset();
    console = -1;
    relay_input = false;
  };

  int status = 0;
  bool exited = false;
  while (!exited) {
    struct pollfd fds[3] = {{signal_fd.get(), POLLIN, 0}, {console, POLLIN, 0},
                            {relay_input ? 0 : -1, POLLIN, 0}};
    int timeout = -1;
    if (kill_at >= 0 && !killed) timeout = (int)std::clamp<int64_t>(kill_at - now_ms(), 0, kHangupGraceMs);
    int ready = poll(fds, 3, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    if (ready == 0 && timeout >= 0) {
      kill(pid, SIGKILL);
      killed = true;
      continue;
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (::read(signal_fd.get(), &info, sizeof info) == sizeof info) {
        int sig = info.ssi_signo;
        if (sig == SIGCHLD) {
          if (waitpid(pid, &status, WNOHANG) == pid) exited = true;
        } else if (sig == SIGWINCH && console >= 0) {
          struct winsize size;
          if (ioctl(0, TIOCGWINSZ, &size) == 0 || ioctl(1, TIOCGWINSZ, &size) == 0)
            ioctl(console, TIOCSWINSZ, &size);
        } else if (sig == SIGHUP && hung_up(terminal)) {
          hang_up();
        } else {
          kill(pid, sig);
        }
        if (exited) break;
      }
    }
    if (console >= 0 && fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (pump(console, 1) == Pumped::kEnd) {
        console = -1;
        if (hung_up(terminal)) hang_up();
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR) && relay_input) {
      if (pump(0, container.console.get()) == Pumped::kEnd) {
        if (hung_up(terminal)) {
          hang_up();
        } else {
          // End of input: a terminal reads ^D as end of file.
          char eof = 4;
          ssize_t ignored = ::write(container.console.get(), &eof, 1);
          (void)ignored;
          relay_input = false;
        }
      }
    }
  }
  container.init.release();
  if (console >= 0) {
    while (pump(console, 1) == Pumped::kData) {
    }
  }
  return exit_code_of(status);
}

}  // namespace hutch
