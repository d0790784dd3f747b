// Pulling with docker's report around it, shared by `pull` and `run --pull`.
#pragma once
#include <cstdio>
#include <string>

#include "image/layers.h"
#include "image/reference.h"
#include "registry/manifest.h"
#include "store/store.h"

namespace hutch {

struct PullRequest {
  Reference ref;
  bool all_tags = false;
  bool quiet = false;
  Platform platform;
};

// Parses the reference and platform as `hutch pull` takes them.
PullRequest make_pull_request(const std::string& text, const std::string& platform, bool all_tags, bool quiet);

// Prints "latest: Pulling from library/busybox", per-layer progress, the digest
// and the status to out. `run` prints no final reference line.
void pull_and_report(const Store& store, const LayerTarget& target, const PullRequest& request, FILE* out,
                     bool print_reference);

}  // namespace hutch
