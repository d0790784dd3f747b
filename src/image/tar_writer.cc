#include "image/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

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

}  // namespace

TarWriter::TarWriter(int out_fd) : fd_(out_fd), archive_(archive_write_new()) {
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
    write_all(fd_, std::string_view(static_cast<const char*>(buf), len));
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
  if (!entry.hardlink.empty()) {
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_hardlink(e, entry.hardlink.c_str());
    archive_entry_set_size(e, 0);
  } else {
    archive_entry_set_filetype(e, entry.type & S_IFMT);
    archive_entry_set_size(e, S_ISREG(entry.type) ? entry.size : 0);
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
}

void TarWriter::write(const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    la_ssize_t n = archive_write_data(archive_, p, len);
    if (n < 0) fail_archive("write tar");
    if (n == 0) return;  // the entry is full: what is left does not belong to it
    p += n;
    len -= n;
  }
}

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

void TarWriter::add_from_fd(const TarEntry& entry, int fd) {
  begin(entry);
  static thread_local std::vector<char> buf(256 * 1024);
  int64_t left = entry.size;
  while (left > 0) {
    ssize_t n = ::read(fd, buf.data(), std::min<int64_t>(left, buf.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read %s", entry.path.c_str());
    if (n == 0) break;  // shrank while read: finish pads with zeros
    write(buf.data(), n);
    left -= n;
  }
}

void TarWriter::finish() {
  if (archive_write_close(archive_) != ARCHIVE_OK) fail_archive("finish tar");
  finished_ = true;
  digest_ = Digest::from_computed(hash_.hex());
}

}  // namespace hutch
