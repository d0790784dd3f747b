// Writing tar streams (layers, `save` archives, `export`) with libarchive:
// ustar headers, PAX records only where ustar cannot say it (long names, large
// ids or sizes, xattrs as SCHILY.xattr, which docker's and containerd's Go
// readers understand), numeric owners and whole-second mtimes (as docker writes
// layers), and no padding after the end marker. The bytes, and so a layer's
// digest, depend only on the entries given. Sparse files keep their holes as
// GNU sparse 1.0 entries in PAX headers (what GNU tar, libarchive and Go's
// archive/tar, so docker, podman and containerd, read).
#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/digest.h"

#include "base/sha256.h"
#include "base/sparse.h"

struct archive;  // libarchive's, kept out of this header

namespace hutch {

struct TarEntry {
  std::string path;          // relative, no leading "/" or "./"
  mode_t type = S_IFREG;     // S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO
  mode_t perm = 0644;        // permission and set-id bits
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t size = 0;          // content bytes (regular files only), holes included
  int64_t mtime = 0;         // seconds
  std::string symlink;       // target, for S_IFLNK
  std::string hardlink;      // earlier entry's path: this entry is a hard link to it
  unsigned rdev_major = 0, rdev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  // A sparse file's data runs, in order, within size; the holes between them
  // are not stored. Empty: all of size is data.
  std::vector<Extent> data;
  bool sparse = false;       // `data` is the map (an empty map: all hole)
};

// The largest file hutch archives: ext4's limit, and enough for any image.
// Skipping a hole costs one libarchive call per GiB, so this bounds the time
// a sparse entry declaring an absurd size can take.
constexpr int64_t kMaxTarFileSize = int64_t(16) << 40;

class TarWriter {
 public:
  // Writes to out_fd sequentially (a file or a pipe), hashing every byte;
  // `what` names the output in errors ("write layer: No space left on device").
  explicit TarWriter(int out_fd, std::string what = "write tar");
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Starts an entry; a regular file's content follows through write(). An
  // entry given less than its size is padded with zeros when the next begins
  // (a file that shrank while being read); bytes beyond the size are dropped.
  void begin(const TarEntry& entry);
  void write(const void* data, size_t len);
  // Content at `offset` of the entry (offsets only grow); what was skipped
  // reads as zeros. Bytes other than zeros where the entry's map has a hole
  // are refused: they would be lost.
  void write_at(int64_t offset, const void* data, size_t len);

  // Conveniences for archive metadata.
  void add_file(const std::string& path, std::string_view content, int64_t mtime, mode_t perm = 0644);
  void add_dir(const std::string& path, int64_t mtime, mode_t perm = 0755);
  // Copies exactly entry.size bytes from fd (zeros if the file is shorter),
  // keeping the holes of a regular file as holes. Reads with pread.
  void add_from_fd(TarEntry entry, int fd);

  // Writes the end-of-archive marker. Without it the stream is not a valid tar.
  void finish();

  size_t entries() const { return entries_; }
  uint64_t bytes() const { return bytes_; }
  // "sha256:..." of everything written; only after finish().
  const Digest& digest() const { return digest_; }

  // libarchive's output callback: hashes and writes; false on failure.
  bool sink(const void* buf, size_t len);

 private:
  [[noreturn]] void fail_archive(const char* what);
  // Hands libarchive len bytes of content at pos_ (zeros when data is null).
  void feed(const char* data, int64_t len);
  void fill_zeros(int64_t len);
  // Bytes from pos_ to the end of the data run or hole it is in.
  int64_t span(bool* in_data);

  int fd_;
  std::string what_;
  ::archive* archive_;
  Sha256 hash_;
  uint64_t bytes_ = 0;
  size_t entries_ = 0;
  bool finished_ = false;
  bool discard_ = false;  // abandoned: nothing more reaches the output
  std::string sink_error_;
  Digest digest_;
  // The current entry: its path, size, data runs and how far it got.
  std::string path_;
  int64_t size_ = 0;
  std::vector<Extent> runs_;
  size_t run_ = 0;
  int64_t pos_ = 0;
};

}  // namespace hutch
