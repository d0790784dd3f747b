#include "base/tree_size.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <vector>

#include "base/dir_stack.h"
#include "base/error.h"
#include "base/fd.h"

namespace hutch {

// Iterative with a DirStack: a container may hold a tree of any depth.
// Unreadable parts count as empty; this is a size for a listing.
int64_t tree_bytes(const std::string& path) {
  Fd root(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return 0;
  int64_t total = 0;
  try {
    DirStack stack(std::move(root));
    std::vector<std::vector<DirName>> todo;
    todo.push_back(read_dir_names(stack.fd()));
    for (;;) {
      if (todo.back().empty()) {
        if (stack.depth() == 0) break;
        stack.leave();
        todo.pop_back();
        continue;
      }
      DirName entry = std::move(todo.back().back());
      todo.back().pop_back();
      struct stat st;
      if (fstatat(stack.fd(), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
      if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) total += st.st_size;
      if (!S_ISDIR(st.st_mode) || !stack.try_enter(entry.name)) continue;
      try {
        todo.push_back(read_dir_names(stack.fd()));
      } catch (const Error&) {
        stack.leave();
      }
    }
  } catch (const Error&) {
  }
  return total;
}

}  // namespace hutch
