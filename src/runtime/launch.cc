#include "runtime/launch.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "runtime/init.h"
#include "runtime/terminal.h"
#include "base/error.h"
#include "base/interrupt.h"
#include "base/file.h"

namespace hutch {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

sigset_t supervised_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  return set;
}

// What stops a run before its command starts: the user gave up on it.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Until the init execs (the error pipe closes) or reports a failure. The init
// may block on anything the image or the host makes slow, so the user's INT or
// TERM is watched meanwhile; other signals stay pending for supervise(), which
// hands them to the command once it runs.
std::string wait_for_start(int errors) {
  sigset_t stop = stop_signals();
  Fd stop_fd(signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!stop_fd) fail_errno("signalfd");
  std::string report;
  for (;;) {
    struct pollfd fds[2] = {{errors, POLLIN, 0}, {stop_fd.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    struct signalfd_siginfo info;
    if ((fds[1].revents & POLLIN) && ::read(stop_fd.get(), &info, sizeof info) == sizeof info)
      throw Interrupted(info.ssi_signo);
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[4096];
    ssize_t n = ::read(errors, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read from container init");
    if (n == 0) return report;
    report.append(buf, n);
  }
}

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

}  // namespace

void hold_signals() {
  sigset_t signals = supervised_signals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
}

RunningContainer launch(const Spec& spec) {
  // Blocked before fork so no signal slips between start and supervision; the
  // child unblocks them before exec.
  hold_signals();
  sigset_t signals = supervised_signals();
  RunningContainer running;
  running.signals.reset(signalfd(-1, &signals, SFD_CLOEXEC));
  if (!running.signals) fail_errno("signalfd");

  Pipe errors = Pipe::create();
  SocketPair console = SocketPair::create();
  // Only the next child enters the new PID namespace, as its pid 1.
  if (unshare(CLONE_NEWPID) < 0) fail_errno("create PID namespace");
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    errors.read.reset();
    console.parent.reset();
    container_init(spec, errors.write.get(), console.child.get());
  }
  running.init = Child(pid);
  errors.write.reset();
  console.child.reset();
  // On a throw, running.init kills and reaps the init (and its PID namespace).
  std::string report = wait_for_start(errors.read.get());
  // The init sent the pty master before exec, so it is already waiting here.
  if (report.empty() && spec.process.terminal) running.console = receive_fd(console.parent.get());
  if (!report.empty()) {
    running.init.wait();
    char* rest;
    long status = strtol(report.c_str(), &rest, 10);
    if (*rest == ' ') rest++;
    throw Error(rest, status >= 1 && status <= 255 ? (int)status : kExitRunner);
  }
  return running;
}

int supervise(RunningContainer& container, const Spec& spec) {
  pid_t pid = container.init.pid();
  int console = container.console.get();
  bool relay_input = console >= 0 && spec.process.stdin_open;
  std::optional<RawMode> raw;
  if (console >= 0 && isatty(0)) raw.emplace(0);
  if (console >= 0) fcntl(console, F_SETFL, fcntl(console, F_GETFL) | O_NONBLOCK);

  int status = 0;
  bool exited = false;
  while (!exited) {
    struct pollfd fds[3] = {{container.signals.get(), POLLIN, 0}, {console, POLLIN, 0},
                            {relay_input ? 0 : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (::read(container.signals.get(), &info, sizeof info) == sizeof info) {
        int sig = info.ssi_signo;
        if (sig == SIGCHLD) {
          if (waitpid(pid, &status, WNOHANG) == pid) exited = true;
        } else if (sig == SIGWINCH && console >= 0) {
          struct winsize size;
          if (ioctl(0, TIOCGWINSZ, &size) == 0 || ioctl(1, TIOCGWINSZ, &size) == 0)
            ioctl(console, TIOCSWINSZ, &size);
        } else {
          kill(pid, sig);
        }
        if (exited) break;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (pump(console, 1) == Pumped::kEnd) console = -1;
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (pump(0, container.console.get()) == Pumped::kEnd) {
        // End of input: a terminal reads ^D as end of file.
        char eof = 4;
        ssize_t ignored = ::write(container.console.get(), &eof, 1);
        (void)ignored;
        relay_input = false;
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
