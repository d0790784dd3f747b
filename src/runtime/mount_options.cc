#include "runtime/mount_options.h"

#include <sys/mount.h>

#include <cstring>

namespace hutch {

namespace {

struct FlagOption {
  const char* name;
  bool clear;
  unsigned long flag;
};

constexpr FlagOption kFlags[] = {
    {"ro", false, MS_RDONLY},         {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},     {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},       {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},     {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},  {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},   {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},     {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},   {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"silent", false, MS_SILENT},     {"loud", true, MS_SILENT},
};

struct PropagationOption {
  const char* name;
  unsigned long flags;
};

constexpr PropagationOption kPropagation[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},             {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

}  // namespace

MountFlags parse_mount_options(const std::vector<std::string>& options) {
  MountFlags out;
  for (const auto& option : options) {
    const char* name = option.c_str();
    bool known = false;
    for (const auto& f : kFlags) {
      if (strcmp(name, f.name) != 0) continue;
      if (f.clear) {
        out.flags &= ~f.flag;
        out.clear |= f.flag;
      } else {
        out.flags |= f.flag;
        out.clear &= ~f.flag;
      }
      known = true;
    }
    for (const auto& p : kPropagation) {
      if (strcmp(name, p.name) == 0) {
        out.propagation = p.flags;
        known = true;
      }
    }
    if (option == "bind") {
      out.bind = true;
      known = true;
    } else if (option == "rbind") {
      out.bind = out.recursive = true;
      known = true;
    } else if (option == "rro") {
      out.flags |= MS_RDONLY;
      out.recursive_read_only = true;
      known = true;
    } else if (option == "tmpcopyup" || option == "copyup") {
      out.copy_up = known = true;
    } else if (option == "idmap" || option == "ridmap" || option == "copy-symlink" || option == "notmpcopyup") {
      if (option != "notmpcopyup") out.unsupported.push_back(option);
      known = true;
    }
    if (!known) out.data += (out.data.empty() ? "" : ",") + option;
  }
  if (out.bind && out.recursive && (out.flags & MS_RDONLY)) out.recursive_read_only = true;
  return out;
}

}  // namespace hutch
