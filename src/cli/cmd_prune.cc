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

int cmd_image_prune(ParsedArgs& args) {
  Filters filters(args.values("filter"), "--filter", args.command->name);
  filters.validate({"dangling", "label", "label!", "until"});
  bool all = args.flag("all");
  filters.add("dangling", all ? "false" : "true");
  bool dangling_only = *filters.get_bool("dangling");
  std::vector<std::string> untils = filters.get("until");
  if (untils.size() > 1) fail("more than one until filter specified");
  time_t until = untils.empty() ? 0 : parse_until(untils[0], time(nullptr));

  if (!args.flag("force")) {
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

}  // namespace hutch
