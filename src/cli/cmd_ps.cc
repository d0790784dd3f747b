#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "cli/container_list.h"
#include "cli/filters.h"
#include "cli/list_format.h"

namespace hutch {

namespace {

constexpr const char* kPsTable =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

struct PsOptions {
  bool all = false;
  std::vector<std::string> filters;
  std::string format;
  int last = -1;
  bool latest = false;
  bool no_trunc = false;
  bool quiet = false;
  bool size = false;
};

// docker's NewContainerFormat: the default table (with SIZE for --size) or
// just the ids for --quiet; a format of the user's wins over --quiet.
std::string ps_format(const PsOptions& o, bool size) {
  if (!o.format.empty() && o.format != "table") return o.format;
  if (o.quiet) return "{{.ID}}";
  return size ? std::string(kPsTable) + "\t{{.Size}}" : kPsTable;
}

int ps(PsOptions& o, const Args& args) {
  Filters filters(o.filters, "-f, --filter", args.command);
  ContainerListOptions options;
  options.all = o.all;
  options.limit = o.latest && o.last == -1 ? 1 : o.last;
  // docker computes sizes when the format shows them, even without --size
  // ({{json .}} includes .Size).
  options.size = o.size || (!o.quiet && (o.format.find("Size") != std::string::npos ||
                                          o.format.find("json") != std::string::npos));
  ListFormat list(ps_format(o, o.size));  // a bad template fails before the store is read
  Store store = open_store();
  time_t now = time(nullptr);
  for (const auto& c : list_containers(store, filters, options))
    list.add_row(container_row(c, !o.no_trunc, now), container_row_methods(c.record), "*formatter.ContainerContext");
  fputs(list.finish(container_header()).c_str(), stdout);
  return 0;
}

}  // namespace

Command ps_command() {
  using F = Flag<PsOptions>;
  return make_command<PsOptions>(
      {.name = "ps",
       .args = "[OPTIONS]",
       .summary = "List containers",
       .description =
           "Lists containers, newest first: running ones (paused and restarting ones included), or all of them with "
           "--all, a status filter, --last or --latest. A container whose hutch process was killed is shown as "
           "exited (137). STATUS shows a paused container as 'Up 3 seconds (Paused)' and a health check's state as "
           "'Up 3 seconds (healthy)', '(unhealthy)' or '(health: starting)'.\n\n"
           "Filters, several of which must all match (several values of one key: any of them): id=PREFIX, "
           "name=REGEXP, label=KEY[=VALUE], status=created|restarting|running|removing|paused|exited|dead, "
           "exited=CODE, ancestor=IMAGE (a name, name:tag, id or id prefix; also the images built on it, whose "
           "layers begin with its layers), before=CONTAINER, since=CONTAINER, volume=NAME|DESTINATION, "
           "health=starting|healthy|unhealthy|none, network=NAME; publish= and expose= match nothing while hutch "
           "publishes no ports.\n\n"
           "--format takes a Go template over the fields .ID .Image .Command .CreatedAt .RunningFor .Ports .State "
           ".Status .Size .Names .Labels .Mounts .Networks .LocalVolumes and the method .Label \"KEY\", 'table "
           "TEMPLATE' for aligned columns, or 'json'. A format that shows .Size computes sizes as --size does.",
       .max_args = 0},
      {
          F::boolean("all", 'a', &PsOptions::all, "Show all containers (default shows just running)"),
          F::list("filter", 'f', &PsOptions::filters, "Filter output based on conditions provided").value_name("filter"),
          F::string("format", 0, &PsOptions::format, "Pretty-print containers using a Go template"),
          F::integer("last", 'n', &PsOptions::last, "Show n last created containers (includes all states)"),
          F::boolean("latest", 'l', &PsOptions::latest, "Show the latest created container (includes all states)"),
          F::boolean("no-trunc", 0, &PsOptions::no_trunc, "Don't truncate output"),
          F::boolean("quiet", 'q', &PsOptions::quiet, "Only display container IDs"),
          F::boolean("size", 's', &PsOptions::size, "Display total file sizes"),
      },
      ps);
}

}  // namespace hutch
