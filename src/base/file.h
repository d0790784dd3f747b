// Small filesystem helpers. Paths are std::string; every failure throws Error.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"

namespace hutch {

std::string path_join(std::string_view a, std::string_view b);
std::string dirname_of(const std::string& path);
// Go's path.Clean: one slash between names, no "." and no ".." that can be
// resolved lexically ("/a/../b/" is "/b", "a/../.." is ".."), "" is ".".
std::string clean_path(std::string_view path);

Fd open_or_fail(const std::string& path, int flags, mode_t mode = 0);
Fd open_dir(const std::string& path);

std::string read_file(const std::string& path);
std::string read_fd(int fd);
std::optional<std::string> read_file_if_exists(const std::string& path);
// `what` names the write in the error: "write layer: No space left on device".
void write_all(int fd, std::string_view data, const char* what = "write");

// Writes via a temporary file and rename(2), so readers see the old or the new
// content, never a torn one. durable=true adds fsyncs (for store metadata whose
// loss after a power cut would leave dangling references).
void write_file_atomic(const std::string& path, std::string_view data, bool durable = false,
                       mode_t mode = 0644);

// Overwrites in place, keeping the file's inode: only for files no reader can
// see yet (in a directory not yet published), where a fresh inode per write
// is pure cost (on ext4 without a journal each allocation skips past every
// inode freed in the last minute).
void write_file_in_place(const std::string& path, std::string_view data, mode_t mode = 0644);

bool exists(const std::string& path);
bool is_dir(const std::string& path);
void mkdir_p(const std::string& path, mode_t mode = 0755);
// Removes a tree without following symlinks; missing is fine.
void remove_tree(const std::string& path);
void remove_tree_at(int dirfd, const char* name);
std::vector<std::string> list_dir(const std::string& path);

}  // namespace hutch
