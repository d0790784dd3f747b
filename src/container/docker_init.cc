#include "container/docker_init.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/error.h"
#include "base/fd.h"

namespace hutch {

namespace {

// Signals the kernel sends a process for its own fault: they stay deliverable
// (blocked, they would kill the init silently or hang it).
bool is_fault(int sig) {
  return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT || sig == SIGTRAP ||
         sig == SIGSYS;
}

[[noreturn]] void exec_child(char** argv, const sigset_t& original) {
  // A process group of its own that owns the terminal, as tini makes it:
  // ^C, ^Z and a hang-up reach the command and what it runs, not the init
  // (which the kernel would not let them kill anyway). The init holds
  // SIGTTOU blocked here, so taking the terminal from the background works.
  setpgid(0, 0);
  if (isatty(0)) tcsetpgrp(0, getpgrp());
  sigprocmask(SIG_SETMASK, &original, nullptr);
  execvp(argv[0], argv);
  int e = errno;
  fprintf(stderr, "docker-init: exec %s failed: %s\n", argv[0], strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

}  // namespace

bool called_as_init(const char* argv0) {
  const char* slash = strrchr(argv0, '/');
  return strcmp(slash ? slash + 1 : argv0, "docker-init") == 0;
}

int init_main(int argc, char** argv) {
  int first = 1;
  if (first < argc && strcmp(argv[first], "--") == 0) first++;
  if (first >= argc) {
    fprintf(stderr, "usage: docker-init [--] PROGRAM [ARG...]\n");
    return 1;
  }
  // PID 1 of a PID namespace gets only the signals it handles or holds
  // blocked: every signal is blocked and taken with sigwaitinfo.
  sigset_t all, original;
  sigfillset(&all);
  for (int sig = 1; sig < NSIG; sig++)
    if (is_fault(sig)) sigdelset(&all, sig);
  sigprocmask(SIG_BLOCK, &all, &original);
  signal(SIGCHLD, SIG_DFL);  // an ignored SIGCHLD would reap the command before we saw its status
  pid_t child = fork();
  if (child < 0) {
    perror("docker-init: fork");
    return 1;
  }
  if (child == 0) exec_child(argv + first, original);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      // The terminal's job-control stops are the command's business, not
      // the init's: they are passed on like any other signal.
      kill(child, sig);
      continue;
    }
    // Orphans re-parented to PID 1 are reaped with the command.
    for (;;) {
      int status;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      if (pid != child) continue;
      // What is left in the container dies with its PID namespace's init.
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
  }
}

InitBinary& InitBinary::operator=(InitBinary&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) unlink(path_.c_str());
    path_ = std::exchange(other.path_, std::string());
  }
  return *this;
}

InitBinary::~InitBinary() {
  if (!path_.empty()) unlink(path_.c_str());
}

// Why a copy, and not a bind of hutch's own binary: root in the container
// is the invoking user (with a subordinate range too: only 1..N come from
// it), who owns that binary on the host. A bind of it would be the host file
// itself, writable through the mount with CAP_SYS_ADMIN in the container
// (`mount -o remount,rw`, --privileged), and a process of the container
// could then replace the hutch every later command runs (runc's
// CVE-2019-5736, there through /proc/self/exe). The copy is made afresh at
// each start in the container's directory, which no process of the container
// can reach, and mounted read-only (EROFS for any write; without
// CAP_SYS_ADMIN, which docker's default set lacks, the mount cannot be made
// writable). Nothing outside this container ever executes it: a container
// privileged enough to remount it changes only its own init.
// A sealed memfd would refuse writes even then, but the kernel binds only
// files of a mount in the caller's namespace, and a memfd's is in none.
InitBinary provide_init(oci::Config& spec, const std::string& dir) {
  InitBinary out;
  oci::Mount* mount = nullptr;
  for (auto& m : spec.mounts)
    if (m.source == kInitSource) mount = &m;
  if (!mount) return out;
  Fd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self) fail_errno("open /proc/self/exe");
  struct stat st;
  if (fstat(self.get(), &st) < 0) fail_errno("stat /proc/self/exe");
  // One name: a copy a killed monitor left is replaced, not added to.
  std::string path = dir + "/.docker-init";
  if (unlink(path.c_str()) < 0 && errno != ENOENT) fail_errno("remove %s", path.c_str());
  Fd copy(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555));
  if (!copy) fail_errno("create %s", path.c_str());
  out.path_ = path;
  for (off_t offset = 0; offset < st.st_size;) {
    ssize_t n = sendfile(copy.get(), self.get(), &offset, st.st_size - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_errno("copy hutch's binary to %s", path.c_str());
  }
  mount->source = path;
  return out;
}

}  // namespace hutch
