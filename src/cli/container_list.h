// The container list docker's daemon computes for `ps` (its filters, newest
// first, --last), and the rows docker's container formatter makes of it.
#pragma once
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/json_reader.h"
#include "cli/filters.h"
#include "store/containers.h"
#include "store/store.h"

namespace hutch {

struct ContainerListOptions {
  bool all = false;  // stopped ones too (a status filter or a limit implies it)
  int limit = -1;    // the newest N (--last, --latest); 0 or less: no limit
  bool size = false;  // compute SizeRw and SizeRootFs
};

struct ContainerSummary {
  ContainerRecord record;
  int64_t size_rw = 0;
  int64_t size_root_fs = 0;  // 0 when not computed
};

// docker's accepted ps filters: id, name, label, status, exited, ancestor,
// before, since, volume, health, network, publish, expose, isolation, is-task.
// Bad values fail in the daemon's words.
std::vector<ContainerSummary> list_containers(const Store& store, Filters filters,
                                              const ContainerListOptions& options);

// ps's STATUS: "Up 3 seconds (healthy)", "Up 2 minutes (Paused)",
// "Restarting (1) 3 seconds ago", "Exited (0) 2 hours ago", "Created".
std::string container_status_text(const ContainerRecord& container, time_t now);
// ps's COMMAND: the command line cut at 20 characters unless !trunc, quoted as Go's %q.
std::string container_command_text(const ContainerRecord& container, bool trunc);

// docker's ContainerContext fields, one object per row; and the methods a
// row has besides ({{.Label "KEY"}}).
JsonValue container_row(const ContainerSummary& container, bool trunc, time_t now);
std::map<std::string, std::function<std::string(const std::string&)>> container_row_methods(
    const ContainerRecord& container);
// The column names of those fields, for table headers.
JsonValue container_header();

}  // namespace hutch
