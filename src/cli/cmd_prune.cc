#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "base/error.h"
#include "base/human.h"
#include "cli/commands.h"
#include "cli/filters.h"
#include "cli/image_list.h"
#include "container/rootless.h"
#include "image/image_remove.h"

namespace hutch {

// docker's confirmation: the warning, " [y/N] ", and a line from stdin.
bool confirm(const char* warning) {
  printf("%s [y/N] ", warning);
  fflush(stdout);
  std::string line;
  int c;
  while ((c = getchar()) != EOF && c != '\n') line += (char)c;
  size_t a = line.find_first_not_of(" \t\r");
  std::string answer = a == std::string::npos ? "" : line.substr(a, line.find_last_not_of(" \t\r") - a + 1);
  return answer == "y" || answer == "Y";
}

namespace {

struct ImagePruneOptions {
  bool all = false;
  std::vector<std::string> filters;
  bool force = false;
};

int image_prune(ImagePruneOptions& options, const Args& args) {
  Filters filters(options.filters, "--filter", args.command);
  filters.validate({"dangling", "label", "label!", "until"});
  bool all = options.all;
  filters.add("dangling", all ? "false" : "true");
  bool dangling_only = *filters.get_bool("dangling");
  std::vector<std::string> untils = filters.get("until");
  if (untils.size() > 1) fail("more than one until filter specified");
  time_t until = untils.empty() ? 0 : parse_until(untils[0], time(nullptr));

  if (!options.force) {
    const char* warning = dangling_only
                              ? "WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
                              : "WARNING! This will remove all images without at least one container associated to "
                                "them.\nAre you sure you want to continue?";
    if (!confirm(warning)) fail_status(1, "image prune has been cancelled");
  }

  Store store = open_store();
  enter_rootless(store);
  ImageRemover remover(store);
  auto selected = [&](const ImageRecord& image) {
    time_t created = parse_rfc3339(image.created);
    if (!untils.empty() && (created == 0 || created > until)) return false;
    if (filters.contains("label") || filters.contains("label!")) {
      auto labels = image_labels(store, image);
      if (!filters.match_labels("label", labels)) return false;
      if (filters.contains("label!") && filters.match_labels("label!", labels)) return false;
    }
    return true;
  };
  auto records = remover.prune(!dangling_only, selected);
  std::string out;
  if (!records.empty()) {
    out += "Deleted Images:\n";
    for (const auto& r : records) out += (r.deleted ? "deleted: " : "untagged: ") + r.ref + "\n";
    out += "\n";
  }
  out += "Total reclaimed space: " + human_size(remover.reclaimed(), 4) + "\n";
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

Command image_prune_command() {
  using F = Flag<ImagePruneOptions>;
  return make_command<ImagePruneOptions>(
      {.name = "image prune",
       .args = "[OPTIONS]",
       .summary = "Remove unused images",
       .description =
           "Removes dangling images (those without a tag), or with --all every image no container was created "
           "from; then the layers and blobs no image uses, such as those left by an interrupted load. Asks first "
           "unless --force is given. Filters: until=TIMESTAMP, label=KEY[=VALUE], label!=KEY[=VALUE].",
       .max_args = 0},
      {
          F::boolean("all", 'a', &ImagePruneOptions::all, "Remove all unused images, not just dangling ones"),
          F::list("filter", 0, &ImagePruneOptions::filters, "Provide filter values (e.g. \"until=<timestamp>\")")
              .value_name("filter"),
          F::boolean("force", 'f', &ImagePruneOptions::force, "Do not prompt for confirmation"),
      },
      image_prune);
}

}  // namespace hutch
