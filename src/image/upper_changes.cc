#include "image/upper_changes.h"

#include <algorithm>
#include <cerrno>
#include <set>

#include "base/dir_stack.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

const char* change_letter(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kModify: return "C";
    case ChangeKind::kAdd: return "A";
    case ChangeKind::kDelete: return "D";
  }
  return "?";
}

namespace {

class UpperWalker {
 public:
  explicit UpperWalker(const std::vector<RuntimeArtifact>& artifacts) : artifacts_(artifacts) {}

  // The changes in one upper directory (at path). `lower` is the image's
  // merged view of the same path (empty when the image has no directory there); `hiding`
  // says an opaque directory at or above this one hides everything of lower
  // that the upper layer does not have.
  // Both walks are at the same path; they are there again on return.
  std::vector<UpperNode> walk(DirStack& upper, std::string& path, MergedWalk& lower, bool hiding,
                              std::vector<std::string>* hidden);

 private:
  bool is_artifact(const std::string& path, const FsInfo& info) const {
    for (const auto& a : artifacts_) {
      if (a.path != path) continue;
      if (a.directory) return S_ISDIR(info.mode);
      return S_ISREG(info.mode) && info.size == 0 && info.nlink == 1;
    }
    return false;
  }
  bool leads_to_artifact(const std::string& path) const {
    for (const auto& a : artifacts_)
      if (a.path.compare(0, path.size() + 1, path + "/") == 0) return true;
    return false;
  }

  const std::vector<RuntimeArtifact>& artifacts_;
};

std::vector<UpperNode> UpperWalker::walk(DirStack& upper, std::string& path, MergedWalk& lower, bool hiding,
                                         std::vector<std::string>* hidden) {
  std::vector<UpperNode> out;
  std::set<std::string> present;  // upper names that are not whiteouts
  size_t path_size = path.size();
  for (const auto& name : sorted_names(upper.fd())) {
    path.resize(path_size);
    path += "/" + name;
    auto info = stat_entry(upper.fd(), name);
    if (!info) continue;  // removed while we read (a running container)
    if (!info->whiteout) present.insert(name);
    if (is_artifact(path, *info)) continue;
    auto below = lower.empty() ? std::nullopt : lower.lookup(name);
    UpperNode node;
    node.name = name;
    node.info = *info;
    if (info->whiteout) {
      // Under an opaque directory a whiteout adds nothing: the hidden list
      // already says the lower entry is gone.
      if (!below || hiding) continue;
      node.kind = ChangeKind::kDelete;
      out.push_back(std::move(node));
      continue;
    }
    node.kind = below ? ChangeKind::kModify : ChangeKind::kAdd;
    if (!S_ISDIR(info->mode)) {
      out.push_back(std::move(node));
      continue;
    }
    bool lower_dir = below && S_ISDIR(below->info.mode);
    if (!upper.try_enter(name)) {
      if (errno == ENOENT) continue;
      fail_errno("open directory %s", path.c_str());
    }
    lower.enter(name, lower_dir ? &*below : nullptr);
    bool child_hiding = hiding || info->opaque;
    node.children = walk(upper, path, lower, child_hiding, &node.hidden);
    lower.leave();
    upper.leave();
    bool changed_itself = !lower_dir || info->opaque || info->mode != below->info.mode ||
                          info->uid != below->info.uid || info->gid != below->info.gid;
    if (!changed_itself && node.children.empty() && node.hidden.empty()) continue;
    // A directory that only holds mount points the runtime made is not the
    // container's doing, even when the image lacked it.
    if (node.children.empty() && node.hidden.empty() && !info->opaque && leads_to_artifact(path)) continue;
    out.push_back(std::move(node));
  }
  path.resize(path_size);
  if (hiding && !lower.empty()) {
    for (const auto& [name, entry] : lower.list())
      if (!present.count(name)) hidden->push_back(name);
  }
  return out;
}

void collect(const std::vector<UpperNode>& nodes, const std::string& dir, std::vector<Change>& out) {
  for (const auto& node : nodes) {
    std::string path = dir + "/" + node.name;
    out.push_back(Change{path, node.kind});
    for (const auto& name : node.hidden) out.push_back(Change{path + "/" + name, ChangeKind::kDelete});
    collect(node.children, path, out);
  }
}

}  // namespace

UpperChanges compare_upper(const std::string& upper_dir, const std::vector<std::string>& lower_top_first,
                           const std::vector<RuntimeArtifact>& artifacts) {
  DirStack upper(open_dir(upper_dir));
  MergedWalk lower(lower_top_first);
  UpperWalker walker(artifacts);
  UpperChanges changes;
  std::vector<std::string> hidden_at_root;  // stays empty: "/" itself is never opaque
  std::string path;
  changes.top = walker.walk(upper, path, lower, false, &hidden_at_root);
  return changes;
}

std::vector<Change> list_changes(const UpperChanges& changes) {
  std::vector<Change> out;
  collect(changes.top, "", out);
  std::sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.path < b.path; });
  return out;
}

}  // namespace hutch
