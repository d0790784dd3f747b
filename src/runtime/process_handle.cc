#include "runtime/process_handle.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "base/error.h"
#include "base/file.h"
#include "base/process.h"

namespace hutch {

ProcessHandle ProcessHandle::open(pid_t pid, unsigned long long start_time) {
  ProcessHandle handle;
  if (pid <= 0) return handle;
  Fd pidfd((int)syscall(SYS_pidfd_open, pid, 0));
  // Checked after the pidfd exists: from here the pid cannot be reused under it.
  if (!process_running(pid, start_time)) return handle;
  handle.pid_ = pid;
  handle.start_time_ = start_time;
  handle.pidfd_ = std::move(pidfd);
  return handle;
}

bool ProcessHandle::alive() const {
  return pid_ > 0 && process_running(pid_, start_time_);
}

void ProcessHandle::signal(int sig) const {
  if (pid_ <= 0) return;
  int rc;
  if (pidfd_) {
    rc = (int)syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0);
  } else {
    // No pidfd (kernel before 5.3): the start time narrows the race to the
    // moment between this check and kill().
    if (!alive()) return;
    rc = kill(pid_, sig);
  }
  if (rc < 0 && errno != ESRCH) fail_errno("send signal %d to process %d", sig, (int)pid_);
}

bool ProcessHandle::wait_gone(int timeout_ms) const {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (!alive()) return true;
    int wait_ms = 10;
    if (timeout_ms >= 0) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
      if (elapsed >= timeout_ms) return false;
      if (timeout_ms - elapsed < wait_ms) wait_ms = (int)(timeout_ms - elapsed);
    }
    // A pidfd becomes readable when the process exits; a zombie is still
    // "alive" to poll, so the loop re-checks its state each round.
    if (pidfd_) {
      struct pollfd fd = {pidfd_.get(), POLLIN, 0};
      poll(&fd, 1, wait_ms);
    } else {
      usleep(wait_ms * 1000);
    }
  }
}

}  // namespace hutch
