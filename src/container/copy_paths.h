// docker cp's path rules, as pure functions of the paths and what exists at
// them (docker's pkg/archive copy rules, from its documentation): which
// argument names a container, how a trailing "/" or "/." changes a path, and
// where the source lands given what the destination is.
#pragma once
#include <string>

namespace hutch {

// "NAME:PATH" names a path in a container; an absolute path, a path without
// ':' and one starting with '.' ("./a:b") are local.
struct CopyArg {
  std::string container;  // empty: a local path (or "-")
  std::string path;
};
CopyArg split_copy_arg(const std::string& arg);

// The directory and the entry a path names: "/a/b/" is ("/a", "b"), "/a/b/."
// is ("/a/b", "."), "/" is ("/", "/").
struct DirEntry {
  std::string dir;
  std::string base;
};
DirEntry split_dir_entry(const std::string& path);

bool has_trailing_separator(const std::string& path);
// Ends in "/." (or is "."): the contents of a directory, not the directory.
bool specifies_current_dir(const std::string& path);
// Ends in "/" or "/.": must be a directory.
bool asserts_directory(const std::string& path);
// path cleaned (Go's path.Clean), keeping a trailing "/" or "/." of original.
std::string clean_keeping_trailing(const std::string& path, const std::string& original);

// What a copy knows of one side.
struct CopyInfo {
  std::string path;
  bool exists = false;
  bool is_dir = false;
  // The name the source's entry takes in the archive when it differs from
  // its path's (a symlink followed with -L keeps the link's name).
  std::string rebase_name;
};

// Where the archive of src is extracted and what its top entry is called
// there: docker's PrepareArchiveCopy. Throws docker's errors: a directory
// onto an existing file ("cannot copy directory"), a file into a missing
// directory asserted by a trailing "/" ("no such directory").
struct ArchivePlan {
  std::string dest_dir;
  std::string top_name;  // "." when the source is a directory's contents
};
ArchivePlan plan_archive_copy(const CopyInfo& src, const CopyInfo& dst);

// The top entry's name when the archive is written as it stands (to "-").
std::string archive_top_name(const CopyInfo& src);

}  // namespace hutch
