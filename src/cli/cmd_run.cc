#include "cli/commands.h"
#include "container/run.h"

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
  Store store = open_store();
  return run_container(store, options);
}

}  // namespace hutch
