#include "image/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "image/decompress.h"
#include "base/dir_stack.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/log.h"

namespace hutch {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// Splits an entry path into components, refusing the shapes that could
// address anything outside the layer: absolute paths and "..".
// kind names the entry in errors ("layer entry"); relative_only: a leading
// "/" is refused (a layer), else it means the extraction's own root (`cp`'s
// archives, as docker reads them).
std::vector<std::string> safe_components(const char* raw, const char* what, const char* kind, bool relative_only) {
  std::string_view path(raw ? raw : "");
  if (!path.empty() && path.front() == '/') {
    if (relative_only) fail("%s %s: absolute path not allowed", kind, raw);
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  }
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    if (part == "..") fail("%s %s: %s contains '..'", kind, raw, what);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    pos = slash + 1;
  }
  return parts;
}

// The name a whiteout entry hides. Refused: names that are no entry (".wh."
// alone, ".wh.." and ".wh..." would hide "", "." or "..", i.e. empty the
// directory or its parent) and overlay/aufs metadata names (".wh..wh.*")
// other than the opaque marker, which the caller handles first.
std::string whiteout_target(const std::string& name, const char* raw, const char* kind) {
  std::string hidden = name.substr(kWhiteoutPrefix.size());
  if (hidden.empty() || hidden == "." || hidden == "..")
    fail("%s %s: whiteout names no entry", kind, raw);
  if (hidden.compare(0, kWhiteoutPrefix.size(), kWhiteoutPrefix) == 0)
    fail("%s %s: unknown whiteout metadata name", kind, raw);
  return hidden;
}

class LayerWriter {
 public:
  LayerWriter(Fd dest, const UnpackOptions& options)
      : stack_(std::move(dest), 16), options_(options), what_(options.layer ? "layer entry" : "archive entry") {}

  void write(struct archive* a, struct archive_entry* entry);
  void finish();
  uint64_t content_size() const { return content_size_; }

 private:
  // Moves to the directory holding the entry's last component, creating
  // missing parents, and returns it. The walk starts from where the previous
  // entry was (a tar lists a tree depth-first, so this is a step or two, not
  // a walk from the root: a deep chain stays linear). Symlinks are never
  // followed: an earlier entry of the same layer must not redirect later ones
  // (the classic "link -> /etc, then link/passwd").
  int parent_dir(const std::vector<std::string>& parts, const char* raw);
  void leave_to(size_t depth);
  // Removes what an entry replaces (docker's rule: anything but a directory
  // that a directory entry names again).
  void remove_existing(int dir, const std::string& name);
  void apply_metadata(int fd, struct archive_entry* entry, bool is_symlink, int dir,
                      const std::string& name);
  void record_override(int fd, const char* name, uid_t uid, gid_t gid, mode_t mode);
  void copy_data(struct archive* a, int fd, const char* raw);

  DirStack stack_;  // the directory of the previous entry
  // keep_kinds: refuses to replace a directory by a non-directory or the reverse.
  void check_kind(int dir, const std::string& name, bool is_dir, const char* raw);

  UnpackOptions options_;
  const char* what_;
  uint64_t content_size_ = 0;
  // Directory entries' mtimes by inode. Creating an entry changes its
  // directory's mtime, and entries are created only in the directory on top
  // of stack_, so a directory gets its time back each time the walk leaves it.
  std::unordered_map<ino_t, struct timespec> dir_times_;
};

void LayerWriter::leave_to(size_t depth) {
  while (stack_.depth() > depth) {
    if (auto it = dir_times_.find(stack_.ino()); it != dir_times_.end()) {
      struct timespec times[2] = {it->second, it->second};
      futimens(stack_.fd(), times);
    }
    stack_.leave();
  }
}

int LayerWriter::parent_dir(const std::vector<std::string>& parts, const char* raw) {
  size_t want = parts.size() - 1;
  size_t common = 0;
  while (common < want && common < stack_.depth() && stack_.name_at(common + 1) == parts[common]) common++;
  leave_to(common);
  for (size_t i = common; i < want; i++) {
    const char* name = parts[i].c_str();
    bool entered = stack_.try_enter(parts[i]);
    if (!entered && errno == ENOENT) {
      if (mkdirat(stack_.fd(), name, 0755) < 0 && errno != EEXIST)
        fail_errno("%s %s: mkdir", what_, raw);
      entered = stack_.try_enter(parts[i]);
      // A new directory no entry named: an inode number it reuses must not
      // bring a removed directory's time with it.
      if (entered) dir_times_.erase(stack_.ino());
    }
    if (!entered) {
      if (errno == ELOOP || errno == ENOTDIR)
        fail("%s %s: path leads through a symlink or non-directory", what_, raw);
      fail_errno("%s %s: open parent", what_, raw);
    }
  }
  return stack_.fd();
}

void LayerWriter::remove_existing(int dir, const std::string& name) {
  struct stat st;
  if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return;
  if (S_ISDIR(st.st_mode)) dir_times_.erase(st.st_ino);
  remove_tree_at(dir, name.c_str());
}

void LayerWriter::check_kind(int dir, const std::string& name, bool is_dir, const char* raw) {
  struct stat st;
  if (!options_.keep_kinds || fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return;
  std::string rel = clean_path(raw ? raw : "");
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  std::string path = path_join(options_.dest_name, rel);
  if (S_ISDIR(st.st_mode) && !is_dir)
    fail("cannot overwrite directory \"%s\" with non-directory \"%s\"", path.c_str(), options_.dest_name.c_str());
  if (!S_ISDIR(st.st_mode) && is_dir)
    fail("cannot overwrite non-directory \"%s\" with directory \"%s\"", path.c_str(), options_.dest_name.c_str());
}

void LayerWriter::record_override(int fd, const char* name, uid_t uid, gid_t gid, mode_t mode) {
  std::string value = format("%u:%u:0%o", uid, gid, mode & 07777);
  if (fsetxattr(fd, "user.containers.override_stat", value.data(), value.size(), 0) < 0)
    log_debug("cannot record owner of %s: %s", name, strerror(errno));
}

void LayerWriter::apply_metadata(int fd, struct archive_entry* entry, bool is_symlink, int dir,
                                 const std::string& name) {
  uid_t uid = options_.owner ? options_.owner->first : archive_entry_uid(entry);
  gid_t gid = options_.owner ? options_.owner->second : archive_entry_gid(entry);
  mode_t mode = archive_entry_perm(entry);
  if (is_symlink) {
    if (options_.apply_owners) fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
  } else {
    bool owned = true;
    if (options_.apply_owners && fchown(fd, uid, gid) < 0) {
      // An id beyond the mapped range: keep the file, remember the owner.
      if (errno != EINVAL) fail_errno("%s %s: chown", what_, archive_entry_pathname(entry));
      owned = false;
    }
    if (!options_.apply_owners) owned = uid == 0 && gid == 0;
    if (!owned && options_.record_overrides) record_override(fd, archive_entry_pathname(entry), uid, gid, mode);
    // After chown, which clears set-id bits.
    if (fchmod(fd, mode) < 0) fail_errno("%s %s: chmod", what_, archive_entry_pathname(entry));

    archive_entry_xattr_reset(entry);
    const char* xname;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(entry, &xname, &value, &size) == ARCHIVE_OK) {
      // Overlay reads its own metadata (redirects, opaque, metacopy) from these
      // names; a layer must not be able to forge it.
      if (!strncmp(xname, "user.overlay.", 13) || !strncmp(xname, "trusted.", 8) ||
          !strcmp(xname, "user.containers.override_stat"))
        continue;
      if (fsetxattr(fd, xname, value, size, 0) < 0)
        log_debug("layer entry %s: xattr %s not kept: %s", archive_entry_pathname(entry), xname,
                  strerror(errno));
    }
  }
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = archive_entry_mtime(entry);
  times[0].tv_nsec = times[1].tv_nsec = archive_entry_mtime_nsec(entry);
  if (is_symlink)
    utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  else
    futimens(fd, times);
}

void LayerWriter::copy_data(struct archive* a, int fd, const char* raw) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int rc = archive_read_data_block(a, &buf, &size, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) fail("%s %s: %s", what_, raw, archive_error_string(a));
    const char* p = static_cast<const char*>(buf);
    while (size > 0) {
      ssize_t n = pwrite(fd, p, size, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno("%s %s: write", what_, raw);
      p += n;
      size -= n;
      offset += n;
    }
  }
}

void LayerWriter::write(struct archive* a, struct archive_entry* entry) {
  const char* raw = archive_entry_pathname(entry);
  std::vector<std::string> parts = safe_components(raw, "path", what_, options_.layer);
  if (parts.empty()) return;  // "./": the layer root itself
  int dir = parent_dir(parts, raw);
  const std::string& name = parts.back();

  if (options_.layer && name == kOpaqueMarker) {
    if (fsetxattr(dir, "user.overlay.opaque", "y", 1, 0) < 0)
      fail_errno("%s %s: mark opaque", what_, raw);
    return;
  }
  if (options_.layer && std::string_view(name).substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix) {
    std::string hidden = whiteout_target(name, raw, what_);
    remove_existing(dir, hidden);
    if (mknodat(dir, hidden.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
      fail_errno("%s %s: create whiteout", what_, raw);
    return;
  }

  if (const char* link = archive_entry_hardlink(entry)) {
    std::vector<std::string> target = safe_components(link, "hardlink target", what_, options_.layer);
    if (target.empty()) fail("%s %s: empty hardlink target", what_, raw);
    Fd target_dir(fcntl(parent_dir(target, link), F_DUPFD_CLOEXEC, 0));
    if (!target_dir) fail_errno("%s %s: hardlink to %s", what_, raw, link);
    const std::string& target_name = target.back();
    dir = parent_dir(parts, raw);
    check_kind(dir, name, false, raw);
    // Linked to what the target is now: replacing the target later does not
    // change this entry, as with tar.
    remove_existing(dir, name);
    if (linkat(target_dir.get(), target_name.c_str(), dir, name.c_str(), 0) < 0)
      fail_errno("%s %s: hardlink to %s", what_, raw, link);
    return;
  }

  mode_t type = archive_entry_filetype(entry);
  check_kind(dir, name, type == AE_IFDIR, raw);
  if (type == AE_IFDIR) {
    struct stat st;
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
      remove_existing(dir, name);
    if (mkdirat(dir, name.c_str(), 0700) < 0 && errno != EEXIST)
      fail_errno("%s %s: mkdir", what_, raw);
    Fd fd(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) fail_errno("%s %s: open", what_, raw);
    apply_metadata(fd.get(), entry, false, dir, name);
    struct stat made;
    if (fstat(fd.get(), &made) < 0) fail_errno("%s %s: stat", what_, raw);
    dir_times_[made.st_ino] = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
    return;
  }

  remove_existing(dir, name);
  if (type == AE_IFREG) {
    Fd fd(openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) fail_errno("%s %s: create", what_, raw);
    copy_data(a, fd.get(), raw);
    la_int64_t size = archive_entry_size(entry);
    if (ftruncate(fd.get(), size) < 0) fail_errno("%s %s: truncate", what_, raw);
    content_size_ += size;
    apply_metadata(fd.get(), entry, false, dir, name);
  } else if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(entry);
    if (symlinkat(target ? target : "", dir, name.c_str()) < 0)
      fail_errno("%s %s: symlink", what_, raw);
    apply_metadata(-1, entry, true, dir, name);
  } else if (type == AE_IFIFO || type == AE_IFCHR || type == AE_IFBLK) {
    dev_t dev = makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
    if (mknodat(dir, name.c_str(), type | 0600, type == AE_IFIFO ? 0 : dev) < 0) {
      // Device nodes cannot be created in a user namespace; containers get
      // their devices from /dev, so the image's copies are not needed.
      log_debug("layer entry %s: device node skipped: %s", raw, strerror(errno));
      return;
    }
    if (options_.apply_owners)
      fchownat(dir, name.c_str(), options_.owner ? options_.owner->first : archive_entry_uid(entry),
               options_.owner ? options_.owner->second : archive_entry_gid(entry), AT_SYMLINK_NOFOLLOW);
    fchmodat(dir, name.c_str(), archive_entry_perm(entry), 0);
  } else {
    fail("%s %s: unsupported file type", what_, raw);
  }
}

void LayerWriter::finish() {
  // Directory times last: creating entries inside a directory changes its mtime.
  leave_to(0);
}

struct ReadContext {
  DecompressingReader* reader;
  std::vector<char> buffer;
  std::string error;
};

la_ssize_t read_callback(struct archive*, void* opaque, const void** out) {
  auto* ctx = static_cast<ReadContext*>(opaque);
  try {
    size_t n = ctx->reader->read(ctx->buffer.data(), ctx->buffer.size());
    *out = ctx->buffer.data();
    return n;
  } catch (const Error& e) {
    ctx->error = e.what();
    return -1;
  }
}

}  // namespace

namespace {

struct ArchiveReader {
  explicit ArchiveReader(int fd) : reader(fd), ctx{&reader, std::vector<char>(256 * 1024), ""} {}
  DecompressingReader reader;
  ReadContext ctx;
};

// Reads every entry of the archive on fd into writer.
void read_entries(ArchiveReader& in, LayerWriter& writer, const char* what) {
  ReadContext& ctx = in.ctx;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_format_empty(a);
  struct ArchiveCloser {
    struct archive* a;
    ~ArchiveCloser() { archive_read_free(a); }
  } closer{a};
  if (archive_read_open(a, &ctx, nullptr, read_callback, nullptr) != ARCHIVE_OK)
    fail("%s: %s", what, ctx.error.empty() ? archive_error_string(a) : ctx.error.c_str());

  for (;;) {
    struct archive_entry* entry;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc == ARCHIVE_WARN) log_debug("%s: %s", what, archive_error_string(a));
    else if (rc != ARCHIVE_OK)
      fail("%s: %s", what, ctx.error.empty() ? archive_error_string(a) : ctx.error.c_str());
    try {
      writer.write(a, entry);
    } catch (const Error& e) {
      // A failing decompressor surfaces as a short read; name the real cause.
      if (!ctx.error.empty()) fail("%s: %s", what, ctx.error.c_str());
      throw;
    }
  }
  writer.finish();
  in.reader.drain();
}

}  // namespace

UnpackResult unpack_layer(int blob_fd, const std::string& dest, const UnpackOptions& options) {
  ArchiveReader in(blob_fd);
  LayerWriter writer(open_dir(dest), options);
  read_entries(in, writer, "layer");
  UnpackResult result;
  result.blob_digest = in.reader.compressed_digest();
  result.diff_id = in.reader.uncompressed_digest();
  result.blob_size = in.reader.compressed_size();
  result.content_size = writer.content_size();
  return result;
}

void extract_archive(int tar_fd, int dest_fd, const UnpackOptions& options) {
  Fd dest(fcntl(dest_fd, F_DUPFD_CLOEXEC, 0));
  if (!dest) fail_errno("dup");
  ArchiveReader in(tar_fd);
  LayerWriter writer(std::move(dest), options);
  read_entries(in, writer, "archive");
}

}  // namespace hutch
