#include "container/control.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "container/attach_protocol.h"
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

// Asks the container's monitor (it holds a pause: container/pause.h); ""
// on success, else the monitor's answer. Throws when no monitor answers.
std::string ask_monitor(const Store& store, const ContainerRecord& record, const std::string& request) {
  Fd socket = connect_attach_socket(store.container_dir(record.id));
  FrameReader reader;
  if (socket && send_all(socket.get(), encode_frame(Frame::kHello, AttachHello{}.encode())) &&
      send_all(socket.get(), encode_frame(Frame::kRequest, request))) {
    char buf[4096];
    for (ssize_t n; (n = ::read(socket.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);) {
      if (n < 0) continue;
      reader.feed(std::string_view(buf, n));
      while (auto frame = reader.next())
        if (frame->first == Frame::kReply) return frame->second;
    }
  }
  fail("Container %s is not running", record.id.c_str());
}

// A signal for a paused container is delivered once it runs again, as
// docker's stop and kill do: they thaw it.
void thaw_after_signal(const Store& store, const ContainerRecord& record) {
  if (record.status() != "paused") return;
  try {
    ask_monitor(store, record, "unpause");
  } catch (const Error&) {
  }
}

}  // namespace

void pause_container(const Store& store, const ContainerRecord& record) {
  std::string status = record.status();
  if (status == "paused") fail("Container %s is already paused", record.id.c_str());
  if (status != "running") fail("Container %s is not running", record.id.c_str());
  if (std::string answer = ask_monitor(store, record, "pause"); !answer.empty()) fail("%s", answer.c_str());
}

void connect_running_container(const Store& store, const ContainerRecord& record, const std::string& network,
                               const EndpointConfig& endpoint) {
  std::string request = "network-connect\n" + network + "\n" + endpoint.ipv4_address;
  for (const auto& alias : endpoint.aliases) request += "\n" + alias;
  if (std::string answer = ask_monitor(store, record, request); !answer.empty()) fail("%s", answer.c_str());
}

void disconnect_running_container(const Store& store, const ContainerRecord& record, const std::string& network) {
  if (std::string answer = ask_monitor(store, record, "network-disconnect\n" + network); !answer.empty())
    fail("%s", answer.c_str());
}

void unpause_container(const Store& store, const ContainerRecord& record) {
  if (record.status() != "paused") fail("Container %s is not paused", record.id.c_str());
  if (std::string answer = ask_monitor(store, record, "unpause"); !answer.empty()) fail("%s", answer.c_str());
}

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
  if (!monitor.alive() || (!now.is_running() && status != "restarting")) return;
  // Waiting out a restart's back-off: the wake-up makes it read the mark.
  if (status == "restarting") {
    monitor.signal(SIGUSR1);
  } else if (signal_init(store, now, signal, false)) {
    thaw_after_signal(store, now);
    if (monitor.wait_gone(timeout_s < 0 ? -1 : timeout_s * 1000)) return;
  }
  signal_init(store, now, SIGKILL, true);
  thaw_after_signal(store, now);
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
  thaw_after_signal(store, record);
}

int wait_container(const Store& store, const std::string& id) {
  ContainerStore containers(store);
  for (;;) {
    std::optional<ContainerRecord> record = containers.load(id);
    // Removed (--rm) once it ended: its status went with it.
    if (!record) return 0;
    if (!record->is_running()) return record->reported_exit_code();
    ProcessHandle monitor = monitor_of(*record);
    // Wakes when the monitor ends, or to re-read the record: a monitor that
    // restarts the container lives on.
    monitor.wait_gone(50);
  }
}

}  // namespace hutch
