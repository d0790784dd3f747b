// A container's writable (upper) layer compared with the image layers below
// it: the list `diff` prints and the tree `commit` turns into a layer.
//
// Every non-directory in the upper layer is a change (overlayfs copies a file
// up only when it is opened for writing or its metadata changes). A directory
// is one when it is new, replaces a non-directory, is opaque, has a different
// mode or owner than below, or holds changes: like docker, directory mtimes
// are not compared, since creating an entry changes them.
#pragma once
#include <string>
#include <vector>

#include "image/overlay_view.h"

namespace hutch {

enum class ChangeKind { kModify, kAdd, kDelete };

struct Change {
  std::string path;  // "/etc/motd"
  ChangeKind kind;
};

// "C", "A", "D" as docker diff prints them.
const char* change_letter(ChangeKind kind);

// An entry the runtime, not the container, put into the upper layer: a mount
// point created because the image lacked it (docker keeps these in a separate
// "init" layer, so they never show up in diff or commit). A directory
// artifact hides its whole subtree; a file artifact only an empty file.
struct RuntimeArtifact {
  std::string path;  // "/etc/hosts"
  bool directory;
};

struct UpperNode {
  std::string name;
  FsInfo info;
  ChangeKind kind = ChangeKind::kAdd;  // whiteouts are kDelete
  std::vector<UpperNode> children;     // changes inside a directory, by name
  // Lower entries that an opaque directory (or one inside it) hides: each is
  // a deletion docker diff reports, carried by the opaque marker in a layer.
  std::vector<std::string> hidden;
};

struct UpperChanges {
  std::vector<UpperNode> top;  // changes in "/", by name
  bool empty() const { return top.empty(); }
};

// lower_top_first: the image's layer directories, top layer first.
UpperChanges compare_upper(const std::string& upper_dir, const std::vector<std::string>& lower_top_first,
                           const std::vector<RuntimeArtifact>& artifacts);

// docker diff's list: one Change per changed path, sorted by path.
std::vector<Change> list_changes(const UpperChanges& changes);

}  // namespace hutch
