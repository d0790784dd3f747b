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
  // Non-blocking: supervise() drains it to EAGAIN after each wake-up, and a
  // blocking read would then sleep until the next signal (a resize froze -it).
  running.signals.reset(signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
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

}  // namespace hutch
