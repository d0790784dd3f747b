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
#include "base/file.h"
#include "base/human.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/version.h"

namespace hutch {

namespace {

struct OptionSpec {
  const char* name;
  char shorthand;
  bool takes_value;
  const char* help;
};

struct RuntimeCommand {
  const char* name;
  const char* usage;
  const char* summary;
  std::vector<OptionSpec> options;
  int min_args;
  int max_args;  // -1: unlimited
};

const std::vector<OptionSpec> kGlobalOptions = {
    {"root", 0, true, "root directory for storage of container state (default $XDG_RUNTIME_DIR/hutch-runtime)"},
    {"log", 0, true, "set the log file to write runtime errors to (default stderr)"},
    {"log-format", 0, true, "set the log format ('text' (default), or 'json')"},
    {"debug", 0, false, "enable debug logging"},
    {"systemd-cgroup", 0, false, "accepted for runc compatibility: hutch places no cgroups"},
    {"rootless", 0, true, "accepted for runc compatibility (true, false, auto): hutch is always rootless-capable"},
    {"help", 'h', false, "show help"},
    {"version", 'v', false, "print the version"},
};

const std::vector<OptionSpec> kCreateOptions = {
    {"bundle", 'b', true, "path to the root of the bundle directory (default: the current directory)"},
    {"console-socket", 0, true, "path to an AF_UNIX socket which will receive the pty master"},
    {"pid-file", 0, true, "file to write the process id to"},
    {"no-new-keyring", 0, false, "do not create a new session keyring for the container"},
    {"preserve-fds", 0, true, "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N)"},
};

std::vector<OptionSpec> with(std::vector<OptionSpec> base, std::vector<OptionSpec> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

const std::vector<RuntimeCommand>& runtime_commands() {
  static const std::vector<RuntimeCommand> commands = {
      {"create", "[OPTIONS] CONTAINER_ID", "create a container", kCreateOptions, 1, 1},
      {"start", "CONTAINER_ID", "execute the user defined process in a created container", {}, 1, 1},
      {"state", "CONTAINER_ID", "output the state of a container", {}, 1, 1},
      {"kill", "[OPTIONS] CONTAINER_ID [SIGNAL]", "send a signal (default SIGTERM) to the container's init process",
       {{"all", 'a', false, "send the signal to all processes in the container"}}, 1, 2},
      {"delete", "[OPTIONS] CONTAINER_ID", "delete any resources held by the container",
       {{"force", 'f', false, "forcibly delete the container if it is still running (uses SIGKILL)"}}, 1, 1},
      {"run", "[OPTIONS] CONTAINER_ID", "create and run a container",
       with(kCreateOptions, {{"detach", 'd', false, "detach from the container's process"},
                             {"keep", 0, false, "do not delete the container after it exits"}}),
       1, 1},
      {"exec", "[OPTIONS] CONTAINER_ID [COMMAND] [ARG...]", "execute a new process inside the container",
       {{"process", 'p', true, "path to the process.json"},
        {"tty", 't', false, "allocate a pseudo-TTY"},
        {"env", 'e', true, "set environment variables (repeatable)"},
        {"cwd", 0, true, "current working directory in the container"},
        {"user", 'u', true, "UID (format: <uid>[:<gid>])"},
        {"additional-gids", 'g', true, "additional gids (repeatable)"},
        {"cap", 'c', true, "add a capability to the bounding set for the process (repeatable)"},
        {"no-new-privs", 0, false, "set the no new privileges value for the process"},
        {"pid-file", 0, true, "file to write the process id to"},
        {"detach", 'd', false, "detach from the container's process"},
        {"console-socket", 0, true, "path to an AF_UNIX socket which will receive the pty master"},
        {"preserve-fds", 0, true, "pass N additional file descriptors to the process"}},
       1, -1},
      {"list", "[OPTIONS]", "lists containers started by hutch with the given root",
       {{"format", 'f', true, "select one of: table or json (default: table)"},
        {"quiet", 'q', false, "display only container IDs"}},
       0, 0},
      {"ps", "[OPTIONS] CONTAINER_ID [ps options]", "ps displays the processes running inside a container",
       {{"format", 'f', true, "select one of: table or json (default: table)"}}, 1, -1},
      {"spec", "[OPTIONS]", "create a new specification file (config.json)",
       {{"bundle", 'b', true, "path to the root of the bundle directory"},
        {"rootless", 0, false, "generate a configuration for a rootless container"}},
       0, 0},
      {"features", "", "show the enabled features", {}, 0, 0},
  };
  return commands;
}

struct Parsed {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> args;

  bool flag(const std::string& name) const {
    auto it = values.find(name);
    return it != values.end() && it->second.back() != "false";
  }
  std::string value(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second.back();
  }
  const std::vector<std::string>& all(const std::string& name) const {
    static const std::vector<std::string> none;
    auto it = values.find(name);
    return it == values.end() ? none : it->second;
  }
};

// Options first; the first argument ends them (urfave/cli), as does "--".
// Returns the index of the first word not consumed.
size_t parse_options(const std::vector<OptionSpec>& specs, const std::vector<std::string>& words, size_t i,
                     Parsed& out, bool stop_at_argument) {
  for (; i < words.size(); i++) {
    const std::string& word = words[i];
    if (word == "--") return i + 1;
    if (word.size() < 2 || word[0] != '-') {
      if (stop_at_argument) return i;
      out.args.push_back(word);
      continue;
    }
    std::string name = word.substr(word[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (name == s.name || (name.size() == 1 && name[0] == s.shorthand)) spec = &s;
    if (!spec) fail("flag provided but not defined: -%s", name.c_str());
    if (spec->takes_value && !value) {
      if (i + 1 >= words.size()) fail("flag needs an argument: -%s", name.c_str());
      value = words[++i];
    }
    out.values[spec->name].push_back(value.value_or("true"));
  }
  return i;
}

std::string usage_text(const RuntimeCommand& command) {
  std::string out = std::string("Usage: hutch-runtime ") + command.name + " " + command.usage + "\n\n" +
                    command.summary + "\n";
  if (!command.options.empty()) out += "\nOptions:\n";
  for (const auto& o : command.options) {
    std::string left = std::string("  --") + o.name + (o.takes_value ? " value" : "");
    if (o.shorthand) left += std::string(", -") + o.shorthand;
    out += left + std::string(left.size() < 32 ? 32 - left.size() : 2, ' ') + o.help + "\n";
  }
  return out;
}

std::string top_usage() {
  std::string out =
      "Usage: hutch-runtime [global options] COMMAND [options] [arguments...]\n\n"
      "An OCI runtime (runc's command line) that runs containers as an ordinary user.\n\nCommands:\n";
  for (const auto& c : runtime_commands())
    out += std::string("  ") + c.name + std::string(12 - strlen(c.name), ' ') + c.summary + "\n";
  out += "\nGlobal options:\n";
  for (const auto& o : kGlobalOptions) {
    std::string left = std::string("  --") + o.name + (o.takes_value ? " value" : "");
    out += left + std::string(left.size() < 32 ? 32 - left.size() : 2, ' ') + o.help + "\n";
  }
  return out;
}

int parse_signal(const std::string& text) {
  if (text.empty()) return SIGTERM;
  char* end;
  long n = strtol(text.c_str(), &end, 10);
  if (*end == 0 && n > 0 && n < NSIG) return (int)n;
  std::string name = text.compare(0, 3, "SIG") == 0 ? text.substr(3) : text;
  static const std::map<std::string, int> kSignals = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
      {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL},   {"USR1", SIGUSR1},
      {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},   {"TERM", SIGTERM},
      {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
      {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
      {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},   {"PWR", SIGPWR},     {"SYS", SIGSYS},
  };
  auto it = kSignals.find(name);
  if (it == kSignals.end()) fail("unknown signal %s", printable(text).c_str());
  return it->second;
}

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

int preserve_count(const Parsed& p) {
  int n = atoi(p.value("preserve-fds", "0").c_str());
  if (const char* listen = getenv("LISTEN_FDS")) n += atoi(listen);
  return n;
}

struct Context {
  std::string root;
};

CreateRequest create_request(const Context& ctx, const Parsed& p, const Fd& console) {
  CreateRequest request;
  request.state_root = ctx.root;
  request.id = p.args[0];
  request.bundle = absolute(p.value("bundle", "."));
  request.console_socket = console.get();
  request.pid_file = p.value("pid-file").empty() ? "" : absolute(p.value("pid-file"));
  request.preserve_fds = preserve_count(p);
  request.new_keyring = !p.flag("no-new-keyring");
  return request;
}

oci::Config read_bundle_config(const std::string& bundle) {
  return oci::parse_config(read_file(bundle + "/config.json"));
}

int do_create(const Context& ctx, const Parsed& p) {
  Fd console = connect_console(p.value("console-socket"));
  CreateRequest request = create_request(ctx, p, console);
  CreatedContainer created = create_container(read_bundle_config(request.bundle), request);
  created.init.release();  // it outlives us, waiting for start
  return 0;
}

// run without -d: the container's process is our child; its status is ours.
int do_run(const Context& ctx, const Parsed& p) {
  Fd console = connect_console(p.value("console-socket"));
  CreateRequest request = create_request(ctx, p, console);
  bool detach = p.flag("detach");
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
  StateDir dir(ctx.root, request.id);
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
  if (!p.flag("keep")) delete_container(dir, true);
  return code;
}

int do_exec(const Context& ctx, const Parsed& p) {
  StateDir dir(ctx.root, p.args[0]);
  ExecRequest request;
  if (!p.value("process").empty()) {
    request.process = oci::parse_process(read_file(p.value("process")), p.value("process"));
  } else {
    oci::Config config = oci::parse_config(read_file(dir.config_path()));
    request.process = config.process;
    request.process.args.assign(p.args.begin() + 1, p.args.end());
    if (request.process.args.empty()) fail("exec: no command given");
    request.process.terminal = p.flag("tty");
    for (const auto& e : p.all("env")) request.process.env.push_back(e);
    if (!p.value("cwd").empty()) request.process.cwd = p.value("cwd");
    if (!p.value("user").empty()) {
      std::string user = p.value("user");
      size_t colon = user.find(':');
      request.process.user.uid = (uint32_t)std::stoul(user.substr(0, colon));
      request.process.user.gid = colon == std::string::npos ? 0 : (uint32_t)std::stoul(user.substr(colon + 1));
    }
    for (const auto& g : p.all("additional-gids")) request.process.user.additional_gids.push_back((uint32_t)std::stoul(g));
    if (p.flag("no-new-privs")) request.process.no_new_privileges = true;
    if (!p.all("cap").empty()) {
      if (!request.process.capabilities) request.process.capabilities.emplace();
      for (const auto& cap : p.all("cap")) {
        auto& c = *request.process.capabilities;
        for (auto* set : {&c.bounding, &c.effective, &c.permitted})
          if (std::find(set->begin(), set->end(), cap) == set->end()) set->push_back(cap);
      }
    }
  }
  Fd console = connect_console(p.value("console-socket"));
  request.console_socket = console.get();
  request.detach = p.flag("detach");
  request.pid_file = p.value("pid-file").empty() ? "" : absolute(p.value("pid-file"));
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

int do_list(const Context& ctx, const Parsed& p) {
  std::vector<ContainerState> all = list_containers(ctx.root);
  std::string format = p.value("format", "table");
  if (p.flag("quiet")) {
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

int do_ps(const Context& ctx, const Parsed& p) {
  StateDir dir(ctx.root, p.args[0]);
  ContainerState state = dir.current();
  std::vector<pid_t> pids = container_pids(state);
  if (p.value("format", "table") == "json") {
    std::string out = "[";
    for (size_t i = 0; i < pids.size(); i++) out += (i ? "," : "") + std::to_string(pids[i]);
    printf("%s]\n", out.c_str());
    return 0;
  }
  // runc's table is ps(1)'s own, its rows kept for the container's pids.
  std::vector<std::string> argv = {"ps"};
  if (p.args.size() > 1) argv.insert(argv.end(), p.args.begin() + 1, p.args.end());
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

int do_spec(const Parsed& p) {
  std::string bundle = p.value("bundle", ".");
  std::string path = bundle + "/config.json";
  if (exists(path)) fail("File %s exists. Remove it first", path.c_str());
  write_file_atomic(path, oci::write_config(oci::default_spec(p.flag("rootless"))) + "\n");
  return 0;
}

int dispatch_runtime(const Context& ctx, const RuntimeCommand& command, const Parsed& p) {
  std::string name = command.name;
  if (name == "create") return do_create(ctx, p);
  if (name == "start") {
    start_container(StateDir(ctx.root, p.args[0]));
    return 0;
  }
  if (name == "state") {
    printf("%s\n", state_json(StateDir(ctx.root, p.args[0]).current()).c_str());
    return 0;
  }
  if (name == "kill") {
    kill_container(StateDir(ctx.root, p.args[0]), parse_signal(p.args.size() > 1 ? p.args[1] : ""), p.flag("all"));
    return 0;
  }
  if (name == "delete") {
    StateDir dir(ctx.root, p.args[0]);
    // runc: deleting what is already gone is not an error with --force.
    if (!dir.exists() && p.flag("force")) return 0;
    delete_container(dir, p.flag("force"));
    return 0;
  }
  if (name == "run") return do_run(ctx, p);
  if (name == "exec") return do_exec(ctx, p);
  if (name == "list") return do_list(ctx, p);
  if (name == "ps") return do_ps(ctx, p);
  if (name == "spec") return do_spec(p);
  if (name == "features") {
    printf("%s\n", oci::features_json().c_str());
    return 0;
  }
  fail("unknown command %s", name.c_str());
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
  Parsed global;
  std::string log_file, log_format = "text";
  try {
    size_t i = parse_options(kGlobalOptions, words, 0, global, true);
    log_file = global.value("log");
    log_format = global.value("log-format", "text");
    if (log_format != "text" && log_format != "json") fail("invalid log-format: %s", log_format.c_str());
    if (global.flag("debug")) set_log_level(LogLevel::kDebug);
    if (global.flag("version")) {
      printf("hutch-runtime version %s\nspec: %s\n", kVersion, oci::kVersion);
      return 0;
    }
    if (i >= words.size() || global.flag("help")) {
      fputs(top_usage().c_str(), stdout);
      return i >= words.size() && !global.flag("help") ? 1 : 0;
    }
    const RuntimeCommand* command = nullptr;
    for (const auto& c : runtime_commands())
      if (words[i] == c.name) command = &c;
    if (!command) fail("No help topic for '%s'", printable(words[i]).c_str());
    Parsed p;
    std::vector<OptionSpec> options = command->options;
    options.push_back({"help", 'h', false, "show help"});
    // exec's command keeps its own options: they end where the id is.
    size_t rest = parse_options(options, words, i + 1, p, std::string(command->name) == "exec");
    if (p.flag("help")) {
      fputs(usage_text(*command).c_str(), stdout);
      return 0;
    }
    p.args.insert(p.args.end(), words.begin() + rest, words.end());
    if ((int)p.args.size() < command->min_args || (command->max_args >= 0 && (int)p.args.size() > command->max_args))
      fail("%s: expected %s", command->name, command->usage);
    Context ctx;
    ctx.root = global.value("root", default_runtime_root());
    return dispatch_runtime(ctx, *command, p);
  } catch (const Error& e) {
    log_failure(log_file, log_format, e.what());
    print_error(e.what());
    // A container's own status (126, 127 from its exec) passes through; the
    // runtime's failures are 1, as runc's are.
    return e.status() == kExitCannotInvoke || e.status() == kExitNotFound ? e.status() : 1;
  }
}

}  // namespace hutch
