#include "cli/archive_output.h"
#include "cli/commands.h"
#include "container/container_fs.h"
#include "base/error.h"

namespace hutch {

int cmd_export(ParsedArgs& args) {
  Store store = open_store();
  ArchiveOutput output(args.value("output"));
  export_container(store, args.positional[0], output.fd());
  output.complete();
  return 0;
}

}  // namespace hutch
