#include "cli/pulling.h"

#include "base/error.h"
#include "cli/pull_progress.h"
#include "image/pull.h"
#include "registry/registry.h"

namespace hutch {

PullRequest make_pull_request(const std::string& text, const std::string& platform, bool all_tags, bool quiet) {
  PullRequest r;
  r.ref = parse_reference(text);
  r.all_tags = all_tags;
  r.quiet = quiet;
  r.platform = parse_platform(platform);
  if (all_tags && !r.ref.tag_defaulted) fail("tag can't be used with --all-tags/-a");
  return r;
}

void pull_and_report(const Store& store, const LayerTarget& target, const PullRequest& request, FILE* out,
                     bool print_reference) {
  const Reference& ref = request.ref;
  Registry registry(ref.domain, ref.path);
  std::vector<Reference> refs;
  if (request.all_tags) {
    HttpClient http;
    for (const auto& tag : registry.tags(http)) refs.push_back(Reference{ref.domain, ref.path, tag, {}});
    if (refs.empty()) fail("%s has no tags", ref.familiar_name().c_str());
  } else {
    refs.push_back(ref);
    if (!request.quiet && ref.tag_defaulted) fprintf(out, "Using default tag: latest\n");
  }
  bool any_new = false;
  for (const auto& r : refs) {
    std::string what = r.digest.empty() ? r.tag : r.digest.str();
    if (!request.quiet) {
      fprintf(out, "%s: Pulling from %s\n", what.c_str(), r.path.c_str());
      fflush(out);
    }
    PullProgress progress(out, request.quiet ? PullProgress::kSilent : PullProgress::mode_for(out));
    PullResult result = pull_image(store, target, registry, r, request.platform, progress);
    progress.finish();
    any_new |= result.new_image;
    if (!request.quiet) fprintf(out, "Digest: %s\n", result.digest.c_str());
    if (!request.all_tags && !request.quiet) {
      std::string shown = r.familiar_name() + (r.digest.empty() ? ":" + r.tag : "@" + r.digest.str());
      fprintf(out, "Status: %s for %s\n", result.new_image ? "Downloaded newer image" : "Image is up to date",
              shown.c_str());
    }
  }
  if (request.all_tags && !request.quiet)
    fprintf(out, "Status: %s for %s\n", any_new ? "Downloaded newer image" : "Image is up to date",
            ref.familiar_name().c_str());
  if (print_reference) fprintf(out, "%s\n", request.all_tags ? ref.name().c_str() : ref.full().c_str());
  fflush(out);
}

}  // namespace hutch
