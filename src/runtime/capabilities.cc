#include "runtime/capabilities.h"

#include <linux/capability.h>

#include "base/error.h"
#include "base/printable.h"

namespace hutch {
namespace {

// Indexed by number; the numbers are ABI and never change meaning.
// clang-format off
constexpr const char* kNames[] = {
    "CAP_CHOWN",            "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",           "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",          "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",        "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",       "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",        "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",     "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",            "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",     "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",    "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
// clang-format on
static_assert(sizeof kNames / sizeof kNames[0] == kLastCapability + 1);
static_assert(CAP_SYS_ADMIN == 21 && CAP_AUDIT_READ == 37);

}  // namespace

std::optional<int> capability_number(std::string_view name) {
  for (int i = 0; i <= kLastCapability; i++)
    if (name == kNames[i]) return i;
  return std::nullopt;
}

const char* capability_name(int number) { return number >= 0 && number <= kLastCapability ? kNames[number] : nullptr; }

std::vector<std::string> capability_names() { return {std::begin(kNames), std::end(kNames)}; }

uint64_t capability_mask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& name : names) {
    auto number = capability_number(name);
    if (!number) fail("unknown capability %s", quoted(name).c_str());
    mask |= uint64_t{1} << *number;
  }
  return mask;
}

}  // namespace hutch
