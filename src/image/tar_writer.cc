#include "image/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

la_ssize_t write_callback(struct archive*, void* self, const void* buf, size_t len) {
  return static_cast<TarWriter*>(self)->sink(buf, len) ? (la_ssize_t)len : -1;
}

struct EntryOwner {
  struct archive_entry* e = archive_entry_new();
  ~EntryOwner() { archive_entry_free(e); }
};

// libarchive takes a sparse entry's content whole, holes included, and skips
// the hole bytes without reading them; it takes at most INT_MAX bytes a call.
// A read-only anonymous mapping gives a GiB of zeros that costs no memory, so
// a hole is skipped at one call per GiB.
constexpr size_t kZeroChunk = size_t(1) << 30;
const char* zeros(size_t* len) {
  static const char* big = [] {
    void* p = mmap(nullptr, kZeroChunk, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : static_cast<const char*>(p);
  }();
  static const char small[64 * 1024] = {};
  if (big) {
    *len = std::min(*len, kZeroChunk);
    return big;
  }
  *len = std::min(*len, sizeof small);
  return small;
}

// Data runs as libarchive accepts them (it drops what it does not, silently):
// non-empty, in order, not overlapping, within the size; touching ones merged.
std::vector<Extent> checked_runs(const TarEntry& entry) {
  std::vector<Extent> runs;
  for (const Extent& x : entry.data) {
    if (x.length == 0) continue;
    int64_t last_end = runs.empty() ? 0 : runs.back().offset + runs.back().length;
    if (x.offset < last_end || x.length < 0 || x.offset > entry.size - x.length)
      fail("tar entry %s: sparse map out of order or beyond the file's size", entry.path.c_str());
    if (!runs.empty() && x.offset == last_end)
      runs.back().length += x.length;
    else
      runs.push_back(x);
  }
  return runs;
}

}  // namespace

TarWriter::TarWriter(int out_fd, std::string what)
    : fd_(out_fd), what_(std::move(what)), archive_(archive_write_new()) {
  if (!archive_) fail("cannot allocate a tar writer");
  // pax_restricted: plain ustar unless an entry needs an extended header.
  if (archive_write_set_format_pax_restricted(archive_) != ARCHIVE_OK) fail_archive("tar format");
  // Only SCHILY.xattr records (libarchive would add its own LIBARCHIVE.xattr
  // copies), which is what docker writes and every layer reader knows.
  archive_write_set_format_option(archive_, "pax", "xattrheader", "SCHILY");
  archive_write_set_bytes_per_block(archive_, 64 * 1024);
  // No padding of the last block: the stream ends with the end marker.
  archive_write_set_bytes_in_last_block(archive_, 1);
  if (archive_write_open(archive_, this, nullptr, write_callback, nullptr) != ARCHIVE_OK)
    fail_archive("open tar writer");
}

TarWriter::~TarWriter() {
  // An unfinished archive is abandoned: closing would append an end marker
  // that makes a truncated stream look complete.
  if (!finished_) discard_ = true;
  archive_write_free(archive_);
}

bool TarWriter::sink(const void* buf, size_t len) {
  if (discard_) return true;
  try {
    write_all(fd_, std::string_view(static_cast<const char*>(buf), len), what_.c_str());
  } catch (const Error& e) {
    sink_error_ = e.what();
    return false;
  }
  hash_.update(buf, len);
  bytes_ += len;
  return true;
}

void TarWriter::fail_archive(const char* what) {
  if (!sink_error_.empty()) fail("%s", sink_error_.c_str());
  const char* message = archive_error_string(archive_);
  fail("%s: %s", what, message ? message : "tar writer failed");
}

void TarWriter::begin(const TarEntry& entry) {
  EntryOwner owner;
  struct archive_entry* e = owner.e;
  archive_entry_set_pathname(e, entry.path.c_str());
  archive_entry_set_perm(e, entry.perm & 07777);
  archive_entry_set_uid(e, entry.uid);
  archive_entry_set_gid(e, entry.gid);
  archive_entry_set_mtime(e, entry.mtime, 0);
  path_ = entry.path;
  size_ = 0;
  runs_.clear();
  run_ = 0;
  pos_ = 0;
  if (!entry.hardlink.empty()) {
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_hardlink(e, entry.hardlink.c_str());
    archive_entry_set_size(e, 0);
  } else {
    if (S_ISREG(entry.type)) {
      if (entry.size < 0 || entry.size > kMaxTarFileSize)
        fail("tar entry %s: %lld bytes is larger than the %lld hutch archives", entry.path.c_str(),
             (long long)entry.size, (long long)kMaxTarFileSize);
      size_ = entry.size;
      runs_ = entry.sparse ? checked_runs(entry) : std::vector<Extent>{{0, size_}};
    }
    archive_entry_set_filetype(e, entry.type & S_IFMT);
    archive_entry_set_size(e, size_);
    // After the size, which libarchive checks each run against.
    bool holes = runs_.size() != 1 || runs_[0].offset != 0 || runs_[0].length != size_;
    if (size_ > 0 && holes) {
      for (const Extent& x : runs_) archive_entry_sparse_add_entry(e, x.offset, x.length);
      // All hole: libarchive needs one (empty) run to write a sparse entry.
      if (runs_.empty()) archive_entry_sparse_add_entry(e, size_, 0);
    }
    if (S_ISLNK(entry.type)) archive_entry_set_symlink(e, entry.symlink.c_str());
    if (S_ISCHR(entry.type) || S_ISBLK(entry.type)) {
      archive_entry_set_rdevmajor(e, entry.rdev_major);
      archive_entry_set_rdevminor(e, entry.rdev_minor);
    }
  }
  for (const auto& [name, value] : entry.xattrs)
    archive_entry_xattr_add_entry(e, name.c_str(), value.data(), value.size());
  int rc = archive_write_header(archive_, e);
  if (rc < ARCHIVE_WARN) fail_archive(("tar entry " + entry.path).c_str());
  entries_++;
  // The sparse map goes out with the first data; write it even if no data
  // follows (a file that shrank to nothing), or the entry would be short.
  if (archive_entry_sparse_count(e) > 0 && archive_write_data(archive_, "", 0) < 0) fail_archive("write tar");
}

void TarWriter::feed(const char* data, int64_t len) {
  while (len > 0) {
    size_t chunk = len;
    const char* p = data ? data : zeros(&chunk);
    chunk = std::min<int64_t>(chunk, len);
    la_ssize_t n = archive_write_data(archive_, p, chunk);
    if (n < 0) fail_archive("write tar");
    if (n == 0) fail("tar entry %s: the tar writer took less than the entry's size", path_.c_str());
    if (data) data += n;
    len -= n;
    pos_ += n;
  }
}

int64_t TarWriter::span(bool* in_data) {
  while (run_ < runs_.size() && runs_[run_].offset + runs_[run_].length <= pos_) run_++;
  if (run_ == runs_.size()) {
    *in_data = false;
    return size_ - pos_;
  }
  const Extent& x = runs_[run_];
  *in_data = x.offset <= pos_;
  return (*in_data ? x.offset + x.length : x.offset) - pos_;
}

void TarWriter::fill_zeros(int64_t len) {
  // libarchive skips what falls in holes and writes the rest.
  feed(nullptr, len);
}

void TarWriter::write_at(int64_t offset, const void* data, size_t len) {
  if (offset < pos_) fail("tar entry %s: content out of order", path_.c_str());
  if (offset >= size_) return;  // beyond the size: dropped
  fill_zeros(offset - pos_);
  const char* p = static_cast<const char*>(data);
  int64_t left = std::min<int64_t>(len, size_ - pos_);
  while (left > 0) {
    bool in_data;
    int64_t n = std::min(left, span(&in_data));
    if (!in_data && std::any_of(p, p + n, [](char c) { return c != 0; }))
      fail("tar entry %s: data at offset %lld, where its sparse map has a hole", path_.c_str(), (long long)pos_);
    feed(p, n);
    p += n;
    left -= n;
  }
}

void TarWriter::write(const void* data, size_t len) { write_at(pos_, data, len); }

void TarWriter::add_file(const std::string& path, std::string_view content, int64_t mtime, mode_t perm) {
  TarEntry e;
  e.path = path;
  e.perm = perm;
  e.size = content.size();
  e.mtime = mtime;
  begin(e);
  write(content.data(), content.size());
}

void TarWriter::add_dir(const std::string& path, int64_t mtime, mode_t perm) {
  TarEntry e;
  e.path = path;
  e.type = S_IFDIR;
  e.perm = perm;
  e.mtime = mtime;
  begin(e);
}

void TarWriter::add_from_fd(TarEntry entry, int fd) {
  if (S_ISREG(entry.type) && entry.hardlink.empty() && !entry.sparse) {
    entry.data = data_extents(fd, entry.size);
    entry.sparse = true;
  }
  begin(entry);
  static thread_local std::vector<char> buf(256 * 1024);
  for (const Extent& x : runs_) {
    for (int64_t at = x.offset, end = x.offset + x.length; at < end;) {
      ssize_t n = ::pread(fd, buf.data(), std::min<int64_t>(end - at, buf.size()), at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno("read %s", entry.path.c_str());
      if (n == 0) return;  // shrank while read: finish pads with zeros
      write_at(at, buf.data(), n);
      at += n;
    }
  }
}

void TarWriter::finish() {
  if (archive_write_close(archive_) != ARCHIVE_OK) fail_archive("finish tar");
  finished_ = true;
  digest_ = Digest::from_computed(hash_.hex());
}

}  // namespace hutch
