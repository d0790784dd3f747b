#include "runtime/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"

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

class RootfsBuilder {
 public:
  RootfsBuilder(const Spec& spec) : spec_(spec) {}
  void build();

 private:
  void mount_overlay();
  void mount_proc();
  void mount_dev();
  void mount_sys();
  void bind(const std::string& source, const std::string& dest, bool read_only, bool recursive);
  void make_read_only(const std::string& dest);
  void mask_paths();
  void pivot();
  std::string in_root(const std::string& path, Create create) {
    // Held open until the mount is done: the magic link names this very inode.
    held_ = open_in_root(root_.get(), path, create);
    return fd_path(held_.get());
  }

  const Spec& spec_;
  Fd root_;
  Fd held_;
};

void RootfsBuilder::mount_overlay() {
  // Every directory is named by an open descriptor, relative to /proc/self/fd:
  // a few bytes each, so even 500 layers fit overlay's one-page option limit,
  // and store paths containing ':' or ',' cannot break the option syntax.
  auto open_path = [](const std::string& dir) {
    Fd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail_errno("open %s", dir.c_str());
    return fd;
  };
  std::vector<Fd> layer_fds;
  for (const auto& dir : spec_.layers) layer_fds.push_back(open_path(dir));
  Fd upper = open_path(spec_.upper_dir), work = open_path(spec_.work_dir);
  std::string lower;
  for (auto it = layer_fds.rbegin(); it != layer_fds.rend(); ++it)
    lower += (lower.empty() ? "" : ":") + std::to_string(it->get());
  std::string options = "lowerdir=" + lower + ",upperdir=" + std::to_string(upper.get()) +
                        ",workdir=" + std::to_string(work.get()) + ",userxattr";
  if (spec_.volatile_upper) options += ",volatile";
  Fd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (chdir("/proc/self/fd") < 0) fail_errno("chdir /proc/self/fd");
  int rc = mount("overlay", spec_.rootfs.c_str(), "overlay", 0, options.c_str());
  if (rc < 0 && errno == EINVAL && spec_.volatile_upper) {
    // Kernels before 5.10 do not know "volatile"; a refused attempt may still
    // have marked the work directory, which a plain mount would then refuse.
    options.resize(options.size() - strlen(",volatile"));
    remove_tree(spec_.work_dir + "/incompat");
    rc = mount("overlay", spec_.rootfs.c_str(), "overlay", 0, options.c_str());
  }
  int saved = errno;
  if (cwd) fchdir(cwd.get());
  errno = saved;
  if (rc < 0 && errno == EPERM)
    fail_errno("mount overlay rootfs (overlayfs in a user namespace needs Linux 5.11 or later)");
  if (rc < 0) fail_errno("mount overlay rootfs");
  root_.reset(::open(spec_.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_) fail_errno("open rootfs");
}

void RootfsBuilder::mount_proc() {
  mount_or_fail("proc", in_root("/proc", Create::kDirectory), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr,
                "/proc");
}

void RootfsBuilder::mount_dev() {
  mount_or_fail("tmpfs", in_root("/dev", Create::kDirectory), "tmpfs", MS_NOSUID | MS_STRICTATIME,
                "mode=755,size=65536k", "/dev");
  // mknod is not allowed in a user namespace: bind the host's harmless nodes.
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty"})
    bind(std::string("/dev/") + dev, std::string("/dev/") + dev, false, false);
  Fd devdir = open_in_root(root_.get(), "/dev");
  const char* links[][2] = {{"/proc/self/fd", "fd"},   {"/proc/self/fd/0", "stdin"},
                            {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                            {"pts/ptmx", "ptmx"},       {"/proc/kcore", "core"}};
  for (auto& link : links)
    if (symlinkat(link[0], devdir.get(), link[1]) < 0) fail_errno("symlink /dev/%s", link[1]);
  // gid=5 (tty) only where that group is mapped; the kernel rejects it otherwise.
  std::string pts_options = "newinstance,ptmxmode=0666,mode=0620";
  if (spec_.mapping.maps_gid(5)) pts_options += ",gid=5";
  mount_or_fail("devpts", in_root("/dev/pts", Create::kDirectory), "devpts", MS_NOSUID | MS_NOEXEC,
                pts_options.c_str(), "/dev/pts");
  mount_or_fail("shm", in_root("/dev/shm", Create::kDirectory), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "mode=1777,size=65536k", "/dev/shm");
  mount_or_fail("mqueue", in_root("/dev/mqueue", Create::kDirectory), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                nullptr, "/dev/mqueue");
}

void RootfsBuilder::mount_sys() {
  std::string target = in_root("/sys", Create::kDirectory);
  // sysfs may only be mounted by the owner of the network namespace; with the
  // host's network, bind the host's /sys read-only instead.
  if (spec_.network != NetworkMode::kHost &&
      mount("sysfs", target.c_str(), "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, nullptr) == 0)
    return;
  bind("/sys", "/sys", true, true);
}

void RootfsBuilder::bind(const std::string& source, const std::string& dest, bool read_only, bool recursive) {
  struct stat st;
  if (stat(source.c_str(), &st) < 0) fail_errno("bind mount source %s", source.c_str());
  std::string target = in_root(dest, S_ISDIR(st.st_mode) ? Create::kDirectory : Create::kFile);
  mount_or_fail(source.c_str(), target, nullptr, MS_BIND | (recursive ? MS_REC : 0), nullptr, dest);
  if (read_only) make_read_only(dest);
}

void RootfsBuilder::make_read_only(const std::string& dest) {
  std::string target = in_root(dest, Create::kNothing);
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(target);
  mount_or_fail(nullptr, target, nullptr, flags, nullptr, dest + " read-only");
}

void RootfsBuilder::mask_paths() {
  // docker's defaults: kernel interfaces that leak host information or allow
  // changes no container should make.
  static const char* kMasked[] = {"/proc/asound",       "/proc/acpi",        "/proc/kcore",
                                  "/proc/keys",         "/proc/latency_stats", "/proc/timer_list",
                                  "/proc/timer_stats",  "/proc/sched_debug", "/proc/scsi",
                                  "/sys/firmware",      "/sys/devices/virtual/powercap"};
  static const char* kReadOnly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  for (const char* path : kMasked) {
    Fd fd;
    try {
      fd = open_in_root(root_.get(), path);
    } catch (const Error&) {
      continue;  // absent on this kernel
    }
    struct stat st;
    if (fstat(fd.get(), &st) < 0) continue;
    if (S_ISDIR(st.st_mode))
      mount_or_fail("tmpfs", fd_path(fd.get()), "tmpfs", MS_RDONLY, "size=0k", path);
    else
      mount_or_fail("/dev/null", fd_path(fd.get()), nullptr, MS_BIND, nullptr, path);
  }
  for (const char* path : kReadOnly) {
    Fd fd;
    try {
      fd = open_in_root(root_.get(), path);
    } catch (const Error&) {
      continue;
    }
    mount_or_fail(fd_path(fd.get()).c_str(), fd_path(fd.get()), nullptr, MS_BIND | MS_REC, nullptr, path);
    make_read_only(path);
  }
}

void RootfsBuilder::pivot() {
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // it leaves only the container's tree, with no directory needed for the old root.
  if (chdir(spec_.rootfs.c_str()) < 0) fail_errno("chdir rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail_errno("pivot_root");
  if (umount2(".", MNT_DETACH) < 0) fail_errno("detach old root");
  if (chdir("/") < 0) fail_errno("chdir /");
}

void RootfsBuilder::build() {
  // Private propagation: nothing mounted here may reach the host's namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail_errno("make mounts private");
  mount_overlay();
  mount_proc();
  mount_dev();
  mount_sys();
  for (const auto& m : spec_.mounts) bind(m.source, m.destination, m.read_only, true);
  mask_paths();
  held_.reset();
  pivot();
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

}  // namespace

Fd open_in_root(int root_fd, const std::string& path, Create create) {
  return resolve_in_root(root_fd, path, create, false);
}

Fd open_in_root_if_exists(int root_fd, const std::string& path) {
  return resolve_in_root(root_fd, path, Create::kNothing, true);
}

void setup_rootfs(const Spec& spec) {
  RootfsBuilder(spec).build();
}

}  // namespace hutch
