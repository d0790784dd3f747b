#include "container/run.h"

#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "container/docker_defaults.h"
#include "container/environment.h"
#include "container/etc_files.h"
#include "container/rootless.h"
#include "container/spec_builder.h"
#include "image/image_config.h"
#include "image/layers.h"
#include "image/lookup.h"
#include "image/reference.h"
#include "runtime/launch.h"
#include "runtime/supervise.h"
#include "store/containers.h"
#include "store/images.h"
#include "base/error.h"
#include "base/file.h"
#include "base/human.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/process.h"
#include "base/random.h"

namespace hutch {

namespace {

NetworkMode parse_network(const std::string& network) {
  if (network.empty() || network == "bridge" || network == "default" || network == "private")
    return NetworkMode::kPrivate;
  if (network == "none") return NetworkMode::kNone;
  if (network == "host") return NetworkMode::kHost;
  fail("network %s not found", network.c_str());
}

std::string display_reference(const std::string& user_ref) {
  if (auto ref = parse_stored_reference(user_ref)) return ref->familiar_name() + (ref->tag.empty() ? "" : ":" + ref->tag);
  return user_ref;
}

// The process docker would start, from the merged config: entrypoint and
// command, environment, user, working directory.
ProcessSpec resolve_process(const ContainerConfig& merged, const std::string& hostname) {
  ProcessSpec process;
  if (merged.entrypoint) process.args = *merged.entrypoint;
  if (merged.cmd) process.args.insert(process.args.end(), merged.cmd->begin(), merged.cmd->end());
  std::vector<std::string> defaults = {kDefaultPathEnv, "HOSTNAME=" + hostname};
  if (merged.tty) defaults.push_back("TERM=xterm");
  process.env = process_env(defaults, merged.env);
  // An empty HOME counts as none: the runtime takes the user's from passwd.
  process.env.erase(std::remove(process.env.begin(), process.env.end(), "HOME="), process.env.end());
  process.cwd = merged.working_dir.empty() ? "/" : merged.working_dir;
  process.user = merged.user;
  process.terminal = merged.tty;
  process.stdin_open = merged.open_stdin;
  if (merged.tty) {
    struct winsize size;
    if (ioctl(0, TIOCGWINSZ, &size) == 0 || ioctl(1, TIOCGWINSZ, &size) == 0) process.console_size = size;
  }
  return process;
}

bool cgroup2_host() {
  struct statfs st;
  return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

// Keeps the record true to what happened, and removes the container on the
// way out when --rm asked for it, whatever path leads out, or when the user
// interrupted the run before the command started (as if it had never been run).
class ContainerScope {
 public:
  ContainerScope(const ContainerStore& containers, ContainerRecord& record)
      : containers_(containers), record_(record) {}
  void discard() { discard_ = true; }
  ~ContainerScope() {
    try {
      if (record_.host_config.auto_remove || discard_) {
        containers_.remove(record_);
      } else if (record_.state == "running") {
        record_.state = "exited";
        record_.finished_at = rfc3339_now();
        containers_.save(record_);
      }
    } catch (const Error& e) {
      log_warn("%s", e.what());
    }
  }

 private:
  const ContainerStore& containers_;
  ContainerRecord& record_;
  bool discard_ = false;
};

// A script's background job starts with INT ignored; docker's signal proxy
// answers INT and TERM all the same, and so does a foreground run here. Until
// the container record exists they end hutch at once: whatever it leaves (a
// staging directory, a partial blob) the next command collects.
void answer_stop_signals() {
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) signal(sig, SIG_DFL);
  }
}

}  // namespace

int run_container(const Store& store, const RunOptions& options, const PullImage& pull) {
  log_phase("run");
  if (options.config.tty && options.config.open_stdin && !isatty(0)) fail_status(1, "the input device is not a TTY");
  if (options.pull != "always" && options.pull != "missing" && options.pull != "never")
    fail("invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", options.pull.c_str());
  NetworkMode network = parse_network(options.host.network_mode);
  // docker refuses a malformed reference before it looks for the image, and so
  // before `--pull never` could call it missing.
  if (!Digest::try_parse(options.config.image)) parse_reference(options.config.image);
  answer_stop_signals();
  RootlessSession session = enter_rootless(store);
  log_phase("in user namespace");
  ImageStore images(store);
  // Until the container record names the image, nothing stops rmi or prune
  // from collecting its layers but this lock.
  auto content = std::make_optional(store.lock_content(FileLock::kShared));
  std::optional<ImageRecord> image;
  if (options.pull != "always") image = find_image(images, options.config.image);
  if (!image) {
    std::string shown = display_reference(options.config.image);
    if (options.pull == "never") fail("No such image: %s", shown.c_str());
    // As docker does, a name that cannot be pulled is refused before the notice
    // (which would repeat it raw).
    parse_reference(options.config.image);
    if (options.pull == "missing") fprintf(stderr, "Unable to find image '%s' locally\n", printable(shown).c_str());
    pull(options.config.image, session.layers);
    image = find_image(images, options.config.image);
    if (!image) fail("Unable to find image '%s' locally", shown.c_str());
  }
  ImageConfig config = parse_image_config(images.config_json(*image));

  ContainerStore containers(store);
  ContainerRecord record;
  record.id = random_hex(32);
  record.name = options.name;
  record.image = options.config.image;
  record.image_id = image->id;
  record.created = rfc3339_now();
  // Owned by this process from the start: a --rm record whose owner died
  // before removing it is collected by the next command (ContainerStore::list).
  record.monitor_pid = getpid();
  record.monitor_start = process_start_time(record.monitor_pid);

  Spec spec;
  spec.hostname = !options.config.hostname.empty() ? options.config.hostname : record.id.substr(0, 12);
  if (network == NetworkMode::kHost && options.config.hostname.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    spec.hostname = host;
  }
  spec.network = network;
  record.config = merge_config(config, options);
  record.config.hostname = spec.hostname;
  HostFacts facts;
  facts.cgroup2 = cgroup2_host();
  record.host_config = with_daemon_defaults(options.host, facts);
  spec.process = resolve_process(record.config, spec.hostname);
  record.command = spec.process.args;

  log_phase("image resolved");
  spec.mapping = session.mapping;
  spec.layers = ensure_layers(store, session.layers, image->layers);
  session.note_mapping();
  log_phase("layers ready");

  // From here an INT or TERM must not end hutch outright, which would leave
  // the record behind: it waits, and launch() turns it into Interrupted.
  hold_signals();
  containers.create(record);
  content.reset();
  ContainerScope scope(containers, record);
  std::string dir = store.container_dir(record.id);
  spec.upper_dir = dir + "/upper";
  spec.work_dir = dir + "/work";
  spec.rootfs = dir + "/rootfs";
  spec.volatile_upper = options.host.auto_remove;
  for (const auto& sub : {spec.upper_dir, spec.work_dir, spec.rootfs})
    if (mkdir(sub.c_str(), 0755) < 0) fail_errno("mkdir %s", sub.c_str());
  spec.mounts = write_etc_files(dir, spec.hostname, network);

  log_phase("container recorded");
  RunningContainer running = [&] {
    try {
      return launch(spec);
    } catch (const Interrupted&) {
      scope.discard();
      throw;
    }
  }();
  log_phase("command started");
  record.state = "running";
  record.started_at = rfc3339_now();
  record.init_pid = running.init.pid();
  containers.save(record);

  int code = supervise(running, spec);
  log_phase("command exited");
  record.state = "exited";
  record.exit_code = code;
  record.finished_at = rfc3339_now();
  // The command ran and its status is the answer, even when the record
  // cannot say so (a disk the container itself filled): the record left
  // says "running" with a dead monitor, which reads as exited.
  if (!options.host.auto_remove) {
    try {
      containers.save(record);
    } catch (const Error& e) {
      log_warn("container %s exited with %d, not recorded: %s", record.id.substr(0, 12).c_str(), code, e.what());
    }
  }
  return code;
}

}  // namespace hutch
