#include <cstdio>

#include "cli/commands.h"
#include "container/commit.h"
#include "store/gc.h"

namespace hutch {

namespace {

int commit(CommitOptions& options, const Args& args) {
  if (args.positional.size() > 1) options.reference = args.positional[1];
  Store store = open_store();
  Digest id = collecting_on_failure(store, [&] {
    return commit_container(store, args.positional[0], options);
  });
  printf("%s\n", id.c_str());
  return 0;
}

}  // namespace

Command commit_command() {
  using F = Flag<CommitOptions>;
  return make_command<CommitOptions>(
      {.name = "commit",
       .args = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
       .summary = "Create a new image from a container's changes",
       .description =
           "Makes a new image of the container's image plus one layer holding the container's changes: added and "
           "changed files with the owners the container sees, deletions as whiteouts, directories the container "
           "replaced as opaque; hard links are kept and entries come in a fixed order, so the same changes give the "
           "same layer. A container that changed nothing adds no layer (its history entry says empty_layer). The "
           "config is the container's (its command, environment, working directory and user as run) with --change "
           "instructions applied (Dockerfile syntax: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, "
           "STOPSIGNAL, USER, VOLUME, WORKDIR); the history entry records the container's command, --author and "
           "--message. Prints the new image id.\n\n"
           "A running container is paused while its files are read, unless --pause=false. docker freezes its "
           "cgroup; hutch, which needs no cgroups, has a helper process seize every thread of the container with "
           "ptrace (PTRACE_SEIZE and PTRACE_INTERRUPT) and let go afterwards. The container's processes do not see "
           "this as a stop (no SIGCHLD to their parents, signals arriving meanwhile are delivered afterwards), and "
           "should the helper die, the kernel releases them. Where ptrace is not allowed, commit fails and says to "
           "use --pause=false.",
       .min_args = 1,
       .max_args = 2},
      {
          F::string("author", 'a', &CommitOptions::author,
                    "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
          F::list("change", 'c', &CommitOptions::changes, "Apply Dockerfile instruction to the created image"),
          F::string("message", 'm', &CommitOptions::message, "Commit message"),
          F::boolean("pause", 'p', &CommitOptions::pause, "Pause container during commit"),
      },
      commit);
}

}  // namespace hutch
