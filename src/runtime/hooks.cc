#include "runtime/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/process.h"

namespace hutch {

namespace {

void run_hook(const oci::Hook& hook, const std::string& state_json, const char* stage) {
  Pipe input = Pipe::create();
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    dup2(input.read.get(), 0);
    std::vector<char*> argv, envp;
    std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = hook.env;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(hook.path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  Child child(pid);
  input.read.reset();
  // A hook need not read its input: a closed pipe is not our failure.
  signal(SIGPIPE, SIG_IGN);
  try {
    write_all(input.write.get(), state_json);
  } catch (const Error&) {
  }
  input.write.reset();
  int status = 0;
  if (hook.timeout) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= *hook.timeout) {
        kill(pid, SIGKILL);
        child.wait();
        fail("%s hook %s: timed out after %d s", stage, printable(hook.path).c_str(), *hook.timeout);
      }
      usleep(2000);
    }
    child.release();
  } else {
    status = child.wait();
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    fail("%s hook %s: could not be run", stage, printable(hook.path).c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("%s hook %s: exit status %d", stage, printable(hook.path).c_str(), exit_code_of(status));
}

}  // namespace

void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json, const char* stage,
               bool warn_only) {
  for (const auto& hook : hooks) {
    try {
      run_hook(hook, state_json, stage);
    } catch (const Error& e) {
      if (!warn_only) throw;
      log_warn("%s", e.what());
    }
  }
}

}  // namespace hutch
