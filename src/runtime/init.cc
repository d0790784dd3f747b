#include "runtime/init.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/hooks.h"
#include "runtime/process_setup.h"
#include "runtime/rootfs.h"
#include "runtime/sync.h"
#include "base/error.h"
#include "base/file.h"
#include "base/log.h"

namespace hutch {

namespace {

void bring_up_loopback() {
  Fd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) fail_errno("socket");
  struct ifreq req = {};
  strcpy(req.ifr_name, "lo");
  if (ioctl(sock.get(), SIOCGIFFLAGS, &req) < 0) fail_errno("loopback flags");
  req.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock.get(), SIOCSIFFLAGS, &req) < 0) fail_errno("bring up loopback");
}

void set_names(const oci::Config& config) {
  bool own_uts = config.linux.has_namespace("uts");
  if ((!config.hostname.empty() || !config.domainname.empty()) && !own_uts)
    fail("hostname and domainname need a UTS namespace of the container's own");
  if (!config.hostname.empty() && sethostname(config.hostname.data(), config.hostname.size()) < 0)
    fail_errno("sethostname");
  if (!config.domainname.empty() && setdomainname(config.domainname.data(), config.domainname.size()) < 0)
    fail_errno("setdomainname");
}

void write_sysctls(const oci::Config& config) {
  for (const auto& [key, value] : config.linux.sysctl) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); i++)
      if (path[i] == '.') path[i] = '/';
    if (key.find("..") != std::string::npos || key.empty() || key[0] == '/')
      fail("linux.sysctl: invalid key %s", key.c_str());
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), value.data(), value.size()) != (ssize_t)value.size())
      fail_errno("linux.sysctl: set %s", key.c_str());
  }
}

void enter_cwd(const std::string& cwd) {
  if (cwd.empty() || cwd[0] != '/') fail("process.cwd %s is not absolute", cwd.c_str());
  struct stat st;
  if (stat(cwd.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) fail("working directory %s is not a directory", cwd.c_str());
  // docker creates a missing working directory, and so does runc.
  mkdir_p(cwd, 0755);
  if (chdir(cwd.c_str()) < 0) fail_errno("chdir to working directory %s", cwd.c_str());
}

// A caller whose own uid the maps leave out (root giving the container
// 1000..2999 of the host) is nobody in the new namespace until it takes its
// root, as runc's init does: the root is built as that root.
void become_namespace_root() {
  if (getuid() == 0 && getgid() == 0) return;
  if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
    if (errno == EINVAL) fail("linux.uidMappings and gidMappings must map the container's root (id 0)");
    fail_errno("become root in the user namespace");
  }
}

// Blocks until `start` opens the fifo's other end. The written end stays
// open until exec closes it: `start` reads end-of-file once the process has
// exec'd (or died), and only then runs the poststart hooks.
void wait_for_start(int fifo_fd) {
  Fd fifo(::open(("/proc/self/fd/" + std::to_string(fifo_fd)).c_str(), O_WRONLY | O_CLOEXEC));
  if (!fifo) fail_errno("open exec.fifo");
  if (::write(fifo.get(), "0", 1) != 1) fail_errno("write exec.fifo");
  ::close(fifo_fd);
  fifo.release();
}

}  // namespace

void container_init(const InitContext& ctx) {
  const oci::Config& config = *ctx.config;
  try {
    // Die with the supervisor: a kill -9 of hutch must not leave the container
    // running. (getppid() cannot double-check here: the parent is outside our
    // PID namespace and reads as 0.)
    if (ctx.die_with_parent) prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, nullptr);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);

    std::string state;
    // The parent writes the id maps (when there is a new user namespace) first.
    sync_expect_payload(ctx.sync_fd, SyncMessage::kGo, &state);
    log_phase("init: go");
    if (ctx.made_userns) become_namespace_root();
    // The host's session keyring is no business of the container's; kernels
    // without keyrings, or a seccomp policy above us, just leave it shared.
    if (ctx.new_keyring && syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, nullptr) < 0 &&
        errno != ENOSYS && errno != EPERM && errno != EACCES)
      fail_errno("create session keyring");
    set_names(config);
    if (config.linux.has_namespace("network") && !config.linux.find_namespace("network")->path.size())
      bring_up_loopback();
    log_phase("init: names, loopback");
    if (!config.hooks.prestart.empty() || !config.hooks.create_runtime.empty()) {
      sync_send(ctx.sync_fd, SyncMessage::kHooks);
      sync_expect_payload(ctx.sync_fd, SyncMessage::kGo, &state);
    }
    run_hooks(config.hooks.create_container, state, "createContainer");
    setup_rootfs(config);
    log_phase("init: rootfs mounted");
    // Through the container's own /proc, before /proc/sys turns read-only.
    write_sysctls(config);
    finish_rootfs(config);
    log_phase("init: rootfs finished");

    oci::Process process = resolve_process(config, config.process);
    enter_cwd(process.cwd);
    if (process.args.empty()) fail("process.args: no command specified");
    std::string path = find_executable(process.args[0], process.env);
    log_phase("init: process resolved");
    attach_console(process, ctx.console_fd);
    if (ctx.console_fd >= 0) ::close(ctx.console_fd);
    sync_send(ctx.sync_fd, SyncMessage::kCreated);
    if (ctx.fifo_fd >= 0) wait_for_start(ctx.fifo_fd);
    run_hooks(config.hooks.start_container, state, "startContainer");
    apply_limits(process);
    apply_privileges(process, config.linux.seccomp_json);
    log_phase("init: privileges");
    close_inherited_fds(2 + ctx.preserve_fds);
    exec_process(path, process);
  } catch (const Error& e) {
    std::string line = error_report(e);
    // After `create` returned nobody reads the socket: the error goes where
    // the process's own output goes.
    try {
      sync_send(ctx.sync_fd, SyncMessage::kError, line);
    } catch (const Error&) {
      fprintf(stderr, "hutch: %s\n", e.what());
    }
    _exit(e.status());
  } catch (const std::exception& e) {
    try {
      sync_send(ctx.sync_fd, SyncMessage::kError, error_report(Error(e.what())));
    } catch (const Error&) {
    }
    _exit(kExitRunner);
  }
}

}  // namespace hutch
