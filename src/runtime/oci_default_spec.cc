#include "runtime/oci_default_spec.h"

#include <unistd.h>

#include "base/json_writer.h"
#include "base/version.h"
#include "runtime/capabilities.h"

namespace hutch::oci {
namespace {

Mount mount(const char* destination, const char* type, const char* source, std::vector<std::string> options) {
  return Mount{destination, type, source, std::move(options)};
}

}  // namespace

Config default_spec(bool rootless, uint32_t uid, uint32_t gid) {
  Config c;
  Process& p = c.process;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  p.capabilities = Capabilities{caps, caps, {}, caps, caps};
  p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  c.root = {"rootfs", true};
  c.hostname = "hutch";

  std::vector<std::string> devpts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (!rootless) devpts.push_back("gid=5");
  c.mounts = {
      mount("/proc", "proc", "proc", {}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", devpts),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      rootless ? mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"})
               : mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };

  Linux& l = c.linux;
  if (rootless) {
    l.namespaces = {{"pid", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}, {"user", ""}};
    l.uid_mappings = {{0, uid, 1}};
    l.gid_mappings = {{0, gid, 1}};
  } else {
    l.namespaces = {{"pid", ""}, {"network", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
    // Deny every device; the nodes the runtime creates itself stay usable.
    l.resources_json = R"({"devices":[{"allow":false,"access":"rwm"}]})";
  }
  l.masked_paths = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                    "/sys/firmware",       "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  return c;
}

Config default_spec(bool rootless) { return default_spec(rootless, getuid(), getgid()); }

namespace {

// runtime-spec's table of Linux mount options (MUST and SHOULD), less idmap
// and ridmap: id-mapped mounts are not implemented.
// clang-format off
constexpr const char* kMountOptions[] = {
    "async",      "atime",       "bind",        "defaults",    "dev",          "diratime",
    "dirsync",    "exec",        "iversion",    "lazytime",    "loud",         "mand",
    "noatime",    "nodev",       "nodiratime",  "noexec",      "noiversion",   "nolazytime",
    "nomand",     "norelatime",  "nostrictatime", "nosuid",    "nosymfollow",  "private",
    "ratime",     "rbind",       "rdev",        "rdiratime",   "relatime",     "remount",
    "rexec",      "rnoatime",    "rnodev",      "rnodiratime", "rnoexec",      "rnorelatime",
    "rnostrictatime", "rnosuid", "rnosymfollow", "ro",         "rprivate",     "rrelatime",
    "rro",        "rrw",         "rshared",     "rslave",      "rstrictatime", "rsuid",
    "rsymfollow", "runbindable", "rw",          "shared",      "silent",       "slave",
    "strictatime", "suid",       "symfollow",   "sync",        "unbindable",
};
// clang-format on

void strings(JsonWriter& w, const char* key, std::initializer_list<const char*> items) {
  w.key(key).begin_array();
  for (const char* item : items) w.value(item);
  w.end_array();
}

void enabled(JsonWriter& w, const char* key, bool on) { w.key(key).begin_object().field("enabled", on).end_object(); }

}  // namespace

// Determined at build time, as features.md asks: what the code implements,
// not what this host's kernel offers.
std::string features_json() {
  JsonWriter w;
  w.begin_object().field("ociVersionMin", "1.0.0").field("ociVersionMax", "1.2.0");
  strings(w, "hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"});
  w.key("mountOptions").begin_array();
  for (const char* option : kMountOptions) w.value(option);
  w.end_array();
  w.key("linux").begin_object();
  // "time" is recognised by the parser but not implemented.
  strings(w, "namespaces", {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"});
  w.key("capabilities").string_array(capability_names());
  w.key("cgroup").begin_object().field("v1", false).field("v2", true).field("systemd", false);
  w.field("systemdUser", false).field("rdma", false).end_object();
  w.key("seccomp").begin_object().field("enabled", true);
  strings(w, "actions",
          {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
           "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"});
  strings(
      w, "operators",
      {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"});
  strings(w, "archs", {"SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"});
  w.end_object();
  enabled(w, "apparmor", false);
  enabled(w, "selinux", false);
  enabled(w, "intelRdt", false);
  w.key("mountExtensions").begin_object();
  enabled(w, "idmap", false);
  w.end_object();
  w.end_object();  // linux
  w.key("annotations").begin_object().field("run.hutch.version", hutch::kVersion).end_object();
  // run.hutch.user replaces process.user (see oci_config.h).
  strings(w, "potentiallyUnsafeConfigAnnotations", {"run.hutch."});
  w.end_object();
  return w.str();
}

}  // namespace hutch::oci
