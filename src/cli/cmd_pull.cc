#include "cli/commands.h"
#include "cli/pulling.h"
#include "container/rootless.h"
#include "store/gc.h"

namespace hutch {

int cmd_pull(ParsedArgs& args) {
  PullRequest request = make_pull_request(args.positional[0], args.value("platform"), args.flag("all-tags"),
                                          args.flag("quiet"));
  Store store = open_store();
  RootlessSession session = enter_rootless(store);
  collecting_on_failure(store, [&] { pull_and_report(store, session.layers, request, stdout, true); });
  session.note_mapping();
  return 0;
}

}  // namespace hutch
