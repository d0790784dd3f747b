#include "image/layer_import.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <vector>

#include "base/error.h"
#include "base/log.h"

namespace hutch {

std::string clean_entry_name(const std::string& name) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t slash = name.find('/', pos);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(pos, slash - pos);
    if (part == "..") fail("invalid tar entry %s: it leads outside the root", name.c_str());
    if (!part.empty() && part != ".") parts.push_back(part);
    pos = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

namespace {

struct ReaderOwner {
  struct archive* a = archive_read_new();
  ~ReaderOwner() { archive_read_free(a); }
};

void copy_entry(struct archive* in, struct archive_entry* entry, TarWriter& out) {
  const char* raw = archive_entry_pathname(entry);
  std::string name = clean_entry_name(raw ? raw : "");
  if (name.empty()) return;  // the root directory itself
  mode_t type = archive_entry_filetype(entry);
  TarEntry e;
  e.path = name;
  e.type = type;
  e.perm = archive_entry_perm(entry);
  e.uid = archive_entry_uid(entry);
  e.gid = archive_entry_gid(entry);
  e.mtime = archive_entry_mtime(entry);
  if (const char* link = archive_entry_hardlink(entry)) {
    e.hardlink = clean_entry_name(link);
    if (e.hardlink.empty()) fail("invalid tar entry %s: hard link to the root", raw);
    out.begin(e);
    return;
  }
  if (type == AE_IFSOCK) {
    log_debug("import: socket %s skipped", raw);
    return;
  }
  if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFCHR && type != AE_IFBLK &&
      type != AE_IFIFO)
    fail("invalid tar entry %s: unknown file type", raw);
  if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(entry);
    e.symlink = target ? target : "";
  }
  if (type == AE_IFCHR || type == AE_IFBLK) {
    e.rdev_major = archive_entry_rdevmajor(entry);
    e.rdev_minor = archive_entry_rdevminor(entry);
  }
  archive_entry_xattr_reset(entry);
  const char* xname;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(entry, &xname, &value, &size) == ARCHIVE_OK)
    e.xattrs.emplace_back(xname, std::string(static_cast<const char*>(value), size));
  if (type != AE_IFREG) {
    out.begin(e);
    return;
  }
  e.size = archive_entry_size(entry);
  // A sparse member stays sparse: its map comes along and only its data is
  // copied (archive_read_data would fill the holes with zeros, so a 200-byte
  // tarball could make a layer of gigabytes). The writer refuses data that
  // the map it was given puts in a hole.
  if (archive_entry_sparse_reset(entry) > 0) {
    e.sparse = true;
    la_int64_t offset, length;
    while (archive_entry_sparse_next(entry, &offset, &length) == ARCHIVE_OK) e.data.push_back({offset, length});
  }
  out.begin(e);
  for (;;) {
    const void* data;
    size_t n;
    la_int64_t offset;
    int rc = archive_read_data_block(in, &data, &n, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) fail("%s: %s", raw, archive_error_string(in));
    out.write_at(offset, data, n);
  }
}

}  // namespace

void rewrite_rootfs_tar(int in_fd, TarWriter& out) {
  ReaderOwner reader;
  struct archive* a = reader.a;
  // Every filter libarchive has: gzip and zstd built in, the rest through
  // their programs (xz, bzip2, lz4, ...) when those are installed.
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_format_empty(a);
  if (archive_read_open_fd(a, in_fd, 256 * 1024) != ARCHIVE_OK)
    fail("not a valid tarball: %s", archive_error_string(a));
  for (;;) {
    struct archive_entry* entry;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc == ARCHIVE_WARN) log_debug("import: %s", archive_error_string(a));
    else if (rc != ARCHIVE_OK) fail("not a valid tarball: %s", archive_error_string(a));
    copy_entry(a, entry, out);
  }
}

}  // namespace hutch
