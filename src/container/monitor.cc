#include "container/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>
#include <memory>
#include <optional>

#include "container/docker_init.h"
#include "container/health.h"
#include "container/logs.h"
#include "container/rootless.h"
#include "container/run.h"
#include "runtime/create.h"
#include "runtime/oci_config.h"
#include "runtime/terminal.h"
#include "store/containers.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/go_values.h"
#include "base/human.h"
#include "base/process.h"
#include "base/strings.h"

// mimalloc's, when it is hutch's allocator (the static build).
extern "C" void mi_collect(bool force) __attribute__((weak));

namespace hutch {

namespace {

int64_t monotonic_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

// Output the monitor relays into the log: a pipe per stream, or the console.
struct Output {
  Fd fd;
  LogStream stream;
};

// One run of the container: created, its output logged until it has exited
// and its streams have ended. Returns its exit code.
class OneRun {
 public:
  // The config is read afresh for each run, and not kept between them.
  OneRun(oci::Config spec, const CreateRequest& base, LogWriter& log)
      : spec_(std::move(spec)), request_(base), log_(log) {}

  // Creates the container and waits for its exec; throws its failure.
  void start() {
    Fd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null) fail_errno("open /dev/null");
    SocketPair console;
    Pipe out, err;
    if (spec_.process.terminal) {
      console = SocketPair::create();
      request_.console_socket = console.child.get();
    } else {
      out = Pipe::create();
      err = Pipe::create();
    }
    // The init inherits 0, 1 and 2: the monitor's are /dev/null, the
    // container's the pipes (stdin stays /dev/null: nothing attaches yet).
    if (!spec_.process.terminal && (dup2(out.write.get(), 1) < 0 || dup2(err.write.get(), 2) < 0))
      fail_errno("dup2");
    CreatedContainer created;
    try {
      init_binary_ = provide_init(spec_, request_.bundle);
      created = create_container(spec_, request_);
    } catch (...) {
      dup2(null.get(), 1);
      dup2(null.get(), 2);
      throw;
    }
    dup2(null.get(), 1);
    dup2(null.get(), 2);
    userns_ = std::move(created.userns);
    if (spec_.process.terminal) {
      console.child.reset();
      outputs_.push_back({receive_fd(console.parent.get()), LogStream::kStdout});
    } else {
      out.write.reset();
      err.write.reset();
      outputs_.push_back({std::move(out.read), LogStream::kStdout});
      outputs_.push_back({std::move(err.read), LogStream::kStderr});
    }
    wait_for_exec(created, false);
    init_ = std::move(created.init);
  }

  int userns() const { return userns_ ? userns_.get() : -1; }
  pid_t pid() const { return init_.pid(); }

  // Until the init has exited and every stream has ended; signals sent to the
  // monitor (INT, TERM, HUP, QUIT) go to the container's init. Health probes
  // run meanwhile.
  int supervise(int signal_fd, HealthMonitor& health) {
    for (auto& o : outputs_) fcntl(o.fd.get(), F_SETFL, fcntl(o.fd.get(), F_GETFL) | O_NONBLOCK);
    int status = 0;
    bool exited = false;
    while (!exited || std::any_of(outputs_.begin(), outputs_.end(), [](const Output& o) { return o.fd.valid(); })) {
      struct pollfd fds[4] = {{signal_fd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
      for (size_t i = 0; i < outputs_.size(); i++) fds[i + 1].fd = outputs_[i].fd.get();
      fds[1 + outputs_.size()].fd = health.poll_fd();
      if (poll(fds, 2 + outputs_.size(), health.timeout_ms(monotonic_ms())) < 0) {
        if (errno == EINTR) continue;
        fail_errno("poll");
      }
      health.handle(monotonic_ms());
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
          log_.flush(o.stream, unix_nanos_now());
          o.fd.reset();
          continue;
        }
        log_.write(o.stream, std::string_view(buf, n), unix_nanos_now());
      }
    }
    return exit_code_of(status);
  }

 private:
  oci::Config spec_;
  CreateRequest request_;
  LogWriter& log_;
  std::vector<Output> outputs_;
  InitBinary init_binary_;  // --init's, while it runs
  Child init_;
  Fd userns_;
};

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
      // dropping it loses nothing.
      madvise((void*)start, end - start, MADV_DONTNEED);
    }
  }
}

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
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    // The report pipe is fd 3, kept across the exec (dup2 onto itself would
    // leave it close-on-exec).
    if (report.write.get() == 3) fcntl(3, F_SETFD, 0);
    else dup2(report.write.get(), 3);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (chdir("/") < 0) _exit(125);
    // A fresh image of hutch: the monitor's memory is what it touches, not
    // a copy of this command's. mimalloc is told to give freed pages back at
    // once (it keeps them for reuse, which a monitor never needs).
    std::vector<char*> env;
    for (char** e = environ; *e; e++)
      if (strncmp(*e, "MIMALLOC_", 9) != 0) env.push_back(*e);
    env.push_back((char*)"MIMALLOC_PAGE_RESET=1");
    env.push_back((char*)"MIMALLOC_DECOMMIT_DELAY=0");
    env.push_back(nullptr);
    const char* argv[] = {"hutch", "--root", store.root().c_str(), "__monitor", id.c_str(), nullptr};
    execve("/proc/self/exe", (char**)argv, env.data());
    _exit(125);
  }
  report.write.reset();
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(report.read.get(), buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buf, n);
  }
  size_t nl = text.find('\n');
  if (nl == std::string::npos) fail("container %s: its monitor exited before the container started", id.c_str());
  int code = atoi(text.c_str());
  if (code != 0) throw Error(text.substr(nl + 1), code);
}

int monitor_main(const Store& store, const std::string& id, int report_fd) {
  Fd reporting(report_fd);
  ContainerStore containers(store);
  sigset_t handled;
  sigemptyset(&handled);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGHUP}) sigaddset(&handled, sig);
  sigprocmask(SIG_BLOCK, &handled, nullptr);
  Fd signal_fd(signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK));
  signal(SIGPIPE, SIG_IGN);

  ContainerRecord record;
  std::string dir = store.container_dir(id);
  std::unique_ptr<LogWriter> log;
  try {
    if (!signal_fd) fail_errno("signalfd");
    record = containers.update(id, [](ContainerRecord& r) {
      r.monitor_pid = getpid();
      r.monitor_start = process_start_time(r.monitor_pid);
      r.manually_stopped = false;
      r.restart_count = 0;
    });
    oci::parse_config(read_file(dir + "/config.json"));  // a broken one fails the start here
    log = open_log_writer(dir, id, record.host_config.log_config, record.config.labels, record.config.env);
  } catch (const Error& e) {
    report(reporting, e.status(), e.what());
    return e.status();
  }
  CreateRequest request;
  request.state_root = store.containers_dir();
  request.state_in_bundle = true;
  request.id = id;
  request.bundle = dir;
  request.wait_for_start = false;
  request.die_with_parent = true;

  const RestartPolicy& policy = record.host_config.restart_policy;
  bool owned_by_caller = !detect_id_mapping().has_range();
  bool ever_started = false;
  int userns = -1;
  Fd last_userns;
  int64_t backoff = kFirstBackoffMs;
  HealthMonitor health(store, id, parse_health_config(record.config.healthcheck_json));
  for (bool first = true;; first = false) {
    container_state(store, id).remove();
    std::optional<OneRun> run;
    int code;
    int64_t started = monotonic_ms();
    try {
      run.emplace(oci::parse_config(read_file(dir + "/config.json")), request, *log);
      run->start();
      ever_started = true;
      record = containers.update(id, [&](ContainerRecord& r) {
        r.state = "running";
        r.started_at = rfc3339_now();
        r.error.clear();
      });
      health.container_started(monotonic_ms());
      report(reporting, 0, "");
      shed_memory();
      code = run->supervise(signal_fd.get(), health);
    } catch (const Error& e) {
      if (first) {
        // As docker keeps a container whose start failed: created (or
        // exited, when it ran before), with the status and the reason.
        try {
          containers.update(id, [&](ContainerRecord& r) {
            r.state = r.started_at.empty() ? "created" : "exited";
            r.exit_code = e.status();
            r.error = e.what();
          });
        } catch (const Error&) {
        }
        report(reporting, e.status(), e.what());
        if (record.host_config.auto_remove) {
          try {
            remove_ended_container(store, record, -1, owned_by_caller, false);
          } catch (const Error&) {
          }
        }
        return e.status();
      }
      code = e.status();
    }
    if (run && run->userns() >= 0) last_userns = Fd(dup(run->userns()));
    run.reset();
    std::string finished = rfc3339_now();
    try {
      record = containers.update(id, [&](ContainerRecord& r) {
        r.state = "exited";
        r.exit_code = code;
        r.finished_at = finished;
        if (should_restart(policy, r, code)) {
          r.state = "restarting";
          r.restart_count++;
        }
      });
    } catch (const Error&) {
      return code;  // removed under us (rm -f)
    }
    if (record.state != "restarting") break;
    backoff = monotonic_ms() - started >= kResetAfterMs ? kFirstBackoffMs : backoff;
    bool go_on = back_off(signal_fd.get(), backoff, containers, id);
    backoff = std::min(backoff * 2, kMaxBackoffMs);
    if (!go_on) {
      try {
        containers.update(id, [](ContainerRecord& r) { r.state = "exited"; });
      } catch (const Error&) {
      }
      break;
    }
  }
  container_state(store, id).remove();
  userns = last_userns ? last_userns.get() : -1;
  if (record.host_config.auto_remove) {
    try {
      remove_ended_container(store, record, userns, owned_by_caller, ever_started);
    } catch (const Error&) {
    }
  }
  return 0;
}

}  // namespace hutch
