#include "runtime/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "base/copy_tree.h"
#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "base/printable.h"
#include "runtime/mount_options.h"

namespace hutch {

namespace {

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

void mount_or_fail(const char* source, const std::string& target, const char* type, unsigned long flags,
                   const char* data, const std::string& what) {
  if (mount(source, target.c_str(), type, flags, data) < 0) fail_errno("mount %s", what.c_str());
}

// A remount may not clear flags the kernel locked on the original mount
// (nosuid, nodev, noexec when the mount came from outside the user namespace).
unsigned long locked_flags(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) < 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

// An overlay's lowerdir, upperdir and workdir as descriptors, named relative
// to /proc/self/fd: a few bytes each, so even 500 layers fit overlay's
// one-page option limit, and directories are opened before any mount can
// move under them. Paths in the config escape ':' ',' and '\' with '\'.
struct OverlayDirs {
  std::vector<Fd> held;
  std::string options;
};

// Splits at unescaped separators; keep_escapes leaves the backslashes for a
// later split of the parts.
std::vector<std::string> split_escaped(const std::string& s, char sep, bool keep_escapes = false) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      if (keep_escapes) out.back() += s[i];
      out.back() += s[++i];
    } else if (s[i] == sep) {
      out.emplace_back();
    } else {
      out.back() += s[i];
    }
  }
  return out;
}

OverlayDirs open_overlay_dirs(const std::string& data) {
  OverlayDirs out;
  auto open_path = [&](const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail_errno("overlay: open %s", dir.c_str());
    std::string name = std::to_string(fd.get());
    out.held.push_back(std::move(fd));
    return name;
  };
  for (const auto& option : split_escaped(data, ',', true)) {
    std::string rewritten = option;
    for (const char* key : {"lowerdir=", "upperdir=", "workdir="}) {
      size_t n = strlen(key);
      if (option.compare(0, n, key) != 0) continue;
      std::string list;
      for (const auto& dir : split_escaped(option.substr(n), ':')) list += (list.empty() ? "" : ":") + open_path(dir);
      rewritten = key + list;
    }
    out.options += (out.options.empty() ? "" : ",") + rewritten;
  }
  return out;
}

class RootfsBuilder {
 public:
  explicit RootfsBuilder(const oci::Config& config) : config_(config) {}
  void build();

 private:
  void mount_root();
  void mount_overlay(const oci::Mount& m, const std::string& target);
  void mount_entry(const oci::Mount& m);
  void bind(const std::string& source, const std::string& dest, const MountFlags& flags);
  void remount(const std::string& target, const std::string& what, unsigned long flags, bool recursive);
  void create_devices();
  bool has_dev_tmpfs() const;
  std::string in_root(const std::string& path, Create create) {
    // Held open until the mount is done: the magic link names this very inode.
    held_ = open_in_root(root_.get(), path, create);
    return fd_path(held_.get());
  }

  const oci::Config& config_;
  Fd root_;
  Fd held_;
};

void RootfsBuilder::mount_overlay(const oci::Mount& m, const std::string& target) {
  MountFlags flags = parse_mount_options(m.options);
  OverlayDirs dirs = open_overlay_dirs(flags.data);
  std::string options = dirs.options;
  Fd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (chdir("/proc/self/fd") < 0) fail_errno("chdir /proc/self/fd");
  int rc = mount(m.source.empty() ? "overlay" : m.source.c_str(), target.c_str(), "overlay", flags.flags,
                 options.c_str());
  bool is_volatile = options.find(",volatile") != std::string::npos;
  if (rc < 0 && errno == EINVAL && is_volatile) {
    // Kernels before 5.10 do not know "volatile"; a refused attempt may still
    // have marked the work directory, which a plain mount would then refuse.
    options.erase(options.find(",volatile"), strlen(",volatile"));
    for (const auto& option : split_escaped(flags.data, ',', true))
      if (option.compare(0, 8, "workdir=") == 0) remove_tree(split_escaped(option.substr(8), ':')[0] + "/incompat");
    rc = mount("overlay", target.c_str(), "overlay", flags.flags, options.c_str());
  }
  int saved = errno;
  if (cwd) fchdir(cwd.get());
  errno = saved;
  if (rc < 0 && errno == EPERM)
    fail_errno("mount overlay on %s (overlayfs in a user namespace needs Linux 5.11 or later)", m.destination.c_str());
  if (rc < 0) fail_errno("mount overlay on %s", m.destination.c_str());
}

void RootfsBuilder::mount_root() {
  const std::string& path = config_.root.path;
  bool mounted = false;
  for (const auto& m : config_.mounts) {
    if (m.destination != "/") continue;
    if (m.type == "overlay") mount_overlay(m, path);
    else if (mount(m.source.c_str(), path.c_str(), m.type.c_str(), parse_mount_options(m.options).flags,
                   parse_mount_options(m.options).data.c_str()) < 0)
      fail_errno("mount %s on /", m.type.c_str());
    mounted = true;
  }
  // pivot_root needs the new root to be a mount point.
  if (!mounted && mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
    fail_errno("bind mount root %s", path.c_str());
  root_.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_) fail_errno("open root %s", path.c_str());
}

void RootfsBuilder::remount(const std::string& target, const std::string& what, unsigned long flags, bool recursive) {
  if (recursive) {
    struct mount_attr attr = {};
    attr.attr_set = (flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) | (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
                    (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) | (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
    if (syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) return;
    if (errno != ENOSYS) fail_errno("mount %s read-only", what.c_str());
    // Before Linux 5.12 only the top mount can be made read-only.
  }
  unsigned long remount_flags = MS_BIND | MS_REMOUNT | flags | locked_flags(target);
  mount_or_fail(nullptr, target, nullptr, remount_flags, nullptr, what);
}

void RootfsBuilder::bind(const std::string& source, const std::string& dest, const MountFlags& flags) {
  // Opened once: the mount uses this very file, whatever renames happen later.
  Fd src(::open(source.c_str(), O_PATH | O_CLOEXEC));
  if (!src) fail_errno("bind mount source %s", source.c_str());
  struct stat st;
  if (fstat(src.get(), &st) < 0) fail_errno("stat %s", source.c_str());
  std::string target = in_root(dest, S_ISDIR(st.st_mode) ? Create::kDirectory : Create::kFile);
  Fd covered;
  if (flags.copy_up && S_ISDIR(st.st_mode)) {
    covered.reset(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!covered) fail_errno("open %s", dest.c_str());
  }
  mount_or_fail(fd_path(src.get()).c_str(), target, nullptr, MS_BIND | (flags.recursive ? MS_REC : 0), nullptr, dest);
  if (covered) {
    Fd fresh(::open(fd_path(src.get()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fresh) fail_errno("open %s", source.c_str());
    with_context("copy the image's " + dest + " into its volume", [&] { copy_tree(covered.get(), fresh.get()); });
  }
  // The descriptor names the directory the bind now covers: the new mount is
  // reached by looking the path up again.
  target = in_root(dest, Create::kNothing);
  unsigned long extra = flags.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
                                       MS_RELATIME | MS_STRICTATIME);
  if (extra) remount(target, dest, extra, flags.recursive_read_only);
  if (flags.propagation && mount(nullptr, target.c_str(), nullptr, flags.propagation, nullptr) < 0)
    fail_errno("set propagation of %s", dest.c_str());
}

void RootfsBuilder::mount_entry(const oci::Mount& m) {
  if (m.destination.empty() || m.destination[0] != '/')
    fail("mount destination %s is not absolute", printable(m.destination).c_str());
  MountFlags flags = parse_mount_options(m.options);
  if (!flags.unsupported.empty())
    fail("mount %s: option %s is not supported", m.destination.c_str(), flags.unsupported[0].c_str());
  if (flags.bind || m.type == "bind") {
    // Options the table does not know are the filesystem's own (config.md:
    // "Runtimes SHOULD treat unknown options as filesystem-specific ones"); a
    // bind has no filesystem to give them to, and runc's ignore them too.
    bind(m.source, m.destination, flags);
    return;
  }
  if (m.type == "overlay") {
    mount_overlay(m, in_root(m.destination, Create::kDirectory));
    return;
  }
  std::string target = in_root(m.destination, Create::kDirectory);
  // tmpcopyup (runc's and crun's extension, podman's --tmpfs): the tmpfs
  // starts with what the image had there.
  Fd covered;
  if (flags.copy_up) {
    if (m.type != "tmpfs") fail("mount %s: tmpcopyup needs a tmpfs", m.destination.c_str());
    covered.reset(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!covered) fail_errno("open %s", m.destination.c_str());
  }
  if (mount(m.source.c_str(), target.c_str(), m.type.c_str(), flags.flags, flags.data.c_str()) == 0) {
    target = in_root(m.destination, Create::kNothing);
    if (covered) {
      Fd fresh = open_in_root(root_.get(), m.destination);
      Fd dir(::open(fd_path(fresh.get()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dir) fail_errno("open %s", m.destination.c_str());
      with_context("tmpcopyup " + m.destination, [&] { copy_tree(covered.get(), dir.get()); });
    }
    if (flags.propagation && mount(nullptr, target.c_str(), nullptr, flags.propagation, nullptr) < 0)
      fail_errno("set propagation of %s", m.destination.c_str());
    return;
  }
  // Filesystems only the owner of another namespace may mount (sysfs of the
  // host's network namespace, cgroup, mqueue of the host's IPC namespace):
  // the host's tree, bound read-only where the config asked for it, is what
  // runc gives rootless containers too.
  int err = errno;
  const char* host_path = m.type == "sysfs"    ? "/sys"
                          : m.type == "cgroup" || m.type == "cgroup2" ? "/sys/fs/cgroup"
                          : m.type == "mqueue" ? "/dev/mqueue"
                                               : nullptr;
  if ((err == EPERM || err == EBUSY || (err == EINVAL && m.type != "sysfs")) && host_path && hutch::exists(host_path)) {
    MountFlags fallback;
    fallback.bind = fallback.recursive = true;
    fallback.flags = flags.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    fallback.recursive_read_only = fallback.flags & MS_RDONLY;
    bind(host_path, m.destination, fallback);
    return;
  }
  errno = err;
  fail_errno("mount %s on %s", m.type.c_str(), m.destination.c_str());
}

bool RootfsBuilder::has_dev_tmpfs() const {
  for (const auto& m : config_.mounts)
    if (m.destination == "/dev" && m.type != "bind" && !parse_mount_options(m.options).bind) return true;
  return false;
}

// The spec's default devices and links, with the config's own devices. An
// unprivileged runtime cannot mknod: it binds the host's node instead.
void RootfsBuilder::create_devices() {
  std::vector<oci::Device> devices = config_.linux.devices;
  bool fresh_dev = has_dev_tmpfs();
  if (fresh_dev) {
    const struct { const char* path; int major, minor; } defaults[] = {
        {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
    for (const auto& d : defaults) {
      bool listed = false;
      for (const auto& dev : devices) listed |= dev.path == d.path;
      if (!listed) devices.push_back({"c", d.path, d.major, d.minor, 0666, 0, 0});
    }
  }
  for (const auto& dev : devices) {
    if (dev.path.empty() || dev.path[0] != '/') fail("device path %s is not absolute", printable(dev.path).c_str());
    mode_t type = dev.type == "b" ? S_IFBLK : dev.type == "p" ? S_IFIFO : S_IFCHR;
    Fd parent = open_in_root(root_.get(), dirname_of(dev.path), Create::kDirectory);
    std::string name = dev.path.substr(dev.path.rfind('/') + 1);
    if (mknodat(parent.get(), name.c_str(), type | (dev.file_mode.value_or(0666) & 07777),
                makedev(dev.major, dev.minor)) == 0) {
      // mknod's mode passed through the umask; fileMode is the node's own.
      if (fchmodat(parent.get(), name.c_str(), dev.file_mode.value_or(0666) & 07777, 0) < 0)
        fail_errno("chmod device %s", dev.path.c_str());
      if (dev.uid || dev.gid) fchownat(parent.get(), name.c_str(), dev.uid.value_or(0), dev.gid.value_or(0), 0);
      continue;
    }
    if (errno != EPERM) fail_errno("create device %s", dev.path.c_str());
    struct stat st;
    if (stat(dev.path.c_str(), &st) < 0 || (st.st_mode & S_IFMT) != type || st.st_rdev != makedev(dev.major, dev.minor))
      fail("device %s: cannot create it in a user namespace, and the host has no such device to bind", dev.path.c_str());
    MountFlags flags;
    flags.bind = true;
    bind(dev.path, dev.path, flags);
  }
  if (!fresh_dev) return;
  Fd devdir = open_in_root(root_.get(), "/dev");
  const char* links[][2] = {{"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"},
                            {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                            {"/proc/kcore", "core"}};
  for (auto& link : links)
    if (symlinkat(link[0], devdir.get(), link[1]) < 0 && errno != EEXIST) fail_errno("symlink /dev/%s", link[1]);
  struct stat st;
  if (fstatat(devdir.get(), "pts/ptmx", &st, 0) == 0 && symlinkat("pts/ptmx", devdir.get(), "ptmx") < 0 &&
      errno != EEXIST)
    fail_errno("symlink /dev/ptmx");
}

void RootfsBuilder::build() {
  // Nothing mounted here may reach the host's namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail_errno("make mounts private");
  mount_root();
  for (const auto& m : config_.mounts)
    if (m.destination != "/") mount_entry(m);
  create_devices();
  held_.reset();
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // it leaves only the container's tree, with no directory needed for the old root.
  if (fchdir(root_.get()) < 0) fail_errno("chdir to root");
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail_errno("pivot_root");
  if (umount2(".", MNT_DETACH) < 0) fail_errno("detach old root");
  if (chdir("/") < 0) fail_errno("chdir /");
}

}  // namespace

namespace {

// Both public forms; with missing_ok, a component that does not exist gives an
// empty Fd instead of an error.
Fd resolve_in_root(int root_fd, const std::string& path, Create create, bool missing_ok) {
  std::vector<Fd> stack;  // directories from the root down, for ".."
  stack.emplace_back(::dup(root_fd));
  std::deque<std::string> todo = components(path);
  int links = 0;
  while (!todo.empty()) {
    std::string name = todo.front();
    todo.pop_front();
    bool last = todo.empty();
    if (name == ".") continue;
    if (name == "..") {
      if (stack.size() > 1) stack.pop_back();
      continue;
    }
    int dir = stack.back().get();
    int fd = ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create != Create::kNothing) {
      if (last && create == Create::kFile) {
        int f = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f >= 0) ::close(f);
      } else if (mkdirat(dir, name.c_str(), 0755) < 0 && errno != EEXIST) {
        fail_errno("mkdir %s", path.c_str());
      }
      fd = ::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0 && errno == ENOENT && missing_ok) return Fd();
    if (fd < 0) fail_errno("%s", path.c_str());
    Fd entry(fd);
    struct stat st;
    if (fstat(fd, &st) < 0) fail_errno("stat %s", path.c_str());
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) fail("%s: too many levels of symbolic links", path.c_str());
      char target[4096];
      ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
      if (n < 0) fail_errno("readlink %s", path.c_str());
      target[n] = 0;
      std::deque<std::string> more = components(target);
      todo.insert(todo.begin(), more.begin(), more.end());
      if (target[0] == '/') stack.resize(1);
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) fail("%s: not a directory", path.c_str());
    stack.push_back(std::move(entry));
  }
  return std::move(stack.back());
}

// The lookup done by the kernel in one call, as an O_PATH descriptor. kWalk:
// anything else (an older kernel, a seccomp filter that refuses openat2, a
// magic link, a component that is not a directory), which the walk answers
// with its own rules.
enum class KernelLookup { kFound, kMissing, kWalk };

KernelLookup open_in_root_by_kernel(int root_fd, const std::string& path, Fd* out) {
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  // Magic links (/proc/self/fd/N, /proc/1/root) name an object directly,
  // wherever it is: refused here, and read as plain links by the walk.
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // EAGAIN: a rename elsewhere raced the lookup; the kernel asks for a retry.
  for (int attempt = 0; attempt < 8; attempt++) {
    long fd = syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
    if (fd >= 0) {
      out->reset((int)fd);
      return KernelLookup::kFound;
    }
    if (errno == EAGAIN || errno == EINTR) continue;
    return errno == ENOENT ? KernelLookup::kMissing : KernelLookup::kWalk;
  }
  return KernelLookup::kWalk;
}

// One syscall where the kernel can, instead of three or four per component:
// a container's start resolves some forty paths.
Fd resolve_fast(int root_fd, const std::string& path, Create create, bool missing_ok) {
  Fd fd;
  switch (open_in_root_by_kernel(root_fd, path, &fd)) {
    case KernelLookup::kFound: return fd;
    case KernelLookup::kMissing:
      if (create == Create::kNothing && missing_ok) return Fd();
      break;
    case KernelLookup::kWalk: break;
  }
  return resolve_in_root(root_fd, path, create, missing_ok);
}

}  // namespace

Fd open_in_root(int root_fd, const std::string& path, Create create) {
  return resolve_fast(root_fd, path, create, false);
}

Fd open_in_root_if_exists(int root_fd, const std::string& path) {
  return resolve_fast(root_fd, path, Create::kNothing, true);
}

Fd walk_in_root_if_exists(int root_fd, const std::string& path) {
  return resolve_in_root(root_fd, path, Create::kNothing, true);
}

void setup_rootfs(const oci::Config& config) { RootfsBuilder(config).build(); }

void finish_rootfs(const oci::Config& config) {
  Fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) fail_errno("open /");
  for (const auto& path : config.linux.masked_paths) {
    Fd fd = open_in_root_if_exists(root.get(), path);
    struct stat st;
    if (!fd || fstat(fd.get(), &st) < 0) continue;  // absent on this kernel or image
    if (S_ISDIR(st.st_mode))
      mount_or_fail("tmpfs", fd_path(fd.get()), "tmpfs", MS_RDONLY, "size=0k", path);
    else
      mount_or_fail("/dev/null", fd_path(fd.get()), nullptr, MS_BIND, nullptr, path);
  }
  for (const auto& path : config.linux.readonly_paths) {
    Fd fd = open_in_root_if_exists(root.get(), path);
    if (!fd) continue;
    std::string target = fd_path(fd.get());
    mount_or_fail(target.c_str(), target, nullptr, MS_BIND | MS_REC, nullptr, path);
    // The bind is a new mount: reopen it to make that mount, not the one below, read-only.
    Fd top = open_in_root(root.get(), path);
    std::string top_path = fd_path(top.get());
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (syscall(SYS_mount_setattr, AT_FDCWD, top_path.c_str(), AT_RECURSIVE, &attr, sizeof attr) < 0)
      mount_or_fail(nullptr, top_path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(top_path), nullptr,
                    path + " read-only");
  }
  if (config.root.readonly)
    mount_or_fail(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), nullptr, "/ read-only");
  if (!config.linux.rootfs_propagation.empty()) {
    MountFlags flags = parse_mount_options({config.linux.rootfs_propagation});
    if (!flags.propagation) fail("linux.rootfsPropagation: unknown mode %s", config.linux.rootfs_propagation.c_str());
    if (mount(nullptr, "/", nullptr, flags.propagation, nullptr) < 0) fail_errno("set propagation of /");
  }
}

}  // namespace hutch
