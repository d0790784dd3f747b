#include "base/mount_flags.h"

#include <sys/mount.h>

#include <set>
#include <utility>

#include "base/error.h"
#include "base/printable.h"

namespace hutch {

namespace {

constexpr MountFlag kFlags[] = {
    {"defaults", false, 0, false},
    {"ro", false, MS_RDONLY, false},
    {"rw", true, MS_RDONLY, false},
    {"suid", true, MS_NOSUID, false},
    {"nosuid", false, MS_NOSUID, false},
    {"dev", true, MS_NODEV, false},
    {"nodev", false, MS_NODEV, false},
    {"exec", true, MS_NOEXEC, false},
    {"noexec", false, MS_NOEXEC, false},
    {"sync", false, MS_SYNCHRONOUS, false},
    {"async", true, MS_SYNCHRONOUS, false},
    {"dirsync", false, MS_DIRSYNC, false},
    {"remount", false, MS_REMOUNT, false},
    {"mand", false, MS_MANDLOCK, false},
    {"nomand", true, MS_MANDLOCK, false},
    {"atime", true, MS_NOATIME, false},
    {"noatime", false, MS_NOATIME, false},
    {"diratime", true, MS_NODIRATIME, false},
    {"nodiratime", false, MS_NODIRATIME, false},
    {"bind", false, MS_BIND, true},
    {"rbind", false, MS_BIND | MS_REC, true},
    {"unbindable", false, MS_UNBINDABLE, true},
    {"runbindable", false, MS_UNBINDABLE | MS_REC, true},
    {"private", false, MS_PRIVATE, true},
    {"rprivate", false, MS_PRIVATE | MS_REC, true},
    {"shared", false, MS_SHARED, true},
    {"rshared", false, MS_SHARED | MS_REC, true},
    {"slave", false, MS_SLAVE, true},
    {"rslave", false, MS_SLAVE | MS_REC, true},
    {"relatime", false, MS_RELATIME, false},
    {"norelatime", true, MS_RELATIME, false},
    {"strictatime", false, MS_STRICTATIME, false},
    {"nostrictatime", true, MS_STRICTATIME, false},
};

const std::set<std::string_view> kTmpfsData = {"size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"};

// Go's %q of the word split at its first '=': ["size" "1m"].
[[noreturn]] void invalid_option(const std::string& option) {
  size_t eq = option.find('=');
  std::string shown = eq == std::string::npos
                          ? quoted(option)
                          : quoted(option.substr(0, eq)) + " " + quoted(option.substr(eq + 1));
  fail("invalid tmpfs option [%s]", shown.c_str());
}

}  // namespace

const MountFlag* find_mount_flag(std::string_view name) {
  for (const auto& f : kFlags)
    if (name == f.name) return &f;
  return nullptr;
}

std::vector<std::string> merge_tmpfs_options(const std::vector<std::string>& options) {
  std::vector<std::string> out;
  std::set<unsigned long> flags_seen;
  bool propagation_seen = false;
  std::set<std::string> data_seen;
  // From the end, keeping the first word of each kind met: the last given.
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    const std::string& option = *it;
    if (option == "defaults") continue;
    if (const MountFlag* f = find_mount_flag(option)) {
      if (f->flag & MS_BIND) invalid_option(option);
      bool seen = f->propagation ? std::exchange(propagation_seen, true) : !flags_seen.insert(f->flag).second;
      if (!seen) out.insert(out.begin(), option);
      continue;
    }
    size_t eq = option.find('=');
    if (eq == std::string::npos || !kTmpfsData.count(std::string_view(option).substr(0, eq))) invalid_option(option);
    if (data_seen.insert(option.substr(0, eq)).second) out.insert(out.begin(), option);
  }
  return out;
}

}  // namespace hutch
