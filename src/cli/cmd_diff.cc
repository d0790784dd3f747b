#include <cstdio>

#include "cli/commands.h"
#include "container/container_fs.h"

namespace hutch {

namespace {

int diff(NoOptions&, const Args& args) {
  Store store = open_store();
  for (const auto& change : diff_container(store, args.positional[0]))
    printf("%s %s\n", change_letter(change.kind), change.path.c_str());
  return 0;
}

}  // namespace

Command diff_command() {
  return make_command<NoOptions>(
      {.name = "diff",
       .args = "CONTAINER",
       .summary = "Inspect changes to files or directories on a container's filesystem",
       .description =
           "Lists what the container changed in its image's filesystem, one line per path, sorted by path: A "
           "added, C changed, D deleted. A directory holding changes is listed as changed; the entries hutch "
           "creates as mount points (/proc, /dev, /sys, /etc/hosts, /etc/hostname, /etc/resolv.conf when the image "
           "lacks them) are not listed, as docker does not list its own.",
       .min_args = 1,
       .max_args = 1},
      {}, diff);
}

}  // namespace hutch
