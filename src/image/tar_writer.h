// Writing tar streams (layers, `save` archives, `export`) with libarchive:
// ustar headers, PAX records only where ustar cannot say it (long names, large
// ids or sizes, xattrs as SCHILY.xattr, which docker's and containerd's Go
// readers understand), numeric owners and whole-second mtimes (as docker writes
// layers), and no padding after the end marker. The bytes, and so a layer's
// digest, depend only on the entries given.
#pragma once
#include "base/digest.h"
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/sha256.h"

struct archive;  // libarchive's, kept out of this header

namespace hutch {

struct TarEntry {
  std::string path;          // relative, no leading "/" or "./"
  mode_t type = S_IFREG;     // S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO
  mode_t perm = 0644;        // permission and set-id bits
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t size = 0;          // content bytes that follow (regular files only)
  int64_t mtime = 0;         // seconds
  std::string symlink;       // target, for S_IFLNK
  std::string hardlink;      // earlier entry's path: this entry is a hard link to it
  unsigned rdev_major = 0, rdev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class TarWriter {
 public:
  // Writes to out_fd sequentially (a file or a pipe), hashing every byte.
  explicit TarWriter(int out_fd);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Starts an entry; a regular file's content follows through write(). An
  // entry given less than its size is padded with zeros when the next begins
  // (a file that shrank while being read); bytes beyond the size are dropped.
  void begin(const TarEntry& entry);
  void write(const void* data, size_t len);

  // Conveniences for archive metadata.
  void add_file(const std::string& path, std::string_view content, int64_t mtime, mode_t perm = 0644);
  void add_dir(const std::string& path, int64_t mtime, mode_t perm = 0755);
  // Copies exactly entry.size bytes from fd (zeros if the file is shorter).
  void add_from_fd(const TarEntry& entry, int fd);

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

  int fd_;
  ::archive* archive_;
  Sha256 hash_;
  uint64_t bytes_ = 0;
  size_t entries_ = 0;
  bool finished_ = false;
  bool discard_ = false;  // abandoned: nothing more reaches the output
  std::string sink_error_;
  Digest digest_;
};

}  // namespace hutch
