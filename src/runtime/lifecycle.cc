#include "runtime/lifecycle.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "runtime/hooks.h"
#include "runtime/namespaces.h"
#include "runtime/process_setup.h"
#include "runtime/terminal.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void signal_all(const ContainerState& state, int sig) {
  for (pid_t pid : container_pids(state)) {
    ProcessHandle process = ProcessHandle::open(pid, process_start_time(pid));
    process.signal(sig);
  }
}

}  // namespace

std::vector<pid_t> container_pids(const ContainerState& state) {
  std::vector<pid_t> pids;
  if (!process_running(state.pid, state.start_time)) return pids;
  pids.push_back(state.pid);
  std::string init_ns = format("/proc/%d/ns/pid", (int)state.pid);
  struct stat init_st;
  if (stat(init_ns.c_str(), &init_st) < 0) return pids;
  // A container with the caller's own PID namespace cannot be told from the
  // host's processes this way: then only its init is known.
  if (same_file(init_ns, "/proc/self/ns/pid")) return pids;
  for (const auto& name : list_dir("/proc")) {
    pid_t pid = atoi(name.c_str());
    if (pid <= 0 || pid == state.pid) continue;
    struct stat st;
    if (stat(format("/proc/%d/ns/pid", (int)pid).c_str(), &st) == 0 && st.st_dev == init_st.st_dev &&
        st.st_ino == init_st.st_ino)
      pids.push_back(pid);
  }
  return pids;
}

void kill_container(const StateDir& dir, int sig, bool all) {
  ContainerState state = dir.current();
  if (state.status == "stopped") fail("container %s is not running", dir.id().c_str());
  if (all) {
    signal_all(state, sig);
    return;
  }
  dir.process(state).signal(sig);
}

void delete_container(const StateDir& dir, bool force) {
  ContainerState state = dir.current();
  // runtime.md: deleting a container that is not stopped MUST fail and
  // leave it be; runc would kill a created one, the spec does not let us.
  if (state.status != "stopped" && !force)
    fail("cannot delete container %s that is not stopped: %s", dir.id().c_str(), state.status.c_str());
  if (state.status != "stopped") {
    ProcessHandle init = dir.process(state);
    // Killing a PID namespace's init kills everything in it.
    signal_all(state, SIGKILL);
    if (!init.wait_gone(10000)) fail("container %s: its process %d did not die", dir.id().c_str(), (int)state.pid);
  }
  std::optional<oci::Config> config;
  try {
    config = oci::parse_config(read_file(dir.config_path()));
  } catch (const Error&) {
  }
  state.status = "stopped";
  dir.remove();
  if (config) run_hooks(config->hooks.poststop, state_json(state), "poststop", true);
}

ExecedProcess exec_in_container(const StateDir& dir, const ExecRequest& request) {
  ContainerState state = dir.current();
  if (state.status == "stopped") fail("cannot exec in a stopped container");
  oci::Config config = oci::parse_config(read_file(dir.config_path()));
  ProcessHandle init = dir.process(state);
  // Every namespace is opened before any is entered: after the mount
  // namespace, /proc is the container's.
  std::vector<std::pair<Fd, int>> namespaces;
  for (const auto& kind : namespace_kinds()) {
    std::string theirs = format("/proc/%d/ns/%s", (int)state.pid, kind.proc);
    std::string ours = std::string("/proc/self/ns/") + kind.proc;
    if (!hutch::exists(theirs) || same_file(theirs, ours)) continue;
    Fd fd(::open(theirs.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail_errno("open %s", theirs.c_str());
    namespaces.emplace_back(std::move(fd), kind.clone_flag);
  }
  // Checked after the opens: these are that process's namespaces, not a
  // successor's that took its pid.
  if (!init.alive()) fail("cannot exec in a stopped container");
  Fd pid_dir;
  if (!request.pid_file.empty()) pid_dir = open_dir(dirname_of(request.pid_file));
  for (auto& [fd, flag] : namespaces)
    if (setns(fd.get(), flag) < 0) fail_errno("join the container's namespaces");

  int errors[2], console[2];
  if (pipe2(errors, O_CLOEXEC) < 0) fail_errno("pipe");
  Fd errors_read(errors[0]), errors_write(errors[1]);
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0) fail_errno("socketpair");
  Fd console_ours(console[0]), console_theirs(console[1]);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    errors_read.reset();
    console_ours.reset();
    try {
      oci::Config with_user = config;
      with_user.annotations.clear();
      if (!request.user_spec.empty()) with_user.annotations.emplace_back(oci::kUserAnnotation, request.user_spec);
      oci::Process process = resolve_process(with_user, request.process);
      if (chdir(process.cwd.c_str()) < 0) fail_errno("chdir to %s", process.cwd.c_str());
      if (process.args.empty()) fail("no command specified");
      std::string path = find_executable(process.args[0], process.env);
      attach_console(process, request.console_socket >= 0 ? request.console_socket : console_theirs.get());
      apply_limits(process);
      apply_privileges(process, config.linux.seccomp_json);
      close_inherited_fds(2 + request.preserve_fds);
      exec_process(path, process);
    } catch (const Error& e) {
      std::string line = error_report(e);
      (void)!::write(errors_write.get(), line.data(), line.size());
      _exit(e.status());
    }
  }
  ExecedProcess out;
  out.process = Child(pid);
  errors_write.reset();
  console_theirs.reset();
  if (request.process.terminal && request.console_socket < 0) out.console = receive_fd(console_ours.get());
  std::string report = read_fd(errors_read.get());
  if (!report.empty()) {
    out.process.wait();
    throw error_from_report(report);
  }
  if (pid_dir) {
    std::string name = request.pid_file.substr(request.pid_file.rfind('/') + 1), tmp = "." + name + ".tmp";
    Fd file(openat(pid_dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file) fail_errno("write %s", request.pid_file.c_str());
    write_all(file.get(), std::to_string(pid));
    if (renameat(pid_dir.get(), tmp.c_str(), pid_dir.get(), name.c_str()) < 0) fail_errno("rename %s", request.pid_file.c_str());
  }
  return out;
}

}  // namespace hutch
