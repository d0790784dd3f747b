// The overlay view of layer directories, the upper-layer changes and the tars
// written from them. Whiteouts are character devices: like the unpacker's
// tests, these run as root (tests/run.sh runs unit tests as root).
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "image/layer_pack.h"
#include "image/tar_writer.h"
#include "image/upper_changes.h"
#include "test.h"

using namespace hutch;

namespace {

std::string temp_dir() {
  char dir[] = "/tmp/hutch-unit-pack-XXXXXX";
  CHECK(mkdtemp(dir));
  return dir;
}

void put(const std::string& path, const std::string& content) {
  mkdir_p(dirname_of(path));
  write_file_atomic(path, content);
}

void whiteout(const std::string& path) {
  mkdir_p(dirname_of(path));
  CHECK(mknod(path.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0);
}

// "name type uid" per entry of a tar file.
std::vector<std::string> tar_entries(const std::string& path) {
  std::vector<std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_empty(a);
  CHECK(archive_read_open_filename(a, path.c_str(), 10240) == ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string line = archive_entry_pathname(e);
    if (const char* link = archive_entry_hardlink(e)) line += std::string(" => ") + link;
    line += " " + std::to_string(archive_entry_uid(e));
    out.push_back(line);
  }
  archive_read_free(a);
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// lower1 (base) and lower2 over it, and an upper with every kind of change.
struct Stack {
  std::string root = temp_dir();
  std::string lower1 = root + "/l1", lower2 = root + "/l2", upper = root + "/up";
  Stack() {
    put(lower1 + "/d/a", "a");
    put(lower1 + "/d/b", "b");
    put(lower1 + "/o/old", "old");
    put(lower1 + "/keep/k", "k");
    put(lower1 + "/f", "f");
    // alice's file as a single-uid unpack records it
    put(lower1 + "/owned", "mine");
    CHECK(setxattr((lower1 + "/owned").c_str(), "user.containers.override_stat", "1000:1001:0640", 14, 0) == 0);
    whiteout(lower2 + "/d/a");
    put(lower2 + "/e/x", "x");
    put(upper + "/d/b", "B");
    put(upper + "/d/c", "c");
    CHECK(link((upper + "/d/c").c_str(), (upper + "/d/c2").c_str()) == 0);
    whiteout(upper + "/keep");
    put(upper + "/o/new", "new");
    CHECK(setxattr((upper + "/o").c_str(), "user.overlay.opaque", "y", 1, 0) == 0);
    put(upper + "/owned", "mine, changed");
    CHECK(setxattr((upper + "/owned").c_str(), "user.containers.override_stat", "1000:1001:0640", 14, 0) == 0);
    // the runtime's mount points: not changes
    put(upper + "/etc/hosts", "");
    mkdir_p(upper + "/proc");
    whiteout(upper + "/never-existed");
  }
  ~Stack() { remove_tree(root); }
  std::vector<std::string> lowers() const { return {lower2, lower1}; }
};

const std::vector<RuntimeArtifact> kArtifacts = {{"/proc", true}, {"/etc/hosts", false}};

}  // namespace

TEST(upper_changes_as_docker_lists_them) {
  Stack s;
  std::string got;
  for (const auto& c : list_changes(compare_upper(s.upper, s.lowers(), kArtifacts)))
    got += std::string(change_letter(c.kind)) + " " + c.path + "\n";
  CHECK_EQ(got, std::string("C /d\nC /d/b\nA /d/c\nA /d/c2\nD /keep\nC /o\nA /o/new\nD /o/old\nC /owned\n"));
}

TEST(changes_layer_entries) {
  Stack s;
  std::string out = s.root + "/layer.tar";
  {
    Fd fd = open_or_fail(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
    TarWriter tar(fd.get());
    write_changes_layer(tar, s.upper, compare_upper(s.upper, s.lowers(), kArtifacts));
    tar.finish();
    CHECK_EQ(tar.entries(), 9u);
  }
  CHECK_EQ(join(tar_entries(out)), std::string("d/ 0\nd/b 0\nd/c 0\nd/c2 => d/c 0\n.wh.keep 0\no/ 0\n"
                                               "o/.wh..wh..opq 0\no/new 0\nowned 1000\n"));
}

TEST(merged_view_entries) {
  Stack s;
  std::string out = s.root + "/merged.tar";
  std::vector<std::string> stack = {s.upper, s.lower2, s.lower1};
  {
    Fd fd = open_or_fail(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
    TarWriter tar(fd.get());
    write_merged_tree(tar, stack);
    tar.finish();
  }
  CHECK_EQ(join(tar_entries(out)), std::string("d/ 0\nd/b 0\nd/c 0\nd/c2 => d/c 0\ne/ 0\ne/x 0\netc/ 0\n"
                                               "etc/hosts 0\nf 0\no/ 0\no/new 0\nowned 1000\nproc/ 0\n"));
}

TEST(tar_writer_same_entries_same_bytes) {
  std::string dir = temp_dir();
  std::string digests[2];
  for (int i = 0; i < 2; i++) {
    Fd fd = open_or_fail(dir + "/t" + std::to_string(i), O_WRONLY | O_CREAT | O_EXCL, 0600);
    TarWriter tar(fd.get());
    tar.add_dir("d/", 5);
    tar.add_file("d/f", "content", 5);
    TarEntry big;
    big.path = std::string(150, 'n');  // needs a PAX record
    big.uid = 3000000;                   // beyond ustar's octal field
    big.xattrs = {{"user.k", "v"}};
    big.size = 3;
    tar.begin(big);
    tar.write("abcdef", 6);  // only 3 belong to the entry
    tar.finish();
    digests[i] = tar.digest().str();
    CHECK_EQ(tar.bytes() % 512, 0u);
  }
  CHECK_EQ(digests[0], digests[1]);
  auto entries = tar_entries(dir + "/t0");
  CHECK_EQ(entries.size(), 3u);
  CHECK_EQ(entries[2], std::string(150, 'n') + " 3000000");
  remove_tree(dir);
}
