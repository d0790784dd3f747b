#include "container/pause.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"

namespace hutch {

namespace {

std::vector<pid_t> numbered_entries(const std::string& dir) {
  std::vector<pid_t> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    char* end;
    long n = strtol(e->d_name, &end, 10);
    if (*end == 0 && n > 0) out.push_back((pid_t)n);
  }
  closedir(d);
  return out;
}

// /proc/PID/stat, or nothing when the process is gone (reading the file of a
// process that exits meanwhile fails with ESRCH).
std::optional<std::string> proc_stat(pid_t pid) {
  Fd fd(::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buf[1024];
  ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  return std::string(buf, n);
}

// The threads of init_pid and of every process below it (orphans are
// re-parented to the container's PID 1, so this is the whole container).
std::set<pid_t> container_threads(pid_t init_pid) {
  std::map<pid_t, std::vector<pid_t>> children;
  std::set<pid_t> zombies;
  for (pid_t pid : numbered_entries("/proc")) {
    auto stat = proc_stat(pid);
    if (!stat) continue;
    size_t paren = stat->rfind(')');
    if (paren == std::string::npos || paren + 4 >= stat->size()) continue;
    char state = (*stat)[paren + 2];
    pid_t ppid = atoi(stat->c_str() + paren + 4);
    children[ppid].push_back(pid);
    if (state == 'Z' || state == 'X') zombies.insert(pid);
  }
  std::set<pid_t> threads;
  std::vector<pid_t> todo = {init_pid};
  while (!todo.empty()) {
    pid_t pid = todo.back();
    todo.pop_back();
    if (!zombies.count(pid))
      for (pid_t tid : numbered_entries("/proc/" + std::to_string(pid) + "/task")) threads.insert(tid);
    for (pid_t child : children[pid]) todo.push_back(child);
  }
  return threads;
}

// Waits until a seized thread is in a ptrace stop. Returns false when it is
// gone; a signal that stopped it is returned through *pending, to be handed
// back on detach.
bool wait_stopped(pid_t tid, int* pending) {
  for (;;) {
    int status;
    pid_t r = waitpid(tid, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (WIFEXITED(status) || WIFSIGNALED(status)) return false;
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status);
    bool event_stop = (status >> 16) == PTRACE_EVENT_STOP;
    // A signal-delivery stop: the thread is stopped all the same, and the
    // signal must not be lost.
    if (!event_stop && sig != SIGTRAP) *pending = sig;
    return true;
  }
}

// Seizes and stops every thread of the container. New threads and
// processes can only come from ones not stopped yet: repeat until a round
// finds nothing new.
void seize_all(pid_t init_pid, std::map<pid_t, int>& seized, std::string& error) {
  for (int round = 0; round < 100 && error.empty(); round++) {
    bool found = false;
    for (pid_t tid : container_threads(init_pid)) {
      if (seized.count(tid)) continue;
      if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0) {
        if (errno == ESRCH) continue;  // exited meanwhile
        error = format("ptrace thread %d: %s", tid, strerror(errno));
        break;
      }
      found = true;
      int pending = 0;
      ptrace(PTRACE_INTERRUPT, tid, 0, 0);
      if (wait_stopped(tid, &pending)) seized[tid] = pending;
    }
    if (!found) break;
  }
}

// The helper: seize, report, wait for the release, detach. It is a fork of
// hutch: nothing may unwind out of it into the caller's code.
[[noreturn]] void helper_main(pid_t init_pid, int report_fd, int release_fd) noexcept {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::map<pid_t, int> seized;  // tid -> signal to deliver on detach
  std::string error;
  try {
    seize_all(init_pid, seized, error);
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::string report = error.empty() ? "ok\n" : error + "\n";
  ssize_t ignored = ::write(report_fd, report.data(), report.size());
  (void)ignored;
  ::close(report_fd);
  if (error.empty()) {
    char c;
    while (::read(release_fd, &c, 1) < 0 && errno == EINTR) {
    }
  }
  for (const auto& [tid, sig] : seized) ptrace(PTRACE_DETACH, tid, 0, sig);
  _exit(0);
}

}  // namespace

ContainerPause::ContainerPause(pid_t init_pid) {
  Pipe report = Pipe::create();
  Pipe release = Pipe::create();
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    report.read.reset();
    release.write.reset();
    helper_main(init_pid, report.write.get(), release.read.get());
  }
  helper_ = Child(pid);
  release_ = std::move(release.write);
  report.write.reset();
  std::string answer = read_fd(report.read.get());
  if (answer != "ok\n") {
    resume();
    while (!answer.empty() && answer.back() == '\n') answer.pop_back();
    fail("cannot pause the container: %s (commit with --pause=false to leave it running)",
         answer.empty() ? "the pause helper failed" : answer.c_str());
  }
  log_debug("container paused");
}

void ContainerPause::resume() {
  release_.reset();
  if (helper_.pid() <= 0) return;
  try {
    helper_.wait();
  } catch (const Error& e) {
    log_warn("%s", e.what());
  }
  log_debug("container resumed");
}

}  // namespace hutch
