// `hutch runtime`: runc's command line over hutch's runtime, so hutch drops in
// where an OCI runtime path is expected (podman --runtime, Slurm's oci.conf).
// Also the whole command line when the binary is called as `hutch-runtime`.
//
// Its grammar is runc's (urfave/cli): global options before the command,
// options before the arguments, -name and --name alike; failures exit 1.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>

#include "cli/commands.h"
#include "runtime/create.h"
#include "runtime/lifecycle.h"
#include "runtime/oci_default_spec.h"
#include "runtime/state.h"
#include "runtime/supervise.h"
#include "runtime/terminal.h"
#include "base/error.h"
#include "base/go_values.h"
#include "base/file.h"
#include "base/human.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/signal_names.h"
#include "base/version.h"

namespace hutch {

namespace {

// The global options, before the command.
struct RuntimeGlobals {
  std::string root;  // empty: default_runtime_root()
  std::string log;
  std::string log_format = "text";
  bool debug = false;
  std::string rootless = "auto";  // runc: ignore cgroup permission errors; hutch places no cgroups to have any
  // runc: place the container's cgroup through systemd. There is none to
  // place, by either manager: callers that pass it (podman, with systemd as
  // its cgroup manager) get the same container either way.
  bool systemd_cgroup = false;
  bool version = false;
};

RuntimeGlobals& runtime_globals() {
  static RuntimeGlobals globals;
  return globals;
}

// Every command's options: each command's table binds those it takes.
struct RuntimeOptions {
  std::string bundle = ".";
  std::string console_socket;
  std::string pid_file;
  bool no_new_keyring = false;
  unsigned preserve_fds = 0;
  bool detach = false;
  bool keep = false;
  bool all = false;
  bool force = false;
  std::string process;
  bool tty = false;
  std::vector<std::string> env;
  std::string cwd;
  std::string user;
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> caps;
  bool no_new_privs = false;
  std::string format = "table";
  bool quiet = false;
  bool rootless = false;
};

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) fail_errno("getcwd");
  return path.empty() || path == "." ? cwd : std::string(cwd) + "/" + path;
}

// The console socket is the caller's (conmon's, podman's): connected here,
// before the container's root hides its path.
Fd connect_console(const std::string& path) {
  if (path.empty()) return Fd();
  Fd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) fail_errno("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) fail("console socket path too long: %s", path.c_str());
  memcpy(addr.sun_path, path.c_str(), path.size());
  if (connect(sock.get(), (struct sockaddr*)&addr, sizeof addr) < 0) fail_errno("connect to console socket %s", path.c_str());
  return sock;
}

int preserve_count(const RuntimeOptions& p) {
  int n = (int)p.preserve_fds;
  if (const char* listen = getenv("LISTEN_FDS")) n += atoi(listen);
  return n;
}

std::string state_root() {
  const std::string& root = runtime_globals().root;
  return root.empty() ? default_runtime_root() : root;
}

CreateRequest create_request(const RuntimeOptions& p, const Args& a, const Fd& console) {
  CreateRequest request;
  request.state_root = state_root();
  request.id = a.positional[0];
  request.bundle = absolute(p.bundle);
  request.console_socket = console.get();
  request.pid_file = p.pid_file.empty() ? "" : absolute(p.pid_file);
  request.preserve_fds = preserve_count(p);
  request.new_keyring = !p.no_new_keyring;
  return request;
}

oci::Config read_bundle_config(const std::string& bundle) {
  return oci::parse_config(read_file(bundle + "/config.json"));
}

int do_create(RuntimeOptions& p, const Args& a) {
  Fd console = connect_console(p.console_socket);
  CreateRequest request = create_request(p, a, console);
  CreatedContainer created = create_container(read_bundle_config(request.bundle), request);
  created.init.release();  // it outlives us, waiting for start
  return 0;
}

// run without -d: the container's process is our child; its status is ours.
int do_run(RuntimeOptions& p, const Args& a) {
  Fd console = connect_console(p.console_socket);
  CreateRequest request = create_request(p, a, console);
  bool detach = p.detach;
  oci::Config config = read_bundle_config(request.bundle);
  SocketPair relay = SocketPair::create();
  bool relay_tty = config.process.terminal && !console;
  if (relay_tty) request.console_socket = relay.child.get();
  if (!detach) {
    hold_signals();
    request.watch_interrupts = true;
  }
  CreatedContainer created = create_container(config, request);
  relay.child.reset();
  StateDir dir(state_root(), request.id);
  RunningContainer running;
  if (relay_tty) running.console = receive_fd(relay.parent.get());
  start_container(dir);
  // What fails between start and exec (capabilities, the user, seccomp) is
  // reported on the sync socket, which only we still hold.
  try {
    wait_for_exec(created, !detach);
  } catch (const Error&) {
    delete_container(dir, true);
    throw;
  }
  if (detach) {
    created.init.release();
    return 0;
  }
  running.init = std::move(created.init);
  int code = supervise(running, true);
  if (!p.keep) delete_container(dir, true);
  return code;
}

int do_exec(RuntimeOptions& p, const Args& a) {
  StateDir dir(state_root(), a.positional[0]);
  ExecRequest request;
  if (!p.process.empty()) {
    request.process = oci::parse_process(read_file(p.process), p.process);
  } else {
    oci::Config config = oci::parse_config(read_file(dir.config_path()));
    request.process = config.process;
    request.process.args.assign(a.positional.begin() + 1, a.positional.end());
    if (request.process.args.empty()) fail("exec: no command given");
    request.process.terminal = p.tty;
    for (const auto& e : p.env) request.process.env.push_back(e);
    if (!p.cwd.empty()) request.process.cwd = p.cwd;
    if (!p.user.empty()) {
      size_t colon = p.user.find(':');
      request.process.user.uid = (uint32_t)parse_go_uint(p.user.substr(0, colon), 32);
      request.process.user.gid = colon == std::string::npos ? 0 : (uint32_t)parse_go_uint(p.user.substr(colon + 1), 32);
    }
    for (uint32_t g : p.additional_gids) request.process.user.additional_gids.push_back(g);
    if (p.no_new_privs) request.process.no_new_privileges = true;
    if (!p.caps.empty()) {
      if (!request.process.capabilities) request.process.capabilities.emplace();
      for (const auto& cap : p.caps) {
        auto& c = *request.process.capabilities;
        for (auto* set : {&c.bounding, &c.effective, &c.permitted})
          if (std::find(set->begin(), set->end(), cap) == set->end()) set->push_back(cap);
      }
    }
  }
  Fd console = connect_console(p.console_socket);
  request.console_socket = console.get();
  request.detach = p.detach;
  request.pid_file = p.pid_file.empty() ? "" : absolute(p.pid_file);
  request.preserve_fds = preserve_count(p);
  if (!request.detach) hold_signals();
  ExecedProcess process = exec_in_container(dir, request);
  if (request.detach) {
    process.process.release();
    return 0;
  }
  RunningContainer running;
  running.init = std::move(process.process);
  running.console = std::move(process.console);
  return supervise(running, true);
}

int do_list(RuntimeOptions& p, const Args& a) {
  std::vector<ContainerState> all = list_containers(state_root());
  const std::string& format = p.format;
  if (p.quiet) {
    for (const auto& s : all) printf("%s\n", s.id.c_str());
    return 0;
  }
  if (format == "json") {
    JsonWriter w;
    w.begin_array();
    for (const auto& s : all) w.raw(state_json(s));
    w.end_array();
    printf("%s\n", all.empty() ? "null" : w.str().c_str());
    return 0;
  }
  if (format != "table") fail("invalid format option");
  printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (const auto& s : all)
    printf("%-12s %-10d %-10s %-40s %-30s %u\n", s.id.c_str(), s.status == "stopped" ? 0 : (int)s.pid,
           s.status.c_str(), s.bundle.c_str(), s.created.c_str(), (unsigned)s.owner);
  return 0;
}

int do_ps(RuntimeOptions& p, const Args& a) {
  StateDir dir(state_root(), a.positional[0]);
  ContainerState state = dir.current();
  std::vector<pid_t> pids = container_pids(state);
  if (p.format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < pids.size(); i++) out += (i ? "," : "") + std::to_string(pids[i]);
    printf("%s]\n", out.c_str());
    return 0;
  }
  // runc's table is ps(1)'s own, its rows kept for the container's pids.
  std::vector<std::string> argv = {"ps"};
  if (a.positional.size() > 1) argv.insert(argv.end(), a.positional.begin() + 1, a.positional.end());
  else argv.push_back("-ef");
  Pipe out = Pipe::create();
  pid_t child = fork();
  if (child < 0) fail_errno("fork");
  if (child == 0) {
    dup2(out.write.get(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp("ps", args.data());
    _exit(127);
  }
  out.write.reset();
  std::string text = read_fd(out.read.get());
  if (exit_code_of(Child(child).wait()) != 0) fail("ps failed");
  size_t end = text.find('\n');
  if (end == std::string::npos) return 0;
  std::string header = text.substr(0, end);
  size_t pid_col = header.find("PID");
  if (pid_col == std::string::npos) fail("ps output has no PID column");
  // The column's index among whitespace-separated fields.
  int field = 0;
  for (size_t i = 0, in = 0; i < pid_col; i++) {
    bool space = header[i] == ' ';
    if (!space && !in) field++;
    in = !space;
  }
  printf("%s\n", header.c_str());
  size_t pos = end + 1;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::vector<std::string> fields;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') i++;
      size_t j = i;
      while (j < line.size() && line[j] != ' ') j++;
      if (j > i) fields.push_back(line.substr(i, j - i));
      i = j;
    }
    if ((int)fields.size() <= field) continue;
    pid_t pid = atoi(fields[field].c_str());
    if (std::find(pids.begin(), pids.end(), pid) != pids.end()) printf("%s\n", line.c_str());
  }
  return 0;
}

int do_spec(RuntimeOptions& p, const Args&) {
  std::string path = p.bundle + "/config.json";
  if (exists(path)) fail("File %s exists. Remove it first", path.c_str());
  write_file_atomic(path, oci::write_config(oci::default_spec(p.rootless)) + "\n");
  return 0;
}

int do_start(RuntimeOptions&, const Args& a) {
  start_container(StateDir(state_root(), a.positional[0]));
  return 0;
}

int do_state(RuntimeOptions&, const Args& a) {
  printf("%s\n", state_json(StateDir(state_root(), a.positional[0]).current()).c_str());
  return 0;
}

int do_kill(RuntimeOptions& p, const Args& a) {
  kill_container(StateDir(state_root(), a.positional[0]), parse_signal(a.positional.size() > 1 ? a.positional[1] : ""),
                 p.all);
  return 0;
}

int do_delete(RuntimeOptions& p, const Args& a) {
  StateDir dir(state_root(), a.positional[0]);
  // runc: deleting what is already gone is not an error with --force.
  if (!dir.exists() && p.force) return 0;
  delete_container(dir, p.force);
  return 0;
}

int do_features(RuntimeOptions&, const Args&) {
  printf("%s\n", oci::features_json().c_str());
  return 0;
}

using F = Flag<RuntimeOptions>;

std::vector<F> create_flags() {
  return {
      F::string("bundle", 'b', &RuntimeOptions::bundle,
                "path to the root of the bundle directory (default: the current directory)"),
      F::string("console-socket", 0, &RuntimeOptions::console_socket,
                "path to an AF_UNIX socket which will receive the pty master"),
      F::string("pid-file", 0, &RuntimeOptions::pid_file, "file to write the process id to"),
      F::boolean("no-new-keyring", 0, &RuntimeOptions::no_new_keyring,
                 "do not create a new session keyring for the container"),
      F::uinteger("preserve-fds", 0, &RuntimeOptions::preserve_fds,
                  "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N)"),
  };
}

std::vector<F> with(std::vector<F> base, const std::vector<F>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

CommandInfo runc_command(const char* name, const char* usage, const char* summary, int min_args, int max_args) {
  return {.name = name, .args = usage, .summary = summary, .min_args = min_args, .max_args = max_args,
          .grammar = Grammar::kRunc};
}

const std::vector<Command>& runtime_commands() {
  static const std::vector<Command> commands = [] {
    CommandInfo exec = runc_command("exec", "[OPTIONS] CONTAINER_ID [COMMAND] [ARG...]",
                                    "execute a new process inside the container", 1, -1);
    // exec's command keeps its own options: they end where the id is.
    exec.options_end_at_first_argument = true;
    auto format_flag = [] {
      return F::string("format", 'f', &RuntimeOptions::format, "select one of: table or json (default: table)");
    };
    return std::vector<Command>{
        make_command<RuntimeOptions>(runc_command("create", "[OPTIONS] CONTAINER_ID", "create a container", 1, 1),
                                     create_flags(), do_create),
        make_command<RuntimeOptions>(
            runc_command("start", "CONTAINER_ID", "execute the user defined process in a created container", 1, 1),
            {}, do_start),
        make_command<RuntimeOptions>(runc_command("state", "CONTAINER_ID", "output the state of a container", 1, 1),
                                     {}, do_state),
        make_command<RuntimeOptions>(
            runc_command("kill", "[OPTIONS] CONTAINER_ID [SIGNAL]",
                         "send a signal (default SIGTERM) to the container's init process", 1, 2),
            {F::boolean("all", 'a', &RuntimeOptions::all, "send the signal to all processes in the container")},
            do_kill),
        make_command<RuntimeOptions>(
            runc_command("delete", "[OPTIONS] CONTAINER_ID", "delete any resources held by the container", 1, 1),
            {F::boolean("force", 'f', &RuntimeOptions::force,
                        "forcibly delete the container if it is still running (uses SIGKILL)")},
            do_delete),
        make_command<RuntimeOptions>(
            runc_command("run", "[OPTIONS] CONTAINER_ID", "create and run a container", 1, 1),
            with(create_flags(),
                 {F::boolean("detach", 'd', &RuntimeOptions::detach, "detach from the container's process"),
                  F::boolean("keep", 0, &RuntimeOptions::keep, "do not delete the container after it exits")}),
            do_run),
        make_command<RuntimeOptions>(
            exec,
            {F::string("process", 'p', &RuntimeOptions::process, "path to the process.json"),
             F::boolean("tty", 't', &RuntimeOptions::tty, "allocate a pseudo-TTY"),
             F::list("env", 'e', &RuntimeOptions::env, "set environment variables (repeatable)"),
             F::string("cwd", 0, &RuntimeOptions::cwd, "current working directory in the container"),
             F::string("user", 'u', &RuntimeOptions::user, "UID (format: <uid>[:<gid>])"),
             F::each("additional-gids", 'g', "value", "additional gids (repeatable)",
                     [](RuntimeOptions& o, const std::string& v) {
                       o.additional_gids.push_back((uint32_t)parse_go_uint(v, 32));
                     }),
             F::list("cap", 'c', &RuntimeOptions::caps,
                     "add a capability to the bounding set for the process (repeatable)"),
             F::boolean("no-new-privs", 0, &RuntimeOptions::no_new_privs,
                        "set the no new privileges value for the process"),
             F::string("pid-file", 0, &RuntimeOptions::pid_file, "file to write the process id to"),
             F::boolean("detach", 'd', &RuntimeOptions::detach, "detach from the container's process"),
             F::string("console-socket", 0, &RuntimeOptions::console_socket,
                       "path to an AF_UNIX socket which will receive the pty master"),
             F::uinteger("preserve-fds", 0, &RuntimeOptions::preserve_fds,
                         "pass N additional file descriptors to the process")},
            do_exec),
        make_command<RuntimeOptions>(
            runc_command("list", "[OPTIONS]", "lists containers started by hutch with the given root", 0, 0),
            {format_flag(), F::boolean("quiet", 'q', &RuntimeOptions::quiet, "display only container IDs")},
            do_list),
        make_command<RuntimeOptions>(
            runc_command("ps", "[OPTIONS] CONTAINER_ID [ps options]",
                         "ps displays the processes running inside a container", 1, -1),
            {format_flag()}, do_ps),
        make_command<RuntimeOptions>(
            runc_command("spec", "[OPTIONS]", "create a new specification file (config.json)", 0, 0),
            {F::string("bundle", 'b', &RuntimeOptions::bundle, "path to the root of the bundle directory"),
             F::boolean("rootless", 0, &RuntimeOptions::rootless, "generate a configuration for a rootless container")},
            do_spec),
        make_command<RuntimeOptions>(runc_command("features", "", "show the enabled features", 0, 0), {},
                                     do_features),
    };
  }();
  return commands;
}

// runc's --rootless: true, false or auto.
void set_rootless(RuntimeGlobals& g, const std::string& value) {
  if (value != "auto") {
    try {
      parse_go_bool(value);
    } catch (const Error& e) {
      fail("invalid value %s for flag -rootless: %s", quoted(value).c_str(), e.what());
    }
  }
  g.rootless = value;
}

const std::vector<Flag<RuntimeGlobals>>& global_runtime_flags() {
  using G = Flag<RuntimeGlobals>;
  static const std::vector<G> flags = {
      G::string("root", 0, &RuntimeGlobals::root,
                "root directory for storage of container state (default $XDG_RUNTIME_DIR/hutch-runtime)"),
      G::string("log", 0, &RuntimeGlobals::log, "set the log file to write runtime errors to (default stderr)"),
      G::string("log-format", 0, &RuntimeGlobals::log_format, "set the log format ('text' (default), or 'json')"),
      G::boolean("debug", 0, &RuntimeGlobals::debug, "enable debug logging"),
      G::each("rootless", 0, "value",
              "whether to ignore cgroup permission errors (true, false, auto); hutch places no cgroups, so there "
              "are none to ignore",
              set_rootless),
      G::boolean("systemd-cgroup", 0, &RuntimeGlobals::systemd_cgroup,
                 "manage cgroups through systemd; hutch places no cgroups, by either manager"),
      G::boolean("version", 'v', &RuntimeGlobals::version, "print the version"),
  };
  return flags;
}

const CommandInfo kGlobalRuntimeCommand = {.name = "", .options_end_at_first_argument = true, .grammar = Grammar::kRunc};

std::string top_usage() {
  std::string out =
      "Usage: hutch-runtime [global options] COMMAND [options] [arguments...]\n\n"
      "An OCI runtime (runc's command line) that runs containers as an ordinary user.\n\nCommands:\n";
  for (const auto& c : runtime_commands())
    out += std::string("  ") + c.info.name + std::string(12 - strlen(c.info.name), ' ') + c.info.summary + "\n";
  return out + "\nGlobal options:\n" + options_table(flag_infos(global_runtime_flags()), Grammar::kRunc) +
         "  --help, -h                    show help\n";
}

// conmon and podman read errors from --log, one JSON object a line.
void log_failure(const std::string& log_file, const std::string& format, const std::string& message) {
  std::string line;
  if (format == "json") {
    JsonWriter w;
    w.begin_object().field("level", "error").field("msg", message).field("time", rfc3339_now()).end_object();
    line = w.str() + "\n";
  } else {
    line = "time=\"" + rfc3339_now() + "\" level=error msg=" + json_quote(message) + "\n";
  }
  if (!log_file.empty()) {
    Fd fd(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (fd) (void)!::write(fd.get(), line.data(), line.size());
  }
}

}  // namespace

int runtime_main(const std::vector<std::string>& words) {
  RuntimeGlobals& global = runtime_globals();
  try {
    std::vector<std::string> rest;
    bool help = parse_flags(kGlobalRuntimeCommand, global_runtime_flags(), words, global, rest);
    if (global.log_format != "text" && global.log_format != "json")
      fail("invalid log-format: %s", global.log_format.c_str());
    if (global.debug) set_log_level(LogLevel::kDebug);
    if (global.version) {
      printf("hutch-runtime version %s\nspec: %s\n", kVersion, oci::kVersion);
      return 0;
    }
    if (rest.empty() || help) {
      fputs(top_usage().c_str(), stdout);
      return help ? 0 : 1;
    }
    std::string name = rest[0];
    rest.erase(rest.begin());
    for (const auto& c : runtime_commands())
      if (name == c.info.name) return c.run(c, rest);
    fail("No help topic for '%s'", printable(name).c_str());
  } catch (const Error& e) {
    log_failure(global.log, global.log_format == "json" ? "json" : "text", e.what());
    print_error(e.what());
    // A container's own status (126, 127 from its exec) passes through; the
    // runtime's failures are 1, as runc's are.
    return e.status() == kExitCannotInvoke || e.status() == kExitNotFound ? e.status() : 1;
  }
}

}  // namespace hutch
