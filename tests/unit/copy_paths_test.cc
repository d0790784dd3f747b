#include "base/error.h"
#include "container/copy_paths.h"
#include "test.h"

using namespace hutch;

TEST(copy_arg_names_a_container_unless_local) {
  CHECK_EQ(split_copy_arg("web:/etc/hosts").container, std::string("web"));
  CHECK_EQ(split_copy_arg("web:/etc/hosts").path, std::string("/etc/hosts"));
  CHECK_EQ(split_copy_arg("web:").path, std::string(""));
  CHECK_EQ(split_copy_arg("/abs/a:b").container, std::string(""));
  CHECK_EQ(split_copy_arg("./a:b").container, std::string(""));
  CHECK_EQ(split_copy_arg("./a:b").path, std::string("./a:b"));
  CHECK_EQ(split_copy_arg("plain").container, std::string(""));
  CHECK_EQ(split_copy_arg("-").path, std::string("-"));
}

TEST(copy_dir_entry_keeps_a_trailing_dot) {
  CHECK_EQ(split_dir_entry("/a/b/").dir, std::string("/a"));
  CHECK_EQ(split_dir_entry("/a/b/").base, std::string("b"));
  CHECK_EQ(split_dir_entry("/a/b/.").dir, std::string("/a/b"));
  CHECK_EQ(split_dir_entry("/a/b/.").base, std::string("."));
  CHECK_EQ(split_dir_entry("/b").dir, std::string("/"));
  CHECK_EQ(split_dir_entry("/").base, std::string("/"));
  CHECK_EQ(split_dir_entry("/.").base, std::string("."));
  CHECK_EQ(clean_keeping_trailing("/x//y/", "y/"), std::string("/x/y/"));
  CHECK_EQ(clean_keeping_trailing("/x/y/.", "y/."), std::string("/x/y/."));
  CHECK_EQ(clean_keeping_trailing("/", "/."), std::string("/."));
  CHECK(asserts_directory("a/") && asserts_directory("a/.") && !asserts_directory("a"));
}

TEST(copy_plan_follows_dockers_table) {
  CopyInfo file{"/src/f", true, false, ""};
  CopyInfo dir{"/src/d", true, true, ""};
  CopyInfo contents{"/src/d/.", true, true, ""};
  CopyInfo missing{"/dst/new", false, false, ""};
  CopyInfo missing_dir{"/dst/new/", false, false, ""};
  CopyInfo existing_dir{"/dst/dir", true, true, ""};
  CopyInfo existing_file{"/dst/file", true, false, ""};

  // A file: into a directory under its own name, else as the destination.
  CHECK_EQ(plan_archive_copy(file, existing_dir).dest_dir, std::string("/dst/dir"));
  CHECK_EQ(plan_archive_copy(file, existing_dir).top_name, std::string("f"));
  CHECK_EQ(plan_archive_copy(file, missing).dest_dir, std::string("/dst"));
  CHECK_EQ(plan_archive_copy(file, missing).top_name, std::string("new"));
  CHECK_EQ(plan_archive_copy(file, existing_file).top_name, std::string("file"));
  CHECK_THROWS(plan_archive_copy(file, missing_dir), "no such directory");
  // A directory: into an existing one, or as a new one; never onto a file.
  CHECK_EQ(plan_archive_copy(dir, existing_dir).top_name, std::string("d"));
  CHECK_EQ(plan_archive_copy(dir, missing).top_name, std::string("new"));
  CHECK_EQ(plan_archive_copy(dir, missing_dir).top_name, std::string("new"));
  CHECK_THROWS(plan_archive_copy(dir, existing_file), "cannot copy directory");
  // "/.": the contents.
  CHECK_EQ(plan_archive_copy(contents, existing_dir).top_name, std::string("."));
  CHECK_EQ(plan_archive_copy(contents, missing).top_name, std::string("new"));
  // A followed link keeps the link's name.
  CopyInfo followed{"/src/target", true, false, "link"};
  CHECK_EQ(plan_archive_copy(followed, existing_dir).top_name, std::string("link"));
  CHECK_EQ(archive_top_name(CopyInfo{"/", true, true, ""}), std::string("."));
}
