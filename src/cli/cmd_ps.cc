#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "cli/table.h"
#include "store/containers.h"
#include "base/human.h"
#include "base/printable.h"

namespace hutch {

namespace {

std::string quoted_command(const std::vector<std::string>& args, bool no_trunc) {
  std::string cmd;
  for (const auto& a : args) cmd += (cmd.empty() ? "" : " ") + a;
  // docker cuts at 20 characters and marks the cut with an ellipsis.
  if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 19) + "\u2026";
  // and shows it as Go's strconv.Quote does, so an image's Cmd cannot put
  // escape sequences on the terminal.
  return quoted(cmd);
}

std::string status_of(const ContainerRecord& c, time_t now) {
  std::string status = c.status();
  if (status == "running" || status == "paused")
    return "Up " + human_duration(now - parse_rfc3339(c.started_at)) + (status == "paused" ? " (Paused)" : "");
  if (status == "created") return "Created";
  // A monitor that died (kill -9) took the container with it: 137.
  time_t finished = parse_rfc3339(c.finished_at);
  std::string when = finished ? " " + human_duration(now - finished) + " ago" : "";
  std::string code = "(" + std::to_string(c.reported_exit_code()) + ")";
  return (status == "restarting" ? "Restarting " : "Exited ") + code + when;
}

struct PsOptions {
  bool all = false;
  bool no_trunc = false;
  bool quiet = false;
};

int ps(PsOptions& options, const Args&) {
  Store store = open_store();
  ContainerStore containers(store);
  bool all = options.all, no_trunc = options.no_trunc;
  time_t now = time(nullptr);
  std::vector<std::vector<std::string>> rows = {
      {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"}};
  for (const auto& c : containers.list()) {
    if (!all && !c.is_running() && !c.is_restarting()) continue;  // paused ones are running
    std::string id = no_trunc ? c.id : c.id.substr(0, 12);
    if (options.quiet) {
      printf("%s\n", id.c_str());
      continue;
    }
    rows.push_back({id, c.image, quoted_command(c.command, no_trunc),
                    human_duration(now - parse_rfc3339(c.created)) + " ago", status_of(c, now), "", c.name});
  }
  if (!options.quiet) fputs(format_table(rows).c_str(), stdout);
  return 0;
}

}  // namespace

Command ps_command() {
  using F = Flag<PsOptions>;
  return make_command<PsOptions>(
      {.name = "ps",
       .args = "[OPTIONS]",
       .summary = "List containers",
       .description = "Lists containers: running ones, or all of them with --all. A container whose hutch process "
                      "was killed is shown as exited.",
       .max_args = 0},
      {
          F::boolean("all", 'a', &PsOptions::all, "Show all containers (default shows just running)"),
          F::boolean("no-trunc", 0, &PsOptions::no_trunc, "Don't truncate output"),
          F::boolean("quiet", 'q', &PsOptions::quiet, "Only display container IDs"),
      },
      ps);
}

}  // namespace hutch
