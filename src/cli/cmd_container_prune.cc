// container prune: every container that is not running, as docker's.
#include <cstdio>
#include <ctime>
#include <map>

#include "cli/commands.h"
#include "cli/filters.h"
#include "container/rootless.h"
#include "store/containers.h"
#include "store/volumes.h"
#include "base/error.h"
#include "base/human.h"
#include "base/log.h"
#include "base/tree_size.h"

namespace hutch {

namespace {

struct ContainerPruneOptions {
  std::vector<std::string> filters;
  bool force = false;
};

int container_prune(ContainerPruneOptions& options, const Args& args) {
  Filters filters(options.filters, "--filter", args.command);
  filters.validate({"label", "label!", "until"});
  std::vector<std::string> untils = filters.get("until");
  if (untils.size() > 1) fail("more than one until filter specified");
  time_t until = untils.empty() ? 0 : parse_until(untils[0], time(nullptr));
  if (!options.force &&
      !confirm("WARNING! This will remove all stopped containers.\nAre you sure you want to continue?"))
    return 0;

  Store store = open_store();
  ContainerStore containers(store);
  std::vector<ContainerRecord> doomed;
  for (const auto& c : containers.list()) {
    std::string status = c.status();
    if (status == "running" || status == "restarting") continue;
    if (!untils.empty() && parse_rfc3339(c.created) > until) continue;
    std::map<std::string, std::string> labels(c.config.labels.begin(), c.config.labels.end());
    if (filters.contains("label") && !filters.match_labels("label", labels)) continue;
    if (filters.contains("label!") && filters.match_labels("label!", labels)) continue;
    doomed.push_back(c);
  }
  // Their files may belong to subordinate ids.
  enter_rootless(store);
  std::string out;
  int64_t reclaimed = 0;
  for (const auto& c : doomed) {
    try {
      int64_t size = tree_bytes(store.container_dir(c.id) + "/upper");
      containers.remove(c);
      reclaimed += size;
      out += (out.empty() ? "Deleted Containers:\n" : "") + c.id + "\n";
    } catch (const Error& e) {
      print_error(e.what());
    }
  }
  if (!out.empty()) out += "\n";
  out += "Total reclaimed space: " + human_size(reclaimed, 4) + "\n";
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

Command container_prune_command() {
  using F = Flag<ContainerPruneOptions>;
  return make_command<ContainerPruneOptions>(
      {.name = "container prune",
       .args = "[OPTIONS]",
       .summary = "Remove all stopped containers",
       .description = "Removes every container that is not running (created or exited), with its writable "
                      "layer; filters: label=KEY[=VALUE], label!=..., until=TIMESTAMP.",
       .max_args = 0},
      {
          F::list("filter", 0, &ContainerPruneOptions::filters, "Provide filter values (e.g. \"until=<timestamp>\")")
              .value_name("filter"),
          F::boolean("force", 'f', &ContainerPruneOptions::force, "Do not prompt for confirmation"),
      },
      container_prune);
}

}  // namespace hutch
