#include "container/control.h"

#include <signal.h>
#include <unistd.h>

#include "container/run.h"
#include "runtime/lifecycle.h"
#include "runtime/process_handle.h"
#include "base/error.h"
#include "base/signal_names.h"

namespace hutch {

namespace {

// What it does once its container has ended: a monitor exits, and so does the
// foreground hutch run.
ProcessHandle monitor_of(const ContainerRecord& record) {
  return ProcessHandle::open(record.monitor_pid, record.monitor_start);
}

// The init's signal, when the container has one running.
bool signal_init(const Store& store, const ContainerRecord& record, int sig, bool all) {
  StateDir state = container_state(store, record.id);
  if (!state.exists()) return false;
  try {
    kill_container(state, sig, all);
    return true;
  } catch (const Error&) {
    return false;  // stopped meanwhile
  }
}

}  // namespace

int stop_signal_of(const ContainerRecord& record) {
  if (record.config.stop_signal.empty()) return SIGTERM;
  try {
    return parse_docker_signal(record.config.stop_signal);
  } catch (const Error&) {
    return SIGTERM;
  }
}

void stop_container(const Store& store, const ContainerRecord& record, int signal, int timeout_s) {
  ContainerStore containers(store);
  ContainerRecord now = containers.update(record.id, [](ContainerRecord& r) { r.manually_stopped = true; });
  ProcessHandle monitor = monitor_of(now);
  std::string status = now.status();
  if (!monitor.alive() || (status != "running" && status != "restarting")) return;
  // Waiting out a restart's back-off: the wake-up makes it read the mark.
  if (status == "restarting") monitor.signal(SIGUSR1);
  else if (signal_init(store, now, signal, false) && monitor.wait_gone(timeout_s < 0 ? -1 : timeout_s * 1000))
    return;
  signal_init(store, now, SIGKILL, true);
  // The monitor records the exit (and removes a --rm container) and ends.
  if (!monitor.wait_gone(10000))
    fail("container %s: its monitor %d did not exit", record.id.substr(0, 12).c_str(), (int)record.monitor_pid);
}

void signal_container(const Store& store, const ContainerRecord& record, int signal) {
  ContainerStore containers(store);
  auto not_running = [&] {
    fail("Cannot kill container: %s: Container %s is not running", record.name.c_str(), record.id.c_str());
  };
  if (!record.is_running()) not_running();
  // As docker 20.10's kill does, whatever the signal: the user has taken
  // over, and the policy does not restart it when it ends.
  containers.update(record.id, [](ContainerRecord& r) { r.manually_stopped = true; });
  if (!signal_init(store, record, signal, false)) not_running();
}

int wait_container(const Store& store, const std::string& id) {
  ContainerStore containers(store);
  for (;;) {
    std::optional<ContainerRecord> record = containers.load(id);
    // Removed (--rm) once it ended: its status went with it.
    if (!record) return 0;
    if (record->status() != "running") return record->reported_exit_code();
    ProcessHandle monitor = monitor_of(*record);
    // Wakes when the monitor ends, or to re-read the record: a monitor that
    // restarts the container lives on.
    monitor.wait_gone(50);
  }
}

}  // namespace hutch
