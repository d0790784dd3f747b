#include "runtime/init.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <grp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/root_file.h"
#include "runtime/rootfs.h"
#include "runtime/terminal.h"
#include "runtime/user_db.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

// docker's default capability set.
constexpr int kDefaultCaps[] = {CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,       CAP_FOWNER,
                                CAP_MKNOD,  CAP_NET_RAW,      CAP_SETGID,       CAP_SETUID,
                                CAP_SETFCAP, CAP_SETPCAP,     CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
                                CAP_KILL,   CAP_AUDIT_WRITE};

uint64_t default_cap_mask() {
  uint64_t mask = 0;
  for (int cap : kDefaultCaps) mask |= 1ULL << cap;
  return mask;
}

void bring_up_loopback() {
  Fd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) fail_errno("socket");
  struct ifreq req = {};
  strcpy(req.ifr_name, "lo");
  if (ioctl(sock.get(), SIOCGIFFLAGS, &req) < 0) fail_errno("loopback flags");
  req.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sock.get(), SIOCSIFFLAGS, &req) < 0) fail_errno("bring up loopback");
}

bool has_env(const std::vector<std::string>& env, const char* name) {
  size_t n = strlen(name);
  for (const auto& e : env)
    if (e.compare(0, n, name) == 0 && e.size() > n && e[n] == '=') return true;
  return false;
}

std::string env_value(const std::vector<std::string>& env, const char* name) {
  size_t n = strlen(name);
  for (const auto& e : env)
    if (e.compare(0, n, name) == 0 && e.size() > n && e[n] == '=') return e.substr(n + 1);
  return "";
}

void enter_workdir(const std::string& cwd) {
  struct stat st;
  if (stat(cwd.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    fail("working directory %s is not a directory", cwd.c_str());
  // docker creates a missing working directory.
  mkdir_p(cwd, 0755);
  if (chdir(cwd.c_str()) < 0) fail_errno("chdir to working directory %s", cwd.c_str());
}

// Gives the process a new session on the container's own pty, so `tty` names
// a device that exists inside, and hands the master to the supervisor.
void attach_console(const ProcessSpec& process, const ExecUser& user, int console_socket) {
  Fd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) fail_errno("open /dev/ptmx");
  int unlock = 0;
  if (ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) fail_errno("unlock pty");
  Fd slave(ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) {
    int n;
    if (ioctl(master.get(), TIOCGPTN, &n) < 0) fail_errno("pty number");
    slave.reset(::open(format("/dev/pts/%d", n).c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) fail_errno("open pty");
  }
  if (process.console_size) ioctl(slave.get(), TIOCSWINSZ, &*process.console_size);
  // The user must be able to use its own terminal.
  fchown(slave.get(), user.uid, -1);
  send_fd(console_socket, master.get());
  master.reset();
  if (setsid() < 0) fail_errno("setsid");
  if (ioctl(slave.get(), TIOCSCTTY, 0) < 0) fail_errno("set controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave.get(), fd) < 0) fail_errno("dup2 pty");
}

void set_identity(const ExecUser& user) {
  // Bounding set first: it limits what any later exec can ever regain.
  uint64_t keep = default_cap_mask();
  int last = 40;
  if (auto text = read_file_if_exists("/proc/sys/kernel/cap_last_cap")) last = atoi(text->c_str());
  for (int cap = 0; cap <= last; cap++)
    if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      fail_errno("drop capability %d", cap);
  // Only possible with a subordinate range: the kernel forbids setgroups under
  // a single-id mapping (/proc/self/setgroups is "deny").
  auto setgroups_state = read_file_if_exists("/proc/self/setgroups");
  if (!setgroups_state || setgroups_state->compare(0, 5, "allow") == 0) {
    if (setgroups(user.groups.size(), user.groups.data()) < 0) fail_errno("setgroups");
  }
  if (setresgid(user.gid, user.gid, user.gid) < 0) {
    if (errno == EINVAL) fail("group %u is not mapped in the user namespace (no subordinate gid range in /etc/subgid?)", user.gid);
    fail_errno("setgid %u", user.gid);
  }
  if (setresuid(user.uid, user.uid, user.uid) < 0) {
    if (errno == EINVAL)
      fail("user %u is not mapped in the user namespace: without a subordinate uid range in /etc/subuid only root (0) exists in the container", user.uid);
    fail_errno("setuid %u", user.uid);
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (user.uid == 0) {
    for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) < 0) fail_errno("capset");
}

// exec.LookPath's rules, against the container's PATH rather than ours.
std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = env_value(env, "PATH");
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t colon = path.find(':', pos);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = colon > pos ? path.substr(pos, colon - pos) : ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111)) return candidate;
    pos = colon + 1;
  }
  fail_status(kExitNotFound, "exec: \"%s\": executable file not found in $PATH", name.c_str());
}

void close_inherited_fds() {
  // Everything but stdio closes at exec, including the error pipe, whose
  // closing is how the parent learns that exec succeeded.
  if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return;
  for (const auto& name : list_dir("/proc/self/fd")) {
    int fd = atoi(name.c_str());
    if (fd > 2) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}

[[noreturn]] void exec_process(const ProcessSpec& process, std::vector<std::string> env) {
  if (process.args.empty()) fail("no command specified");
  std::string path = find_executable(process.args[0], env);
  std::vector<char*> argv, envp;
  for (const auto& a : process.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  close_inherited_fds();
  execve(path.c_str(), argv.data(), envp.data());
  int err = errno;
  if (err == ENOENT) fail_status(kExitNotFound, "exec: \"%s\": stat %s: no such file or directory", process.args[0].c_str(), path.c_str());
  fail_status(kExitCannotInvoke, "exec: \"%s\": %s", process.args[0].c_str(),
              err == EACCES || err == EISDIR ? "permission denied" : strerror(err));
}

[[noreturn]] void report_and_exit(int error_fd, int status, const std::string& message) {
  std::string line = std::to_string(status) + " " + message;
  ssize_t ignored = ::write(error_fd, line.data(), line.size());
  (void)ignored;
  _exit(status);
}

}  // namespace

void container_init(const Spec& spec, int error_fd, int console_socket) {
  try {
    // Die with the supervisor: a kill -9 of hutch must not leave the container
    // running. (getppid() cannot double-check here: the parent is outside our
    // PID namespace and reads as 0.)
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, nullptr);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);

    int namespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    if (spec.network != NetworkMode::kHost) namespaces |= CLONE_NEWNET;
    if (unshare(namespaces) < 0) fail_errno("create namespaces");
    setup_rootfs(spec);
    if (!spec.hostname.empty() && sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
      fail_errno("sethostname");
    if (spec.network != NetworkMode::kHost) bring_up_loopback();

    const ProcessSpec& process = spec.process;
    // After pivot_root "/" is the container's tree, but its links could still
    // name /proc's magic links or devices: read through the one careful reader.
    Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) fail_errno("open /");
    ExecUser user = resolve_user(process.user, read_small_file_in_root(root.get(), "/etc/passwd").value_or(""),
                                 read_small_file_in_root(root.get(), "/etc/group").value_or(""));
    std::vector<std::string> env = process.env;
    if (!has_env(env, "HOME")) env.push_back("HOME=" + user.home);
    enter_workdir(process.cwd);
    if (process.terminal) {
      attach_console(process, user, console_socket);
    } else if (!process.stdin_open) {
      int null = ::open("/dev/null", O_RDONLY);
      if (null < 0 || dup2(null, 0) < 0) fail_errno("stdin");
      close(null);
    }
    set_identity(user);
    exec_process(process, std::move(env));
  } catch (const Error& e) {
    report_and_exit(error_fd, e.status(), e.what());
  } catch (const std::exception& e) {
    report_and_exit(error_fd, kExitRunner, e.what());
  }
}

}  // namespace hutch
