#include "cli/archive_output.h"
#include "cli/commands.h"
#include "container/container_fs.h"
#include "base/error.h"

namespace hutch {

namespace {

struct ExportOptions {
  std::string output;  // empty: standard output
};

int export_(ExportOptions& options, const Args& args) {
  Store store = open_store();
  ArchiveOutput output(options.output);
  export_container(store, args.positional[0], output.fd());
  output.complete();
  return 0;
}

}  // namespace

Command export_command() {
  return make_command<ExportOptions>(
      {.name = "export",
       .args = "[OPTIONS] CONTAINER",
       .summary = "Export a container's filesystem as a tar archive",
       .description =
           "Writes the container's whole filesystem (its image's layers merged with its own changes, as the "
           "container sees it) as a tar archive, on standard output (refused when that is a terminal) or in the "
           "file given by --output. Owners are the container's: the subordinate ids files belong to on the host, "
           "or under a single-uid mapping the owners recorded when the layers were unpacked. Mounts (/proc, /dev, "
           "/sys, volumes) are not part of it. The archive imports back with hutch import.",
       .min_args = 1,
       .max_args = 1},
      {Flag<ExportOptions>::string("output", 'o', &ExportOptions::output, "Write to a file, instead of STDOUT")},
      export_);
}

}  // namespace hutch
