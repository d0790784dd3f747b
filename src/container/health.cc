#include "container/health.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "base/error.h"
#include "base/file.h"
#include "base/go_values.h"
#include "base/human.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/process.h"
#include "container/run.h"
#include "runtime/lifecycle.h"

namespace hutch {

namespace {

// docker's defaults (daemon/health.go).
constexpr int64_t kDefaultInterval = 30'000'000'000;
constexpr int64_t kDefaultTimeout = 30'000'000'000;
constexpr int kDefaultRetries = 3;
constexpr int64_t kMinimumDuration = 1'000'000;  // 1ms
constexpr size_t kMaxLogEntries = 5;
constexpr size_t kMaxOutput = 4096;

int64_t or_default(int64_t ns, int64_t fallback) { return ns > 0 ? ns : fallback; }
int64_t to_ms(int64_t ns) { return ns / 1'000'000; }

std::vector<std::string> probe_args(const std::vector<std::string>& test) {
  if (test[0] == "CMD-SHELL") return {"/bin/sh", "-c", test.size() > 1 ? test[1] : ""};
  return std::vector<std::string>(test.begin() + 1, test.end());
}

// The probe's helper: our child, in the container's namespaces, the parent
// of the probe (exec_in_container wants a single-threaded caller that stays
// in them). Its exit status is the probe's; why the probe could not start
// goes to report.
[[noreturn]] void run_probe(const Store& store, const std::string& id, const std::vector<std::string>& args,
                            int output, int report) {
  // Its own process group, which the probe shares: a timeout kills both,
  // and whatever the probe started in the background.
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  try {
    if (dup2(output, 1) < 0 || dup2(output, 2) < 0) fail_errno("dup2");
    StateDir state = container_state(store, id);
    oci::Config config = oci::parse_config(read_file(state.config_path()));
    ExecRequest request;
    request.process = config.process;
    request.process.args = args;
    request.process.terminal = false;
    request.process.console_size.reset();
    ExecedProcess probe = exec_in_container(state, request);
    _exit(exit_code_of(probe.process.wait()));
  } catch (const std::exception& e) {
    (void)!::write(report, e.what(), strlen(e.what()));
    _exit(125);
  }
}

// What a non-blocking pipe holds now.
std::string read_available(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace

HealthConfig parse_health_config(const std::string& json) {
  HealthConfig c;
  if (json.empty()) return c;
  JsonValue v = parse_json(json, "Healthcheck");
  c.test = v.strings_at("Test");
  c.interval = v.int_at("Interval");
  c.timeout = v.int_at("Timeout");
  c.start_period = v.int_at("StartPeriod");
  c.start_interval = v.int_at("StartInterval");
  c.retries = (int)v.int_at("Retries");
  return c;
}

std::string health_config_json(const HealthConfig& c) {
  JsonWriter w;
  w.begin_object();
  if (!c.test.empty()) w.key("Test").string_array(c.test);
  if (c.interval) w.field("Interval", c.interval);
  if (c.timeout) w.field("Timeout", c.timeout);
  if (c.start_period) w.field("StartPeriod", c.start_period);
  if (c.start_interval) w.field("StartInterval", c.start_interval);
  if (c.retries) w.field("Retries", (int64_t)c.retries);
  w.end_object();
  return w.str();
}

std::string merge_health_json(const std::string& container, const std::string& image) {
  if (container.empty() || image.empty()) return container.empty() ? image : container;
  HealthConfig c = parse_health_config(container), i = parse_health_config(image);
  if (c.test.empty()) c.test = i.test;
  if (!c.interval) c.interval = i.interval;
  if (!c.timeout) c.timeout = i.timeout;
  if (!c.start_period) c.start_period = i.start_period;
  if (!c.start_interval) c.start_interval = i.start_interval;
  if (!c.retries) c.retries = i.retries;
  return health_config_json(c);
}

void check_health_config(const HealthConfig& c) {
  auto check = [](int64_t ns, const char* what) {
    if (ns != 0 && ns < kMinimumDuration) fail("%s in Healthcheck cannot be less than 1ms", what);
  };
  check(c.interval, "Interval");
  check(c.timeout, "Timeout");
  if (c.retries < 0) fail("Retries in Healthcheck cannot be negative");
  check(c.start_period, "StartPeriod");
  check(c.start_interval, "StartInterval");
}

HealthMonitor::HealthMonitor(const Store& store, const std::string& id, const HealthConfig& config)
    : store_(store), id_(id), config_(config) {
  enabled_ = !config_.test.empty() && config_.test[0] != "NONE" &&
             (config_.test[0] == "CMD-SHELL" || (config_.test[0] == "CMD" && config_.test.size() > 1));
}

HealthMonitor::~HealthMonitor() { kill_probe(); }

void HealthMonitor::container_started(int64_t now_ms) {
  if (!enabled_) return;
  kill_probe();
  running_ = true;
  started_ms_ = now_ms;
  status_ = "starting";
  // As docker's daemon: the log of earlier runs stays.
  try {
    ContainerStore(store_).update(id_, [](ContainerRecord& r) {
      r.health.status = "starting";
      r.health.failing_streak = 0;
    });
  } catch (const Error&) {
  }
  next_ms_ = now_ms + interval_ms(now_ms);
}

// docker 25's start interval, when one is given; without it the interval
// (docker 20.10, which has none, and not docker 25's default of 5s: a check
// with a start period then keeps the pace it had before).
int64_t HealthMonitor::interval_ms(int64_t now_ms) const {
  bool in_start_period = now_ms - started_ms_ < to_ms(config_.start_period);
  if (in_start_period && status_ == "starting" && config_.start_interval > 0) return to_ms(config_.start_interval);
  return to_ms(or_default(config_.interval, kDefaultInterval));
}

int HealthMonitor::timeout_ms(int64_t now_ms) const {
  if (!enabled_ || !running_) return -1;
  int64_t until = (probe_ > 0 ? deadline_ms_ : next_ms_) - now_ms;
  return (int)std::max<int64_t>(0, std::min<int64_t>(until, INT32_MAX));
}

void HealthMonitor::handle(int64_t now_ms) {
  if (!enabled_ || !running_) return;
  if (probe_ <= 0) {
    if (now_ms >= next_ms_) start_probe(now_ms);
    return;
  }
  read_output();
  int status;
  pid_t reaped = waitpid(probe_, &status, WNOHANG);
  if (reaped == probe_) {
    probe_ = -1;
    read_output();  // what it wrote before it exited is in the pipe
    std::string report = read_available(report_.get());
    if (!report.empty()) finish_probe(now_ms, -1, report);
    else finish_probe(now_ms, exit_code_of(status), out_ + (truncated_ ? "..." : ""));
    return;
  }
  if (now_ms >= deadline_ms_) {
    kill_probe();
    int64_t timeout = or_default(config_.timeout, kDefaultTimeout);
    finish_probe(now_ms, -1,
                 "Health check exceeded timeout (" + format_go_duration(std::chrono::nanoseconds(timeout)) + ")");
  }
}

// docker's daemon calls a stopped container unhealthy (ps -a --filter
// health=unhealthy lists it), its streak and log kept.
void HealthMonitor::container_stopped() {
  if (!enabled_ || !running_) return;
  kill_probe();
  running_ = false;
  status_ = "unhealthy";
  try {
    ContainerStore(store_).update(id_, [](ContainerRecord& r) { r.health.status = "unhealthy"; });
  } catch (const Error&) {
  }
}

void HealthMonitor::start_probe(int64_t now_ms) {
  Pipe output = Pipe::create(), report = Pipe::create();
  probe_start_ = rfc3339_now();
  probe_start_ms_ = now_ms;
  out_.clear();
  truncated_ = false;
  pid_t pid = fork();
  if (pid < 0) {
    finish_probe(now_ms, -1, std::string("fork: ") + strerror(errno));
    return;
  }
  if (pid == 0) run_probe(store_, id_, probe_args(config_.test), output.write.get(), report.write.get());
  setpgid(pid, pid);  // as the child does: whichever runs first
  probe_ = pid;
  deadline_ms_ = now_ms + to_ms(or_default(config_.timeout, kDefaultTimeout));
  output_ = std::move(output.read);
  report_ = std::move(report.read);
  fcntl(output_.get(), F_SETFL, O_NONBLOCK);
  fcntl(report_.get(), F_SETFL, O_NONBLOCK);
}

// docker keeps the first 4 KiB of the output, and "..." when there was more.
void HealthMonitor::read_output() {
  if (!output_) return;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(output_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN: for now, all of it
    if (n == 0) {
      output_.reset();
      return;
    }
    size_t keep = std::min((size_t)n, kMaxOutput - out_.size());
    out_.append(buf, keep);
    if (keep < (size_t)n) truncated_ = true;
  }
}

void HealthMonitor::kill_probe() {
  if (probe_ > 0) {
    kill(-probe_, SIGKILL);
    kill(probe_, SIGKILL);
    while (waitpid(probe_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  probe_ = -1;
  output_.reset();
  report_.reset();
}

void HealthMonitor::finish_probe(int64_t now_ms, int exit_code, std::string output) {
  output_.reset();
  report_.reset();
  HealthProbe probe{probe_start_, rfc3339_now(), exit_code, std::move(output)};
  // Failures of probes that started while it was starting, within its start
  // period, are not counted.
  bool counts = !(status_ == "starting" && probe_start_ms_ - started_ms_ < to_ms(config_.start_period));
  int retries = config_.retries > 0 ? config_.retries : kDefaultRetries;
  try {
    ContainerRecord r = ContainerStore(store_).update(id_, [&](ContainerRecord& r) {
      HealthState& h = r.health;
      h.log.push_back(probe);
      if (h.log.size() > kMaxLogEntries) h.log.erase(h.log.begin(), h.log.end() - kMaxLogEntries);
      if (exit_code == 0) {
        h.failing_streak = 0;
        h.status = "healthy";
      } else if (counts && ++h.failing_streak >= retries) {
        h.status = "unhealthy";
      }
      if (h.status.empty()) h.status = status_;
    });
    status_ = r.health.status;
  } catch (const Error&) {
    // Removed under us: the monitor learns it from its own loop.
  }
  next_ms_ = now_ms + interval_ms(now_ms);
}

}  // namespace hutch
