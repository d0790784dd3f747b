#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>
#include <string>

#include "base/human.h"
#include "base/json_writer.h"
#include "cli/commands.h"
#include "cli/container_list.h"
#include "cli/image_list.h"
#include "cli/inspect_json.h"
#include "cli/list_format.h"
#include "cli/volume_list.h"
#include "store/containers.h"
#include "store/gc.h"
#include "store/volumes.h"

namespace hutch {

namespace {

constexpr const char* kSummaryTable = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
constexpr const char* kImageTable =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{."
    "Containers}}";
constexpr const char* kContainerTable =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}";

struct Usage {
  int64_t total = 0, active = 0, size = 0, reclaimable = 0;
};

std::string reclaimable_text(const Usage& u) {
  std::string out = human_size(u.reclaimable, 4);
  if (u.size > 0) out += " (" + std::to_string(u.reclaimable * 100 / u.size) + "%)";
  return out;
}

JsonValue summary_row(const char* type, const Usage& u, bool percent) {
  return string_fields({{"Active", std::to_string(u.active)},
                        {"Reclaimable", percent ? reclaimable_text(u) : human_size(u.reclaimable, 4)},
                        {"Size", human_size(u.size, 4)},
                        {"TotalCount", std::to_string(u.total)},
                        {"Type", type}});
}

struct DfOptions {
  std::string format;
  bool verbose = false;
};

int system_df(DfOptions& flags, const Args&) {
  bool verbose = flags.verbose;
  std::string format = flags.format;
  if (format.empty()) format = "table";
  std::optional<ListFormat> summary;
  if (!verbose) summary.emplace(format == "table" ? kSummaryTable : format);
  std::optional<GoTemplate> custom;
  if (verbose && format != "table") custom.emplace(template_text(format));

  Store store = open_store();
  ImageStore images(store);
  auto records = images.list();
  auto containers = ContainerStore(store).list();
  time_t now = time(nullptr);

  // Images: what their content takes on disk, and what pruning every image no
  // container uses would free (shared content counts once).
  std::set<Digest> in_use;
  for (const auto& c : containers) in_use.insert(c.image_id);
  ContentSizes sizes = content_sizes(store);
  Usage image_usage;
  image_usage.total = (int64_t)records.size();
  for (const auto& [d, n] : sizes.layers) image_usage.size += n;
  for (const auto& [d, n] : sizes.blobs) image_usage.size += n;
  std::set<Digest> needed_layers, needed_blobs;
  for (const auto& image : records) {
    if (!in_use.count(image.id)) continue;
    image_usage.active++;
    needed_blobs.insert(image.id);
    for (const auto& l : image.layers) needed_layers.insert(l.diff_id), needed_blobs.insert(l.blob);
  }
  int64_t needed = 0;
  for (const auto& d : needed_layers) needed += sizes.layers.count(d) ? sizes.layers[d] : 0;
  for (const auto& d : needed_blobs) needed += sizes.blobs.count(d) ? sizes.blobs[d] : 0;
  image_usage.reclaimable = image_usage.size - needed;

  Usage container_usage;
  std::map<std::string, int64_t> container_bytes;
  for (const auto& c : containers) {
    int64_t bytes = tree_bytes(store.container_dir(c.id) + "/upper");
    container_bytes[c.id] = bytes;
    container_usage.total++;
    container_usage.size += bytes;
    if (c.is_running()) container_usage.active++;
    else container_usage.reclaimable += bytes;
  }

  // Volumes: as docker's, only those without -o options (which hold nothing
  // of their own); in use while a container lists them.
  Usage volume_usage;
  std::vector<JsonValue> volume_rows;
  for (const auto& v : VolumeStore(store).list()) {
    if (!v.options.empty()) continue;
    int64_t links = std::count_if(containers.begin(), containers.end(), [&](const ContainerRecord& c) {
      return std::find(c.volumes.begin(), c.volumes.end(), v.name) != c.volumes.end();
    });
    int64_t bytes = tree_bytes(v.mountpoint);
    volume_usage.total++;
    volume_usage.size += bytes;
    if (links) volume_usage.active++;
    else volume_usage.reclaimable += bytes;
    volume_rows.push_back(volume_row(v, std::to_string(links), human_size(bytes, 4)));
  }

  if (!verbose) {
    summary->add_row(summary_row("Images", image_usage, true));
    summary->add_row(summary_row("Containers", container_usage, true));
    summary->add_row(summary_row("Local Volumes", volume_usage, true));
    summary->add_row(summary_row("Build Cache", Usage{}, false));
    fputs(summary->finish(string_fields({{"Type", "TYPE"},
                                         {"TotalCount", "TOTAL"},
                                         {"Active", "ACTIVE"},
                                         {"Size", "SIZE"},
                                         {"Reclaimable", "RECLAIMABLE"}}))
              .c_str(),
          stdout);
    return 0;
  }

  // -v: a row per image (its first tag only), per container, per volume,
  // then the (empty) build cache.
  auto listed = list_images(store, Filters({}, "", ""));
  add_shared_sizes(store, listed);
  for (auto& s : listed) {
    auto first_tag = std::find_if(s.refs.begin(), s.refs.end(), [](const ImageRef& r) { return !r.canonical; });
    if (first_tag == s.refs.end()) s.refs.clear();
    else s.refs = {*first_tag};
  }
  ImageRowOptions options;
  options.trunc = !custom;
  std::vector<JsonValue> image_rows_json = image_rows(listed, options);
  std::vector<JsonValue> container_rows;
  for (const auto& c : containers) {
    container_rows.push_back(string_fields({{"Command", container_command_text(c, true)},
                                            {"ID", custom ? c.id : c.id.substr(0, 12)},
                                            {"Image", c.image},
                                            {"LocalVolumes", std::to_string(c.volumes.size())},
                                            {"Names", c.name},
                                            {"RunningFor", human_duration(now - parse_rfc3339(c.created)) + " ago"},
                                            {"Size", human_size(container_bytes[c.id])},
                                            {"Status", container_status_text(c, now)}}));
  }
  if (custom) {
    JsonWriter w;
    w.begin_object().key("Images").begin_array();
    for (const auto& r : image_rows_json) w.raw(r.to_json());
    w.end_array().key("Containers").begin_array();
    for (const auto& r : container_rows) w.raw(r.to_json());
    w.end_array().key("Volumes").begin_array();
    for (const auto& r : volume_rows) w.raw(r.to_json());
    w.end_array().key("BuildCache").begin_array().end_array().end_object();
    fputs(custom->execute(parse_json(w.str(), "disk usage")).c_str(), stdout);
    return 0;
  }
  std::string out = "Images space usage:\n\n";
  ListFormat image_table(kImageTable);
  for (const auto& r : image_rows_json) image_table.add_row(r);
  out += image_table.finish(image_header());
  out += "\nContainers space usage:\n\n";
  ListFormat container_table(kContainerTable);
  for (const auto& r : container_rows) container_table.add_row(r);
  out += container_table.finish(string_fields({{"ID", "CONTAINER ID"},
                                               {"Image", "IMAGE"},
                                               {"Command", "COMMAND"},
                                               {"LocalVolumes", "LOCAL VOLUMES"},
                                               {"Size", "SIZE"},
                                               {"RunningFor", "CREATED"},
                                               {"Status", "STATUS"},
                                               {"Names", "NAMES"}}));
  out += "\nLocal Volumes space usage:\n\n";
  ListFormat volume_table("table {{.Name}}\t{{.Links}}\t{{.Size}}");
  for (const auto& r : volume_rows) volume_table.add_row(r);
  out += volume_table.finish(volume_header());
  out += "\nBuild cache usage: 0B\n\n";
  out += ListFormat("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}")
             .finish(string_fields({{"ID", "CACHE ID"},
                                    {"CacheType", "CACHE TYPE"},
                                    {"Size", "SIZE"},
                                    {"CreatedSince", "CREATED"},
                                    {"LastUsedSince", "LAST USED"},
                                    {"UsageCount", "USAGE"},
                                    {"Shared", "SHARED"}}));
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

Command system_df_command() {
  using F = Flag<DfOptions>;
  return make_command<DfOptions>(
      {.name = "system df",
       .args = "[OPTIONS]",
       .summary = "Show hutch disk usage",
       .description =
           "Shows what images (unpacked layers and blobs, shared content counted once), containers (their "
           "writable layers) and local volumes (those without -o options, as docker counts them) take in the "
           "store, and how much of it removing unused images, stopped containers and unused volumes would free. "
           "--verbose lists each image, container and volume (with the number of containers using it).",
       .max_args = 0},
      {
          F::string("format", 0, &DfOptions::format, kTableFormatHelp),
          F::boolean("verbose", 'v', &DfOptions::verbose, "Show detailed information on space usage"),
      },
      system_df);
}

}  // namespace hutch
