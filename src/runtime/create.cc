#include "runtime/create.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/hooks.h"
#include "runtime/id_maps.h"
#include "runtime/implicit_userns.h"
#include "runtime/init.h"
#include "runtime/namespaces.h"
#include "runtime/sync.h"
#include "base/error.h"
#include "base/file.h"
#include "base/human.h"
#include "base/interrupt.h"
#include "base/json_reader.h"
#include "base/log.h"
#include "base/printable.h"

namespace hutch {

namespace {

// What the runtime cannot do without privilege, refused by name rather than
// silently skipped.
void check_supported(const oci::Config& config) {
  if (!config.process.apparmor_profile.empty()) fail("process.apparmorProfile is not supported");
  if (!config.process.selinux_label.empty()) fail("process.selinuxLabel is not supported");
  if (!config.linux.mount_label.empty()) fail("linux.mountLabel is not supported");
  if (!config.linux.has_namespace("mount"))
    fail("linux.namespaces: hutch needs a mount namespace to build the container's root");
  for (const auto& ns : config.linux.namespaces) {
    if (!find_namespace_kind(ns.type)) fail("linux.namespaces: unknown type %s", printable(ns.type).c_str());
    // CLONE_NEWTIME shares clone(2)'s exit-signal bits; it would need clone3
    // and linux.timeOffsets, which hutch does not implement.
    if (ns.type == "time") fail("linux.namespaces: the time namespace is not supported");
  }
  bool new_userns = config.linux.has_namespace("user") && config.linux.find_namespace("user")->path.empty();
  if (!new_userns && (!config.linux.uid_mappings.empty() || !config.linux.gid_mappings.empty()))
    fail("linux.uidMappings need a new user namespace");
  if (config.process.args.empty()) fail("process.args: no command specified");
  if (!config.linux.unsupported.empty()) fail("%s is not supported", config.linux.unsupported[0].c_str());
  // Without cgroups nothing can be limited. A device rule alone changes
  // nothing here: without privilege no device node can be made or opened
  // that the mounts do not already give.
  if (!config.linux.resources_json.empty()) {
    JsonValue resources = parse_json(config.linux.resources_json, "linux.resources");
    for (const auto& [key, value] : resources.members())
      if (key != "devices" && value.kind() != JsonValue::kNull)
        fail("linux.resources.%s is not supported: hutch places no cgroups", printable(key).c_str());
  }
}

// fork(), but with new namespaces: only this child enters the new PID
// namespace (as its pid 1); the caller and whatever it forks later stay out.
pid_t clone_with(int flags) {
  return (pid_t)syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), nullptr, nullptr, nullptr, nullptr);
}

// Namespaces given by path must be joined before the new ones are made (a new
// user namespace would lose the right to join the host's others): an
// intermediate process joins them and clones the init as our child
// (CLONE_PARENT), tells us its pid, and exits. Its failure comes back on
// sync_fd, our end of the socket whose other end the context holds.
pid_t clone_joining(const oci::Linux& linux, int flags, const InitContext& context, int sync_fd) {
  Pipe report = Pipe::create();
  pid_t middle = fork();
  if (middle < 0) fail_errno("fork");
  if (middle == 0) {
    int status = 0;
    try {
      for (const auto& kind : namespace_kinds()) {
        const oci::Namespace* ns = linux.find_namespace(kind.type);
        if (!ns || ns->path.empty()) continue;
        Fd fd(::open(ns->path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) fail_errno("open %s namespace %s", kind.type, ns->path.c_str());
        if (setns(fd.get(), kind.clone_flag) < 0) fail_errno("join %s namespace %s", kind.type, ns->path.c_str());
      }
      pid_t init = (pid_t)syscall(SYS_clone, (unsigned long)(flags | CLONE_PARENT), nullptr, nullptr, nullptr, nullptr);
      if (init < 0) fail_errno("create namespaces");
      if (init == 0) {
        report.write.reset();
        container_init(context);
      }
      write_all(report.write.get(), std::to_string(init));
    } catch (const Error& e) {
      sync_send(context.sync_fd, SyncMessage::kError, error_report(e));
      status = 1;
    }
    _exit(status);
  }
  report.write.reset();
  Child(middle).wait();
  std::string pid = read_fd(report.read.get());
  if (pid.empty()) {
    // The middle process reported its failure on the sync socket.
    sync_expect(sync_fd, SyncMessage::kGo, "joining the namespaces failed");
  }
  return (pid_t)std::stol(pid);
}

std::string resolved_root(const oci::Config& config, const std::string& bundle) {
  if (config.root.path.empty()) fail("root.path: missing");
  return config.root.path[0] == '/' ? config.root.path : bundle + "/" + config.root.path;
}

// Waits for the sync socket, or for INT/TERM when the caller asked.
void wait_readable(int fd, bool watch_interrupts) {
  if (!watch_interrupts) return;
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  Fd stop_fd(signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!stop_fd) fail_errno("signalfd");
  for (;;) {
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    struct signalfd_siginfo info;
    if ((fds[1].revents & POLLIN) && ::read(stop_fd.get(), &info, sizeof info) == sizeof info)
      throw Interrupted(info.ssi_signo);
    if (fds[0].revents) return;
  }
}

}  // namespace

CreatedContainer create_container(const oci::Config& original, const CreateRequest& request) {
  oci::Config config = with_implicit_userns(original);
  check_supported(config);
  config.root.path = resolved_root(original, request.bundle);
  StateDir dir(request.state_root, request.id, request.state_in_bundle);
  if (request.state_in_bundle && original.root.path != config.root.path)
    fail("root.path must be absolute when the state lives in the bundle");
  dir.create();
  CreatedContainer created;
  try {
    if (!dir.in_bundle()) write_file_atomic(dir.config_path(), write_config(config));
    Fd fifo;
    if (request.wait_for_start) {
      if (mkfifo(dir.fifo_path().c_str(), 0622) < 0) fail_errno("mkfifo %s", dir.fifo_path().c_str());
      // Any container user must be able to open it through /proc/self/fd.
      chmod(dir.fifo_path().c_str(), 0622);
      fifo.reset(::open(dir.fifo_path().c_str(), O_PATH | O_CLOEXEC));
      if (!fifo) fail_errno("open %s", dir.fifo_path().c_str());
    }
    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) < 0) fail_errno("socketpair");
    created.sync.reset(sockets[0]);
    Fd child_end(sockets[1]);

    InitContext context;
    context.config = &config;
    context.sync_fd = child_end.get();
    context.console_fd = request.console_socket;
    context.fifo_fd = fifo.get();
    context.die_with_parent = request.die_with_parent;
    context.preserve_fds = request.preserve_fds;
    context.new_keyring = request.new_keyring;
    int flags = new_namespace_flags(config.linux);
    context.made_userns = flags & CLONE_NEWUSER;
    bool joins = false;
    for (const auto& ns : config.linux.namespaces) joins |= !ns.path.empty();

    pid_t pid;
    if (!joins) {
      pid = clone_with(flags);
      if (pid < 0) fail_errno("create namespaces");
      if (pid == 0) {
        created.sync.reset();
        container_init(context);
      }
    } else {
      pid = clone_joining(config.linux, flags, context, created.sync.get());
    }
    created.init = Child(pid);
    log_phase("init cloned");
    child_end.reset();
    fifo.reset();

    ContainerState& state = created.state;
    state.id = request.id;
    state.bundle = request.bundle;
    state.rootfs = config.root.path;
    state.created = rfc3339_now();
    state.pid = pid;
    state.start_time = process_start_time(pid);
    state.owner = geteuid();
    state.annotations = config.annotations;
    state.status = "creating";
    // Saved before the go, unless the init dies with us: then a kill of this
    // process between the two cannot leave a container that no state names,
    // and the write overlaps the init's work on the other core.
    if (!request.die_with_parent) dir.save(state);
    if (context.made_userns) {
      write_id_maps(pid, config.linux.uid_mappings, config.linux.gid_mappings);
      log_phase("id maps written");
    }
    if (config.linux.has_namespace("user"))
      created.userns.reset(::open(format("/proc/%d/ns/user", (int)pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (request.on_namespaces_made) {
      request.on_namespaces_made(pid);
      log_phase("namespaces readied");
    }
    // What the hooks read: every one runs after the environment is made
    // (step 2 of runtime.md's lifecycle), when `state` says "created" too.
    ContainerState hook_state = state;
    hook_state.status = "created";
    sync_send(created.sync.get(), SyncMessage::kGo, state_json(hook_state));
    if (request.die_with_parent) dir.save(state);
    if (!config.hooks.prestart.empty() || !config.hooks.create_runtime.empty()) {
      wait_readable(created.sync.get(), request.watch_interrupts);
      sync_expect(created.sync.get(), SyncMessage::kHooks, "container init exited");
      run_hooks(config.hooks.prestart, state_json(hook_state), "prestart");
      run_hooks(config.hooks.create_runtime, state_json(hook_state), "createRuntime");
      sync_send(created.sync.get(), SyncMessage::kGo, state_json(hook_state));
    }
    wait_readable(created.sync.get(), request.watch_interrupts);
    sync_expect(created.sync.get(), SyncMessage::kCreated, "container init exited");
    log_phase("root built");
    state.status = request.wait_for_start ? "created" : "running";
    if (!request.pid_file.empty()) write_file_atomic(request.pid_file, std::to_string(pid));
    return created;
  } catch (...) {
    // The init dies with its Child; then nothing of the container remains.
    if (created.init.pid() > 0) {
      kill(created.init.pid(), SIGKILL);
      created.init.wait();
    }
    try {
      dir.remove();
    } catch (const Error&) {
    }
    throw;
  }
}

void wait_for_exec(CreatedContainer& created, bool watch_interrupts) {
  for (;;) {
    wait_readable(created.sync.get(), watch_interrupts);
    SyncMessage type;
    std::string payload;
    if (!sync_receive(created.sync.get(), &type, &payload)) break;  // closed at exec
    if (type == SyncMessage::kError) {
      created.init.wait();
      throw error_from_report(payload);
    }
  }
  created.sync.reset();
}

void start_container(const StateDir& dir) {
  ContainerState state = dir.current();
  if (state.status != "created")
    fail("cannot start a container that is %s", state.status == "running" ? "already running" : state.status.c_str());
  Fd fifo(::open(dir.fifo_path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo) fail_errno("open %s", dir.fifo_path().c_str());
  // The init is blocked opening the other end; now it writes one byte and execs.
  ProcessHandle process = dir.process(state);
  bool started = false;
  for (;;) {
    char byte;
    ssize_t n = ::read(fifo.get(), &byte, 1);
    if (n == 1) started = true;
    // After the byte, end-of-file: the init's end closed at exec (or death).
    // config.md: poststart hooks run after the process is executed.
    if (n == 0 && started) break;
    if (n < 0 && errno != EAGAIN && errno != EINTR) fail_errno("read %s", dir.fifo_path().c_str());
    if (!process.alive()) {
      if (started) break;
      fail("cannot start a container that has stopped");
    }
    struct pollfd p = {fifo.get(), POLLIN, 0};
    poll(&p, 1, 20);
  }
  unlink(dir.fifo_path().c_str());
  state.status = "running";
  oci::Config config = oci::parse_config(read_file(dir.config_path()));
  run_hooks(config.hooks.poststart, state_json(state), "poststart", true);
}

}  // namespace hutch
