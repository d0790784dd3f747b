#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>

#include "base/error.h"
#include "base/file.h"
#include "image/layer_unpack.h"
#include "test.h"

using namespace hutch;

namespace {

struct Entry {
  std::string path;
  mode_t type;
  std::string content_or_target;
  bool hardlink = false;
};

// Writes a tar (gzip when asked) of the entries and returns its path.
std::string make_tar(const std::vector<Entry>& entries, bool gzip = false) {
  char path[] = "/tmp/hutch-unit-tar-XXXXXX";
  close(mkstemp(path));
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_open_filename(a, path);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, e.type == AE_IFDIR ? 0755 : 0644);
    if (e.hardlink) archive_entry_set_hardlink(entry, e.content_or_target.c_str());
    else if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.content_or_target.c_str());
    else if (e.type == AE_IFREG) archive_entry_set_size(entry, e.content_or_target.size());
    archive_write_header(a, entry);
    if (e.type == AE_IFREG && !e.hardlink) archive_write_data(a, e.content_or_target.data(), e.content_or_target.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return path;
}

std::string unpack(const std::string& tar, UnpackResult* result = nullptr) {
  char dir[] = "/tmp/hutch-unit-layer-XXXXXX";
  CHECK(mkdtemp(dir));
  Fd fd = open_or_fail(tar, O_RDONLY);
  UnpackOptions options;
  options.apply_owners = false;
  UnpackResult r = unpack_layer(fd.get(), dir, options);
  if (result) *result = r;
  return dir;
}

}  // namespace

TEST(unpack_files_links_and_whiteouts) {
  std::string tar = make_tar({{"d", AE_IFDIR, ""},
                              {"d/f", AE_IFREG, "hello"},
                              {"d/h", AE_IFREG, "d/f", true},
                              {"d/s", AE_IFLNK, "/etc/passwd"},
                              {"d/.wh.gone", AE_IFREG, ""},
                              {"o/.wh..wh..opq", AE_IFREG, ""}},
                             true);
  UnpackResult r;
  std::string dir = unpack(tar, &r);
  CHECK_EQ(read_file(dir + "/d/f"), std::string("hello"));
  struct stat a, b, w;
  CHECK(stat((dir + "/d/f").c_str(), &a) == 0 && stat((dir + "/d/h").c_str(), &b) == 0);
  CHECK_EQ(a.st_ino, b.st_ino);
  CHECK(lstat((dir + "/d/gone").c_str(), &w) == 0 && S_ISCHR(w.st_mode) && w.st_rdev == makedev(0, 0));
  char value[4] = {};
  CHECK(getxattr((dir + "/o").c_str(), "user.overlay.opaque", value, sizeof value) == 1 && value[0] == 'y');
  CHECK(r.blob_digest != r.diff_id);  // gzip: the stored bytes differ from the tar
  remove_tree(dir);
  unlink(tar.c_str());
}

TEST(unpack_refuses_escapes) {
  std::string dotdot = make_tar({{"../escape", AE_IFREG, "x"}});
  CHECK_THROWS(unpack(dotdot), "contains '..'");
  std::string absolute = make_tar({{"/abs", AE_IFREG, "x"}});
  CHECK_THROWS(unpack(absolute), "absolute path");
  std::string via_link = make_tar({{"esc", AE_IFLNK, "/tmp"}, {"esc/owned", AE_IFREG, "x"}});
  CHECK_THROWS(unpack(via_link), "symlink");
  std::string hard = make_tar({{"h", AE_IFREG, "../../etc/hostname", true}});
  CHECK_THROWS(unpack(hard), "contains '..'");
  for (auto* t : {&dotdot, &absolute, &via_link, &hard}) unlink(t->c_str());
  CHECK(!exists("/tmp/owned"));
}

TEST(unpack_reports_truncated_gzip) {
  std::string tar = make_tar({{"f", AE_IFREG, std::string(200000, 'z')}}, true);
  std::string cut = tar + ".cut";
  std::string data = read_file(tar);
  write_file_atomic(cut, data.substr(0, data.size() / 2));
  CHECK_THROWS(unpack(cut), "gzip");
  unlink(tar.c_str());
  unlink(cut.c_str());
}

TEST(unpack_later_entries_replace_earlier_ones) {
  std::string tar = make_tar({{"f", AE_IFREG, "first"},
                              {"f", AE_IFREG, "second"},
                              {"d", AE_IFDIR, ""},
                              {"d/keep", AE_IFREG, "keep"},
                              {"d", AE_IFDIR, ""},
                              {"x", AE_IFREG, "file"},
                              {"x", AE_IFDIR, ""},
                              {"x/in", AE_IFREG, "in"},
                              {"y", AE_IFDIR, ""},
                              {"y/in", AE_IFREG, "in"},
                              {"y", AE_IFREG, "file"},
                              {"t", AE_IFREG, "old"},
                              {"h", AE_IFREG, "t", true},
                              {"t", AE_IFREG, "new"}});
  std::string dir = unpack(tar);
  CHECK_EQ(read_file(dir + "/f"), std::string("second"));
  CHECK_EQ(read_file(dir + "/d/keep"), std::string("keep"));
  CHECK_EQ(read_file(dir + "/x/in"), std::string("in"));
  CHECK_EQ(read_file(dir + "/y"), std::string("file"));
  CHECK_EQ(read_file(dir + "/t"), std::string("new"));
  CHECK_EQ(read_file(dir + "/h"), std::string("old"));
  // The entries' times (0 here), though files were created inside afterwards.
  struct stat d, x;
  CHECK(stat((dir + "/d").c_str(), &d) == 0 && stat((dir + "/x").c_str(), &x) == 0);
  CHECK_EQ(d.st_mtime, time_t(0));
  CHECK_EQ(x.st_mtime, time_t(0));
  remove_tree(dir);
  unlink(tar.c_str());
}

TEST(unpack_refuses_malformed_whiteouts) {
  for (const char* name : {"p/.wh..", "p/.wh...", "p/.wh.", "p/.wh..wh.plnk"}) {
    std::string tar = make_tar({{"p", AE_IFDIR, ""}, {"p/keep", AE_IFREG, "keep"}, {name, AE_IFREG, ""}});
    CHECK_THROWS(unpack(tar), "whiteout");
    unlink(tar.c_str());
  }
}

TEST(unpack_and_remove_deep_tree_with_few_descriptors) {
  std::vector<Entry> entries;
  std::string path;
  for (int i = 0; i < 3000; i++) {
    path += "d/";
    entries.push_back({path, AE_IFDIR, ""});
  }
  entries.push_back({path + "bottom", AE_IFREG, "deep"});
  std::string tar = make_tar(entries);
  // One descriptor per level would run out.
  struct rlimit old;
  getrlimit(RLIMIT_NOFILE, &old);
  struct rlimit low = {64, old.rlim_max};
  setrlimit(RLIMIT_NOFILE, &low);
  std::string dir;
  try {
    dir = unpack(tar);
    remove_tree(dir);
  } catch (...) {
    setrlimit(RLIMIT_NOFILE, &old);
    throw;
  }
  setrlimit(RLIMIT_NOFILE, &old);
  CHECK(!exists(dir));
  unlink(tar.c_str());
}

namespace {

// extract_archive as cp uses it, into a fresh directory beside a link out.
std::string extract(const std::string& tar, const std::string& dir) {
  Fd fd = open_or_fail(tar, O_RDONLY);
  Fd dest = open_dir(dir);
  UnpackOptions options;
  options.layer = false;
  options.apply_owners = false;
  options.record_overrides = false;
  options.keep_kinds = true;
  options.dest_name = "/dest";
  extract_archive(fd.get(), dest.get(), options);
  return dir;
}

std::string fresh_dir() {
  char dir[] = "/tmp/hutch-unit-extract-XXXXXX";
  CHECK(mkdtemp(dir));
  return dir;
}

}  // namespace

TEST(extract_archive_is_no_layer) {
  std::string tar = make_tar({{".wh.f", AE_IFREG, "plain"}, {"/abs", AE_IFREG, "rel"}, {"./d/", AE_IFDIR, ""},
                              {"d/.wh..wh..opq", AE_IFREG, "also plain"}});
  std::string dir = extract(tar, fresh_dir());
  CHECK_EQ(read_file(dir + "/.wh.f"), std::string("plain"));
  CHECK_EQ(read_file(dir + "/abs"), std::string("rel"));
  CHECK_EQ(read_file(dir + "/d/.wh..wh..opq"), std::string("also plain"));
  remove_tree(dir);
  unlink(tar.c_str());
}

TEST(extract_archive_never_writes_through_links) {
  std::string outside = fresh_dir();
  std::string dir = fresh_dir();
  // A link that was there before: replaced by a file, refused as a directory.
  CHECK(symlink(outside.c_str(), (dir + "/planted").c_str()) == 0);
  CHECK(symlink((outside + "/file").c_str(), (dir + "/flink").c_str()) == 0);
  std::string through = make_tar({{"planted/x", AE_IFREG, "x"}});
  CHECK_THROWS(extract(through, dir), "symlink");
  std::string as_dir = make_tar({{"planted", AE_IFDIR, ""}, {"planted/x", AE_IFREG, "x"}});
  CHECK_THROWS(extract(as_dir, dir), "cannot overwrite non-directory \"/dest/planted\" with directory \"/dest\"");
  std::string as_file = make_tar({{"flink", AE_IFREG, "mine"}});
  extract(as_file, dir);
  struct stat st;
  CHECK(lstat((dir + "/flink").c_str(), &st) == 0 && S_ISREG(st.st_mode));
  // One the archive makes itself.
  std::string made = make_tar({{"l", AE_IFLNK, outside}, {"l/x", AE_IFREG, "x"}});
  CHECK_THROWS(extract(made, dir), "symlink");
  std::string up = make_tar({{"a/../../x", AE_IFREG, "x"}});
  CHECK_THROWS(extract(up, dir), "contains '..'");
  CHECK(list_dir(outside).empty());
  // A directory is not replaced by a file either.
  CHECK(mkdir((dir + "/sub").c_str(), 0755) == 0);
  std::string onto_dir = make_tar({{"sub", AE_IFREG, "x"}});
  CHECK_THROWS(extract(onto_dir, dir), "cannot overwrite directory \"/dest/sub\" with non-directory \"/dest\"");
  for (auto* t : {&through, &as_dir, &as_file, &made, &up, &onto_dir}) unlink(t->c_str());
  remove_tree(dir);
  remove_tree(outside);
}
