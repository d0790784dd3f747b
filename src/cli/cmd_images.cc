#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "cli/commands.h"
#include "cli/table.h"
#include "image/reference.h"
#include "store/images.h"
#include "base/human.h"

namespace hutch {

int cmd_images(ParsedArgs& args) {
  Store store = open_store();
  ImageStore images(store);
  auto records = images.list();
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
  std::map<std::string, std::vector<Reference>> tags_by_id;
  for (const auto& [full, id] : images.tags())
    if (auto ref = parse_stored_reference(full)) tags_by_id[id].push_back(*ref);

  std::string filter_name, filter_tag;
  if (!args.positional.empty()) {
    Reference want = parse_reference(args.positional[0]);
    filter_name = want.name();
    if (args.positional[0].find(':') != std::string::npos) filter_tag = want.tag;
  }
  bool no_trunc = args.flag("no-trunc");
  auto show_id = [&](const std::string& id) { return no_trunc ? id : id.substr(7, 12); };

  if (args.flag("quiet")) {
    std::set<std::string> seen;
    for (const auto& image : records) {
      if (!filter_name.empty()) {
        bool match = false;
        for (const auto& ref : tags_by_id[image.id])
          match |= ref.name() == filter_name && (filter_tag.empty() || ref.tag == filter_tag);
        if (!match) continue;
      }
      if (seen.insert(image.id).second) printf("%s\n", show_id(image.id).c_str());
    }
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"}};
  time_t now = time(nullptr);
  for (const auto& image : records) {
    time_t created = parse_rfc3339(image.created);
    std::string age = created ? human_duration(now - created) + " ago" : "N/A";
    std::string size = human_size(image.size);
    auto& refs = tags_by_id[image.id];
    if (refs.empty() && filter_name.empty()) rows.push_back({"<none>", "<none>", show_id(image.id), age, size});
    for (const auto& ref : refs) {
      if (!filter_name.empty() && (ref.name() != filter_name || (!filter_tag.empty() && ref.tag != filter_tag)))
        continue;
      rows.push_back({ref.familiar_name(), ref.tag.empty() ? "<none>" : ref.tag, show_id(image.id), age, size});
    }
  }
  fputs(format_table(rows).c_str(), stdout);
  return 0;
}

}  // namespace hutch
