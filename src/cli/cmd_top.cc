// hutch top: a container's processes, as the host's ps shows them.
#include <cstdio>

#include "base/error.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "container/run.h"
#include "container/top.h"
#include "runtime/lifecycle.h"
#include "store/containers.h"

namespace hutch {

namespace {

int top(NoOptions&, const Args& args) {
  Store store = open_store();
  ContainerRecord c = ContainerStore(store).find(args.positional[0]);
  std::string ps_args;
  for (size_t i = 1; i < args.positional.size(); i++) ps_args += (i > 1 ? " " : "") + args.positional[i];
  std::string status = c.status();
  if (status == "restarting") fail("Container %s is restarting, wait until the container is running", c.id.c_str());
  std::vector<pid_t> pids;
  if (status == "running" || status == "paused") {
    try {
      pids = container_pids(container_state(store, c.id).current());
    } catch (const Error&) {
    }
  }
  if (pids.empty()) fail("Container %s is not running", c.id.c_str());
  ProcessTable table = container_top(pids, ps_args);
  std::string text;
  auto line = [&text](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); i++) text += (i ? "\t" : "") + cells[i];
    text += "\n";
  };
  line(table.titles);
  for (const auto& p : table.processes) line(p);
  fputs(tabwrite(text, 20).c_str(), stdout);
  return 0;
}

}  // namespace

Command top_command() {
  return make_command<NoOptions>(
      {.name = "top",
       .args = "CONTAINER [ps OPTIONS]",
       .summary = "Display the running processes of a container",
       .description = "Runs the host's ps with the given options (-ef without any) and prints the lines of the "
                      "container's processes, with host pids and user ids. Options that ps refuses together with "
                      "-q (such as f) make it list every process, of which the container's are kept.",
       .min_args = 1,
       .options_end_at_first_argument = true},
      {}, top);
}

}  // namespace hutch
