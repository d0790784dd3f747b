#include "cli/image_list.h"

#include <algorithm>
#include <set>

#include "base/error.h"
#include "base/file.h"
#include "base/human.h"
#include "base/json_writer.h"
#include "cli/list_format.h"
#include "store/containers.h"
#include "store/images.h"

namespace hutch {

namespace {

time_t created_of(const Store& store, const std::string& user_ref) {
  auto image = find_image_or_digest(ImageStore(store), user_ref);
  if (!image) fail_no_such_image(user_ref);
  return parse_rfc3339(image->created);
}

// docker matches a reference pattern against the familiar and the full forms,
// with and without the tag.
bool reference_matches(const std::vector<std::string>& patterns, const ImageRef& r) {
  const std::string targets[] = {familiar_string(r.ref), r.ref.familiar_name(), r.full, r.ref.name()};
  for (const auto& pattern : patterns)
    for (const auto& target : targets)
      if (path_match(pattern, target)) return true;
  return false;
}

}  // namespace

std::string go_time_string(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[96];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return buf;
}

std::map<std::string, std::string> image_labels(const Store& store, const ImageRecord& image) {
  std::map<std::string, std::string> labels;
  auto text = read_file_if_exists(store.blob_path(image.id));
  if (!text) return labels;
  JsonValue config = parse_json(*text, "image config " + image.id.str());
  if (const JsonValue* c = config.get("config"))
    if (const JsonValue* l = c->get("Labels"))
      for (const auto& [k, v] : l->members())
        if (v.is_string()) labels[k] = v.as_string();
  return labels;
}

std::vector<ImageSummary> list_images(const Store& store, const Filters& filters) {
  filters.validate({"dangling", "label", "before", "since", "reference", "until"});
  bool dangling_only = filters.get_bool("dangling").value_or(false);
  // Several values resolve to the oldest "before" and the newest "since".
  bool has_before = false, has_since = false;
  time_t before = 0, since = 0;
  for (const auto& ref : filters.get("before")) {
    time_t t = created_of(store, ref);
    if (t && (!has_before || t < before)) before = t, has_before = true;
  }
  time_t now = time(nullptr);
  for (const auto& value : filters.get("until")) {
    time_t t = parse_until(value, now);
    if (!has_before || t < before) before = t, has_before = true;
  }
  for (const auto& ref : filters.get("since")) {
    time_t t = created_of(store, ref);
    if (t > since) since = t, has_since = true;
  }
  std::vector<std::string> patterns = filters.get("reference");

  ImageStore images(store);
  auto tags = images.tags();
  std::map<Digest, int64_t> containers;
  for (const auto& c : ContainerStore(store).list()) containers[c.image_id]++;

  std::vector<ImageSummary> out;
  for (auto& record : images.list()) {
    ImageSummary s;
    s.created = parse_rfc3339(record.created);
    if (has_before && (s.created == 0 || !(s.created < before))) continue;
    if (has_since && (s.created == 0 || !(s.created > since))) continue;
    if (filters.contains("label") && !filters.match_labels("label", image_labels(store, record))) continue;
    for (auto& r : image_refs(record, tags))
      if (patterns.empty() || reference_matches(patterns, r)) s.refs.push_back(std::move(r));
    bool tagged = std::any_of(s.refs.begin(), s.refs.end(), [](const ImageRef& r) { return !r.canonical; });
    if (s.refs.empty()) {
      if (filters.contains("dangling") && !dangling_only) continue;
      if (!patterns.empty()) continue;
    } else if (dangling_only && tagged) {
      continue;
    }
    s.containers = containers[record.id];
    s.record = std::move(record);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const ImageSummary& a, const ImageSummary& b) {
    return a.created != b.created ? a.created > b.created : a.record.id < b.record.id;
  });
  return out;
}

void add_shared_sizes(const Store& store, std::vector<ImageSummary>& images) {
  std::map<Digest, int> users;
  for (const auto& image : ImageStore(store).list()) {
    std::set<Digest> mine;
    for (const auto& l : image.layers) mine.insert(l.diff_id);
    for (const auto& d : mine) users[d]++;
  }
  for (auto& s : images) {
    s.shared_size = 0;
    std::set<Digest> counted;
    for (const auto& l : s.record.layers)
      if (users[l.diff_id] > 1 && counted.insert(l.diff_id).second) s.shared_size += l.size;
  }
}

JsonValue image_header() {
  return string_fields({{"ID", "IMAGE ID"},
                        {"Repository", "REPOSITORY"},
                        {"Tag", "TAG"},
                        {"Digest", "DIGEST"},
                        {"CreatedSince", "CREATED"},
                        {"CreatedAt", "CREATED AT"},
                        {"Size", "SIZE"},
                        {"VirtualSize", "VIRTUAL SIZE"},
                        {"Containers", "CONTAINERS"},
                        {"SharedSize", "SHARED SIZE"},
                        {"UniqueSize", "UNIQUE SIZE"}});
}

std::vector<JsonValue> image_rows(const std::vector<ImageSummary>& images, const ImageRowOptions& options) {
  std::vector<JsonValue> rows;
  time_t now = time(nullptr);
  for (const auto& s : images) {
    const ImageRecord& image = s.record;
    auto row = [&](const std::string& repo, const std::string& tag, const std::string& digest) {
      int64_t size = image.size;
      rows.push_back(string_fields({
          {"Containers", s.containers < 0 ? "N/A" : std::to_string(s.containers)},
          {"CreatedAt", go_time_string(s.created)},
          {"CreatedSince", s.created ? human_duration(now - s.created) + " ago" : ""},
          {"Digest", digest},
          {"ID", options.trunc ? short_id(image.id) : image.id.str()},
          {"Repository", repo},
          {"SharedSize", s.shared_size < 0 ? "N/A" : human_size(s.shared_size, 4)},
          {"Size", human_size(size)},
          {"Tag", tag},
          {"UniqueSize", s.shared_size < 0 ? "N/A" : human_size(size - s.shared_size, 4)},
          {"VirtualSize", human_size(size, 4)},
      }));
    };
    if (s.refs.empty()) {
      row("<none>", "<none>", "<none>");
      continue;
    }
    // Tags grouped by repository, each repository's digests beside its tags.
    std::vector<std::string> repos;
    std::map<std::string, std::vector<std::string>> tags, digests;
    for (const auto& r : s.refs) {
      std::string repo = r.ref.familiar_name();
      if (!tags.count(repo) && !digests.count(repo)) repos.push_back(repo);
      if (r.canonical) digests[repo].push_back(r.ref.digest.str());
      else if (!r.ref.tag.empty()) tags[repo].push_back(r.ref.tag);
    }
    bool need_digest = options.digests || options.need_digest;
    for (const auto& repo : repos) {
      if (!tags.count(repo)) continue;
      for (const auto& tag : tags[repo]) {
        if (!need_digest || digests[repo].empty()) {
          row(repo, tag, "<none>");
          continue;
        }
        for (const auto& d : digests[repo]) row(repo, tag, d);
      }
    }
    // Repositories known only by digest.
    for (const auto& repo : repos) {
      if (tags.count(repo)) continue;
      if (options.digests)
        for (const auto& d : digests[repo]) row(repo, "<none>", d);
      else
        row(repo, "<none>", "");
    }
  }
  return rows;
}

}  // namespace hutch
