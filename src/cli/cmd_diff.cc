#include <cstdio>

#include "cli/commands.h"
#include "container/container_fs.h"

namespace hutch {

int cmd_diff(ParsedArgs& args) {
  Store store = open_store();
  for (const auto& change : diff_container(store, args.positional[0]))
    printf("%s %s\n", change_letter(change.kind), change.path.c_str());
  return 0;
}

}  // namespace hutch
