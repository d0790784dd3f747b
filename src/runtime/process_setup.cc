#include "runtime/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runtime/capabilities.h"
#include "runtime/rlimits.h"
#include "runtime/root_file.h"
#include "runtime/seccomp.h"
#include "runtime/terminal.h"
#include "runtime/user_db.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

// An empty value counts as unset, as runc counts an empty HOME.
bool env_has(const std::vector<std::string>& env, const char* name) {
  size_t n = strlen(name);
  for (const auto& e : env)
    if (e.compare(0, n, name) == 0 && e.size() > n + 1 && e[n] == '=') return true;
  return false;
}

void drop_env(std::vector<std::string>& env, const char* name) {
  size_t n = strlen(name);
  std::erase_if(env, [&](const std::string& e) { return e.compare(0, n, name) == 0 && e.size() > n && e[n] == '='; });
}

std::string env_value(const std::vector<std::string>& env, const char* name) {
  size_t n = strlen(name);
  for (const auto& e : env)
    if (e.compare(0, n, name) == 0 && e.size() > n && e[n] == '=') return e.substr(n + 1);
  return "";
}

// The kernel may know more capabilities than hutch has names for: those go too.
int kernel_last_capability() {
  auto text = read_file_if_exists("/proc/sys/kernel/cap_last_cap");
  return text ? atoi(text->c_str()) : kLastCapability;
}

// The kernel may know fewer capabilities than the config names (--privileged
// lists all hutch knows): those it lacks cannot be had, and are left out.
uint64_t known_to_kernel(uint64_t mask) {
  int last = kernel_last_capability();
  return last >= 63 ? mask : mask & ((1ULL << (last + 1)) - 1);
}

void set_capabilities(const oci::Capabilities& caps) {
  uint64_t effective = known_to_kernel(capability_mask(caps.effective)),
           permitted = known_to_kernel(capability_mask(caps.permitted)),
           inheritable = known_to_kernel(capability_mask(caps.inheritable));
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; i++) {
    data[i].effective = (uint32_t)(effective >> (32 * i));
    data[i].permitted = (uint32_t)(permitted >> (32 * i));
    data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) < 0) fail_errno("set capabilities");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (const auto& name : caps.ambient) {
    int cap = *capability_number(name);
    if (cap > kernel_last_capability()) continue;
    // The kernel allows an ambient capability only when it is also
    // inheritable and permitted; runc's default spec lists ambient ones that
    // are not, and runc leaves those out as the kernel does.
    uint64_t bit = 1ULL << cap;
    if (!(inheritable & bit) || !(permitted & bit)) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) fail_errno("raise ambient %s", name.c_str());
  }
}

void drop_bounding(const oci::Capabilities& caps) {
  uint64_t keep = capability_mask(caps.bounding);
  for (int cap = 0, last = kernel_last_capability(); cap <= last; cap++)
    if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      fail_errno("drop capability %s", capability_name(cap) ? capability_name(cap) : "?");
}

void set_user(const oci::User& user) {
  // Only possible when setgroups is allowed: the kernel forbids it under a
  // single-id mapping written by an unprivileged parent.
  auto setgroups_state = read_file_if_exists("/proc/self/setgroups");
  if (!setgroups_state || setgroups_state->compare(0, 5, "allow") == 0) {
    std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
    if (setgroups(groups.size(), groups.data()) < 0) fail_errno("setgroups");
  }
  if (setresgid(user.gid, user.gid, user.gid) < 0) {
    if (errno == EINVAL)
      fail("group %u is not mapped in the user namespace (no subordinate gid range in /etc/subgid?)", user.gid);
    fail_errno("setgid %u", user.gid);
  }
  if (setresuid(user.uid, user.uid, user.uid) < 0) {
    if (errno == EINVAL)
      fail("user %u is not mapped in the user namespace: without a subordinate uid range in /etc/subuid only root (0) "
           "exists in the container",
           user.uid);
    fail_errno("setuid %u", user.uid);
  }
}

}  // namespace

oci::Process resolve_process(const oci::Config& config, const oci::Process& process) {
  oci::Process out = process;
  const std::string* spec = config.annotation(oci::kUserAnnotation);
  if (!spec) return out;
  // After pivot_root "/" is the container's tree, but its links could still
  // name /proc's magic links or devices: read through the one careful reader.
  Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) fail_errno("open /");
  ExecUser user = resolve_user(*spec, read_small_file_in_root(root.get(), "/etc/passwd").value_or(""),
                               read_small_file_in_root(root.get(), "/etc/group").value_or(""));
  out.user.uid = user.uid;
  out.user.gid = user.gid;
  // The config's own additional gids (--group-add) stay; the user's groups join them.
  for (gid_t g : user.groups)
    if (std::find(out.user.additional_gids.begin(), out.user.additional_gids.end(), g) == out.user.additional_gids.end())
      out.user.additional_gids.push_back(g);
  if (!env_has(out.env, "HOME")) {
    drop_env(out.env, "HOME");
    out.env.push_back("HOME=" + user.home);
  }
  return out;
}

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

void attach_console(const oci::Process& process, int console_socket) {
  if (!process.terminal) return;
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
  if (process.console_size) {
    struct winsize size = {};
    size.ws_row = (unsigned short)process.console_size->height;
    size.ws_col = (unsigned short)process.console_size->width;
    ioctl(slave.get(), TIOCSWINSZ, &size);
  }
  // The user must be able to use its own terminal.
  (void)!fchown(slave.get(), process.user.uid, -1);
  if (console_socket < 0) fail("process.terminal is set but no console socket was given");
  send_fd(console_socket, master.get());
  master.reset();
  if (setsid() < 0) fail_errno("setsid");
  if (ioctl(slave.get(), TIOCSCTTY, 0) < 0) fail_errno("set controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave.get(), fd) < 0) fail_errno("dup2 pty");
}

void apply_limits(const oci::Process& process) {
  for (const auto& limit : process.rlimits) {
    auto resource = rlimit_resource(limit.type);
    if (!resource) fail("process.rlimits: unknown type %s", limit.type.c_str());
    struct rlimit value = {limit.soft, limit.hard};
    if (setrlimit(*resource, &value) < 0) fail_errno("set %s", limit.type.c_str());
  }
  if (process.oom_score_adj) {
    std::string value = std::to_string(*process.oom_score_adj);
    Fd fd(::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), value.data(), value.size()) != (ssize_t)value.size())
      fail_errno("set oom_score_adj to %s", value.c_str());
  }
  if (process.user.umask) umask(*process.user.umask);
}

void apply_privileges(const oci::Process& process, const std::string& seccomp_json) {
  std::optional<SeccompProgram> seccomp;
  if (!seccomp_json.empty()) seccomp = compile_seccomp(seccomp_json);
  if (process.capabilities) drop_bounding(*process.capabilities);
  // Without no_new_privileges only a privileged process may install a filter:
  // before the identity changes, as runc does; with it, as late as possible so
  // the filter sees nothing but the exec.
  if (seccomp && !process.no_new_privileges) install_seccomp(*seccomp);
  if (process.capabilities) prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
  set_user(process.user);
  if (process.capabilities) {
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    set_capabilities(*process.capabilities);
  }
  if (process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail_errno("set no_new_privs");
  if (seccomp && process.no_new_privileges) install_seccomp(*seccomp);
}

void close_inherited_fds(int keep_up_to) {
  // Everything else closes at exec, including the sync socket, whose closing
  // is how the parent learns that exec succeeded.
  if (syscall(SYS_close_range, keep_up_to + 1, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return;
  for (const auto& name : list_dir("/proc/self/fd")) {
    int fd = atoi(name.c_str());
    if (fd > keep_up_to) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}

void exec_process(const std::string& path, const oci::Process& process) {
  std::vector<char*> argv, envp;
  for (const auto& a : process.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : process.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(path.c_str(), argv.data(), envp.data());
  int err = errno;
  if (err == ENOENT)
    fail_status(kExitNotFound, "exec: \"%s\": stat %s: no such file or directory", process.args[0].c_str(), path.c_str());
  fail_status(kExitCannotInvoke, "exec: \"%s\": %s", process.args[0].c_str(),
              err == EACCES || err == EISDIR ? "permission denied" : strerror(err));
}

}  // namespace hutch
