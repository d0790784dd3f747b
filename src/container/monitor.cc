#include "container/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>
#include <memory>
#include <optional>
#include <utility>

#include "container/attach_hub.h"
#include "container/attach_protocol.h"
#include "container/docker_init.h"
#include "container/endpoint_flags.h"
#include "container/etc_files.h"
#include "container/health.h"
#include "container/joined_network.h"
#include "container/logs.h"
#include "container/network_engine.h"
#include "container/network_keeper.h"
#include "container/pause.h"
#include "container/rootless.h"
#include "container/run.h"
#include "container/shared_userns.h"
#include "runtime/create.h"
#include "runtime/oci_config.h"
#include "runtime/terminal.h"
#include "store/containers.h"
#include "store/networks.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/go_values.h"
#include "base/human.h"
#include "base/interrupt.h"
#include "base/lock.h"
#include "base/log.h"
#include "base/process.h"
#include "base/strings.h"

// mimalloc's, when it is hutch's allocator (the static build).
extern "C" void mi_collect(bool force) __attribute__((weak));

namespace hutch {

namespace {

// docker's restart manager: 100 ms before the first restart, doubled each
// time, at most a minute, and back to 100 ms after a run of 10 s or more.
constexpr int64_t kFirstBackoffMs = 100;
constexpr int64_t kMaxBackoffMs = 60000;
constexpr int64_t kResetAfterMs = 10000;

bool should_restart(const RestartPolicy& policy, const ContainerRecord& record, int code) {
  if (record.manually_stopped) return false;
  if (policy.name == "always" || policy.name == "unless-stopped") return true;
  if (policy.name == "on-failure")
    return code != 0 && (policy.maximum_retry_count == 0 || record.restart_count < policy.maximum_retry_count);
  return false;
}

void report(Fd& fd, int status, const std::string& message) {
  if (!fd) return;
  std::string text = std::to_string(status) + "\n" + message;
  ssize_t ignored = ::write(fd.get(), text.data(), text.size());
  (void)ignored;
  fd.reset();
}

// Output the monitor relays into the log and to attached clients: a pipe
// per stream, or the console.
struct Output {
  Fd fd;
  LogStream stream;
};

int64_t grace_left(int64_t kill_at) { return std::clamp<int64_t>(kill_at - monotonic_ms(), 0, 1 << 30); }

// How long a container may take to end after its owner's terminal closed
// before it is killed: docker stop's default timeout.
constexpr int64_t kHangupGraceMs = 10000;

// The monitor idles for the container's whole life: what it touched to
// create the container (most of hutch's code, the JSON parser's buffers) is
// given back. Clean pages of the binary are read again from it if ever needed.
void shed_memory() {
  if (mi_collect) mi_collect(true);
  // What the start's deep calls used of the stack lies below where it now is.
  char here;
  uintptr_t stack_in_use = ((uintptr_t)&here & ~(uintptr_t)4095) - 2 * 4096;
  for (const auto& line : split(read_file_if_exists("/proc/self/maps").value_or(""), '\n')) {
    unsigned long start, end, offset, inode;
    char perms[8] = {}, dev[16];
    if (sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu", &start, &end, perms, &offset, dev, &inode) != 6) continue;
    if (line.find("[stack]") != std::string::npos) {
      if (stack_in_use > start && stack_in_use < end) madvise((void*)start, stack_in_use - start, MADV_DONTNEED);
    } else if (inode != 0 && perms[1] != 'w' && perms[3] == 'p') {
      // A read-only view of a file (code, constants): never written, so
      // dropping it loses nothing. MADV_RANDOM turns off fault-around for
      // it, which would read back 64 KiB around each page the idle loop
      // touches.
      madvise((void*)start, end - start, MADV_DONTNEED);
      madvise((void*)start, end - start, MADV_RANDOM);
    }
  }
}

Fd open_network_namespace(pid_t init) {
  Fd netns(::open(("/proc/" + std::to_string(init) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns) fail_errno("open the container's network namespace");
  return netns;
}

// docker's embedded DNS answers for its name, its short id and its aliases
// on the network.
NetworkAttachment::Endpoint endpoint_of(const ContainerRecord& record, const EndpointConfig& config,
                                        bool reaches_host) {
  NetworkAttachment::Endpoint endpoint;
  endpoint.ip = config.ipv4_address;
  endpoint.reaches_host = reaches_host;
  endpoint.names = {record.name, record.id.substr(0, 12)};
  endpoint.names.insert(endpoint.names.end(), config.aliases.begin(), config.aliases.end());
  return endpoint;
}

// One run of the container: created, its output logged and relayed until it
// has exited and its streams have ended. Returns its exit code.
class OneRun {
 public:
  // The config is read afresh for each run, and not kept between them.
  OneRun(oci::Config spec, const CreateRequest& base, LogWriter& log, AttachHub& hub)
      : spec_(std::move(spec)), request_(base), log_(log), hub_(hub) {}

  // Creates the container and waits for its exec; throws its failure. With
  // the record's OpenStdin the container reads a pipe that attached clients
  // write to (docker's -i), else /dev/null. On user networks, `attachment`
  // (the keeper's, whose user namespace the spec joins) wires it to each of
  // `networks`, the record's first.
  void start(const ContainerRecord& record, NetworkAttachment* attachment = nullptr,
             const std::vector<Network>& networks = {}, const std::vector<std::string>& link_addresses = {}) {
    bool open_stdin = record.config.open_stdin;
    Fd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) fail_errno("open /dev/null");
    SocketPair console;
    Pipe in, out, err;
    bool tty = spec_.process.terminal;
    if (tty) {
      console = SocketPair::create();
      request_.console_socket = console.child.get();
    } else {
      out = Pipe::create();
      err = Pipe::create();
      if (open_stdin) in = Pipe::create();
    }
    // The init inherits 0, 1 and 2: the monitor's are /dev/null, the
    // container's the pipes.
    auto give = [](const Fd& fd, int to) {
      if (fd && dup2(fd.get(), to) < 0) fail_errno("dup2");
    };
    // The monitor's own stderr (/dev/null, or the command's under --log-level
    // debug) comes back after the create.
    Fd own_err(fcntl(2, F_DUPFD_CLOEXEC, 3));
    auto take_back = [&] {
      for (int fd = 0; fd < 3; fd++) dup2(fd == 2 && own_err ? own_err.get() : null.get(), fd);
    };
    CreatedContainer created;
    // The network engine serves the namespace from the host's side; it is
    // ready before the container's process runs, and ends with this run.
    // The published ports are taken afresh at each start, as docker does.
    const HostConfig& host = record.host_config;
    NetworkPlan plan = network_plan(host);
    if (!record.config.mac_address.empty()) plan.mac_address = record.config.mac_address;
    if (uses_network_engine(host) && plan.engine != EngineKind::kNone) {
      plan.ports = take_host_ports(host, record.config, record.name);
      ip_address_ = plan.address;
      request_.on_namespaces_made = [this, plan](pid_t init) {
        network_.emplace(plan, init, request_.bundle + "/network.log");
      };
    }
    if (attachment) {
      // The keeper forwards the published ports from sockets bound here,
      // so that a port that is taken fails the start before anything runs.
      plan.ports = take_host_ports(host, record.config, record.name);
      auto sockets = std::make_shared<std::vector<Fd>>(bind_host_ports(plan.ports, record.name));
      request_.on_namespaces_made = [this, attachment, sockets, &record, &networks, &link_addresses,
                                     ports = plan.ports, reaches_host = plan.gateway_reaches_host](pid_t init) {
        attachment->prepare(record.id, record.host_config.dns, ports, *sockets);
        sockets->clear();  // the keeper has them
        Fd netns(open_network_namespace(init));
        extra_addresses_.clear();
        for (size_t i = 0; i < networks.size(); i++) {
          bool first = i == 0;
          const EndpointConfig& config = first ? record.endpoint : record.extra_networks[i - 1].endpoint;
          NetworkAttachment::Endpoint endpoint = endpoint_of(record, config, reaches_host);
          if (first) endpoint.mac = record.config.mac_address;
          std::string address = attachment->connect(netns.get(), networks[i], endpoint);
          if (first) ip_address_ = address;
          else extra_addresses_.push_back(address);
        }
        update_hosts_address(request_.bundle, ip_address_, link_addresses);
      };
    }
    if (!network_container(host).empty() || host.network_mode == "host") ports_.clear();
    else ports_ = recorded_ports(plan.ports, record.config);
    try {
      init_binary_ = provide_init(spec_, request_.bundle);
      give(in.read, 0);
      give(out.write, 1);
      give(err.write, 2);
      created = create_container(spec_, request_);
    } catch (...) {
      take_back();
      throw;
    }
    take_back();
    userns_ = std::move(created.userns);
    int terminal = -1;
    if (tty) {
      console.child.reset();
      outputs_.push_back({receive_fd(console.parent.get()), LogStream::kStdout});
      terminal = outputs_.back().fd.get();
    } else {
      in.read.reset();
      out.write.reset();
      err.write.reset();
      outputs_.push_back({std::move(out.read), LogStream::kStdout});
      outputs_.push_back({std::move(err.read), LogStream::kStderr});
    }
    wait_for_exec(created, request_.watch_interrupts);
    init_ = std::move(created.init);
    // The config's every string (its seccomp rules most of all) would stay
    // in the idle monitor's memory for the container's whole life.
    terminal_ = tty;
    spec_ = oci::Config();
    hub_.container_started(std::move(in.write), terminal, record.config.stdin_once);
  }

  // The engine, stopped, for the caller to let go of once the run's end is
  // recorded.
  std::optional<NetworkEngine> take_network() {
    if (network_) network_->stop();
    return std::move(network_);
  }

  // NetworkSettings.Ports and .IPAddress of this run.
  const PortBindings& ports() const { return ports_; }
  const std::string& ip_address() const { return ip_address_; }
  const std::vector<std::string>& extra_addresses() const { return extra_addresses_; }

  int userns() const { return userns_ ? userns_.get() : -1; }
  pid_t init_pid() const { return init_.pid(); }

  // `pause` and `unpause`, asked through the attach socket: "" or docker's
  // message. The freeze is held here for as long as it lasts (container/pause.h).
  std::string control(const std::string& what, const ContainerStore& containers, const std::string& id) {
    auto mark = [&](bool paused) { containers.update(id, [&](ContainerRecord& r) { r.paused = paused; }); };
    try {
      if (what == "pause") {
        if (pause_) return "Container " + id + " is already paused";
        pause_.emplace(init_.pid());
        mark(true);
        return "";
      }
      if (what == "unpause") {
        if (!pause_) return "Container " + id + " is not paused";
        pause_.reset();
        mark(false);
        return "";
      }
    } catch (const Error& e) {
      return e.what();
    }
    return "unknown request: " + what;
  }

  // Until the init has exited and every stream has ended. Signals sent to the
  // monitor (INT, TERM, HUP, QUIT) and by attached clients go to the init.
  // Health probes run meanwhile.
  int supervise(int signal_fd, HealthMonitor& health, bool shed_before_wait) {
    for (auto& o : outputs_) fcntl(o.fd.get(), F_SETFL, fcntl(o.fd.get(), F_GETFL) | O_NONBLOCK);
    int status = 0;
    bool exited = false;
    int64_t kill_at = -1;
    std::vector<struct pollfd> fds;
    while (!exited || std::any_of(outputs_.begin(), outputs_.end(), [](const Output& o) { return o.fd.valid(); })) {
      fds.assign(1, {signal_fd, POLLIN, 0});
      // A client that lags holds the container's output back (its pipe
      // fills and it waits), rather than the monitor's memory growing.
      bool reading = !hub_.backed_up();
      for (const auto& o : outputs_) fds.push_back({reading ? o.fd.get() : -1, POLLIN, 0});
      fds.push_back({health.poll_fd(), POLLIN, 0});
      hub_.add_poll_fds(fds);
      int timeout = kill_at >= 0 && !exited ? (int)grace_left(kill_at) : -1;
      if (int probe = health.timeout_ms(monotonic_ms()); probe >= 0 && (timeout < 0 || probe < timeout)) timeout = probe;
      // Right before the first wait: what runs between the shedding and the
      // wait is all that comes back (the kernel maps a whole large folio of
      // the binary at each fault, so every function touched costs 64-128 KiB).
      if (std::exchange(shed_before_wait, false)) shed_memory();
      if (poll(fds.data(), fds.size(), timeout) < 0) {
        if (errno == EINTR) continue;
        fail_errno("poll");
      }
      health.handle(monotonic_ms());
      if (kill_at >= 0 && !exited && monotonic_ms() >= kill_at) {
        kill(init_.pid(), SIGKILL);
        kill_at = -1;
        continue;
      }
      if (fds[0].revents & POLLIN) {
        struct signalfd_siginfo info;
        while (::read(signal_fd, &info, sizeof info) == sizeof info) {
          int sig = (int)info.ssi_signo;
          if (sig == SIGCHLD) {
            if (!exited && waitpid(init_.pid(), &status, WNOHANG) == init_.pid()) {
              exited = true;
              init_.release();
              health.container_stopped();
            }
          } else if (sig != SIGUSR1 && !exited) {
            kill(init_.pid(), sig);
          }
        }
      }
      for (size_t i = 0; i < outputs_.size(); i++) {
        if (!(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Output& o = outputs_[i];
        char buf[65536];
        ssize_t n = ::read(o.fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
          // The end of a stream (a pty master reads EIO once no one holds it).
          to_log([&] { log_.flush(o.stream, unix_nanos_now()); });
          o.fd.reset();
          continue;
        }
        to_log([&] { log_.write(o.stream, std::string_view(buf, n), unix_nanos_now()); });
        hub_.broadcast(o.stream == LogStream::kStdout ? Frame::kStdout : Frame::kStderr, std::string_view(buf, n));
      }
      hub_.handle(fds);
      for (int sig : hub_.take_signals())
        if (!exited) kill(init_.pid(), sig);
      if (exited) continue;
      if (hub_.owner_lost()) {
        // The foreground hutch that owned it was killed: so is the container,
        // as it would be if it were that process's child.
        kill(init_.pid(), SIGKILL);
        hub_.clear_owner_events();
      } else if (hub_.owner_hung_up()) {
        hang_up();
        kill_at = monotonic_ms() + kHangupGraceMs;
        hub_.clear_owner_events();
      }
    }
    pause_.reset();
    hub_.container_ended();
    return exit_code_of(status);
  }

 private:
  // A log that cannot be written (a disk the container itself filled) is
  // given up; the container's output still reaches its clients.
  template <typename F>
  void to_log(F&& write) {
    if (log_failed_) return;
    try {
      write();
    } catch (const Error&) {
      log_failed_ = true;
    }
  }

  // The owner's terminal closed (its window, or the ssh session): what the
  // kernel does for an ordinary session, whose leader dies of the SIGHUP and
  // takes the terminal's foreground job with it. The container's PID 1
  // ignores a SIGHUP it has no handler for, so the foreground job of the
  // container's terminal gets one directly (and PID 1 if it is not in that
  // job), the container's terminal is hung up, and what still runs is killed
  // after a grace period.
  void hang_up() {
    pid_t pid = init_.pid();
    if (!terminal_) {
      kill(pid, SIGHUP);
      return;
    }
    Output& console = outputs_[0];
    pid_t job = console.fd ? tcgetpgrp(console.fd.get()) : -1;
    if (job > 0) {
      kill(-job, SIGHUP);
      kill(-job, SIGCONT);
    }
    if (job != pid) kill(pid, SIGHUP);
    hub_.container_ended();
    if (console.fd) to_log([&] { log_.flush(console.stream, unix_nanos_now()); });
    console.fd.reset();
  }

  oci::Config spec_;  // until the start
  bool terminal_ = false;
  CreateRequest request_;
  LogWriter& log_;
  AttachHub& hub_;
  std::vector<Output> outputs_;
  InitBinary init_binary_;  // --init's, while it runs
  // Declared before the init: destroyed after it, so the engine outlives
  // whatever the container still sends.
  std::optional<NetworkEngine> network_;
  PortBindings ports_;
  std::string ip_address_;
  std::vector<std::string> extra_addresses_;  // on the record's extra networks
  Child init_;
  Fd userns_;
  std::optional<ContainerPause> pause_;
  bool log_failed_ = false;
};

// Sleeps out a restart's back-off; false when stop woke it to end instead.
bool back_off(int signal_fd, int64_t ms, const ContainerStore& containers, const std::string& id) {
  int64_t until = monotonic_ms() + ms;
  for (int64_t left; (left = until - monotonic_ms()) > 0;) {
    struct pollfd fd = {signal_fd, POLLIN, 0};
    if (poll(&fd, 1, (int)left) <= 0) continue;
    struct signalfd_siginfo info;
    bool woken = false;
    while (::read(signal_fd, &info, sizeof info) == sizeof info) woken = true;
    if (woken) {
      std::optional<ContainerRecord> now = containers.load(id);
      if (!now || now->manually_stopped) return false;
    }
  }
  return true;
}

}  // namespace

RestartPolicy parse_restart_policy(const std::string& text) {
  RestartPolicy policy;
  size_t colon = text.find(':');
  policy.name = text.substr(0, colon);
  if (text.empty()) policy.name = "no";
  if (policy.name != "no" && policy.name != "always" && policy.name != "unless-stopped" && policy.name != "on-failure")
    fail("invalid restart policy '%s'", text.c_str());
  if (colon != std::string::npos) {
    if (policy.name != "on-failure") fail("maximum retry count cannot be used with restart policy '%s'", policy.name.c_str());
    try {
      policy.maximum_retry_count = (int)parse_go_int(text.substr(colon + 1), 32);
    } catch (const Error&) {
      fail("maximum retry count must be an integer");
    }
    if (policy.maximum_retry_count < 0) fail("invalid restart policy: maximum retry count can't be negative");
  }
  return policy;
}

namespace {

// The addresses of --link's targets, which must be running on the
// container's network, in --link's order (update_hosts_address).
std::vector<std::string> addresses_of_links(const ContainerStore& containers, const ContainerRecord& record) {
  std::vector<std::string> out;
  for (const auto& link : record.host_config.links) {
    auto [name, alias] = parse_link(link);
    std::optional<ContainerRecord> target;
    try {
      target = containers.find(name);
    } catch (const Error&) {
    }
    if (!target || !target->is_running() || target->ip_address.empty())
      fail("Cannot link to a non running container: /%s AS /%s/%s", name.c_str(), record.name.c_str(),
           alias.c_str());
    if (user_network(target->host_config) != user_network(record.host_config))
      fail("Cannot link to /%s, as it does not belong to network %s", name.c_str(),
           user_network(record.host_config).c_str());
    out.push_back(target->ip_address);
  }
  return out;
}

// network connect and disconnect of the running container, asked through
// its attach socket: "network-connect\nNAME\nIP\nALIAS..." or
// "network-disconnect\nNAME". "" or the reason it cannot be done.
std::string network_request(const Store& store, const ContainerStore& containers, const ContainerRecord& started,
                            std::optional<NetworkAttachment>& attachment, const OneRun& run,
                            const std::string& what) {
  std::vector<std::string> lines = split(what, '\n');
  try {
    if (lines.size() < 2) fail("bad request");
    Network n = NetworkStore(store).find(lines[1]);
    if (!attachment) fail("container %s is on no user network: it must be stopped to be connected", started.name.c_str());
    if (lines[0] == "network-connect" && lines.size() >= 3) {
      EndpointConfig config{lines[2], std::vector<std::string>(lines.begin() + 3, lines.end())};
      bool reaches_host = network_plan(started.host_config).gateway_reaches_host;
      Fd netns(open_network_namespace(run.init_pid()));
      std::string address = attachment->connect(netns.get(), n, endpoint_of(started, config, reaches_host));
      containers.update(started.id, [&](ContainerRecord& r) { r.extra_networks.push_back({n.name, config, address}); });
      return "";
    }
    if (lines[0] != "network-disconnect") fail("bad request");
    attachment->disconnect(n);
    ContainerRecord now = containers.update(started.id, [&](ContainerRecord& r) { r.leave_network(n.name, n.id); });
    // On no network, it need not keep the keeper.
    if (user_network(now.host_config).empty()) attachment.reset();
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

// The signals the monitor handles through its signalfd. They are blocked from
// before its exec, so one sent early (an interrupted run) waits for it.
sigset_t monitor_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGHUP}) sigaddset(&set, sig);
  return set;
}

// In a forked child: becomes the monitor, a fresh image of hutch, whose
// memory is what it touches rather than a copy of this command's. The report
// pipe is its fd 3, the owner's socket (if any) fd 4.
[[noreturn]] void exec_monitor(const Store& store, const std::string& id, Fd& report, Fd& owner) {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  // With --log-level debug its phases go where the command's do.
  bool debug = log_enabled(LogLevel::kDebug);
  for (int fd = 0; fd < 3; fd++)
    if (fd != 2 || !debug) dup2(null, fd);
  // dup2 onto itself would leave the descriptor close-on-exec: move both out
  // of the way first.
  int report_fd = fcntl(report.get(), F_DUPFD_CLOEXEC, 10);
  int owner_fd = owner ? fcntl(owner.get(), F_DUPFD_CLOEXEC, 10) : -1;
  if (report_fd < 0 || dup2(report_fd, 3) < 0) _exit(125);
  if (owner_fd >= 0 && dup2(owner_fd, 4) < 0) _exit(125);
  sigset_t handled = monitor_signals();
  sigprocmask(SIG_SETMASK, &handled, nullptr);
  if (chdir("/") < 0) _exit(125);
  // mimalloc is told to give freed pages back at once (it keeps them for
  // reuse, which a monitor never needs).
  std::vector<char*> env;
  for (char** e = environ; *e; e++)
    if (strncmp(*e, "MIMALLOC_", 9) != 0 && strncmp(*e, "HUTCH_LOG_LEVEL=", 16) != 0) env.push_back(*e);
  if (debug) env.push_back((char*)"HUTCH_LOG_LEVEL=debug");
  env.push_back((char*)"MIMALLOC_PAGE_RESET=1");
  env.push_back((char*)"MIMALLOC_DECOMMIT_DELAY=0");
  env.push_back(nullptr);
  const char* mode = owner_fd >= 0 ? "__attached-monitor" : "__monitor";
  const char* argv[] = {"hutch", "--root", store.root().c_str(), mode, id.c_str(), nullptr};
  execve("/proc/self/exe", (char**)argv, env.data());
  _exit(125);
}

std::string read_report(int fd) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buf, n);
  }
  return text;
}

// "STATUS\nMESSAGE": returns on 0, else throws the failure.
void check_report(const std::string& text, const std::string& id, int interrupted_by) {
  size_t nl = text.find('\n');
  if (nl == std::string::npos) fail("container %s: its monitor exited before the container started", id.c_str());
  int code = atoi(text.c_str());
  if (code == 0) return;
  if (interrupted_by && code == 128 + interrupted_by) throw Interrupted(interrupted_by);
  throw Error(text.substr(nl + 1), code);
}

}  // namespace

void start_monitor(const Store& store, const std::string& id) {
  Pipe report = Pipe::create();
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    // A session of its own, and not our child: it outlives this command and
    // the terminal it ran in. The middle process exits at once.
    setsid();
    pid_t monitor = fork();
    if (monitor != 0) _exit(monitor < 0);
    Fd no_owner;
    exec_monitor(store, id, report.write, no_owner);
  }
  report.write.reset();
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  check_report(read_report(report.read.get()), id, 0);
}

AttachedMonitor start_attached_monitor(const Store& store, const std::string& id, const AttachHello& hello) {
  Pipe report = Pipe::create();
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) fail_errno("socketpair");
  Fd ours(pair[0]), theirs(pair[1]);
  // Our child, so that an interrupt can reach it, but in a session of its
  // own: the terminal's signals and hangup are ours to relay, and a detach
  // leaves it running.
  pid_t monitor = fork();
  if (monitor < 0) fail_errno("fork");
  if (monitor == 0) {
    setsid();
    exec_monitor(store, id, report.write, theirs);
  }
  report.write.reset();
  theirs.reset();
  if (!send_all(ours.get(), encode_frame(Frame::kHello, hello.encode())))
    fail("container %s: its monitor exited before the container started", id.c_str());
  // INT or TERM before the command runs: the monitor stops the start (and a
  // container made for this run goes, as if never run).
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  Fd stop_fd(signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK));
  int interrupted_by = 0;
  std::string text;
  for (bool done = false; !done;) {
    struct pollfd fds[2] = {{report.read.get(), POLLIN, 0}, {stop_fd.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    struct signalfd_siginfo info;
    if (fds[1].revents & POLLIN && ::read(stop_fd.get(), &info, sizeof info) == sizeof info) {
      interrupted_by = (int)info.ssi_signo;
      kill(monitor, interrupted_by);
    }
    if (fds[0].revents) {
      char buf[4096];
      ssize_t n = ::read(report.read.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) done = true;
      else text.append(buf, n);
    }
  }
  if (text.compare(0, 2, "0\n") != 0) {
    // A failed start: the monitor ends at once, and has removed what it
    // should; nothing of it outlives this command.
    while (waitpid(monitor, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  check_report(text, id, interrupted_by);
  return AttachedMonitor{std::move(ours), monitor};
}

int end_attached(const AttachEnd& end, pid_t monitor) {
  if (end.detached) return 0;
  if (!end.restarting && monitor > 0) {
    while (waitpid(monitor, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  return end.code;
}

int monitor_main(const Store& store, const std::string& id, int report_fd, int owner_fd) {
  Fd reporting(report_fd);
  Fd owner(owner_fd);
  // Neither may reach the container, nor the probes and helpers it starts.
  fcntl(report_fd, F_SETFD, FD_CLOEXEC);
  if (owner) fcntl(owner_fd, F_SETFD, FD_CLOEXEC);
  ContainerStore containers(store);
  sigset_t handled = monitor_signals();
  sigprocmask(SIG_BLOCK, &handled, nullptr);
  Fd signal_fd(signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK));
  signal(SIGPIPE, SIG_IGN);

  ContainerRecord record;
  std::string dir = store.container_dir(id);
  std::unique_ptr<LogWriter> log;
  std::optional<AttachHub> hub;
  try {
    if (!signal_fd) fail_errno("signalfd");
    record = containers.update(id, [](ContainerRecord& r) {
      r.monitor_pid = getpid();
      r.monitor_start = process_start_time(r.monitor_pid);
      r.manually_stopped = false;
      r.restart_count = 0;
    });
    log = open_log_writer(dir, id, record.host_config.log_config, record.config.labels, record.config.env);
    hub.emplace(listen_attach_socket(dir), std::move(owner));
    log_phase("monitor: record, log and socket ready");
  } catch (const Error& e) {
    report(reporting, e.status(), e.what());
    return e.status();
  }
  // What the foreground run made for itself goes if it is interrupted before
  // the command runs, as if it had never been run.
  bool fresh = hub->owner_is_fresh();
  CreateRequest request;
  request.state_root = store.containers_dir();
  request.state_in_bundle = true;
  request.id = id;
  request.bundle = dir;
  request.wait_for_start = false;
  request.die_with_parent = true;

  // After the container's end and the record's: clients learn the status
  // only once `ps` and `inspect` say it (and a --rm container is gone).
  auto remove_if_asked = [&](int userns, bool started) {
    if (!record.host_config.auto_remove) return;
    try {
      bool owned_by_caller = !detect_id_mapping().has_range();
      remove_ended_container(store, record, userns, owned_by_caller, started);
    } catch (const Error&) {
    }
  };
  bool ever_started = false;
  Fd last_userns;
  int64_t backoff = kFirstBackoffMs;
  HealthMonitor health(store, id, parse_health_config(record.config.healthcheck_json));
  for (bool first = true;; first = false) {
    container_state(store, id).remove();
    std::optional<OneRun> run;
    int code;
    int64_t started = monotonic_ms();
    // An owner's interrupt stops the first start (start_attached_monitor).
    request.watch_interrupts = first && hub->has_owner();
    try {
      oci::Config spec = oci::parse_config(read_file(dir + "/config.json"));
      log_phase("monitor: config read");
      std::optional<JoinedNetwork> joined;
      if (std::string other = network_container(record.host_config); !other.empty()) {
        joined.emplace(store, other);
        joined->join(spec);
      }
      std::optional<NetworkAttachment> attachment;
      // network rm waits until the record says the container runs on them.
      std::optional<FileLock> network_lock;
      std::vector<Network> on_networks;
      std::vector<std::string> link_addresses;
      if (std::string network = user_network(record.host_config); !network.empty()) {
        NetworkStore networks(store);
        network_lock.emplace(networks.lock(FileLock::kShared));
        on_networks.push_back(networks.find(network));
        for (const auto& extra : record.extra_networks) on_networks.push_back(networks.find(extra.name));
        attachment.emplace(store);
        attachment->join(spec);
        link_addresses = addresses_of_links(containers, record);
      }
      SharedUserns shared(store, spec);
      if (shared.found()) shared.join(spec);
      run.emplace(std::move(spec), request, *log, *hub);
      run->start(record, attachment ? &*attachment : nullptr, on_networks, link_addresses);
      shared.announce(run->init_pid());
      ever_started = true;
      record = containers.update(id, [&](ContainerRecord& r) {
        r.state = "running";
        r.ports = run->ports();
        r.ip_address = run->ip_address();
        for (size_t i = 0; i < r.extra_networks.size() && i < run->extra_addresses().size(); i++)
          r.extra_networks[i].ip_address = run->extra_addresses()[i];
        r.started_at = rfc3339_now();
        r.error.clear();
        r.paused = false;
      });
      network_lock.reset();
      hub->on_request = [&](const std::string& what) {
        if (what.rfind("network-", 0) == 0) return network_request(store, containers, record, attachment, *run, what);
        return run->control(what, containers, id);
      };
      health.container_started(monotonic_ms());
      log_phase("monitor: running recorded");
      report(reporting, 0, "");
      code = run->supervise(signal_fd.get(), health, true);
    } catch (const Error& e) {
      if (first) {
        run.reset();
        bool interrupted = dynamic_cast<const Interrupted*>(&e) != nullptr;
        try {
          if (interrupted && fresh) {
            remove_ended_container(store, record, -1, !detect_id_mapping().has_range(), false);
          } else {
            // As docker keeps a container whose start failed: created (or
            // exited, when it ran before), with the status and the reason.
            containers.update(id, [&](ContainerRecord& r) {
              r.state = r.started_at.empty() ? "created" : "exited";
              r.exit_code = e.status();
              r.error = e.what();
            });
            remove_if_asked(-1, false);
          }
        } catch (const Error&) {
        }
        report(reporting, e.status(), interrupted ? "" : e.what());
        return e.status();
      }
      code = e.status();
    }
    hub->on_request = nullptr;
    if (run && run->userns() >= 0) last_userns = Fd(dup(run->userns()));
    // Waited for when this iteration ends, after the end is recorded.
    std::optional<NetworkEngine> ended_engine = run ? run->take_network() : std::nullopt;
    run.reset();
    log_phase("monitor: container ended");
    std::string finished = rfc3339_now();
    try {
      record = containers.update(id, [&](ContainerRecord& r) {
        r.state = "exited";
        r.ports.clear();
        r.ip_address.clear();
        for (auto& extra : r.extra_networks) extra.ip_address.clear();
        r.exit_code = code;
        r.finished_at = finished;
        r.paused = false;
        // The policy as it is now: `update --restart` may have changed it.
        if (should_restart(r.host_config.restart_policy, r, code)) {
          r.state = "restarting";
          r.restart_count++;
        }
      });
    } catch (const Error&) {
      remove_attach_socket(dir);
      hub->send_exit(code, false);
      return code;  // removed under us (rm -f)
    }
    if (record.state != "restarting") {
      log_phase("monitor: exit recorded");
      container_state(store, id).remove();
      remove_attach_socket(dir);
      remove_if_asked(last_userns ? last_userns.get() : -1, ever_started);
      hub->send_exit(code, false);
      return 0;
    }
    // Attached clients end with this run, as docker's do; the container goes
    // on without them.
    hub->send_exit(code, true);
    backoff = monotonic_ms() - started >= kResetAfterMs ? kFirstBackoffMs : backoff;
    bool go_on = back_off(signal_fd.get(), backoff, containers, id);
    backoff = std::min(backoff * 2, kMaxBackoffMs);
    if (!go_on) {
      try {
        containers.update(id, [](ContainerRecord& r) { r.state = "exited"; });
      } catch (const Error&) {
      }
      container_state(store, id).remove();
      break;
    }
  }
  remove_attach_socket(dir);
  return 0;
}

}  // namespace hutch
