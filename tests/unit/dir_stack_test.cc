#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "base/dir_stack.h"
#include "base/error.h"
#include "base/file.h"
#include "test.h"

using namespace hutch;

namespace {

// A fresh directory, removed with everything in it at the end of the test.
struct TempTree {
  char path[40] = "/tmp/hutch-unit-dirstack-XXXXXX";
  TempTree() { CHECK(mkdtemp(path)); }
  ~TempTree() { remove_tree(path); }
};

ino_t ino_of(int fd) {
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST(dir_stack_goes_back_up_through_closed_levels) {
  TempTree tree;
  std::string root = tree.path, path = root;
  for (int i = 0; i < 50; i++) mkdir((path += "/d").c_str(), 0755);
  DirStack stack(open_dir(root), 2);
  ino_t top = ino_of(stack.fd());
  for (int i = 0; i < 50; i++) stack.enter("d");
  CHECK_EQ(stack.depth(), size_t(50));
  CHECK_EQ(ino_of(stack.fd()), ino_of(open_dir(path).get()));
  while (stack.depth() > 0) stack.leave();
  CHECK_EQ(ino_of(stack.fd()), top);
  CHECK(!stack.try_enter("missing"));
}

TEST(dir_stack_refuses_a_tree_moved_under_it) {
  TempTree tree;
  std::string root = tree.path;
  mkdir((root + "/a").c_str(), 0755);
  mkdir((root + "/a/b").c_str(), 0755);
  mkdir((root + "/a/b/c").c_str(), 0755);
  mkdir((root + "/x").c_str(), 0755);
  DirStack stack(open_dir(root), 1);
  stack.enter("a");
  stack.enter("b");
  stack.enter("c");
  CHECK(rename((root + "/a/b").c_str(), (root + "/x/b").c_str()) == 0);
  stack.leave();  // c/.. is still b
  CHECK_THROWS(stack.leave(), "moved");  // b/.. is x now, not a
}
