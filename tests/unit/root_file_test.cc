#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "runtime/root_file.h"
#include "test.h"

using namespace hutch;

namespace {

// A tree with an outside neighbour: tmp/root is the container's tree,
// tmp/outside/passwd the host file no lookup may reach.
struct Tree {
  std::string tmp, root;
  Fd root_fd;
  Tree() {
    char dir[] = "/tmp/root-file-test.XXXXXX";
    if (!mkdtemp(dir)) fail_errno("mkdtemp");
    tmp = dir;
    root = tmp + "/root";
    mkdir_p(root + "/etc");
    mkdir_p(root + "/usr/share/base-passwd");
    mkdir_p(tmp + "/outside");
    write_file_atomic(tmp + "/outside/passwd", "host\n");
    write_file_atomic(root + "/usr/share/base-passwd/passwd", "inside\n");
    root_fd.reset(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  ~Tree() { remove_tree(tmp); }
  void link(const std::string& target, const std::string& name) {
    if (symlink(target.c_str(), (root + "/" + name).c_str()) < 0) fail_errno("symlink");
  }
};

void each_lookup(void (*body)(RootLookup)) {
  body(RootLookup::kAuto);
  body(RootLookup::kUserSpace);
}

}  // namespace

TEST(root_file_links_inside_the_tree_resolve_against_its_root) {
  each_lookup([](RootLookup how) {
    Tree t;
    t.link("../usr/share/base-passwd/passwd", "etc/passwd");
    t.link("/usr/share/base-passwd/passwd", "etc/group");
    CHECK_EQ(*read_small_file_in_root(t.root_fd.get(), "/etc/passwd", how), std::string("inside\n"));
    CHECK_EQ(*read_small_file_in_root(t.root_fd.get(), "/etc/group", how), std::string("inside\n"));
  });
}

TEST(root_file_links_out_of_the_tree_stay_inside) {
  each_lookup([](RootLookup how) {
    Tree t;
    t.link(t.tmp + "/outside/passwd", "etc/passwd");
    t.link("../../../../../../../../.." + t.tmp + "/outside/passwd", "etc/group");
    t.link("../../outside/passwd", "etc/shadow");
    for (const char* file : {"/etc/passwd", "/etc/group", "/etc/shadow", "/../outside/passwd"})
      CHECK(!read_small_file_in_root(t.root_fd.get(), file, how));
  });
}

TEST(root_file_refuses_what_is_not_a_small_regular_file) {
  each_lookup([](RootLookup how) {
    Tree t;
    CHECK(mkfifo((t.root + "/etc/passwd").c_str(), 0644) == 0);
    CHECK_THROWS(read_small_file_in_root(t.root_fd.get(), "/etc/passwd", how),
                 "cannot read /etc/passwd in the container: a FIFO, not a regular file");
    mkdir_p(t.root + "/etc/group");
    CHECK_THROWS(read_small_file_in_root(t.root_fd.get(), "/etc/group", how), "a directory");
    {
      Fd big(::open((t.root + "/etc/big").c_str(), O_WRONLY | O_CREAT, 0644));
      CHECK(ftruncate(big.get(), kMaxRootFileSize + 1) == 0);
      Fd exact(::open((t.root + "/etc/exact").c_str(), O_WRONLY | O_CREAT, 0644));
      CHECK(ftruncate(exact.get(), kMaxRootFileSize) == 0);
    }
    CHECK_THROWS(read_small_file_in_root(t.root_fd.get(), "/etc/big", how), "larger than the limit of 16 MiB");
    CHECK_EQ(read_small_file_in_root(t.root_fd.get(), "/etc/exact", how)->size(), kMaxRootFileSize);
    t.link("loop", "etc/loop");
    CHECK_THROWS(read_small_file_in_root(t.root_fd.get(), "/etc/loop", how), "cannot read /etc/loop");
  });
}
