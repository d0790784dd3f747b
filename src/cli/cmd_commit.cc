#include <cstdio>

#include "cli/commands.h"
#include "container/commit.h"
#include "store/gc.h"

namespace hutch {

int cmd_commit(ParsedArgs& args) {
  CommitOptions options;
  options.author = args.value("author");
  options.message = args.value("message");
  options.changes = args.values("change");
  options.pause = !args.has("pause") || args.flag("pause");
  if (args.positional.size() > 1) options.reference = args.positional[1];
  Store store = open_store();
  Digest id = collecting_on_failure(store, [&] {
    return commit_container(store, args.positional[0], options);
  });
  printf("%s\n", id.c_str());
  return 0;
}

}  // namespace hutch
