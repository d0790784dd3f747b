#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "container/rootless.h"
#include "store/containers.h"
#include "store/volumes.h"
#include "base/error.h"
#include "base/log.h"
#include "base/process.h"

namespace hutch {

int cmd_rm(ParsedArgs& args) {
  Store store = open_store();
  ContainerStore containers(store);
  // Container files may belong to subordinate ids: only root in the user
  // namespace can delete them.
  enter_rootless(store);
  int status = 0;
  for (const auto& key : args.positional) {
    try {
      ContainerRecord c = containers.find(key);
      if (c.is_running()) {
        if (!args.flag("force"))
          fail("cannot remove container \"/%s\": container is running: stop the container before removing or force remove",
               c.name.c_str());
        kill(c.init_pid, SIGKILL);
        for (int i = 0; i < 200 && process_alive(c.monitor_pid, c.monitor_start); i++) usleep(10000);
      }
      containers.remove(c);
      // After the record: the container itself no longer holds them.
      if (args.flag("volumes")) remove_anonymous_volumes(VolumeStore(store), c.anonymous_volumes);
      printf("%s\n", key.c_str());
    } catch (const Error& e) {
      print_error(e.what());
      status = kExitRunner;
    }
  }
  return status;
}

}  // namespace hutch
