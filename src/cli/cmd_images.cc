#include <cstdio>

#include "cli/commands.h"
#include "cli/filters.h"
#include "cli/image_list.h"
#include "cli/list_format.h"

namespace hutch {

namespace {

constexpr const char* kImagesTable =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}";
constexpr const char* kImagesDigestTable =
    "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{"
    "{.Size}}";

// docker's NewImageFormat: the default table, its digest and quiet variants,
// and a custom table gaining a DIGEST column with --digests.
std::string image_format(const std::string& given, bool quiet, bool digests) {
  if (given.empty() || given == "table") {
    if (quiet) return "{{.ID}}";
    return digests ? kImagesDigestTable : kImagesTable;
  }
  if (given.compare(0, 5, "table") == 0 && digests && given.find("{{.Digest}}") == std::string::npos)
    return given + "\t{{.Digest}}";
  return given;
}

struct ImagesOptions {
  // docker's -a adds the intermediate images a build leaves (untagged parents
  // of other images); hutch builds none, so the list is the same either way.
  bool all = false;
  bool digests = false;
  std::vector<std::string> filters;
  std::string format;
  bool no_trunc = false;
  bool quiet = false;
};

int images(ImagesOptions& o, const Args& args) {
  Filters filters(o.filters, "-f, --filter", args.command);
  if (!args.positional.empty()) filters.add("reference", args.positional[0]);
  bool digests = o.digests;
  std::string format = image_format(o.format, o.quiet, digests);
  ListFormat list(format);  // a bad template fails before the store is read
  Store store = open_store();
  auto images = list_images(store, filters);
  ImageRowOptions options;
  options.trunc = !o.no_trunc;
  options.digests = digests;
  options.need_digest = format.find("{{.Digest}}") != std::string::npos;
  for (const auto& row : image_rows(images, options)) list.add_row(row);
  fputs(list.finish(image_header()).c_str(), stdout);
  return 0;
}

}  // namespace

Command images_command() {
  using F = Flag<ImagesOptions>;
  return make_command<ImagesOptions>(
      {.name = "images",
       .args = "[OPTIONS] [REPOSITORY[:TAG]]",
       .summary = "List images",
       .description =
           "Lists the images in the store, one line per tag, newest first. REPOSITORY[:TAG] and reference= filters "
           "match docker's way, with glob patterns ('*' does not cross '/'); several filters must all match. "
           "--format takes a Go template over the fields .ID .Repository .Tag .Digest .CreatedSince .CreatedAt "
           ".Size .VirtualSize .SharedSize .UniqueSize .Containers, 'table TEMPLATE' for aligned columns, or "
           "'json'.\n\n"
           "docker hides intermediate images (the untagged parents an image build leaves) unless --all is given. "
           "hutch builds no images, so it has no parent images: the list is the same with or without --all, and "
           "untagged images (<none>) are always shown.",
       .max_args = 1},
      {
          F::boolean("all", 'a', &ImagesOptions::all,
                     "Show all images (docker hides intermediate images; hutch has none, so this changes nothing)"),
          F::boolean("digests", 0, &ImagesOptions::digests, "Show digests"),
          F::list("filter", 'f', &ImagesOptions::filters,
                  "Filter output based on conditions provided: dangling=true|false, reference=PATTERN, "
                  "before=IMAGE, since=IMAGE, label=KEY[=VALUE], until=TIMESTAMP")
              .value_name("filter"),
          F::string("format", 0, &ImagesOptions::format, kTableFormatHelp),
          F::boolean("no-trunc", 0, &ImagesOptions::no_trunc, "Don't truncate output"),
          F::boolean("quiet", 'q', &ImagesOptions::quiet, "Only show image IDs"),
      },
      images);
}

}  // namespace hutch
