#include "cli/commands.h"
#include "container/container_copy.h"
#include "container/copy_paths.h"
#include "base/error.h"

namespace hutch {

namespace {

struct CpOptions {
  bool archive = false;
  bool follow_link = false;
};

int cp(CpOptions& options, const Args& args) {
  CopyArg from = split_copy_arg(args.positional[0]);
  CopyArg to = split_copy_arg(args.positional[1]);
  if (!from.container.empty() && !to.container.empty()) fail("copying between containers is not supported");
  if (from.container.empty() && to.container.empty()) fail("must specify at least one container source");
  CopyRequest request;
  request.to_container = !to.container.empty();
  request.container = request.to_container ? to.container : from.container;
  request.container_path = request.to_container ? to.path : from.path;
  request.host_path = request.to_container ? from.path : to.path;
  request.archive = options.archive;
  request.follow_link = options.follow_link;
  Store store = open_store();
  copy_files(store, request);
  return 0;
}

}  // namespace

Command cp_command() {
  using F = Flag<CpOptions>;
  return make_command<CpOptions>(
      {.name = "cp",
       .args = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\thutch cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
       .summary = "Copy files/folders between a container and the local filesystem",
       .description =
           "Copies SRC_PATH to DEST_PATH with docker's rules: a file goes into DEST_PATH when that is a directory "
           "and becomes DEST_PATH otherwise (a DEST_PATH ending in / must then exist); a directory is copied into "
           "an existing DEST_PATH directory, or becomes DEST_PATH; SRC_PATH/. copies a directory's contents. "
           "'-' as SRC_PATH extracts a tar archive from standard input into the container directory DEST_PATH; "
           "'-' as DEST_PATH writes the source as a tar archive to standard output. Paths in the container are "
           "resolved inside it, its symbolic links included (they never lead out of it), and it may be running "
           "(its volumes and mounts are seen as it sees them) or stopped. Symbolic links are copied as links, "
           "and nothing is written through one on either side. Files copied into the container belong to its "
           "root, files copied out to you; with -a they keep their owners: the source's ids as the container's "
           "user namespace maps them (owners hutch cannot give under a single-uid mapping are recorded, as "
           "layers record them).",
       .min_args = 2,
       .max_args = 2},
      {
          F::boolean("archive", 'a', &CpOptions::archive, "Archive mode (copy all uid/gid information)"),
          F::boolean("follow-link", 'L', &CpOptions::follow_link, "Always follow symbol link in SRC_PATH"),
      },
      cp);
}

}  // namespace hutch
