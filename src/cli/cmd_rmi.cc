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
namespace {

struct RmiOptions {
  bool force = false;
  // docker's rmi deletes the untagged parents of a removed image unless
  // --no-prune; hutch's images have no parent images (it builds none), so
  // there is nothing for it to keep.
  bool no_prune = false;
};

int rmi(RmiOptions& options, const Args& args) {
  Store store = open_store();
  // Layer directories may hold files of subordinate ids.
  enter_rootless(store);
  ImageRemover remover(store);
  bool force = options.force;
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

}  // namespace

Command rmi_command() {
  using F = Flag<RmiOptions>;
  return make_command<RmiOptions>(
      {.name = "rmi",
       .args = "[OPTIONS] IMAGE [IMAGE...]",
       .summary = "Remove one or more images",
       .description =
           "Removes images by reference, id or id prefix. A reference is untagged; the image itself is deleted "
           "when no other reference names it, with the unpacked layers and blobs that no remaining image uses. An "
           "image id named by several tags needs --force. An image a container was created from is refused; with "
           "--force it is only untagged and kept (as <none>) while the container exists. Each image is handled on "
           "its own; the exit status is 1 when any failed.\n\n"
           "docker also deletes the untagged parent images of a deleted image, unless --no-prune is given. hutch "
           "builds no images, so its images have no parent images: --no-prune changes nothing, and the layers and "
           "blobs no remaining image uses are removed either way (they are content, not images).",
       .min_args = 1},
      {
          F::boolean("force", 'f', &RmiOptions::force, "Force removal of the image"),
          F::boolean("no-prune", 0, &RmiOptions::no_prune,
                     "Do not delete untagged parents (hutch's images have none, so this changes nothing)"),
      },
      rmi);
}

}  // namespace hutch
