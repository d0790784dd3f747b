#include "cli/archive_output.h"
#include "cli/commands.h"
#include "image/archive_save.h"
#include "base/error.h"

namespace hutch {

int cmd_save(ParsedArgs& args) {
  ArchiveFormat format = parse_archive_format(args.value("format"));
  Store store = open_store();
  ImageStore images(store);
  std::vector<SaveItem> items = resolve_save_names(images, args.positional);
  ArchiveOutput output(args.value("output"));
  // Blobs and configs belong to the user: no user namespace needed.
  with_context("save", [&] { save_archive(store, items, format, output.fd()); });
  output.complete();
  return 0;
}

}  // namespace hutch
