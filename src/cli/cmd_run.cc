#include "cli/commands.h"
#include "cli/pulling.h"
#include "container/run.h"
#include "store/gc.h"

namespace hutch {

int cmd_run(ParsedArgs& args) {
  RunOptions options;
  options.image = args.positional[0];
  options.command.assign(args.positional.begin() + 1, args.positional.end());
  if (args.has("entrypoint")) options.entrypoint = args.value("entrypoint");
  options.env = args.values("env");
  options.env_files = args.values("env-file");
  options.name = args.value("name");
  options.workdir = args.value("workdir");
  options.user = args.value("user");
  options.hostname = args.value("hostname");
  options.network = args.value("network");
  options.remove = args.flag("rm");
  options.interactive = args.flag("interactive");
  options.tty = args.flag("tty");
  options.pull = args.value("pull", "missing");
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
