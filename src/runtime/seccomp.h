// The OCI config's linux.seccomp, compiled to a BPF filter by hutch itself:
// the binary is static and cannot link libseccomp, so this follows what
// runc + libseccomp do with the same JSON on an x86_64 host.
//
// What the filter does, in order:
// - The syscall's audit arch must be one the config lists. x86_64 is always
//   in (libseccomp's native arch); SCMP_ARCH_X86 adds i386 (AUDIT_ARCH_I386)
//   and SCMP_ARCH_X32 adds x32 (AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT).
//   Anything else gets libseccomp's bad-arch action, SCMP_ACT_KILL (the
//   thread, with SIGSYS); number -1, a tracer's skip, passes the x32 check as
//   in libseccomp. Foreign arches (ARM, MIPS, PPC, S390, RISCV64, ...) are
//   accepted and ignored: no syscall on an x86_64 kernel carries them.
// - As runc does, a syscall numbered above every syscall the config names
//   returns ENOSYS instead of a refusing default action, so programs fall
//   back from syscalls newer than the profile (clone3 -> clone).
// - syscalls[] in order, the first rule that matches deciding (rules whose
//   action equals the default are dropped first, as runc drops them). Where
//   rules with different actions overlap, libseccomp's choice is its own;
//   first-match is what the runtime-spec proposal (PR 1159) says. A name
//   this ABI lacks is skipped, as libseccomp and runc skip it.
// - args of one rule are ANDed, each comparing the 64-bit argument; when two
//   args name the same index, runc makes each a rule of its own (ORed), and
//   so does this. On i386 and x32 only the low 32 bits are compared, with the
//   rule's values truncated, as libseccomp compares them.
// - Otherwise defaultAction.
// i386 socketcall and ipc are not expanded: a rule naming "socket" matches
// i386's socket (359), not socketcall(SYS_SOCKET) as libseccomp's would.
#pragma once
#include <linux/filter.h>

#include <string_view>
#include <vector>

namespace hutch {

struct SeccompProgram {
  std::vector<sock_filter> filter;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_* for seccomp(2)
};

// Compiles the linux.seccomp object (runtime-spec config-linux.md#seccomp).
// Fails with one line naming the field for an unknown action, operator,
// architecture or flag, for SCMP_ACT_NOTIFY and listenerPath (no seccomp
// agent rootless), and for a filter over the kernel's 4096 instructions.
SeccompProgram compile_seccomp(std::string_view linux_seccomp_json);

// Installs the filter on the calling thread (all threads with TSYNC). The
// kernel allows it with no_new_privs set, or with CAP_SYS_ADMIN in the
// caller's user namespace: root in hutch's namespace qualifies, but only
// while CAP_SYS_ADMIN is still effective. So it runs right before execve when
// noNewPrivileges is set, and before capabilities are dropped otherwise.
void install_seccomp(const SeccompProgram& program);

}  // namespace hutch
