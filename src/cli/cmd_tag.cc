#include "base/error.h"
#include "cli/commands.h"
#include "image/image_refs.h"
#include "store/images.h"

namespace hutch {

namespace {

int tag(NoOptions&, const Args& args) {
  const std::string& source = args.positional[0];
  const std::string& target = args.positional[1];
  auto parse = [](const std::string& text) {
    try {
      return parse_reference(text);
    } catch (const Error&) {
      fail("Error parsing reference: \"%s\" is not a valid repository/tag: invalid reference format", text.c_str());
    }
  };
  parse(source);
  Reference ref = parse(target);
  if (!ref.digest.empty()) fail("refusing to create a tag with a digest reference");
  std::string last = ref.path.substr(ref.path.rfind('/') + 1);
  if (ref.domain == "docker.io" && ref.path.compare(0, 8, "library/") == 0 && is_sha256_hex(last))
    fail("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", last.c_str());
  Store store = open_store();
  // Held shared so that an rmi or prune cannot delete the image between the
  // look-up and the new tag.
  FileLock content = store.lock_content(FileLock::kShared);
  ImageStore images(store);
  auto image = find_image_or_digest(images, source);
  if (!image) fail_no_such_image(source);
  images.tag({ref.full()}, image->id);
  return 0;
}

}  // namespace

Command tag_command() {
  return make_command<NoOptions>(
      {.name = "tag",
       .args = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
       .summary = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
       .description = "Adds the reference TARGET_IMAGE (normalized as docker does: busybox is "
                      "docker.io/library/busybox:latest) to the image SOURCE_IMAGE names; a tag that named another "
                      "image moves.",
       .min_args = 2,
       .max_args = 2},
      {}, tag);
}

}  // namespace hutch
