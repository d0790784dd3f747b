#include <cstdio>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/log.h"
#include "cli/commands.h"
#include "container/rootless.h"
#include "image/image_remove.h"

namespace hutch {

// docker rmi: each image on its own; one failing does not stop the others.
// As docker, errors are reported after all the output, and with --force an
// image that does not exist is reported without failing the command.
int cmd_rmi(ParsedArgs& args) {
  Store store = open_store();
  // Layer directories may hold files of subordinate ids.
  enter_rootless(store);
  ImageRemover remover(store);
  bool force = args.flag("force");
  std::vector<std::string> errors;
  bool fatal = false;
  for (const auto& arg : args.positional) {
    try {
      for (const auto& r : remover.remove(arg, force)) printf("%s %s\n", r.deleted ? "Deleted:" : "Untagged:", r.ref.c_str());
    } catch (const Error& e) {
      errors.push_back(e.what());
      if (errors.back().compare(0, 15, "No such image: ") != 0) fatal = true;
    }
  }
  fflush(stdout);
  for (const auto& e : errors) print_error(e);
  return !errors.empty() && (!force || fatal) ? kExitRunner : 0;
}

}  // namespace hutch
