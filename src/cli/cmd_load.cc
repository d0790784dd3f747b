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

int cmd_load(ParsedArgs& args) {
  Fd input;
  int fd = 0;
  if (args.has("input")) {
    input = open_or_fail(args.value("input"), O_RDONLY);
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
  if (args.flag("quiet")) return 0;
  for (const auto& image : loaded) {
    if (image.tags.empty()) printf("Loaded image ID: %s\n", image.id.c_str());
    for (const auto& tag : image.tags) {
      auto ref = parse_stored_reference(tag);
      printf("Loaded image: %s\n", ref ? (ref->familiar_name() + ":" + ref->tag).c_str() : tag.c_str());
    }
  }
  return 0;
}

}  // namespace hutch
