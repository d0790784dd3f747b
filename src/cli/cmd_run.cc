#include <unistd.h>

#include "cli/commands.h"
#include "cli/pulling.h"
#include "container/environment.h"
#include "container/mount_options.h"
#include "container/run.h"
#include "store/gc.h"

namespace hutch {

int cmd_run(ParsedArgs& args) {
  RunOptions options;
  options.config.image = args.positional[0];
  if (args.positional.size() > 1) options.config.cmd.emplace(args.positional.begin() + 1, args.positional.end());
  if (args.has("entrypoint")) {
    std::string entrypoint = args.value("entrypoint");
    options.config.entrypoint.emplace();
    if (!entrypoint.empty()) options.config.entrypoint->push_back(entrypoint);
  }
  options.config.env = env_from_flags(args.values("env-file"), args.values("env"));
  options.name = args.value("name");
  options.config.working_dir = args.value("workdir");
  options.config.user = args.value("user");
  options.config.hostname = args.value("hostname");
  options.host.network_mode = args.value("network", "default");
  options.host.auto_remove = args.flag("rm");
  options.config.open_stdin = args.flag("interactive");
  options.config.attach_stdin = options.config.open_stdin;
  options.config.stdin_once = options.config.attach_stdin;  // docker: stdin closes when the attached client detaches
  options.config.tty = args.flag("tty");
  options.pull = args.value("pull", "missing");
  char cwd_buf[4096];
  // -v ./dir is relative to where the user is, as docker's CLI makes it.
  std::string cwd = getcwd(cwd_buf, sizeof cwd_buf) ? cwd_buf : "/";
  for (const auto& v : args.values("volume")) add_volume_flag(v, cwd, options.config, options.host);
  for (const auto& m : args.values("mount")) options.host.mounts.push_back(parse_mount_flag(m, cwd));
  for (const auto& t : args.values("tmpfs")) options.host.tmpfs.push_back(parse_tmpfs_flag(t));
  options.host.volumes_from = args.values("volumes-from");
  options.host.readonly_rootfs = args.flag("read-only");
  std::string platform = args.value("platform");
  if (!platform.empty()) parse_platform(platform);  // checked before anything starts
  Store store = open_store();
  // run holds the content lock while it pulls: what a failed pull left is
  // collected once run has let go of it.
  return collecting_on_failure(store, [&] {
    return run_container(store, options, [&](const std::string& image, const LayerTarget& target) {
      PullRequest request = make_pull_request(image, platform, false, false);
      // docker run reports the pull on stderr: stdout belongs to the container.
      pull_and_report(store, target, request, stderr, false);
    });
  });
}

}  // namespace hutch
