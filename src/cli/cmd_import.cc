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

namespace {

int import(ImportOptions& options, const Args& args) {
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

}  // namespace

Command import_command() {
  using F = Flag<ImportOptions>;
  return make_command<ImportOptions>(
      {.name = "import",
       .args = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
       .summary = "Import the contents from a tarball to create a filesystem image",
       .description =
           "Makes a one-layer image from a root filesystem tarball read from a file or, with -, standard input. "
           "The tarball may be uncompressed, gzip or zstd (xz, bzip2 and lz4 through their programs when "
           "installed). Its entries are rewritten as a layer: leading / and ./ dropped, names leading outside the "
           "root with .. refused, sockets skipped, owners, modes, times, hard links and xattrs kept. The layer is "
           "unpacked and checked like any other before the image is recorded. Prints the new image id.\n\n"
           "The image config holds only what --change sets (Dockerfile syntax: CMD, ENTRYPOINT, ENV, EXPOSE, "
           "HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR), the platform (--platform, default the "
           "host's) and one history entry whose comment is --message or, as docker writes it, \"Imported from -\". "
           "Importing from a URL is not supported yet: download the file first.",
       .min_args = 1,
       .max_args = 2},
      {
          F::list("change", 'c', &ImportOptions::changes, "Apply Dockerfile instruction to the created image"),
          F::string("message", 'm', &ImportOptions::message, "Set commit message for imported image"),
          F::string("platform", 0, &ImportOptions::platform, "Set platform (os[/arch[/variant]]) of the image"),
      },
      import);
}

}  // namespace hutch
