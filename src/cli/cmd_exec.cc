// exec: a new process in a running container, joining its namespaces from
// this process (the owner of its user namespace may), whichever hutch process
// started it.
#include <fcntl.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/container_lookup.h"
#include "container/environment.h"
#include "container/run.h"
#include "runtime/capabilities.h"
#include "runtime/lifecycle.h"
#include "runtime/oci_config.h"
#include "runtime/supervise.h"
#include "store/containers.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

struct ExecOptions {
  bool detach = false;
  bool interactive = false;
  bool tty = false;
  std::vector<std::string> env;
  std::vector<std::string> env_files;
  std::string workdir;
  std::string user;
  bool privileged = false;
};

int exec(ExecOptions& options, const Args& args) {
  if (options.tty && options.interactive && !isatty(0)) fail_status(1, "the input device is not a TTY");
  Store store = open_store();
  ContainerStore containers(store);
  ContainerRecord c = find_container(containers, args.positional[0]);
  StateDir state = container_state(store, c.id);
  if (!c.is_running() || !state.exists()) fail_status(1, "Container %s is not running", c.id.c_str());
  if (c.status() == "paused")
    fail_status(1, "Container %s is paused, unpause the container before exec", args.positional[0].c_str());
  oci::Config config = oci::parse_config(read_file(state.config_path()));

  ExecRequest request;
  request.process = config.process;
  request.process.args.assign(args.positional.begin() + 1, args.positional.end());
  request.process.terminal = options.tty;
  request.process.console_size.reset();
  // The container's environment, then the flags' over it (docker's order).
  request.process.env = process_env(config.process.env, env_from_flags(options.env_files, options.env));
  if (!options.workdir.empty()) {
    if (options.workdir[0] != '/')
      fail("the working directory '%s' is invalid, it needs to be an absolute path", options.workdir.c_str());
    request.process.cwd = options.workdir;
  }
  // -u resolves inside the container, as run's does; without it the
  // container's own user, already resolved in its config.
  request.user_spec = options.user;
  if (options.privileged) {
    // Every capability this kernel's container may hold: its bounding set.
    std::vector<std::string> all = capability_names();
    request.process.capabilities = oci::Capabilities{all, all, {}, all, {}};
  }
  request.detach = options.detach;
  // Without -i the process reads nothing of ours.
  if (!options.interactive) {
    Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null || dup2(null.get(), 0) < 0) fail_errno("open /dev/null");
  }
  if (!options.detach) hold_signals();
  ExecedProcess process;
  try {
    process = exec_in_container(state, request);
  } catch (const Error& e) {
    // docker's exec: what keeps the command from starting (its user, its
    // working directory) is 126, "cannot invoke"; 127 stays "not found".
    if (e.status() == kExitRunner) throw Error(e.what(), 126);
    throw;
  }
  if (options.detach) {
    process.process.release();
    return 0;
  }
  RunningContainer running;
  running.init = std::move(process.process);
  running.console = std::move(process.console);
  return supervise(running, options.interactive);
}

}  // namespace

Command exec_command() {
  using F = Flag<ExecOptions>;
  return make_command<ExecOptions>(
      {.name = "exec",
       .args = "[OPTIONS] CONTAINER COMMAND [ARG...]",
       .summary = "Execute a command in a running container",
       .description = "Runs COMMAND in the running container, in all of its namespaces, with its environment, "
                      "working directory and user unless the options say otherwise. The exit status is the "
                      "command's; 126 when it cannot be invoked, 127 when it cannot be found.",
       .min_args = 2,
       .options_end_at_first_argument = true,
       .keeps_runner_status = true},
      {
          F::boolean("detach", 'd', &ExecOptions::detach, "Detached mode: run command in the background"),
          F::list("env", 'e', &ExecOptions::env, "Set environment variables"),
          F::list("env-file", 0, &ExecOptions::env_files, "Read in a file of environment variables"),
          F::boolean("interactive", 'i', &ExecOptions::interactive, "Keep STDIN open even if not attached"),
          F::boolean("privileged", 0, &ExecOptions::privileged, "Give extended privileges to the command"),
          F::boolean("tty", 't', &ExecOptions::tty, "Allocate a pseudo-TTY"),
          F::string("user", 'u', &ExecOptions::user, "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
          F::string("workdir", 'w', &ExecOptions::workdir, "Working directory inside the container"),
      },
      exec);
}

}  // namespace hutch
