// `hutch commit`: a container's changes as a new image, as docker makes it:
// the container's image plus one layer of its changes (none when nothing
// changed: the history entry says empty_layer), with the container's config
// (its command, environment, working directory and user as run), then the
// -c changes, a history entry created_by the container's command, and the
// author and message given.
#pragma once
#include <string>
#include <vector>

#include "store/store.h"

namespace hutch {

struct CommitOptions {
  std::string author;
  std::string message;
  std::vector<std::string> changes;  // Dockerfile instructions
  bool pause = true;                 // hold a running container still meanwhile
  std::string reference;             // REPOSITORY[:TAG], may be empty
};

// Returns the new image's id, "sha256:...".
Digest commit_container(const Store& store, const std::string& name_or_id, const CommitOptions& options);

}  // namespace hutch
