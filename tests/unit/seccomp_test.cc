#include "runtime/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/process.h"
#include "test.h"

using namespace hutch;

namespace {

// Runs body in a child that first installs program (after no_new_privs unless
// told otherwise) and returns the child's wait status; body's result is its
// exit code, 99 when the install failed. Under a filter the body makes raw
// syscalls only, so nothing the filter refuses runs behind its back.
int run_filtered(const SeccompProgram& program, const std::function<int()>& body, bool no_new_privs = true) {
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    struct rlimit no_core = {0, 0};  // SIGSYS dumps core
    setrlimit(RLIMIT_CORE, &no_core);
    if (no_new_privs) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    try {
      install_seccomp(program);
    } catch (const Error&) {
      _exit(99);
    }
    _exit(body());
  }
  return Child(pid).wait();
}

int exit_status(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }
bool killed_by_sigsys(int wait_status) { return WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGSYS; }

// errno of a raw syscall, or 0 when it succeeded.
int errno_of(long result) { return result < 0 ? errno : 0; }

}  // namespace

// ---- Refusals, each naming its field.

TEST(seccomp_refuses_malformed_fields_by_name) {
  CHECK_THROWS(compile_seccomp("[]"), "linux.seccomp: not an object");
  CHECK_THROWS(compile_seccomp("{}"), "linux.seccomp.defaultAction is required");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_FOO"})"),
               "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_NOTIFY"})"), "SCMP_ACT_NOTIFY is not supported");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1})"),
               "linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":70000})"),
               "linux.seccomp.defaultErrnoRet: 70000 is out of range");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock"})"),
               "linux.seccomp.listenerPath is not supported");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]})"),
               "linux.seccomp.architectures: unknown architecture \"SCMP_ARCH_VAX\"");
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_FAST"]})"),
               "linux.seccomp.flags: unknown flag \"SECCOMP_FILTER_FLAG_FAST\"");
  CHECK_THROWS(
      compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]})"),
      "WAIT_KILLABLE_RECV is not supported");
}

TEST(seccomp_refuses_malformed_syscall_rules_by_name) {
  // The bad rule comes second, so the messages name syscalls[1].
  auto rule = [](const std::string& body) {
    return compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
        "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO"},)" + body + "]}");
  };
  auto arg = [&](const std::string& arg) {
    return rule(R"({"names":["read"],"action":"SCMP_ACT_ERRNO","args":[)" + arg + "]}");
  };
  CHECK_THROWS(rule(R"({"names":[],"action":"SCMP_ACT_ERRNO"})"),
               "linux.seccomp.syscalls[1].names: needs at least one name");
  CHECK_THROWS(rule(R"({"names":["read"]})"), "linux.seccomp.syscalls[1].action is required");
  CHECK_THROWS(rule(R"({"names":["read"],"action":"SCMP_ACT_BOGUS"})"),
               "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_BOGUS\"");
  CHECK_THROWS(rule(R"({"names":["read"],"action":"SCMP_ACT_NOTIFY"})"),
               "linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY is not supported");
  CHECK_THROWS(rule(R"({"names":["read"],"action":"SCMP_ACT_KILL","errnoRet":1})"),
               "linux.seccomp.syscalls[1].errnoRet: SCMP_ACT_KILL takes no errno");
  CHECK_THROWS(arg(R"({"index":0,"value":1,"op":"SCMP_CMP_ABOUT"})"),
               "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_ABOUT\"");
  CHECK_THROWS(arg(R"({"index":6,"value":1,"op":"SCMP_CMP_EQ"})"),
               "linux.seccomp.syscalls[1].args[0].index: 6 is out of range");
  CHECK_THROWS(arg(R"({"index":0,"value":-1,"op":"SCMP_CMP_EQ"})"),
               "linux.seccomp.syscalls[1].args[0].value: -1 is not an unsigned integer");
  CHECK_THROWS(arg(R"({"index":0,"value":1.5,"op":"SCMP_CMP_EQ"})"),
               "linux.seccomp.syscalls[1].args[0].value: 1.5 is not an unsigned integer");
  CHECK_THROWS(arg(R"({"index":0,"value":18446744073709551616,"op":"SCMP_CMP_EQ"})"),
               "invalid JSON in linux.seccomp");  // 2^64: the parser refuses it
  CHECK(arg(R"({"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"})").filter.size() > 0);
  CHECK_THROWS(arg(R"({"index":0,"op":"SCMP_CMP_EQ"})"), "linux.seccomp.syscalls[1].args[0].value is required");
}

TEST(seccomp_accepts_what_cannot_occur_here_and_unknown_names) {
  // Foreign arches and names no x86 ABI has (arm's breakpoint) are ignored.
  SeccompProgram plain = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO"}]})");
  SeccompProgram extra = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_AARCH64","SCMP_ARCH_S390X","SCMP_ARCH_RISCV64"],
      "syscalls":[{"names":["getpid","breakpoint","no_such_call"],"action":"SCMP_ACT_ERRNO"}]})");
  CHECK_EQ(extra.filter.size(), plain.filter.size());
  CHECK_EQ(extra.flags, 0u);
  SeccompProgram flagged = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "flags":["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW"]})");
  CHECK_EQ(flagged.flags,
           (unsigned)(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
  CHECK_EQ(exit_status(run_filtered(flagged, [] { return 0; })), 0);
  // Go writes empty lists and absent pointers as null.
  SeccompProgram nulls = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":null,
      "architectures":null,"flags":null,"listenerPath":null,
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":null,"args":null}]})");
  CHECK_EQ(nulls.filter.size(), plain.filter.size());
}

TEST(seccomp_refuses_a_filter_over_the_kernel_limit) {
  std::string rules;
  for (int i = 0; i < 1000; i++)
    rules += format(R"(%s{"names":["getpid"],"action":"SCMP_ACT_ERRNO",
                          "args":[{"index":0,"value":%d,"op":"SCMP_CMP_EQ"}]})",
                    i ? "," : "", i);
  CHECK_THROWS(compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[)" + rules + "]}"),
               "over the kernel's limit of 4096");
}

// ---- Behaviour, in children.

TEST(seccomp_errno_rule_answers_and_the_rest_runs) {
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
                  {"names":["getppid"],"action":"SCMP_ACT_ERRNO"}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (syscall(SYS_getpid) != -1 || errno != ENOSYS) return 1;
             if (syscall(SYS_getppid) != -1 || errno != EPERM) return 2;  // EPERM when errnoRet is absent
             if (syscall(SYS_gettid) <= 0) return 3;
             return 0;
           })),
           0);
}

TEST(seccomp_personality_allowed_only_for_the_query) {
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ERRNO",
      "syscalls":[{"names":["exit_group","exit"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["personality"],"action":"SCMP_ACT_ALLOW",
                   "args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (syscall(SYS_personality, 0xffffffffUL) < 0) return 1;
             if (errno_of(syscall(SYS_personality, 0x0008UL)) != EPERM) return 2;
             // The kernel reads an unsigned int, but the filter all 64 bits.
             if (errno_of(syscall(SYS_personality, 0x1ffffffffUL)) != EPERM) return 3;
             if (errno_of(syscall(SYS_getpid)) != EPERM) return 4;
             return 0;
           })),
           0);
}

TEST(seccomp_masked_eq_on_clone_flags_refuses_new_namespaces) {
  // Docker's rule: clone only when (flags & namespace flags) == 0.
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ERRNO",
      "syscalls":[{"names":["exit_group","exit","wait4"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["clone"],"action":"SCMP_ACT_ALLOW",
                   "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (errno_of(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)) != EPERM) return 1;
             long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
             if (pid == 0) syscall(SYS_exit_group, 7);
             if (pid < 0) return 2;
             int status = 0;
             if (syscall(SYS_wait4, pid, &status, 0, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
               return 3;
             return 0;
           })),
           0);
}

TEST(seccomp_every_operator_compares_both_halves) {
  struct Case {
    const char* op;
    uint64_t value, value_two;
    bool (*holds)(uint64_t arg, uint64_t value, uint64_t two);
  };
  const Case cases[] = {
      {"SCMP_CMP_EQ", 0, 0, [](uint64_t a, uint64_t v, uint64_t) { return a == v; }},
      {"SCMP_CMP_NE", 0, 0, [](uint64_t a, uint64_t v, uint64_t) { return a != v; }},
      {"SCMP_CMP_LT", 0, 0, [](uint64_t a, uint64_t v, uint64_t) { return a < v; }},
      {"SCMP_CMP_LE", 0, 0, [](uint64_t a, uint64_t v, uint64_t) { return a <= v; }},
      {"SCMP_CMP_GT", 0, 0, [](uint64_t a, uint64_t v, uint64_t) { return a > v; }},
      {"SCMP_CMP_GE", 0, 0, [](uint64_t a, uint64_t v, uint64_t) { return a >= v; }},
  };
  const uint64_t values[] = {0, 1, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL, 0x1ffffffffULL,
                             0x8000000000000000ULL, 0xffffffffffffffffULL};
  // getpid ignores its arguments, so only the filter decides its result.
  // The child reports through shared memory: it may make no other syscall.
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) fail_errno("mmap");
  bool* held = static_cast<bool*>(page);
  auto check = [&](const std::string& op, uint64_t value, uint64_t two, auto holds) {
    SeccompProgram p = compile_seccomp(format(R"({"defaultAction":"SCMP_ACT_ALLOW",
        "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5,
                     "args":[{"index":2,"value":%llu,"valueTwo":%llu,"op":"%s"}]}]})",
                                              (unsigned long long)value, (unsigned long long)two, op.c_str()));
    CHECK_EQ(exit_status(run_filtered(p, [&] {
               for (size_t i = 0; i < 8; i++) held[i] = errno_of(syscall(SYS_getpid, 0, 0, values[i])) == EIO;
               return 0;
             })),
             0);
    for (size_t i = 0; i < 8; i++)
      if (held[i] != holds(values[i], value, two))
        throw unit::Failure{format("%s %#llx (%#llx) on %#llx: filter says %d", op.c_str(), (unsigned long long)value,
                                   (unsigned long long)two, (unsigned long long)values[i], held[i])};
  };
  for (const Case& c : cases)
    for (uint64_t v : values) check(c.op, v, 0, c.holds);
  const uint64_t masks[][2] = {{0xffffffff00000000ULL, 0x100000000ULL}, {0x00000000ffffffffULL, 1},
                               {0x8000000000000001ULL, 0x8000000000000001ULL}, {0, 0}, {1, 2}};
  for (const auto& m : masks)
    // valueTwo's bits outside the mask do not count, as in libseccomp.
    check("SCMP_CMP_MASKED_EQ", m[0], m[1], [](uint64_t a, uint64_t v, uint64_t two) { return (a & v) == (two & v); });
  munmap(page, 4096);
}

TEST(seccomp_args_are_anded_but_a_repeated_index_ors_as_runc_does) {
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5,
                   "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
                  {"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":6,
                   "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (errno_of(syscall(SYS_getpid, 1, 2)) != EIO) return 1;
             if (errno_of(syscall(SYS_getpid, 1, 3)) != 0) return 2;
             if (errno_of(syscall(SYS_getppid, 1)) != ENXIO) return 3;
             if (errno_of(syscall(SYS_getppid, 2)) != ENXIO) return 4;
             if (errno_of(syscall(SYS_getppid, 3)) != 0) return 5;
             return 0;
           })),
           0);
}

TEST(seccomp_first_matching_rule_decides) {
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5,
                   "args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
                  {"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":6},
                  {"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":7}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (errno_of(syscall(SYS_getpid, 1)) != EIO) return 1;
             if (errno_of(syscall(SYS_getpid, 2)) != ENXIO) return 2;
             return 0;
           })),
           0);
}

TEST(seccomp_kill_actions_end_the_child_with_sigsys) {
  for (const char* action : {"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"}) {
    SeccompProgram p = compile_seccomp(
        format(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"%s"}]})", action));
    CHECK(killed_by_sigsys(run_filtered(p, [] {
      syscall(SYS_getpid);
      return 0;
    })));
  }
}

TEST(seccomp_syscalls_above_the_profile_get_enosys_as_with_runc) {
  // A refusing default would break a libc's fallback from a syscall newer
  // than the profile; above the highest name the answer is ENOSYS.
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ERRNO",
      "syscalls":[{"names":["exit_group","getpid"],"action":"SCMP_ACT_ALLOW"}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (syscall(SYS_getpid) <= 0) return 1;
             if (errno_of(syscall(SYS_getppid)) != EPERM) return 2;    // 110, below exit_group's 231
             if (errno_of(syscall(SYS_openat2, 0, 0, 0, 0)) != ENOSYS) return 3;  // 437
             if (errno_of(syscall(1000)) != ENOSYS) return 4;
             return 0;
           })),
           0);
}

TEST(seccomp_x32_syscalls_follow_the_listed_arches) {
  // seccomp sees the number before the kernel checks for x32 support.
  long x32_getpid = 0x40000000 | SYS_getpid;
  SeccompProgram without = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5}]})");
  CHECK(killed_by_sigsys(run_filtered(without, [&] {
    syscall(x32_getpid);
    return 0;
  })));
  SeccompProgram with = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5}]})");
  CHECK_EQ(exit_status(run_filtered(with, [&] {
             if (errno_of(syscall(x32_getpid)) != EIO) return 1;
             if (errno_of(syscall(SYS_getpid)) != EIO) return 2;
             return 0;
           })),
           0);
}

namespace {

// getpid through the i386 entry (int $0x80), which seccomp sees as
// AUDIT_ARCH_I386 with i386 numbers (getpid is 20, personality 136).
long i386_syscall(long nr, long a0 = 0) {
  long r;
  asm volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a0) : "memory");
  return r;
}

bool i386_entry_works() {
  pid_t pid = fork();
  if (pid == 0) _exit(i386_syscall(20) == getpid() ? 0 : 1);
  return exit_status(Child(pid).wait()) == 0;
}

}  // namespace

TEST(seccomp_i386_syscalls_use_their_own_numbers) {
  if (!i386_entry_works()) return;  // a kernel without IA32 emulation
  SeccompProgram without = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW"})");
  CHECK(killed_by_sigsys(run_filtered(without, [] {
    i386_syscall(20);
    return 0;
  })));
  SeccompProgram with = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5},
                  {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":6,
                   "args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_NE"}]}]})");
  CHECK_EQ(exit_status(run_filtered(with, [] {
             if (i386_syscall(20) != -EIO) return 1;
             if (i386_syscall(136, 0xffffffffL) < 0) return 2;
             if (i386_syscall(136, 8) != -ENXIO) return 3;
             if (errno_of(syscall(SYS_getpid)) != EIO) return 4;  // the x86_64 getpid too
             return 0;
           })),
           0);
}

TEST(seccomp_a_300_rule_filter_works) {
  std::string rules;
  for (int i = 0; i < 300; i++)
    rules += format(R"({"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":%d,
                       "args":[{"index":0,"value":%d,"op":"SCMP_CMP_EQ"}]},)",
                    i + 1, i);
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[)" + rules + R"({"names":["getppid"],"action":"SCMP_ACT_ERRNO","errnoRet":77}]})");
  CHECK(p.filter.size() > 1500);
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (errno_of(syscall(SYS_getpid, 0)) != 1) return 1;
             if (errno_of(syscall(SYS_getpid, 250)) != 251) return 2;
             if (errno_of(syscall(SYS_getpid, 299)) != 300) return 3;
             if (syscall(SYS_getpid, 300) <= 0) return 4;
             if (errno_of(syscall(SYS_getppid)) != 77) return 5;
             return 0;
           })),
           0);
}

namespace {

// In a child: drops to nobody, enters a user namespace of its own as an
// unprivileged user would, then installs without no_new_privs; with
// keep_sys_admin false, CAP_SYS_ADMIN leaves the effective set first, as a
// container's capability drop takes it. Exits 0 on success, 10 on the
// "permission denied" refusal.
int install_in_user_namespace(const SeccompProgram& p, bool keep_sys_admin) {
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    if (setgroups(0, nullptr) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0) _exit(1);
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);  // the uid change made /proc/self root's
    if (unshare(CLONE_NEWUSER) < 0) _exit(2);
    Fd map(::open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC));
    if (!map || write(map.get(), "0 65534 1", 9) != 9) _exit(3);
    if (!keep_sys_admin) {
      struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
      struct __user_cap_data_struct data[2] = {};
      if (syscall(SYS_capget, &header, data) < 0) _exit(4);
      data[0].effective &= ~(1u << CAP_SYS_ADMIN);
      if (syscall(SYS_capset, &header, data) < 0) _exit(5);
    }
    try {
      install_seccomp(p);
    } catch (const Error& e) {
      _exit(std::string(e.what()).find("permission denied") != std::string::npos ? 10 : 6);
    }
    _exit(syscall(SYS_getpid) == -1 && errno == EIO ? 0 : 7);
  }
  return exit_status(Child(pid).wait());
}

}  // namespace

TEST(seccomp_installs_without_no_new_privs_as_root_of_a_user_namespace) {
  SeccompProgram p = compile_seccomp(R"({"defaultAction":"SCMP_ACT_ALLOW",
      "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":5}]})");
  CHECK_EQ(exit_status(run_filtered(p, [] { return syscall(SYS_getpid) == -1 && errno == EIO ? 0 : 1; }, false)), 0);
  CHECK_EQ(install_in_user_namespace(p, true), 0);
  // Once capabilities are dropped, the kernel wants no_new_privs.
  CHECK_EQ(install_in_user_namespace(p, false), 10);
}

namespace {

// podman's default profile is in docker's profile format (archMap, includes,
// excludes); this resolves it for amd64 and a capability set into the OCI
// linux.seccomp object, as a builder does.
std::string oci_from_profile(const JsonValue& profile, const std::vector<std::string>& caps) {
  auto has = [](const std::vector<std::string>& list, const std::string& item) {
    for (const auto& s : list)
      if (s == item) return true;
    return false;
  };
  JsonWriter w;
  w.begin_object();
  w.field("defaultAction", profile.string_at("defaultAction"));
  if (const JsonValue* e = profile.get("defaultErrnoRet")) w.key("defaultErrnoRet").raw(e->to_json());
  w.key("architectures").begin_array();
  if (const JsonValue* map = profile.get("archMap"))
    for (const JsonValue& entry : map->items())
      if (entry.string_at("architecture") == "SCMP_ARCH_X86_64") {
        w.value("SCMP_ARCH_X86_64");
        for (const auto& sub : entry.strings_at("subArchitectures")) w.value(sub);
      }
  w.end_array();
  w.key("syscalls").begin_array();
  for (const JsonValue& call : profile.get("syscalls")->items()) {
    const JsonValue* in = call.get("includes");
    const JsonValue* ex = call.get("excludes");
    bool keep = true;
    if (in) {
      for (const auto& c : in->strings_at("caps")) keep &= has(caps, c);
      auto arches = in->strings_at("arches");
      if (!arches.empty()) keep &= has(arches, "amd64");
    }
    if (ex) {
      for (const auto& c : ex->strings_at("caps")) keep &= !has(caps, c);
      keep &= !has(ex->strings_at("arches"), "amd64");
    }
    if (!keep) continue;
    w.begin_object();
    w.key("names").string_array(call.strings_at("names"));
    w.field("action", call.string_at("action"));
    if (const JsonValue* e = call.get("errnoRet")) w.key("errnoRet").raw(e->to_json());
    if (const JsonValue* a = call.get("args"); a && a->is_array()) w.key("args").raw(a->to_json());
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace

TEST(seccomp_podmans_default_profile_compiles_and_behaves) {
  auto text = read_file_if_exists("/usr/share/containers/seccomp.json");
  if (!text) return;  // podman not installed
  std::vector<std::string> caps = {"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                                   "CAP_KILL",   "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
                                   "CAP_SETPCAP", "CAP_SETUID",      "CAP_SYS_CHROOT"};
  SeccompProgram p = compile_seccomp(oci_from_profile(parse_json(*text, "seccomp.json"), caps));
  CHECK(p.filter.size() < 4096);
  CHECK_EQ(exit_status(run_filtered(p, [] {
             if (syscall(SYS_getpid) <= 0) return 1;
             if (errno_of(syscall(SYS_add_key, 0, 0, 0, 0, 0)) != ENOSYS) return 2;  // unlisted: the default
             if (errno_of(syscall(SYS_kexec_load, 0, 0, 0, 0)) != EPERM) return 3;  // listed as refused
             if (errno_of(syscall(SYS_bpf, 0, 0, 0)) != EPERM) return 4;           // CAP_SYS_ADMIN only
             // socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) is EINVAL without CAP_AUDIT_WRITE.
             if (errno_of(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 9)) != EINVAL) return 5;
             long fd = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
             if (fd < 0) return 6;
             syscall(SYS_close, fd);
             if (syscall(SYS_personality, 0xffffffffUL) < 0) return 7;
             if (errno_of(syscall(SYS_personality, 4UL)) != ENOSYS) return 8;
             // x32 is listed: allowed, then ENOSYS from a kernel without x32.
             if (syscall(0x40000000 | SYS_getpid) < 0 && errno != ENOSYS) return 9;
             return 0;
           })),
           0);
}
