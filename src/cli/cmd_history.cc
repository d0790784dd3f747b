#include <cstdio>
#include <ctime>

#include "base/error.h"
#include "base/human.h"
#include "base/printable.h"
#include "cli/commands.h"
#include "cli/list_format.h"
#include "image/image_refs.h"
#include "store/images.h"

namespace hutch {

namespace {

constexpr const char* kHistoryTable = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
constexpr const char* kHistoryPlainTable = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
// Dates before 2000 are shown as N/A (docker's epoch for history).
constexpr time_t kEpoch2000 = 946684800;

// Go's time.Format(time.RFC3339) in the local zone.
std::string rfc3339_local(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  long off = tm.tm_gmtoff;
  if (off == 0) return out + "Z";
  snprintf(buf, sizeof buf, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
  return out + buf;
}

struct HistoryOptions {
  std::string format;
  bool human = true;
  bool no_trunc = false;
  bool quiet = false;
};

int history(HistoryOptions& options, const Args& args) {
  bool human = options.human;
  bool trunc = !options.no_trunc;
  std::string format = options.format;
  if (format.empty() || format == "table")
    format = options.quiet ? "{{.ID}}" : human ? kHistoryTable : kHistoryPlainTable;
  ListFormat list(format);

  Store store = open_store();
  ImageStore images(store);
  auto image = find_image_or_digest(images, args.positional[0]);
  if (!image) fail_no_such_image(args.positional[0]);
  JsonValue config = parse_json(images.config_json(*image), "image config");

  // Each history entry, oldest first; entries that made a layer take its size.
  struct Entry {
    time_t created;
    std::string created_by, comment;
    int64_t size;
  };
  std::vector<Entry> entries;
  size_t layer = 0;
  if (const JsonValue* history = config.get("history")) {
    for (const auto& h : history->items()) {
      Entry e{parse_rfc3339(h.string_at("created")), h.string_at("created_by"), h.string_at("comment"), 0};
      const JsonValue* empty = h.get("empty_layer");
      if (!(empty && empty->as_bool())) {
        if (layer >= image->layers.size()) fail("too many non-empty layers in History section");
        e.size = image->layers[layer++].size;
      }
      entries.push_back(e);
    }
  }

  time_t now = time(nullptr);
  for (size_t i = entries.size(); i-- > 0;) {
    const Entry& e = entries[i];
    // Only the newest entry is this image; docker has no ids for the others.
    std::string id = i + 1 == entries.size() ? (trunc ? short_id(image->id) : image->id.str()) : "<missing>";
    std::string created_by = e.created_by;
    for (char& c : created_by)
      if (c == '\t') c = ' ';
    std::string since = !human                ? rfc3339_local(e.created)
                        : e.created <= kEpoch2000 ? "N/A"
                                                  : human_duration(now - e.created) + " ago";
    list.add_row(string_fields({{"Comment", e.comment},
                                {"CreatedAt", rfc3339_local(e.created)},
                                {"CreatedBy", trunc ? ellipsis(created_by, 45) : created_by},
                                {"CreatedSince", since},
                                {"ID", id},
                                {"Size", human ? human_size(e.size) : std::to_string(e.size)}}));
  }
  fputs(list.finish(string_fields({{"ID", "IMAGE"},
                                   {"CreatedSince", "CREATED"},
                                   {"CreatedAt", "CREATED AT"},
                                   {"CreatedBy", "CREATED BY"},
                                   {"Size", "SIZE"},
                                   {"Comment", "COMMENT"}}))
            .c_str(),
        stdout);
  return 0;
}

}  // namespace

Command history_command() {
  using F = Flag<HistoryOptions>;
  return make_command<HistoryOptions>(
      {.name = "history",
       .args = "[OPTIONS] IMAGE",
       .summary = "Show the history of an image",
       .description =
           "Lists the image config's history, newest first: the step that made each layer and its size. Only the "
           "newest row is an image; the rows before it show <missing>, as docker shows for images not built "
           "locally. --format fields: .ID .CreatedSince .CreatedAt .CreatedBy .Size .Comment.",
       .min_args = 1,
       .max_args = 1},
      {
          F::string("format", 0, &HistoryOptions::format, kTableFormatHelp),
          F::boolean("human", 'H', &HistoryOptions::human, "Print sizes and dates in human readable format"),
          F::boolean("no-trunc", 0, &HistoryOptions::no_trunc, "Don't truncate output"),
          F::boolean("quiet", 'q', &HistoryOptions::quiet, "Only show image IDs"),
      },
      history);
}

}  // namespace hutch
