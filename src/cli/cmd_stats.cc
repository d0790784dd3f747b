// hutch stats: docker's resource usage table (container/stats.h), once with
// --no-stream, else redrawn every second until interrupted.
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "base/error.h"
#include "base/human.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/container_list.h"
#include "cli/list_format.h"
#include "container/run.h"
#include "container/stats.h"
#include "runtime/lifecycle.h"
#include "store/containers.h"

namespace hutch {

namespace {

constexpr const char* kStatsTable =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

struct StatsOptions {
  bool all = false;
  std::string format;
  bool no_stream = false;
  bool no_trunc = false;
};

struct Watched {
  std::string shown;  // the CONTAINER column: as named, or the short id
  ContainerRecord record;
  std::vector<pid_t> pids;  // none: not running, all figures 0
  StatsSample before, after;
};

void sample(const Store& store, Watched& w, StatsSample& into) {
  std::string status = w.record.status();
  w.pids.clear();
  if (status == "running" || status == "paused") {
    try {
      w.pids = container_pids(container_state(store, w.record.id).current());
    } catch (const Error& e) {
      log_debug("stats %s: %s", w.record.id.c_str(), e.what());
    }
  }
  if (w.pids.empty()) {
    into = StatsSample{};
    return;
  }
  into = sample_stats(w.pids, w.record.monitor_pid, w.record.host_config.network_mode != "host");
}

JsonValue stats_row(const Watched& w, bool trunc) {
  const StatsSample& s = w.after;
  auto pair = [](uint64_t a, uint64_t b) { return human_size((int64_t)a) + " / " + human_size((int64_t)b); };
  return string_fields({
      {"BlockIO", pair(s.block_read, s.block_write)},
      {"CPUPerc", format("%.2f%%", w.pids.empty() ? 0.0 : cpu_percent(w.before, w.after))},
      {"Container", w.shown},
      {"ID", trunc ? w.record.id.substr(0, 12) : w.record.id},
      {"MemPerc", format("%.2f%%", memory_percent(s))},
      {"MemUsage", binary_size((double)s.memory) + " / " + binary_size((double)s.memory_limit)},
      {"Name", w.record.name.empty() ? "--" : w.record.name},
      {"NetIO", pair(s.net_rx, s.net_tx)},
      {"PIDs", std::to_string(s.pids)},
  });
}

JsonValue stats_header() {
  return string_fields({{"BlockIO", "BLOCK I/O"},
                        {"CPUPerc", "CPU %"},
                        {"Container", "CONTAINER"},
                        {"ID", "CONTAINER ID"},
                        {"MemPerc", "MEM %"},
                        {"MemUsage", "MEM USAGE / LIMIT"},
                        {"Name", "NAME"},
                        {"NetIO", "NET I/O"},
                        {"PIDs", "PIDS"}});
}

// The containers named, or every running one (every one with --all), newest first.
std::vector<Watched> watched(const Store& store, const StatsOptions& o, const Args& args) {
  std::vector<Watched> out;
  if (args.positional.empty()) {
    ContainerListOptions list;
    list.all = o.all;
    for (auto& c : list_containers(store, Filters({}, "", args.command), list))
      out.push_back({c.record.id.substr(0, 12), std::move(c.record), {}, {}, {}});
    return out;
  }
  ContainerStore containers(store);
  std::vector<std::string> errors;
  for (const auto& key : args.positional) {
    try {
      out.push_back({key, containers.find(key), {}, {}, {}});
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  // docker reports every container it could not watch, and shows none.
  if (!errors.empty()) {
    for (size_t i = 0; i + 1 < errors.size(); i++) print_error(errors[i]);
    fail("%s", errors.back().c_str());
  }
  return out;
}

void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

int stats(StatsOptions& o, const Args& args) {
  std::string format = o.format.empty() || o.format == "table" ? kStatsTable : o.format;
  GoTemplate check(template_text(format));  // a bad template fails before anything is read
  Store store = open_store();
  std::vector<Watched> targets = watched(store, o, args);
  for (auto& w : targets) sample(store, w, w.before);
  for (;;) {
    // CPU % needs two samples: docker's daemon takes them a second apart.
    sleep_ms(1000);
    ListFormat list(format);
    for (auto& w : targets) {
      sample(store, w, w.after);
      list.add_row(stats_row(w, !o.no_trunc));
      w.before = w.after;
    }
    if (!o.no_stream) fputs("\033[2J\033[H", stdout);
    fputs(list.finish(stats_header()).c_str(), stdout);
    fflush(stdout);
    if (o.no_stream) return 0;
    // Streaming: containers that started or went away since, when watching all.
    if (args.positional.empty()) {
      std::vector<Watched> now = watched(store, o, args);
      for (auto& w : now) {
        for (const auto& old : targets)
          if (old.record.id == w.record.id) w.before = old.after;
        if (w.before.system_ns == 0) sample(store, w, w.before);
      }
      targets = std::move(now);
    } else {
      ContainerStore containers(store);
      for (auto& w : targets)
        if (auto fresh = containers.load(w.record.id)) w.record = std::move(*fresh);
    }
  }
}

}  // namespace

Command stats_command() {
  using F = Flag<StatsOptions>;
  return make_command<StatsOptions>(
      {.name = "stats",
       .args = "[OPTIONS] [CONTAINER...]",
       .summary = "Display a live stream of container(s) resource usage statistics",
       .description =
           "Shows each container's CPU %, memory use and limit, network and block I/O and task count: the running "
           "containers (all of them with --all, stopped ones showing zeros), or those named. The figures come "
           "from the container's own cgroup (v2, or v1's memory, cpuacct, blkio and pids hierarchies) when it "
           "has one apart from its monitor's, else they are summed over its processes from /proc (CPU time, "
           "resident memory, read and written bytes, threads); the limit is then the host's memory. NET I/O "
           "counts every interface of the container's network namespace but lo (none with --network host). "
           "CPU % is the container's share of all CPUs' time over one second, times the CPUs online, as docker "
           "computes it, so --no-stream takes a second. Without --no-stream the table is redrawn every second "
           "(the screen cleared first) until interrupted.\n\n"
           "--format takes a Go template over the fields .Container .ID .Name .CPUPerc .MemUsage .MemPerc "
           ".NetIO .BlockIO .PIDs, 'table TEMPLATE' for aligned columns, or 'json'.",
       },
      {
          F::boolean("all", 'a', &StatsOptions::all, "Show all containers (default shows just running)"),
          F::string("format", 0, &StatsOptions::format, "Pretty-print images using a Go template"),
          F::boolean("no-stream", 0, &StatsOptions::no_stream, "Disable streaming stats and only pull the first result"),
          F::boolean("no-trunc", 0, &StatsOptions::no_trunc, "Do not truncate output"),
      },
      stats);
}

}  // namespace hutch
