#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "container/rootless.h"
#include "image/image_import.h"
#include "base/error.h"
#include "base/file.h"
#include "store/gc.h"

namespace hutch {

int cmd_import(ParsedArgs& args) {
  ImportOptions options;
  options.changes = args.values("change");
  options.message = args.value("message");
  options.platform = args.value("platform");
  const std::string& source = args.positional[0];
  if (args.positional.size() > 1) options.reference = args.positional[1];
  validate_import(options);
  if (source.compare(0, 7, "http://") == 0 || source.compare(0, 8, "https://") == 0)
    fail("importing from a URL is not supported yet: download %s and import the file", source.c_str());
  Fd input;
  int fd = 0;
  if (source != "-") {
    input = open_or_fail(source, O_RDONLY);
    fd = input.get();
  } else if (isatty(0)) {
    fail("requested import from stdin, but stdin is a terminal");
  }
  Store store = open_store();
  RootlessSession session = enter_rootless(store);
  Digest id = collecting_on_failure(store, [&] {
    return with_context("import", [&] { return import_image(store, session.layers, fd, options); });
  });
  session.note_mapping();
  printf("%s\n", id.c_str());
  return 0;
}

}  // namespace hutch
