#include "cli/archive_output.h"
#include "cli/commands.h"
#include "image/archive_save.h"
#include "base/error.h"

namespace hutch {

namespace {

struct SaveOptions {
  std::string format = "docker-archive";
  std::string output;  // empty: standard output
};

int save(SaveOptions& options, const Args& args) {
  ArchiveFormat format = parse_archive_format(options.format);
  Store store = open_store();
  ImageStore images(store);
  std::vector<SaveItem> items = resolve_save_names(images, args.positional);
  ArchiveOutput output(options.output);
  // Blobs and configs belong to the user: no user namespace needed.
  with_context("save", [&] { save_archive(store, items, format, output.fd()); });
  output.complete();
  return 0;
}

}  // namespace

Command save_command() {
  using F = Flag<SaveOptions>;
  return make_command<SaveOptions>(
      {.name = "save",
       .args = "[OPTIONS] IMAGE [IMAGE...]",
       .summary = "Save one or more images to a tar archive (streamed to STDOUT by default)",
       .description =
           "Writes images and their tags to one tar archive, on standard output (refused when that is a terminal) "
           "or in the file given by --output, which appears only once the archive is complete. A repository name "
           "without a tag saves every tag of it; an image id saves the image untagged.\n\n"
           "docker-archive (the default) is the classic docker save layout (manifest.json, repositories, one "
           "directory per layer with VERSION, json and layer.tar), which docker load, podman load, skopeo and hutch "
           "load read; layers are written uncompressed, decompressed on the fly when stored compressed, and each "
           "one's sha256 is the diff_id its config names. oci-archive is an OCI image layout (oci-layout, "
           "index.json with an org.opencontainers.image.ref.name annotation per tag, blobs/sha256) with the layers "
           "as stored, compressed or not. Every layer is checked against its digest while it is written; entries "
           "carry the image's creation time, so saving the same images twice gives the same bytes.",
       .min_args = 1},
      {
          F::string("format", 0, &SaveOptions::format, "Archive format: docker-archive or oci-archive"),
          F::string("output", 'o', &SaveOptions::output, "Write to a file, instead of STDOUT"),
      },
      save);
}

}  // namespace hutch
