// hutch update: changes a container's configuration in its record. The
// restart policy only for now; resource limits come with the flags issue.
#include <cstdio>

#include "base/error.h"
#include "base/log.h"
#include "cli/commands.h"
#include "container/monitor.h"
#include "store/containers.h"

namespace hutch {

namespace {

struct UpdateOptions {
  std::optional<std::string> restart;
};

int update(UpdateOptions& o, const Args& args) {
  if (!o.restart) fail("you must provide one or more flags when using this command");
  // docker changes nothing for --restart "" (the flag counts as given).
  std::optional<RestartPolicy> policy;
  if (!o.restart->empty()) policy = parse_restart_policy(*o.restart);
  Store store = open_store();
  ContainerStore containers(store);
  // docker prints each container as given once it is updated, and the
  // errors together at the end.
  std::vector<std::string> errors;
  for (const auto& key : args.positional) {
    try {
      ContainerRecord c = containers.find(key);
      containers.update(c.id, [&](ContainerRecord& r) {
        // The monitor applies the policy it reads from the record when the
        // container exits.
        if (!policy) return;
        if (r.host_config.auto_remove && policy->name != "no")
          fail("Cannot update container %s: Restart policy cannot be updated because AutoRemove is enabled for "
               "the container",
               r.id.c_str());
        r.host_config.restart_policy = *policy;
      });
      printf("%s\n", key.c_str());
      fflush(stdout);
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  for (const auto& e : errors) print_error(e);
  return errors.empty() ? 0 : 1;
}

}  // namespace

Command update_command() {
  using F = Flag<UpdateOptions>;
  return make_command<UpdateOptions>(
      {.name = "update",
       .args = "[OPTIONS] CONTAINER [CONTAINER...]",
       .summary = "Update configuration of one or more containers",
       .description = "Changes each container's restart policy, running or not; a running container's monitor "
                      "applies the new policy when the container next exits. A --rm container's policy cannot "
                      "change (except to no). docker's resource flags (--memory, --cpus, ...) are not supported "
                      "yet.",
       .min_args = 1},
      {
          F::optional_string("restart", 0, &UpdateOptions::restart, "Restart policy to apply when a container exits"),
      },
      update);
}

}  // namespace hutch
