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

}  // namespace

int cmd_images(ParsedArgs& args) {
  Filters filters(args.values("filter"), "-f, --filter", args.command->name);
  if (!args.positional.empty()) filters.add("reference", args.positional[0]);
  bool digests = args.flag("digests");
  std::string format = image_format(args.value("format"), args.flag("quiet"), digests);
  ListFormat list(format);  // a bad template fails before the store is read
  Store store = open_store();
  auto images = list_images(store, filters);
  ImageRowOptions options;
  options.trunc = !args.flag("no-trunc");
  options.digests = digests;
  options.need_digest = format.find("{{.Digest}}") != std::string::npos;
  for (const auto& row : image_rows(images, options)) list.add_row(row);
  fputs(list.finish(image_header()).c_str(), stdout);
  return 0;
}

}  // namespace hutch
