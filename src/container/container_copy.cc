#include "container/container_copy.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <thread>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/lock.h"
#include "container/container_fs.h"
#include "container/copy_paths.h"
#include "container/rootless.h"
#include "container/run.h"
#include "image/layer_pack.h"
#include "image/layer_unpack.h"
#include "image/tar_writer.h"
#include "runtime/oci_config.h"
#include "runtime/process_handle.h"
#include "runtime/rootfs.h"
#include "store/containers.h"

namespace hutch {

namespace {

std::string fd_name(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// Go's error texts, which docker prints: "lstat /x: no such file or directory".
std::string go_error(const char* op, const std::string& path, int err) {
  std::string text = strerror(err);
  if (!text.empty()) text[0] = (char)tolower((unsigned char)text[0]);
  return std::string(op) + " " + path + ": " + text;
}

// An entry found: the directory holding it and its name there ("." for the
// directory itself), with its lstat.
struct Located {
  Fd dir;
  std::string name;
  struct stat st {};
};

// docker's ResolvePath + StatPath inside root: the directory part resolved
// within root (links followed, never out of it), the last element not
// followed unless the path ends in "/" or "/.". nullopt when missing.
std::optional<Located> locate(int root, const std::string& abs_path) {
  DirEntry e = split_dir_entry(abs_path);
  Located found;
  std::string dir_path = e.dir;
  found.name = e.base;
  if (e.base == "/" || has_trailing_separator(abs_path)) {
    dir_path = abs_path;
    found.name = ".";
  }
  found.dir = open_in_root_if_exists(root, dir_path);
  if (!found.dir) return std::nullopt;
  struct stat dir_st;
  if (fstat(found.dir.get(), &dir_st) < 0) fail_errno("stat %s", dir_path.c_str());
  if (!S_ISDIR(dir_st.st_mode)) {
    if (found.name == ".") fail("%s", go_error("lstat", abs_path, ENOTDIR).c_str());
    return std::nullopt;
  }
  if (fstatat(found.dir.get(), found.name.c_str(), &found.st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail("%s", go_error("lstat", abs_path, errno).c_str());
  }
  return found;
}

std::string read_link_at(int dir, const std::string& name) {
  char target[PATH_MAX + 1];
  ssize_t n = readlinkat(dir, name.c_str(), target, PATH_MAX);
  if (n < 0) fail_errno("readlink %s", name.c_str());
  return std::string(target, n);
}

// Every link of path followed within root, component by component: the path
// it leads to there (which need not exist). What docker reports as a link's
// target in a container, for -L and for a destination that is a link.
std::string resolve_links_in_root(int root, const std::string& path) {
  auto split = [](const std::string& p) {
    std::deque<std::string> parts;
    size_t pos = 0;
    while (pos <= p.size()) {
      size_t slash = p.find('/', pos);
      if (slash == std::string::npos) slash = p.size();
      if (slash > pos) parts.push_back(p.substr(pos, slash - pos));
      pos = slash + 1;
    }
    return parts;
  };
  std::deque<std::string> todo = split(path);
  std::vector<std::string> done;
  auto joined = [&done] {
    std::string out;
    for (const auto& part : done) out += "/" + part;
    return out.empty() ? std::string("/") : out;
  };
  int links = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    // done has no links left in it: this lookup follows none.
    Fd dir = open_in_root_if_exists(root, joined());
    struct stat st;
    if (!dir || fstatat(dir.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode)) {
      done.push_back(std::move(part));
      continue;
    }
    if (++links > 40) fail("%s", go_error("lstat", path, ELOOP).c_str());
    std::string target = read_link_at(dir.get(), part);
    if (!target.empty() && target[0] == '/') done.clear();
    std::deque<std::string> more = split(target);
    todo.insert(todo.begin(), more.begin(), more.end());
  }
  return joined();
}

// Runs produce(write end) on a thread while consume(read end) reads here;
// the first failure wins (a consumer that stops early fails the producer
// with EPIPE, which is not the error to report).
void pipe_through(const std::function<void(int)>& produce, const std::function<void(int)>& consume) {
  Pipe pipe = Pipe::create();
  std::string produce_error;
  int produce_status = 0;
  std::thread producer([&] {
    try {
      produce(pipe.write.get());
    } catch (const Error& e) {
      produce_error = e.what();
      produce_status = e.status();
    }
    pipe.write.reset();
  });
  try {
    consume(pipe.read.get());
  } catch (...) {
    pipe.read.reset();
    producer.join();
    throw;
  }
  pipe.read.reset();
  producer.join();
  if (!produce_error.empty()) throw Error(produce_error, produce_status);
}

// --- the container's root ---------------------------------------------------

// Binds and volumes of a stopped container, as its config.json mounts them,
// onto its root (which must have the mount point: nothing is created in the
// container for a copy). /proc, /sys, /dev and tmpfs are not the
// container's files and are left out, as docker leaves them.
void mount_binds(int root, const oci::Config& config) {
  for (const auto& m : config.mounts) {
    bool bind = m.type == "bind";
    bool recursive = false, read_only = false;
    for (const auto& o : m.options) {
      if (o == "bind" || o == "rbind") bind = true;
      if (o == "rbind") recursive = true;
      if (o == "ro") read_only = true;
    }
    if (!bind || m.destination == "/") continue;
    for (const char* skip : {"/proc", "/sys", "/dev"})
      if (m.destination == skip || m.destination.compare(0, strlen(skip) + 1, std::string(skip) + "/") == 0)
        bind = false;
    if (!bind) continue;
    Fd target = open_in_root_if_exists(root, m.destination);
    Fd source(::open(m.source.c_str(), O_PATH | O_CLOEXEC));
    if (!target || !source) continue;
    std::string at = fd_name(target.get());
    if (mount(fd_name(source.get()).c_str(), at.c_str(), nullptr, MS_BIND | (recursive ? MS_REC : 0), nullptr) < 0)
      fail_errno("mount %s", m.destination.c_str());
    if (!read_only) continue;
    Fd top = open_in_root(root, m.destination);
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (syscall(SYS_mount_setattr, top.get(), "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                sizeof attr) < 0)
      fail_errno("make %s read-only", m.destination.c_str());
  }
}

// A stopped container's filesystem, mounted in a new mount namespace of this
// process (the user namespace's own, so nothing is left when it exits): its
// overlay on the store's one rootfs mount point, then its binds.
Fd mount_stopped_root(const Store& store, const ContainerRecord& container, const ContainerFs& fs) {
  if (unshare(CLONE_NEWNS) < 0) fail_errno("unshare the mount namespace");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail_errno("make mounts private");
  std::string dir = store.container_dir(container.id);
  for (const char* sub : {"/upper", "/work"})
    if (mkdir((dir + sub).c_str(), 0755) < 0 && errno != EEXIST) fail_errno("mkdir %s%s", dir.c_str(), sub);
  // Named by descriptor: 500 layers' paths would not fit in a page of options.
  std::vector<Fd> held;
  auto named = [&held](const std::string& path) {
    held.push_back(open_dir(path));
    return fd_name(held.back().get());
  };
  std::string lower;
  if (is_dir(store.mount_point_layer_dir())) lower = named(store.mount_point_layer_dir());
  for (const auto& layer : fs.lowers_top_first) lower += (lower.empty() ? "" : ":") + named(layer);
  std::string options = "lowerdir=" + lower + ",upperdir=" + named(dir + "/upper") +
                        ",workdir=" + named(dir + "/work") + ",userxattr";
  std::string target = store.rootfs_mount_point();
  mkdir_p(target);
  if (mount("overlay", target.c_str(), "overlay", 0, options.c_str()) < 0)
    fail_errno("mount the container's filesystem");
  Fd root(::open(target.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) fail_errno("open %s", target.c_str());
  if (auto json = read_file_if_exists(dir + "/config.json")) mount_binds(root.get(), oci::parse_config(*json));
  return root;
}

// Runs work with a descriptor of the container's root, in a child process in
// the container's user namespace (as root there, so every file of its ids
// can be read and written, and none of anyone else's): a running
// container's own namespace and its init's root, or for a stopped one a new
// namespace with the same mapping and the container's filesystem mounted.
void with_container_root(const Store& store, const ContainerRecord& container,
                         const std::function<void(int root)>& work) {
  if (container.is_running()) {
    StateDir state = container_state(store, container.id);
    std::optional<ContainerState> s;
    try {
      s = state.load();
    } catch (const Error&) {
    }
    ProcessHandle init = s ? ProcessHandle::open(s->pid, s->start_time) : ProcessHandle();
    if (init.alive()) {
      std::string proc = "/proc/" + std::to_string(init.pid());
      Fd userns(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
      Fd root(::open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      // Opened by pid: still the same process afterwards, so not another's root.
      if (userns && root && init.alive()) {
        in_user_namespace_child(userns.get(), [&] { work(root.get()); });
        return;
      }
    }
  }
  in_rootless_child(store, [&](const RootlessSession& session) {
    FileLock content = store.lock_content(FileLock::kShared);
    ContainerFs fs = open_container_fs(store, session, container);
    Fd root = mount_stopped_root(store, container, fs);
    work(root.get());
  });
}

// --- the two directions -----------------------------------------------------

std::string absolute_container_path(const std::string& path) {
  return clean_keeping_trailing("/" + path, path);
}

std::string absolute_host_path(const std::string& path) {
  if (!path.empty() && path[0] == '/') return clean_keeping_trailing(path, path);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) fail_errno("getcwd");
  return clean_keeping_trailing(std::string(cwd) + "/" + path, path);
}

[[noreturn]] void no_such_path(const CopyRequest& request, const std::string& path) {
  fail("Error: No such container:path: %s:%s", request.container.c_str(), path.c_str());
}

Fd open_host_root() {
  Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) fail_errno("open /");
  return root;
}

// filepath.EvalSymlinks: the path with every link resolved; it must exist.
std::string host_realpath(const std::string& path) {
  char resolved[PATH_MAX];
  if (!realpath(path.c_str(), resolved)) fail("%s", go_error("lstat", path, errno).c_str());
  return resolved;
}

// docker's CopyInfoSourcePath on the host.
CopyInfo host_source(const std::string& given, bool follow_link) {
  std::string path = absolute_host_path(given);
  CopyInfo info;
  if (follow_link) {
    std::string resolved = clean_keeping_trailing(host_realpath(path), path);
    if (split_dir_entry(path).base != split_dir_entry(resolved).base) info.rebase_name = split_dir_entry(path).base;
    info.path = resolved;
  } else {
    size_t slash = path.rfind('/');
    std::string dir = path.substr(0, slash + 1), base = path.substr(slash + 1);
    std::string resolved_dir = host_realpath(dir);
    info.path = (resolved_dir == "/" ? "" : resolved_dir) + "/" + base;
    if (has_trailing_separator(path) && split_dir_entry(path).base != split_dir_entry(info.path).base)
      info.rebase_name = split_dir_entry(path).base;
  }
  struct stat st;
  if (lstat(info.path.c_str(), &st) < 0) fail("%s", go_error("lstat", info.path, errno).c_str());
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  if (has_trailing_separator(info.path) && !S_ISDIR(st.st_mode)) {
    // lstat of "file/" is ENOTDIR in Go too.
    fail("%s", go_error("lstat", info.path, ENOTDIR).c_str());
  }
  return info;
}

// docker's CopyInfoDestinationPath on the host: a link at the destination is
// followed (it is the path the user named), up to 10 times; a missing
// destination needs its parent directory.
CopyInfo host_destination(const std::string& given) {
  std::string path = absolute_host_path(given);
  std::string original = path;
  struct stat st;
  int rc = lstat(path.c_str(), &st);
  for (int n = 0; rc == 0 && S_ISLNK(st.st_mode); n++) {
    if (n > 10) fail("too many symlinks in %s", original.c_str());
    char target[PATH_MAX + 1];
    ssize_t len = readlink(path.c_str(), target, PATH_MAX);
    if (len < 0) fail("%s", go_error("readlink", path, errno).c_str());
    std::string link(target, len);
    path = link[0] == '/' ? clean_path(link) : clean_path(split_dir_entry(path).dir + "/" + link);
    rc = lstat(path.c_str(), &st);
  }
  CopyInfo info;
  info.path = path;
  if (rc == 0) {
    info.exists = true;
    info.is_dir = S_ISDIR(st.st_mode);
    return info;
  }
  if (errno != ENOENT) fail("%s", go_error("lstat", path, errno).c_str());
  std::string parent = split_dir_entry(path).dir;
  if (stat(parent.c_str(), &st) < 0) fail("%s", go_error("stat", parent, errno).c_str());
  if (!S_ISDIR(st.st_mode)) fail("not a directory");
  return info;
}

// The source in the container, with -L its link followed: what docker's
// client asks the daemon for, and the name the archive's entry keeps.
struct ContainerSource {
  CopyInfo info;
  Located at;
};

ContainerSource container_source(int root, const CopyRequest& request) {
  std::string path = absolute_container_path(request.container_path);
  ContainerSource src;
  std::optional<Located> at = locate(root, path);
  if (at && request.follow_link && S_ISLNK(at->st.st_mode)) {
    std::string target = clean_keeping_trailing(resolve_links_in_root(root, path), path);
    if (split_dir_entry(path).base != split_dir_entry(target).base)
      src.info.rebase_name = split_dir_entry(path).base;
    path = target;
    at = locate(root, path);
    if (!at) no_such_path(request, path);
  }
  if (!at) no_such_path(request, request.container_path);
  src.info.path = path;
  src.info.exists = true;
  src.info.is_dir = S_ISDIR(at->st.st_mode);
  src.at = std::move(*at);
  return src;
}

void copy_out(int root, const CopyRequest& request) {
  ContainerSource src = container_source(root, request);
  if (request.host_path == "-") {
    // The archive as it stands, on stdout.
    CopyInfo as_is = src.info;
    as_is.rebase_name.clear();
    TarWriter tar(1, "write to standard output");
    write_entry_tree(tar, src.at.dir.get(), src.at.name, archive_top_name(as_is));
    tar.finish();
    return;
  }
  CopyInfo dst = host_destination(request.host_path);
  ArchivePlan plan = plan_archive_copy(src.info, dst);
  Fd dest(::open(plan.dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dest) fail("%s", go_error("open", plan.dest_dir, errno).c_str());
  UnpackOptions options;
  options.layer = false;
  options.apply_owners = request.archive;  // as far as this namespace maps them
  options.record_overrides = false;
  options.keep_kinds = true;
  options.dest_name = plan.dest_dir;
  pipe_through(
      [&](int out) {
        TarWriter tar(out, "copy");
        write_entry_tree(tar, src.at.dir.get(), src.at.name, plan.top_name);
        tar.finish();
      },
      [&](int in) { extract_archive(in, dest.get(), options); });
}

// docker refuses to write where the container cannot: a read-only root
// (outside its volumes) or a read-only volume.
void check_writable(const ContainerRecord& container, const std::string& dir) {
  const MountPoint* under = nullptr;
  for (const auto& m : container.mounts) {
    const std::string& d = m.destination;
    bool inside = dir == d || (dir.size() > d.size() && dir.compare(0, d.size(), d) == 0 &&
                               (d == "/" || dir[d.size()] == '/'));
    if (inside && (!under || d.size() > under->destination.size())) under = &m;
  }
  if (under && !under->rw) fail("mounted volume is marked read-only");
  if (!under && container.host_config.readonly_rootfs) fail("container rootfs is marked read-only");
}

void copy_in(int root, const ContainerRecord& container, const CopyRequest& request) {
  std::string given = request.container_path;
  CopyInfo dst;
  dst.path = absolute_container_path(given);
  std::optional<Located> at = locate(root, dst.path);
  if (at && S_ISLNK(at->st.st_mode)) {
    dst.path = resolve_links_in_root(root, dst.path);
    at = locate(root, dst.path);
  }
  if (at) {
    if (!S_ISDIR(at->st.st_mode) && !S_ISREG(at->st.st_mode))
      fail("destination \"%s:%s\" must be a directory or a regular file", request.container.c_str(), given.c_str());
    dst.exists = true;
    dst.is_dir = S_ISDIR(at->st.st_mode);
  }
  std::optional<CopyInfo> src;
  std::string dest_dir;
  if (request.host_path == "-") {
    if (!dst.is_dir) fail("destination \"%s:%s\" must be a directory", request.container.c_str(), given.c_str());
    dest_dir = dst.path;
  } else {
    src = host_source(request.host_path, request.follow_link);
  }
  ArchivePlan plan;
  if (src) {
    plan = plan_archive_copy(*src, dst);
    dest_dir = plan.dest_dir;
  }
  // The extraction point, every link in it followed within the root.
  std::string resolved = resolve_links_in_root(root, dest_dir);
  Fd dest = open_in_root_if_exists(root, resolved);
  if (!dest) no_such_path(request, dest_dir);
  struct stat st;
  if (fstat(dest.get(), &st) < 0) fail_errno("stat %s", dest_dir.c_str());
  if (!S_ISDIR(st.st_mode)) fail("extraction point is not a directory");
  check_writable(container, resolved);
  // Reopened: the extraction sets times and xattrs on its directories, which
  // an O_PATH descriptor cannot.
  Fd dir(openat(dest.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) fail_errno("open %s", dest_dir.c_str());

  UnpackOptions options;
  options.layer = false;
  options.apply_owners = true;
  if (!request.archive) options.owner = std::make_pair(uid_t(0), gid_t(0));
  options.record_overrides = true;
  options.keep_kinds = true;
  options.dest_name = resolved;
  if (!src) {
    extract_archive(0, dir.get(), options);
    return;
  }
  Fd host_root = open_host_root();
  std::optional<Located> from = locate(host_root.get(), src->path);
  if (!from) fail("%s", go_error("lstat", src->path, ENOENT).c_str());
  pipe_through(
      [&](int out) {
        TarWriter tar(out, "copy");
        write_entry_tree(tar, from->dir.get(), from->name, plan.top_name);
        tar.finish();
      },
      [&](int in) { extract_archive(in, dir.get(), options); });
}

}  // namespace

void copy_files(const Store& store, const CopyRequest& request) {
  std::optional<ContainerRecord> found;
  try {
    found = ContainerStore(store).find(request.container);
  } catch (const Error&) {
    // docker's client names any 404 of the archive endpoint the same way,
    // with the path it asked for: the source, or the directory a host
    // source would be extracted into.
    if (!request.to_container) no_such_path(request, request.container_path);
    if (request.host_path == "-")
      fail("destination \"%s:%s\" must be a directory", request.container.c_str(), request.container_path.c_str());
    CopyInfo missing;
    missing.path = absolute_container_path(request.container_path);
    no_such_path(request, plan_archive_copy(host_source(request.host_path, request.follow_link), missing).dest_dir);
  }
  const ContainerRecord& container = *found;
  with_container_root(store, container, [&](int root) {
    // A reader that went away is an error to report, not a signal to die by.
    signal(SIGPIPE, SIG_IGN);
    if (request.to_container) copy_in(root, container, request);
    else copy_out(root, request);
  });
}

}  // namespace hutch
