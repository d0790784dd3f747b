// Sparse entries of TarWriter: holes stay holes in the tar, libarchive reads
// the map and the data back, and a map that would lose data is refused.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "base/file.h"
#include "base/sparse.h"
#include "image/tar_writer.h"
#include "test.h"

using namespace hutch;

namespace {

struct TempFile {
  std::string path;
  Fd fd;
  TempFile() {
    char name[] = "/tmp/hutch-unit-tar-XXXXXX";
    fd.reset(mkstemp(name));
    CHECK(fd.valid());
    path = name;
  }
  ~TempFile() { unlink(path.c_str()); }
};

// "name size" of the first entry, its data runs as "offset+length", and the
// content reassembled from the data blocks (holes as zeros).
struct ReadBack {
  std::string name;
  int64_t size = 0;
  std::vector<std::string> runs;
  std::string content;
};

ReadBack read_back(const std::string& path) {
  ReadBack out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  CHECK(archive_read_open_filename(a, path.c_str(), 10240) == ARCHIVE_OK);
  struct archive_entry* e;
  CHECK(archive_read_next_header(a, &e) == ARCHIVE_OK);
  out.name = archive_entry_pathname(e);
  out.size = archive_entry_size(e);
  la_int64_t off, len;
  if (archive_entry_sparse_reset(e) > 0)
    while (archive_entry_sparse_next(e, &off, &len) == ARCHIVE_OK)
      out.runs.push_back(std::to_string(off) + "+" + std::to_string(len));
  if (out.size < (1 << 20)) {
    out.content.assign(out.size, '\0');
    const void* buf;
    size_t n;
    while (archive_read_data_block(a, &buf, &n, &off) == ARCHIVE_OK)
      out.content.replace(off, n, static_cast<const char*>(buf), n);
  }
  archive_read_free(a);
  return out;
}

}  // namespace

TEST(tar_writer_keeps_holes_of_a_sparse_entry) {
  TempFile tar;
  TarWriter w(tar.fd.get());
  TarEntry e;
  e.path = "sparse";
  e.size = 300000;
  e.sparse = true;
  e.data = {{0, 4}, {200000, 5}};
  w.begin(e);
  w.write_at(0, "head", 4);
  w.write_at(200000, "inner", 5);  // the hole between is skipped, not written
  w.finish();
  CHECK(w.bytes() < 8192);
  ReadBack r = read_back(tar.path);
  CHECK_EQ(r.name, std::string("sparse"));
  CHECK_EQ(r.size, 300000);
  CHECK_EQ(r.runs.size(), size_t(3));  // libarchive ends the map at the size
  CHECK_EQ(r.runs[0], std::string("0+4"));
  CHECK_EQ(r.runs[1], std::string("200000+5"));
  std::string want(300000, '\0');
  want.replace(0, 4, "head");
  want.replace(200000, 5, "inner");
  CHECK(r.content == want);
}

TEST(tar_writer_skips_a_huge_hole_quickly) {
  TempFile tar;
  TarWriter w(tar.fd.get());
  TarEntry e;
  e.path = "big";
  e.size = int64_t(1) << 40;  // 1 TiB, all hole
  e.sparse = true;
  w.begin(e);
  w.finish();
  CHECK(w.bytes() < 8192);
  ReadBack r = read_back(tar.path);
  CHECK_EQ(r.size, int64_t(1) << 40);
}

TEST(tar_writer_refuses_data_in_a_hole_and_bad_maps) {
  TempFile tar;
  TarWriter w(tar.fd.get());
  TarEntry e;
  e.path = "f";
  e.size = 100;
  e.sparse = true;
  e.data = {{0, 10}};
  w.begin(e);
  w.write_at(0, "0123456789", 10);
  CHECK_THROWS(w.write_at(50, "x", 1), "where its sparse map has a hole");
  TarEntry bad = e;
  bad.data = {{50, 10}, {0, 10}};
  CHECK_THROWS(w.begin(bad), "sparse map out of order");
  bad.data = {{95, 10}};
  CHECK_THROWS(w.begin(bad), "beyond the file's size");
  bad.data = {};
  bad.size = kMaxTarFileSize + 1;
  CHECK_THROWS(w.begin(bad), "larger than");
}

TEST(data_extents_of_a_sparse_file) {
  TempFile f;
  CHECK(pwrite(f.fd.get(), "x", 1, 0) == 1);
  CHECK(pwrite(f.fd.get(), "y", 1, 10 << 20) == 1);
  std::vector<Extent> runs = data_extents(f.fd.get(), (10 << 20) + 1);
  // Filesystems allocate in blocks: the runs cover the data, the middle is a hole.
  CHECK(runs.size() == 2 || runs.size() == 1);
  CHECK_EQ(runs.front().offset, 0);
  CHECK_EQ(runs.back().offset + runs.back().length, int64_t(10 << 20) + 1);
  if (runs.size() == 2) CHECK(runs[0].length < (1 << 20));
}

TEST(tar_writer_add_from_fd_finds_holes) {
  TempFile f;
  CHECK(pwrite(f.fd.get(), "tail", 4, 64 << 20) == 4);
  TempFile tar;
  TarWriter w(tar.fd.get());
  TarEntry e;
  e.path = "f";
  e.size = (64 << 20) + 4;
  w.add_from_fd(e, f.fd.get());
  w.finish();
  CHECK(w.bytes() < 65536);
  ReadBack r = read_back(tar.path);
  CHECK_EQ(r.size, int64_t(64 << 20) + 4);
}
