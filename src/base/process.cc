#include "base/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"

namespace hutch {

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    this->~Child();
    pid_ = other.release();
  }
  return *this;
}

Child::~Child() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

pid_t Child::release() {
  pid_t p = pid_;
  pid_ = -1;
  return p;
}

int Child::wait() {
  int status = 0;
  for (;;) {
    if (waitpid(pid_, &status, 0) >= 0) break;
    if (errno != EINTR) fail_errno("waitpid");
  }
  pid_ = -1;
  return status;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

int run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    execvp(args[0], args.data());
    _exit(127);
  }
  Child child(pid);
  return exit_code_of(child.wait());
}

int run_program_output(const std::vector<std::string>& argv, std::string& out, std::string& err) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Pipe stdout_pipe = Pipe::create(), stderr_pipe = Pipe::create();
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(stdout_pipe.write.get(), 1) < 0 ||
        dup2(stderr_pipe.write.get(), 2) < 0)
      _exit(127);
    execvp(args[0], args.data());
    _exit(127);
  }
  Child child(pid);
  stdout_pipe.write.reset();
  stderr_pipe.write.reset();
  // Both at once: a child that fills one pipe while we wait on the other
  // would never finish.
  struct pollfd fds[2] = {{stdout_pipe.read.get(), POLLIN, 0}, {stderr_pipe.read.get(), POLLIN, 0}};
  std::string* into[2] = {&out, &err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !fds[i].revents) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        open_fds--;
        continue;
      }
      into[i]->append(buf, (size_t)n);
    }
  }
  return exit_code_of(child.wait());
}

namespace {

// From /proc/PID/stat: the state letter (field 3) and the start time (field
// 22); false when the process is gone.
bool read_stat(pid_t pid, char* state, unsigned long long* start_time) {
  std::optional<std::string> stat;
  try {
    stat = read_file_if_exists(format("/proc/%d/stat", (int)pid));
  } catch (const Error&) {
    return false;  // it exited while being read (ESRCH): gone all the same
  }
  if (!stat) return false;
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  size_t close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size()) return false;
  const char* p = stat->c_str() + close + 2;
  *state = *p;
  for (int field = 3; field < 22 && *p; field++) {
    p = strchr(p, ' ');
    if (!p) return false;
    p++;
  }
  *start_time = strtoull(p, nullptr, 10);
  return true;
}

}  // namespace

unsigned long long process_start_time(pid_t pid) {
  char state;
  unsigned long long start_time = 0;
  return read_stat(pid, &state, &start_time) ? start_time : 0;
}

bool process_alive(pid_t pid, unsigned long long start_time) {
  if (pid <= 0) return false;
  unsigned long long now = process_start_time(pid);
  return now != 0 && now == start_time;
}

bool process_running(pid_t pid, unsigned long long start_time) {
  char state = 0;
  unsigned long long now = 0;
  if (pid <= 0 || !read_stat(pid, &state, &now)) return false;
  return now != 0 && now == start_time && state != 'Z' && state != 'X';
}

int64_t monotonic_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace hutch
