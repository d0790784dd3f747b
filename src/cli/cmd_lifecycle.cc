// start, stop, restart, kill, wait, rename and system boot: the commands
// that move a container between created, running and exited.
#include <signal.h>

#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/container_lookup.h"
#include "container/attach_client.h"
#include "container/attach_protocol.h"
#include "container/control.h"
#include "container/monitor.h"
#include "store/containers.h"
#include "base/error.h"
#include "base/go_values.h"
#include "base/log.h"
#include "base/signal_names.h"

namespace hutch {

namespace {

// docker's multi-container commands: each name is done in turn, printed when
// done, and a failure is reported and makes the status 1 without stopping the
// rest.
int for_each_container(const Args& args, const std::function<void(const Store&, const ContainerRecord&)>& act,
                       bool print_names = true) {
  Store store = open_store();
  ContainerStore containers(store);
  int status = 0;
  for (const auto& key : args.positional) {
    try {
      act(store, containers.find(key));
      if (print_names) printf("%s\n", key.c_str());
      fflush(stdout);
    } catch (const Error& e) {
      print_error(e.what());
      status = kExitRunner;
    }
  }
  return status;
}

int timeout_of(const ContainerRecord& c, const std::optional<int>& timeout) {
  if (timeout) return *timeout;
  return c.config.stop_timeout.value_or(10);
}

void start_one(const Store& store, const ContainerRecord& c) {
  if (c.is_running() || c.is_restarting()) return;  // docker: nothing to do
  start_monitor(store, c.id);
}

struct StartOptions {
  bool attach = false;
  bool interactive = false;
  std::string detach_keys;
};

// start -a: the container started with this command attached, as the
// foreground run is (its end kills a container it did not detach from).
int start_attached(const StartOptions& options, const std::string& key) {
  std::string keys = parse_detach_keys(options.detach_keys);
  Store store = open_store();
  ContainerStore containers(store);
  ContainerRecord c = find_container(containers, key);
  bool in = options.interactive && c.config.open_stdin;
  if (in && c.config.tty && !isatty(0)) fail_status(1, "the input device is not a TTY");
  AttachHello hello;
  hello.in = in;
  hello.out = hello.err = true;  // -i alone attaches them too, as docker's does
  Fd socket;
  pid_t monitor_pid = -1;
  if (c.is_running()) {
    socket = connect_attach_socket(store.container_dir(c.id));
    if (!socket || !send_all(socket.get(), encode_frame(Frame::kHello, hello.encode())))
      fail_status(1, "container %s is not running", key.c_str());
  } else {
    hello.owner = true;
    AttachedMonitor monitor = start_attached_monitor(store, c.id, hello);
    socket = std::move(monitor.socket);
    monitor_pid = monitor.pid;
  }
  AttachSession session;
  session.relay_stdin = in;
  session.tty = c.config.tty;
  session.detach_keys = keys;
  session.sig_proxy = !c.config.tty;  // as attach
  return end_attached(attach_session(socket.get(), session), monitor_pid);
}

struct StopOptions {
  std::optional<int> timeout;
  std::string signal;
};

std::vector<Flag<StopOptions>> stop_flags() {
  using F = Flag<StopOptions>;
  return {
      F::string("signal", 's', &StopOptions::signal, "Signal to send to the container"),
      F::each("time", 't', "int", "Seconds to wait before killing the container",
              [](StopOptions& o, const std::string& v) { o.timeout = (int)parse_go_int(v, 32); }),
  };
}

void stop_one(const StopOptions& options, const Store& store, const ContainerRecord& c) {
  int sig = options.signal.empty() ? stop_signal_of(c) : parse_docker_signal(options.signal);
  stop_container(store, c, sig, timeout_of(c, options.timeout));
}

struct KillOptions {
  std::string signal = "KILL";
};

}  // namespace

Command start_command() {
  using F = Flag<StartOptions>;
  return make_command<StartOptions>(
      {.name = "start",
       .args = "[OPTIONS] CONTAINER [CONTAINER...]",
       .summary = "Start one or more stopped containers",
       .description = "Starts each container in the background under a monitor of its own, as run -d does, and "
                      "prints its name once its command runs. A running container is left as it is. With -a "
                      "(or -i), the one container is started attached, as run in the foreground is: its output "
                      "appears here, and the status is its exit code.",
       .min_args = 1,
       .keeps_runner_status = true},
      {
          F::boolean("attach", 'a', &StartOptions::attach, "Attach STDOUT/STDERR and forward signals"),
          F::string("detach-keys", 0, &StartOptions::detach_keys, "Override the key sequence for detaching a container"),
          F::boolean("interactive", 'i', &StartOptions::interactive, "Attach container's STDIN"),
      },
      [](StartOptions& options, const Args& args) {
        if (options.attach || options.interactive) {
          if (args.positional.size() > 1) fail_status(1, "you cannot start and attach multiple containers at once");
          return start_attached(options, args.positional[0]);
        }
        return for_each_container(args, start_one) ? 1 : 0;
      });
}

Command stop_command() {
  return make_command<StopOptions>(
      {.name = "stop",
       .args = "[OPTIONS] CONTAINER [CONTAINER...]",
       .summary = "Stop one or more running containers",
       .description = "Sends each container's stop signal (its StopSignal, else SIGTERM) to its first process, "
                      "and SIGKILL to all of its processes when it has not ended after the timeout (its "
                      "StopTimeout, else 10 seconds; -1 waits for ever). A stopped container's restart policy "
                      "does not restart it.",
       .min_args = 1},
      stop_flags(), [](StopOptions& options, const Args& args) {
        return for_each_container(args, [&](const Store& store, const ContainerRecord& c) { stop_one(options, store, c); });
      });
}

Command restart_command() {
  return make_command<StopOptions>(
      {.name = "restart",
       .args = "[OPTIONS] CONTAINER [CONTAINER...]",
       .summary = "Restart one or more containers",
       .description = "Stops each container as stop does, then starts it as start does.",
       .min_args = 1},
      stop_flags(), [](StopOptions& options, const Args& args) {
        return for_each_container(args, [&](const Store& store, const ContainerRecord& c) {
          stop_one(options, store, c);
          start_monitor(store, c.id);
        });
      });
}

Command kill_command() {
  using F = Flag<KillOptions>;
  return make_command<KillOptions>(
      {.name = "kill",
       .args = "[OPTIONS] CONTAINER [CONTAINER...]",
       .summary = "Kill one or more running containers",
       .description = "Sends a signal (SIGKILL unless --signal says otherwise) to each container's first process. "
                      "As docker's kill does, it also keeps the container's restart policy from restarting it.",
       .min_args = 1},
      {F::string("signal", 's', &KillOptions::signal, "Signal to send to the container")},
      [](KillOptions& options, const Args& args) {
        int sig = parse_docker_signal(options.signal);
        return for_each_container(args, [&](const Store& store, const ContainerRecord& c) { signal_container(store, c, sig); });
      });
}

Command wait_command() {
  return make_command<NoOptions>(
      {.name = "wait",
       .args = "CONTAINER [CONTAINER...]",
       .summary = "Block until one or more containers stop, then print their exit codes",
       .description = "Waits for each container in turn to stop and prints its exit code, one line each.",
       .min_args = 1},
      {}, [](NoOptions&, const Args& args) {
        return for_each_container(
            args, [](const Store& store, const ContainerRecord& c) { printf("%d\n", wait_container(store, c.id)); },
            false);
      });
}

Command rename_command() {
  return make_command<NoOptions>(
      {.name = "rename",
       .args = "CONTAINER NEW_NAME",
       .summary = "Rename a container",
       .description = "Gives the container a new name, running or not; the old name is free afterwards.",
       .min_args = 2,
       .max_args = 2},
      {}, [](NoOptions&, const Args& args) {
        Store store = open_store();
        ContainerStore containers(store);
        containers.rename(containers.find(args.positional[0]), args.positional[1]);
        return 0;
      });
}

// What dockerd does when it starts, for a host without a daemon: run from a
// user's @reboot crontab line or a systemd --user unit.
Command system_boot_command() {
  return make_command<NoOptions>(
      {.name = "system boot",
       .args = "",
       .summary = "Start the containers whose restart policy asks to be started at boot",
       .description = "Starts every container that is not running whose restart policy is always, or "
                      "unless-stopped and it was not stopped by the user, as docker's daemon does when it starts. "
                      "Without a daemon nothing else does it: call it at boot, from a crontab line "
                      "(@reboot hutch system boot) or a systemd --user unit (ExecStart=hutch system boot, "
                      "Type=oneshot, WantedBy=default.target, with loginctl enable-linger). Prints the name of "
                      "each container started.",
       .max_args = 0},
      {}, [](NoOptions&, const Args&) {
        Store store = open_store();
        ContainerStore containers(store);
        int status = 0;
        for (const auto& c : containers.list()) {
          const std::string& policy = c.host_config.restart_policy.name;
          bool wanted = policy == "always" || (policy == "unless-stopped" && !c.manually_stopped);
          if (!wanted || c.is_running() || c.is_restarting()) continue;
          try {
            start_monitor(store, c.id);
            printf("%s\n", c.name.c_str());
          } catch (const Error& e) {
            print_error(e.what());
            status = kExitRunner;
          }
        }
        return status;
      });
}

Command pause_command() {
  return make_command<NoOptions>(
      {.name = "pause",
       .args = "CONTAINER [CONTAINER...]",
       .summary = "Pause all processes within one or more containers",
       .description = "Freezes every process of each container until unpause. docker freezes the container's "
                      "cgroup; hutch needs no cgroup: the container's monitor holds each thread stopped with "
                      "ptrace, which the container cannot see (no SIGSTOP, no SIGCHLD to its parents). Signals "
                      "sent meanwhile are delivered when it runs again; stop and kill thaw it.",
       .min_args = 1},
      {}, [](NoOptions&, const Args& args) { return for_each_container(args, pause_container); });
}

Command unpause_command() {
  return make_command<NoOptions>(
      {.name = "unpause",
       .args = "CONTAINER [CONTAINER...]",
       .summary = "Unpause all processes within one or more containers",
       .description = "Lets each paused container run again.",
       .min_args = 1},
      {}, [](NoOptions&, const Args& args) { return for_each_container(args, unpause_container); });
}

}  // namespace hutch
