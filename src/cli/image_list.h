// The image list docker's daemon computes for `images` and `system df -v`
// (filters applied, newest first), and the rows docker's image formatter
// makes of it: one per tag, or per tag and digest.
#pragma once
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "base/json_reader.h"
#include "cli/filters.h"
#include "image/image_refs.h"
#include "store/store.h"

namespace hutch {

struct ImageSummary {
  ImageRecord record;
  std::vector<ImageRef> refs;  // those the reference filter kept
  time_t created = 0;          // 0 when the config has none
  int64_t containers = 0;
  int64_t shared_size = -1;  // -1: not computed ("N/A")
};

// docker's accepted image filters: dangling, label, before, since, reference, until.
std::vector<ImageSummary> list_images(const Store& store, const Filters& filters);

// Adds each image's shared size: the content of its layers that other images also use.
void add_shared_sizes(const Store& store, std::vector<ImageSummary>& images);

// The config's Labels (empty when it has none).
std::map<std::string, std::string> image_labels(const Store& store, const ImageRecord& image);

struct ImageRowOptions {
  bool trunc = true;         // 12-digit ids
  bool digests = false;      // --digests: a row per digest
  bool need_digest = false;  // the format shows {{.Digest}}
};

// docker's imageContext fields, one object per row.
std::vector<JsonValue> image_rows(const std::vector<ImageSummary>& images, const ImageRowOptions& options);
// The column names of those fields, for table headers.
JsonValue image_header();

// Go's time.Time.String() of a Unix time in the local zone: "2024-01-02 03:04:05 +0000 UTC".
std::string go_time_string(time_t t);

}  // namespace hutch
