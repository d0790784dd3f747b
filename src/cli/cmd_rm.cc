#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "container/control.h"
#include "container/rootless.h"
#include "container/run.h"
#include "runtime/lifecycle.h"
#include "store/containers.h"
#include "store/volumes.h"
#include "base/error.h"
#include "base/log.h"
#include "base/process.h"

namespace hutch {

namespace {

struct RmOptions {
  bool force = false;
  bool volumes = false;
};

int rm(RmOptions& options, const Args& args) {
  Store store = open_store();
  ContainerStore containers(store);
  std::vector<ContainerRecord> found;
  int status = 0;
  for (const auto& key : args.positional) {
    try {
      ContainerRecord c = containers.find(key);
      if (c.is_running() || c.is_restarting()) {
        if (!options.force && c.status() == "paused")
          fail("You cannot remove a paused container %s. Unpause and then stop the container before attempting "
               "removal or force remove",
               c.id.c_str());
        if (!options.force)
          fail("cannot remove container \"/%s\": container is running: stop the container before removing or force remove",
               c.name.c_str());
        // Marked stopped first, so that no restart policy brings it back.
        stop_container(store, c, SIGKILL, 0);
      }
      found.push_back(c);
    } catch (const Error& e) {
      print_error(e.what());
      status = kExitRunner;
      found.emplace_back();  // keeps the order of the names for the output
    }
  }
  // Container files may belong to subordinate ids: only root in the user
  // namespace can delete them.
  enter_rootless(store);
  for (size_t i = 0; i < found.size(); i++) {
    if (found[i].id.empty()) continue;
    try {
      containers.remove(found[i]);
      // After the record: the container itself no longer holds them.
      if (options.volumes) remove_anonymous_volumes(VolumeStore(store), found[i].anonymous_volumes);
      printf("%s\n", args.positional[i].c_str());
    } catch (const Error& e) {
      print_error(e.what());
      status = kExitRunner;
    }
  }
  return status;
}

}  // namespace

Command rm_command() {
  using F = Flag<RmOptions>;
  return make_command<RmOptions>(
      {.name = "rm",
       .args = "[OPTIONS] CONTAINER [CONTAINER...]",
       .summary = "Remove one or more containers",
       .description = "Removes containers and their writable layers. A running container is refused unless "
                      "--force is given, which kills it first. With --volumes, the container's anonymous volumes "
                      "(those -v /path or an image's VOLUME made for it) that no other container uses are removed "
                      "with it; named volumes stay.",
       .min_args = 1},
      {
          F::boolean("force", 'f', &RmOptions::force, "Force the removal of a running container (uses SIGKILL)"),
          F::boolean("volumes", 'v', &RmOptions::volumes, "Remove anonymous volumes associated with the container"),
      },
      rm);
}

}  // namespace hutch
