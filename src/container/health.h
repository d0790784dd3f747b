// docker's health checks: the config (Config.Healthcheck) and the probes a
// container's monitor runs in it, driven from the monitor's one poll loop.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/fd.h"
#include "store/containers.h"
#include "store/store.h"

namespace hutch {

// Engine API HealthConfig. Durations in nanoseconds, 0 for "the default"
// (or, in a container's flags, "not given": the image's then applies).
struct HealthConfig {
  std::vector<std::string> test;  // ["CMD", args...], ["CMD-SHELL", cmd], ["NONE"]; empty: inherit
  int64_t interval = 0, timeout = 0, start_period = 0, start_interval = 0;
  int retries = 0;
};

// Parses Healthcheck JSON (an empty text: none, as an empty config).
HealthConfig parse_health_config(const std::string& json);
// Healthcheck JSON as docker writes it (zero fields left out).
std::string health_config_json(const HealthConfig& config);
// docker's daemon merge: the container's fields, each unset one the image's.
// Both are JSON; either may be empty.
std::string merge_health_json(const std::string& container, const std::string& image);
// The daemon's checks at creation (each duration 0 or at least 1ms, retries
// not negative), in its words.
void check_health_config(const HealthConfig& config);

// The probes of one container, for a single-threaded loop: poll poll_fd()
// (when not -1) with timeout_ms() and call handle() whenever it wakes. Each
// result goes to the container record's health fields, as docker's daemon
// keeps them: a probe `interval` after the start (or the last probe's end;
// `start_interval`, when given, while it is starting within `start_period`), exit 0
// healthy, unhealthy after `retries` failures in a row, failures within the
// start period not counted, a probe past `timeout` killed and failed.
class HealthMonitor {
 public:
  HealthMonitor(const Store& store, const std::string& id, const HealthConfig& config);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  bool enabled() const { return enabled_; }
  // The container runs: its health is "starting", the failing streak 0.
  void container_started(int64_t now_ms);
  // The running probe's output, or -1.
  int poll_fd() const { return output_ ? output_.get() : -1; }
  // Until handle() has something to do; -1: nothing (disabled or stopped).
  int timeout_ms(int64_t now_ms) const;
  // Starts a probe that is due, reads its output, reaps it, kills it past its
  // timeout, and records the result.
  void handle(int64_t now_ms);
  // Kills a running probe and records the container unhealthy, as docker
  // does; no more probes until container_started.
  void container_stopped();

 private:
  void start_probe(int64_t now_ms);
  void read_output();
  void finish_probe(int64_t now_ms, int exit_code, std::string output);
  int64_t interval_ms(int64_t now_ms) const;
  void kill_probe();

  const Store& store_;
  std::string id_;
  HealthConfig config_;
  bool enabled_ = false;
  bool running_ = false;          // the container runs: probes are due
  int64_t started_ms_ = 0;        // when the container started
  int64_t next_ms_ = 0;           // when the next probe starts
  std::string status_;            // the last status recorded
  // The probe in flight.
  pid_t probe_ = -1;
  int64_t deadline_ms_ = 0;
  std::string probe_start_;
  int64_t probe_start_ms_ = 0;
  Fd output_, report_;
  std::string out_;
  bool truncated_ = false;
};

}  // namespace hutch
