#include <unistd.h>

#include "cli/commands.h"
#include "cli/pulling.h"
#include "container/attach_client.h"
#include "container/endpoint_flags.h"
#include "container/environment.h"
#include "container/etc_files.h"
#include "container/health.h"
#include "container/monitor.h"
#include "container/mount_options.h"
#include "container/port_spec.h"
#include "container/run.h"
#include "image/platform.h"
#include "base/go_values.h"
#include "base/printable.h"
#include "base/strings.h"
#include "store/gc.h"

namespace hutch {

namespace {

// run's flags: the Engine API Config and HostConfig as RunOptions holds
// them, and the two lists docker merges into Config.Env once all are read
// (the files' variables first, then -e's).
struct RunFlags {
  RunOptions run;
  std::vector<std::string> env_files;
  std::vector<std::string> env;
  std::vector<std::string> label_files;
  std::vector<std::string> labels;
  std::vector<std::string> log_options;
  std::vector<std::string> attach;
  FlagMap annotations;
  // docker's --health-* and --no-healthcheck, made Config.Healthcheck in run().
  std::string health_cmd;
  std::chrono::nanoseconds health_interval{0}, health_timeout{0}, health_start_period{0}, health_start_interval{0};
  int health_retries = 0;
  bool no_healthcheck = false;
};

// docker's attach flags: -d attaches nothing, -a the streams it names
// (and -i stdin too), otherwise stdout and stderr, and stdin with -i. Input
// that an attached client gives ends when it does (StdinOnce).
void set_attached_streams(const std::vector<std::string>& attach, ContainerConfig& config, bool detach) {
  if (detach && !attach.empty()) fail_status(1, "Conflicting options: -a and -d");
  bool in = false, out = false, err = false;
  for (const auto& stream : attach) {
    std::string s = lowercase(stream);
    if (s == "stdin") in = true;
    else if (s == "stdout") out = true;
    else if (s == "stderr") err = true;
    else fail("invalid argument \"%s\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR",
              stream.c_str());
  }
  if (attach.empty()) out = err = true;
  if (config.open_stdin) in = true;
  if (detach) in = out = err = false;
  config.attach_stdin = in;
  config.attach_stdout = out;
  config.attach_stderr = err;
  config.stdin_once = config.open_stdin && in;
}

template <typename T>
Field<RunFlags, T> config(T ContainerConfig::*member) {
  return at(&RunFlags::run, &RunOptions::config, member);
}

template <typename T>
Field<RunFlags, T> host(T HostConfig::*member) {
  return at(&RunFlags::run, &RunOptions::host, member);
}

// -v ./dir and --mount source=./dir are relative to where the user is, as docker's CLI makes them.
std::string current_dir() {
  char buf[4096];
  return getcwd(buf, sizeof buf) ? buf : "/";
}

// docker's CLI: --no-healthcheck is Test NONE; any --health-* makes a
// Healthcheck whose unset fields the image's fill in (merge_config).
std::string healthcheck_from_flags(const RunFlags& f) {
  std::string see = f.run.create_only ? "See 'hutch create --help'." : "See 'hutch run --help'.";
  auto refuse = [&](const char* message) { fail_usage(kExitRunner, see, "%s", message); };
  bool given = !f.health_cmd.empty() || f.health_interval.count() || f.health_timeout.count() ||
               f.health_start_period.count() || f.health_start_interval.count() || f.health_retries;
  HealthConfig c;
  if (f.no_healthcheck) {
    if (given) refuse("--no-healthcheck conflicts with --health-* options");
    c.test = {"NONE"};
    return health_config_json(c);
  }
  if (!given) return "";
  if (!f.health_cmd.empty()) c.test = {"CMD-SHELL", f.health_cmd};
  if (f.health_interval.count() < 0) refuse("--health-interval cannot be negative");
  if (f.health_timeout.count() < 0) refuse("--health-timeout cannot be negative");
  if (f.health_retries < 0) refuse("--health-retries cannot be negative");
  if (f.health_start_period.count() < 0) refuse("--health-start-period cannot be negative");
  if (f.health_start_interval.count() < 0) refuse("--health-start-interval cannot be negative");
  c.interval = f.health_interval.count();
  c.timeout = f.health_timeout.count();
  c.start_period = f.health_start_period.count();
  c.start_interval = f.health_start_interval.count();
  c.retries = f.health_retries;
  return health_config_json(c);
}

int run(RunFlags& flags, const Args& args) {
  RunOptions& options = flags.run;
  options.config.healthcheck_json = healthcheck_from_flags(flags);
  options.config.image = args.positional[0];
  if (args.positional.size() > 1) options.config.cmd.emplace(args.positional.begin() + 1, args.positional.end());
  options.config.env = env_from_flags(flags.env_files, flags.env);
  options.config.labels = labels_from_flags(flags.label_files, flags.labels);
  for (const auto& [key, value] : flags.annotations) {
    // hutch's own (oci_config.h) say how the runtime sets the process up.
    if (key.rfind("run.hutch.", 0) == 0)
      fail("invalid annotation %s: the run.hutch. prefix is hutch's own", printable(key).c_str());
    options.host.annotations.emplace_back(key, value);
  }
  for (const auto& option : flags.log_options) {
    size_t eq = option.find('=');
    if (eq == std::string::npos) fail("invalid key value pair format in log-opt: %s", option.c_str());
    options.host.log_config.config.emplace_back(option.substr(0, eq), option.substr(eq + 1));
  }
  // create records the streams run would attach (start -a uses none of them).
  set_attached_streams(flags.attach, options.config, options.detach);
  // docker's -d never looks at them.
  if (!options.detach)
    options.detach_keys = parse_detach_keys(options.detach_keys);
  if (!options.platform.empty()) parse_platform(options.platform);  // checked before anything starts
  Store store = open_store();
  // run holds the content lock while it pulls: what a failed pull left is
  // collected once run has let go of it.
  return collecting_on_failure(store, [&] {
    return run_container(store, options, [&](const std::string& image, const LayerTarget& target) {
      PullRequest request = make_pull_request(image, options.platform, false, false);
      // docker run reports the pull on stderr: stdout belongs to the container.
      pull_and_report(store, target, request, stderr, false);
    });
  });
}

std::vector<Flag<RunFlags>> run_flags() {
  using F = Flag<RunFlags>;
  return {
          F::each("add-host", 0, "list", "Add a custom host-to-IP mapping (host:ip)",
                  [](RunFlags& f, const std::string& v) {
                    check_extra_host(v);
                    f.run.host.extra_hosts.push_back(v);
                  }),
          F::map("annotation", 0, &RunFlags::annotations,
                 "Add an annotation to the container (passed through to the OCI runtime)"),
          F::list("attach", 'a', &RunFlags::attach, "Attach to STDIN, STDOUT or STDERR"),
          F::string("cidfile", 0, host(&HostConfig::container_id_file), "Write the container ID to the file"),
          F::boolean("detach", 'd', at(&RunFlags::run, &RunOptions::detach),
                     "Run container in background and print container ID"),
          F::string("detach-keys", 0, at(&RunFlags::run, &RunOptions::detach_keys),
                    "Override the key sequence for detaching a container"),
          F::each("dns", 0, "list", "Set custom DNS servers",
                  [](RunFlags& f, const std::string& v) {
                    check_dns_server(v);
                    f.run.host.dns.push_back(v);
                  }),
          F::list("dns-option", 0, host(&HostConfig::dns_options), "Set DNS options"),
          F::each("dns-search", 0, "list", "Set custom DNS search domains",
                  [](RunFlags& f, const std::string& v) {
                    check_dns_search(v);
                    f.run.host.dns_search.push_back(v);
                  }),
          F::string("domainname", 0, config(&ContainerConfig::domainname), "Container NIS domain name"),
          // --entrypoint "" is an empty entrypoint, not none.
          F::each("entrypoint", 0, "string", "Overwrite the default ENTRYPOINT of the image",
                  [](RunFlags& f, const std::string& v) {
                    f.run.config.entrypoint = v.empty() ? std::vector<std::string>{} : std::vector<std::string>{v};
                  }),
          F::list("env", 'e', &RunFlags::env, "Set environment variables"),
          F::list("env-file", 0, &RunFlags::env_files, "Read in a file of environment variables"),
          F::each("expose", 0, "list", "Expose a port or a range of ports",
                  [](RunFlags& f, const std::string& v) { add_expose_flag(v, f.run.config.exposed_ports); }),
          F::string("health-cmd", 0, &RunFlags::health_cmd, "Command to run to check health"),
          F::duration("health-interval", 0, &RunFlags::health_interval,
                      "Time between running the check (ms|s|m|h) (default 0s)"),
          F::integer("health-retries", 0, &RunFlags::health_retries,
                     "Consecutive failures needed to report unhealthy"),
          F::duration("health-start-interval", 0, &RunFlags::health_start_interval,
                      "Time between running the check during the start period (ms|s|m|h) (default 0s)"),
          F::duration("health-start-period", 0, &RunFlags::health_start_period,
                      "Start period for the container to initialize before starting health-retries countdown "
                      "(ms|s|m|h) (default 0s)"),
          F::duration("health-timeout", 0, &RunFlags::health_timeout,
                      "Maximum time to allow one check to run (ms|s|m|h) (default 0s)"),
          F::string("hostname", 'h', config(&ContainerConfig::hostname), "Container host name"),
          // HostConfig.Init stays null unless --init is given (even as --init=false).
          F::boolean("init", 0,
                     Field<RunFlags, bool>(std::function<bool&(RunFlags&)>([](RunFlags& f) -> bool& {
                       if (!f.run.host.init) f.run.host.init = false;
                       return *f.run.host.init;
                     })),
                     "Run an init inside the container that forwards signals and reaps processes"),
          F::boolean("interactive", 'i', config(&ContainerConfig::open_stdin), "Keep STDIN open even if not attached"),
          F::each("ip", 0, "string", "IPv4 address (e.g., 172.30.100.104), on a user network",
                  [](RunFlags& f, const std::string& v) {
                    check_ipv4_flag(v);
                    f.run.endpoint.ipv4_address = v;
                  }),
          F::list("label", 'l', &RunFlags::labels, "Set meta data on a container"),
          F::list("label-file", 0, &RunFlags::label_files, "Read in a line delimited file of labels"),
          F::each("link", 0, "list", "Add link to another container (NAME[:ALIAS]), on a user network",
                  [](RunFlags& f, const std::string& v) {
                    parse_link(v);
                    f.run.host.links.push_back(v);
                  }),
          F::each("mount", 0, "mount", "Attach a filesystem mount to the container",
                  [](RunFlags& f, const std::string& v) {
                    f.run.host.mounts.push_back(parse_mount_flag(v, current_dir()));
                  }),
          F::each("log-driver", 0, "string", "Logging driver for the container (json-file, local, none)",
                  [](RunFlags& f, const std::string& v) { f.run.host.log_config.type = v; }),
          F::list("log-opt", 0, &RunFlags::log_options, "Log driver options"),
          F::each("mac-address", 0, "string", "Container MAC address (e.g., 92:d0:c6:0a:29:33)",
                  [](RunFlags& f, const std::string& v) {
                    check_mac_address(v);
                    f.run.config.mac_address = v;
                  }),
          F::string("name", 0, at(&RunFlags::run, &RunOptions::name), "Assign a name to the container"),
          F::string("network", 0, host(&HostConfig::network_mode),
                    "Connect a container to a network: bridge (the default; outbound access through pasta, "
                    "or slirp4netns where pasta is missing; \"pasta\" and \"slirp4netns\" choose one), none, "
                    "host, container:NAME|ID, private (loopback only), or the name of a user network (hutch "
                    "network create)")
              .value_name("network"),
          F::each("network-alias", 0, "list", "Add network-scoped alias for the container, on a user network",
                  [](RunFlags& f, const std::string& v) {
                    check_network_alias(v);
                    f.run.endpoint.aliases.push_back(v);
                  }),
          F::boolean("no-healthcheck", 0, &RunFlags::no_healthcheck, "Disable any container-specified HEALTHCHECK"),
          F::string("platform", 0, at(&RunFlags::run, &RunOptions::platform),
                    "Set platform if the image is pulled (OS/ARCH[/VARIANT])"),
          F::each("publish", 'p', "list", "Publish a container's port(s) to the host",
                  [](RunFlags& f, const std::string& v) {
                    add_publish_flag(v, f.run.config.exposed_ports, f.run.host.port_bindings);
                  }),
          F::boolean("publish-all", 'P', host(&HostConfig::publish_all_ports),
                     "Publish all exposed ports to random ports"),
          F::string("pull", 0, at(&RunFlags::run, &RunOptions::pull),
                    "Pull image before running (\"always\", \"missing\", \"never\")"),
          F::boolean("read-only", 0, host(&HostConfig::readonly_rootfs),
                     "Mount the container's root filesystem as read only"),
          F::each("restart", 0, "string",
                  "Restart policy to apply when a container exits (no, always, unless-stopped, on-failure[:N])",
                  [](RunFlags& f, const std::string& v) { f.run.host.restart_policy = parse_restart_policy(v); }),
          F::boolean("rm", 0, host(&HostConfig::auto_remove), "Automatically remove the container when it exits"),
          F::boolean("sig-proxy", 0, at(&RunFlags::run, &RunOptions::sig_proxy),
                     "Proxy received signals to the process"),
          F::string("stop-signal", 0, config(&ContainerConfig::stop_signal), "Signal to stop the container"),
          F::each("stop-timeout", 0, "int", "Timeout (in seconds) to stop a container",
                  [](RunFlags& f, const std::string& v) { f.run.config.stop_timeout = (int)parse_go_int(v, 32); }),
          F::boolean("tty", 't', config(&ContainerConfig::tty), "Allocate a pseudo-TTY"),
          F::each("tmpfs", 0, "list", "Mount a tmpfs directory",
                  [](RunFlags& f, const std::string& v) { f.run.host.tmpfs.push_back(parse_tmpfs_flag(v)); }),
          F::string("user", 'u', config(&ContainerConfig::user),
                    "Username or UID (format: <name|uid>[:<group|gid>])"),
          F::each("volume", 'v', "list", "Bind mount a volume",
                  [](RunFlags& f, const std::string& v) {
                    add_volume_flag(v, current_dir(), f.run.config, f.run.host);
                  }),
          F::list("volumes-from", 0, host(&HostConfig::volumes_from),
                  "Mount volumes from the specified container(s)"),
          F::string("workdir", 'w', config(&ContainerConfig::working_dir), "Working directory inside the container"),
      };
}

}  // namespace

Command run_command() {
  return make_command<RunFlags>(
      {.name = "run",
       .args = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
       .summary = "Create and run a new container from an image",
       .description =
           "Runs COMMAND (or the image's entrypoint and command) in a new container, as the invoking user, without "
           "root or a daemon. The container gets its own user, mount, PID, UTS, IPC and network namespaces; its "
           "root filesystem is an overlay of the image's layers with a private writable layer. Options end at "
           "IMAGE: everything after it is the command.\n\n"
           "With a subordinate id range for the user in /etc/subuid and /etc/subgid (and newuidmap), container ids "
           "1..N map to that range; otherwise only root exists in the container, mapped to the invoking user.\n\n"
           "The exit status is the command's own; 125 when hutch itself fails, 126 when the command cannot be "
           "invoked, 127 when it cannot be found.",
       .min_args = 1,
       .options_end_at_first_argument = true,
       .keeps_runner_status = true},
      run_flags(), run);
}

// docker create: run's flags but -d, the container made and left created.
Command create_command() {
  std::vector<Flag<RunFlags>> flags;
  for (auto& flag : run_flags())
    if (std::string name = flag.info.name; name != "detach" && name != "detach-keys" && name != "sig-proxy")
      flags.push_back(std::move(flag));
  return make_command<RunFlags>(
      {.name = "create",
       .args = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
       .summary = "Create a new container",
       .description = "Makes the container as run does, records it as created and prints its id; start runs it.",
       .min_args = 1,
       .options_end_at_first_argument = true,
       .keeps_runner_status = true},
      flags, [](RunFlags& f, const Args& args) {
        f.run.create_only = true;
        return run(f, args);
      });
}

}  // namespace hutch
