#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "container/rootless.h"
#include "image/archive_load.h"
#include "image/reference.h"
#include "base/error.h"
#include "base/file.h"
#include "store/gc.h"

namespace hutch {

namespace {

struct LoadOptions {
  std::optional<std::string> input;
  bool quiet = false;
};

int load(LoadOptions& options, const Args&) {
  Fd input;
  int fd = 0;
  if (options.input) {
    input = open_or_fail(*options.input, O_RDONLY);
    fd = input.get();
  } else if (isatty(0)) {
    fail("requested load from stdin, but stdin is empty");
  }
  Store store = open_store();
  RootlessSession session = enter_rootless(store);
  auto loaded = collecting_on_failure(store, [&] {
    return with_context("load", [&] { return load_archive(store, fd, session.layers); });
  });
  session.note_mapping();
  if (options.quiet) return 0;
  for (const auto& image : loaded) {
    if (image.tags.empty()) printf("Loaded image ID: %s\n", image.id.c_str());
    for (const auto& tag : image.tags) {
      auto ref = parse_stored_reference(tag);
      printf("Loaded image: %s\n", ref ? (ref->familiar_name() + ":" + ref->tag).c_str() : tag.c_str());
    }
  }
  return 0;
}

}  // namespace

Command load_command() {
  using F = Flag<LoadOptions>;
  return make_command<LoadOptions>(
      {.name = "load",
       .args = "[OPTIONS]",
       .summary = "Load an image from a tar archive or STDIN",
       .description =
           "Loads images from a docker-archive tarball (as written by docker save, podman save or skopeo) or an OCI "
           "image-layout archive. Layers may be uncompressed, gzip or zstd; the archive itself may be compressed "
           "too. Every layer is checked against the digest the image config names before the image is recorded; a "
           "corrupt, truncated or unsafe archive leaves the store as it was.",
       .max_args = 0},
      {
          F::optional_string("input", 'i', &LoadOptions::input, "Read from tar archive file, instead of STDIN"),
          F::boolean("quiet", 'q', &LoadOptions::quiet, "Suppress the load output"),
      },
      load);
}

}  // namespace hutch
