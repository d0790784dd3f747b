#include "runtime/seccomp.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

#include "base/error.h"
#include "base/json_reader.h"
#include "base/printable.h"
#include "runtime/bpf_program.h"
#include "runtime/syscall_table.h"

namespace hutch {

namespace {

// libseccomp's default for an arch the filter does not list (SCMP_ACT_KILL).
constexpr uint32_t kBadArchAction = SECCOMP_RET_KILL_THREAD;
constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;

// ---- The plan: linux.seccomp checked and reduced to what the filter needs.

enum class Op { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

struct Condition {
  unsigned index;
  Op op;
  uint64_t value;
  uint64_t value_two;
};

struct Rule {
  std::vector<std::string> names;
  uint32_t action;
  std::vector<Condition> conditions;  // all must hold
};

struct Plan {
  uint32_t default_action = 0;
  bool i386 = false;
  bool x32 = false;
  unsigned flags = 0;
  std::vector<Rule> rules;
  // Every name, also of rules dropped for matching the default: runc's
  // ENOSYS boundary is the highest syscall the profile mentions at all.
  std::vector<std::string> all_names;
};

// A member, or nullptr when absent or null (Go writes an empty list as null).
const JsonValue* member(const JsonValue& object, const char* key) {
  const JsonValue* v = object.get(key);
  return v && v->kind() != JsonValue::kNull ? v : nullptr;
}

// The spec types these uint/uint64; the text is read as written, since a
// double cannot hold every uint64 (a MASKED_EQ mask of 0xffffffffffffffff).
uint64_t read_uint(const JsonValue& v, const std::string& field, uint64_t max) {
  if (v.kind() != JsonValue::kNumber) fail("%s: not a number", field.c_str());
  std::string raw = v.to_json();
  if (raw.empty() || raw.find_first_not_of("0123456789") != std::string::npos)
    fail("%s: %s is not an unsigned integer", field.c_str(), raw.c_str());
  errno = 0;
  unsigned long long n = strtoull(raw.c_str(), nullptr, 10);
  if (errno == ERANGE || n > max) fail("%s: %s is out of range", field.c_str(), raw.c_str());
  return n;
}

std::string read_string(const JsonValue& object, const char* key, const std::string& field) {
  const JsonValue* v = member(object, key);
  if (!v) fail("%s.%s is required", field.c_str(), key);
  if (!v->is_string()) fail("%s.%s: not a string", field.c_str(), key);
  return v->as_string();
}

std::vector<std::string> read_strings(const JsonValue& object, const char* key, const std::string& field) {
  std::vector<std::string> out;
  const JsonValue* v = member(object, key);
  if (!v) return out;
  if (!v->is_array()) fail("%s.%s: not an array", field.c_str(), key);
  for (const JsonValue& item : v->items()) {
    if (!item.is_string()) fail("%s.%s: not a list of strings", field.c_str(), key);
    out.push_back(item.as_string());
  }
  return out;
}

// The action named by object[action_key], with object[errno_key] as its data.
uint32_t read_action(const JsonValue& object, const char* action_key, const char* errno_key,
                     const std::string& field) {
  std::string name = read_string(object, action_key, field);
  uint32_t base;
  bool takes_data = false;
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") base = SECCOMP_RET_KILL_THREAD;
  else if (name == "SCMP_ACT_KILL_PROCESS") base = SECCOMP_RET_KILL_PROCESS;
  else if (name == "SCMP_ACT_TRAP") base = SECCOMP_RET_TRAP;
  else if (name == "SCMP_ACT_ERRNO") base = SECCOMP_RET_ERRNO, takes_data = true;
  else if (name == "SCMP_ACT_TRACE") base = SECCOMP_RET_TRACE, takes_data = true;
  else if (name == "SCMP_ACT_ALLOW") base = SECCOMP_RET_ALLOW;
  else if (name == "SCMP_ACT_LOG") base = SECCOMP_RET_LOG;
  else if (name == "SCMP_ACT_NOTIFY")
    fail("%s.%s: SCMP_ACT_NOTIFY is not supported (no seccomp agent)", field.c_str(), action_key);
  else fail("%s.%s: unknown action %s", field.c_str(), action_key, quoted(name).c_str());

  const JsonValue* data = member(object, errno_key);
  if (data && !takes_data)  // the spec: such a config MUST fail
    fail("%s.%s: %s takes no errno", field.c_str(), errno_key, name.c_str());
  if (!takes_data) return base;
  // EPERM when absent, as runc does for both ERRNO and TRACE.
  uint64_t value = data ? read_uint(*data, field + "." + errno_key, SECCOMP_RET_DATA) : EPERM;
  return base | (uint32_t)value;
}

Op read_op(const std::string& name, const std::string& field) {
  if (name == "SCMP_CMP_NE") return Op::kNe;
  if (name == "SCMP_CMP_LT") return Op::kLt;
  if (name == "SCMP_CMP_LE") return Op::kLe;
  if (name == "SCMP_CMP_EQ") return Op::kEq;
  if (name == "SCMP_CMP_GE") return Op::kGe;
  if (name == "SCMP_CMP_GT") return Op::kGt;
  if (name == "SCMP_CMP_MASKED_EQ") return Op::kMaskedEq;
  fail("%s.op: unknown operator %s", field.c_str(), quoted(name).c_str());
}

void read_architectures(const JsonValue& seccomp, Plan* plan) {
  // Arches whose syscalls never reach an x86_64 kernel's filter: accepted so
  // that multi-arch profiles load, and without effect.
  static const std::set<std::string> kForeign = {
      "SCMP_ARCH_ARM",       "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
      "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
      "SCMP_ARCH_PPC",       "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",
      "SCMP_ARCH_S390X",     "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
      "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",  "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB"};
  for (const std::string& arch : read_strings(seccomp, "architectures", "linux.seccomp")) {
    if (arch == "SCMP_ARCH_X86_64" || arch == "SCMP_ARCH_NATIVE") continue;  // always in
    if (arch == "SCMP_ARCH_X86") plan->i386 = true;
    else if (arch == "SCMP_ARCH_X32") plan->x32 = true;
    else if (!kForeign.count(arch))
      fail("linux.seccomp.architectures: unknown architecture %s", quoted(arch).c_str());
  }
}

void read_flags(const JsonValue& seccomp, Plan* plan) {
  for (const std::string& flag : read_strings(seccomp, "flags", "linux.seccomp")) {
    if (flag == "SECCOMP_FILTER_FLAG_TSYNC") plan->flags |= SECCOMP_FILTER_FLAG_TSYNC;
    else if (flag == "SECCOMP_FILTER_FLAG_LOG") plan->flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") plan->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
      fail("linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported (it needs SCMP_ACT_NOTIFY)");
    else fail("linux.seccomp.flags: unknown flag %s", quoted(flag).c_str());
  }
}

std::vector<Condition> read_conditions(const JsonValue& syscall, const std::string& field) {
  std::vector<Condition> out;
  const JsonValue* args = member(syscall, "args");
  if (!args) return out;
  if (!args->is_array()) fail("%s.args: not an array", field.c_str());
  for (size_t i = 0; i < args->items().size(); i++) {
    const JsonValue& arg = args->items()[i];
    std::string at = field + format(".args[%zu]", i);
    if (!arg.is_object()) fail("%s: not an object", at.c_str());
    const JsonValue* index = member(arg, "index");
    const JsonValue* value = member(arg, "value");
    if (!index) fail("%s.index is required", at.c_str());
    if (!value) fail("%s.value is required", at.c_str());
    Condition c;
    c.index = (unsigned)read_uint(*index, at + ".index", 5);  // six syscall arguments
    c.value = read_uint(*value, at + ".value", UINT64_MAX);
    const JsonValue* two = member(arg, "valueTwo");
    c.value_two = two ? read_uint(*two, at + ".valueTwo", UINT64_MAX) : 0;
    c.op = read_op(read_string(arg, "op", at), at);
    out.push_back(c);
  }
  return out;
}

void read_syscalls(const JsonValue& seccomp, Plan* plan) {
  const JsonValue* syscalls = member(seccomp, "syscalls");
  if (!syscalls) return;
  if (!syscalls->is_array()) fail("linux.seccomp.syscalls: not an array");
  for (size_t i = 0; i < syscalls->items().size(); i++) {
    const JsonValue& syscall = syscalls->items()[i];
    std::string field = format("linux.seccomp.syscalls[%zu]", i);
    if (!syscall.is_object()) fail("%s: not an object", field.c_str());
    Rule rule;
    rule.names = read_strings(syscall, "names", field);
    if (rule.names.empty()) fail("%s.names: needs at least one name", field.c_str());
    rule.action = read_action(syscall, "action", "errnoRet", field);
    std::vector<Condition> conditions = read_conditions(syscall, field);
    plan->all_names.insert(plan->all_names.end(), rule.names.begin(), rule.names.end());
    if (rule.action == plan->default_action) continue;  // runc drops these

    // libseccomp compares each argument once per rule; runc turns a rule
    // comparing one argument twice into one rule per comparison.
    bool repeated = false;
    std::set<unsigned> seen;
    for (const Condition& c : conditions) repeated |= !seen.insert(c.index).second;
    if (!repeated) {
      rule.conditions = std::move(conditions);
      plan->rules.push_back(std::move(rule));
      continue;
    }
    for (const Condition& c : conditions) {
      Rule single = rule;
      single.conditions = {c};
      plan->rules.push_back(std::move(single));
    }
  }
}

Plan read_plan(std::string_view json) {
  JsonValue seccomp = parse_json(json, "linux.seccomp");
  if (!seccomp.is_object()) fail("linux.seccomp: not an object");
  const JsonValue* listener = member(seccomp, "listenerPath");
  if (listener && !(listener->is_string() && listener->as_string().empty()))
    fail("linux.seccomp.listenerPath is not supported");
  Plan plan;
  plan.default_action = read_action(seccomp, "defaultAction", "defaultErrnoRet", "linux.seccomp");
  read_architectures(seccomp, &plan);
  read_flags(seccomp, &plan);
  read_syscalls(seccomp, &plan);
  return plan;
}

// ---- The filter.

using Label = BpfProgram::Label;
constexpr Label kNext = BpfProgram::kNext;

constexpr uint32_t kNrOffset = offsetof(struct seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(struct seccomp_data, arch);
// x86 is little-endian: an argument's low word comes first.
uint32_t arg_low(unsigned index) { return offsetof(struct seccomp_data, args) + 8 * index; }
uint32_t arg_high(unsigned index) { return arg_low(index) + 4; }

// Falls through when c holds, jumps to fail_to otherwise. A 64-bit
// comparison decides on the high words unless they are equal, then on the
// low words. On a 32-bit ABI (i386, x32) only the low words are compared,
// the rule's values truncated to 32 bits, as libseccomp does.
void emit_condition(BpfProgram& p, const Condition& c, bool wide, Label fail_to) {
  Label pass = p.label();
  uint32_t lo = (uint32_t)c.value, hi = (uint32_t)(c.value >> 32);
  // MASKED_EQ: libseccomp ignores valueTwo's bits outside the mask.
  uint64_t two = c.op == Op::kMaskedEq ? c.value_two & c.value : c.value_two;
  uint32_t lo2 = (uint32_t)two, hi2 = (uint32_t)(two >> 32);
  if (wide) {
    p.load_word(arg_high(c.index));
    switch (c.op) {
      case Op::kEq: p.jump(BPF_JEQ, hi, kNext, fail_to); break;
      case Op::kNe: p.jump(BPF_JEQ, hi, kNext, pass); break;
      case Op::kGt:
      case Op::kGe:
        p.jump(BPF_JGT, hi, pass, kNext);
        p.jump(BPF_JEQ, hi, kNext, fail_to);
        break;
      case Op::kLt:
      case Op::kLe:
        p.jump(BPF_JGT, hi, fail_to, kNext);
        p.jump(BPF_JEQ, hi, kNext, pass);
        break;
      case Op::kMaskedEq:
        p.and_k(hi);
        p.jump(BPF_JEQ, hi2, kNext, fail_to);
        break;
    }
  }
  // The high words are equal (or not compared): the low words decide.
  p.load_word(arg_low(c.index));
  switch (c.op) {
    case Op::kEq: p.jump(BPF_JEQ, lo, pass, fail_to); break;
    case Op::kNe: p.jump(BPF_JEQ, lo, fail_to, pass); break;
    case Op::kGt: p.jump(BPF_JGT, lo, pass, fail_to); break;
    case Op::kGe: p.jump(BPF_JGE, lo, pass, fail_to); break;
    case Op::kLt: p.jump(BPF_JGE, lo, fail_to, pass); break;  // not GE
    case Op::kLe: p.jump(BPF_JGT, lo, fail_to, pass); break;  // not GT
    case Op::kMaskedEq:
      p.and_k(lo);
      p.jump(BPF_JEQ, lo2, pass, fail_to);
      break;
  }
  p.bind(pass);
}

// Unconditional rule: a run of jeq's sharing one return, in chunks short
// enough for their 8-bit jumps.
void emit_any_of(BpfProgram& p, const std::vector<uint32_t>& numbers, uint32_t action) {
  constexpr size_t kChunk = 255;
  for (size_t start = 0; start < numbers.size(); start += kChunk) {
    size_t end = std::min(numbers.size(), start + kChunk);
    Label hit = p.label(), miss = p.label();
    for (size_t i = start; i < end; i++) p.jump(BPF_JEQ, numbers[i], hit, i + 1 == end ? miss : kNext);
    p.bind(hit);
    p.ret(action);
    p.bind(miss);
  }
}

std::optional<uint32_t> highest_named(const Plan& plan, SyscallAbi abi) {
  std::optional<uint32_t> highest;
  for (const std::string& name : plan.all_names)
    if (auto n = syscall_number(abi, name); n && (!highest || *n > *highest)) highest = n;
  return highest;
}

bool wants_enosys_boundary(const Plan& plan) {
  uint32_t kind = plan.default_action & SECCOMP_RET_ACTION_FULL;
  // An allowing default lets new syscalls through anyway (TRACE: the tracer decides).
  if (kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG || kind == SECCOMP_RET_TRACE) return false;
  return plan.default_action != kEnosys;
}

// The rules and default of one audit arch; seccomp_data.nr is loaded.
void emit_rules(BpfProgram& p, const Plan& plan, const std::vector<SyscallAbi>& abis) {
  std::set<uint32_t> decided;  // numbers an earlier unconditional rule took
  for (const Rule& rule : plan.rules) {
    for (SyscallAbi abi : abis) {
      std::vector<uint32_t> numbers;
      for (const std::string& name : rule.names)
        if (auto n = syscall_number(abi, name); n && !decided.count(*n)) numbers.push_back(*n);
      if (rule.conditions.empty()) {
        std::set<uint32_t> once;
        std::erase_if(numbers, [&](uint32_t n) { return !once.insert(n).second; });
        emit_any_of(p, numbers, rule.action);
        decided.insert(numbers.begin(), numbers.end());
        continue;
      }
      bool wide = abi == SyscallAbi::kX86_64;  // libseccomp sizes x32 as 32-bit
      for (uint32_t n : numbers) {
        Label skip = p.label(), reload = p.label();
        p.jump(BPF_JEQ, n, kNext, skip);
        for (const Condition& c : rule.conditions) emit_condition(p, c, wide, reload);
        p.ret(rule.action);
        p.bind(reload);  // the conditions loaded arguments over the number
        p.load_word(kNrOffset);
        p.bind(skip);
      }
    }
  }
  p.ret(plan.default_action);
}

void emit_x86_64(BpfProgram& p, const Plan& plan) {
  p.load_word(kNrOffset);
  bool boundary = wants_enosys_boundary(plan);
  std::optional<uint32_t> top = boundary ? highest_named(plan, SyscallAbi::kX86_64) : std::nullopt;
  std::optional<uint32_t> top_x32 = boundary && plan.x32 ? highest_named(plan, SyscallAbi::kX32) : std::nullopt;
  Label rules = p.label(), enosys = p.label();
  if (!plan.x32) {
    // Without SCMP_ARCH_X32, x32 syscalls get the bad-arch action, as from
    // libseccomp's x32 check; number -1, a tracer's skip, goes to the rules.
    Label native = p.label();
    p.jump(BPF_JGE, kX32SyscallBit, kNext, native);
    p.jump(BPF_JEQ, UINT32_MAX, rules, kNext);
    p.ret(kBadArchAction);
    p.bind(native);
    if (top) p.jump(BPF_JGT, *top, enosys, rules);
  } else if (top || top_x32) {
    Label x32 = p.label();
    p.jump(BPF_JSET, kX32SyscallBit, x32, kNext);
    if (top) p.jump(BPF_JGT, *top, enosys, rules);
    else p.always(rules);
    p.bind(x32);
    if (top_x32) p.jump(BPF_JGT, *top_x32, enosys, rules);
    else p.always(rules);
  }
  if (top || top_x32) {
    p.bind(enosys);
    p.ret(kEnosys);
  }
  p.bind(rules);
  if (plan.x32) emit_rules(p, plan, {SyscallAbi::kX86_64, SyscallAbi::kX32});
  else emit_rules(p, plan, {SyscallAbi::kX86_64});
}

void emit_i386(BpfProgram& p, const Plan& plan) {
  p.load_word(kNrOffset);
  std::optional<uint32_t> top = wants_enosys_boundary(plan) ? highest_named(plan, SyscallAbi::kI386) : std::nullopt;
  if (top) {
    Label rules = p.label();
    p.jump(BPF_JGT, *top, kNext, rules);
    p.ret(kEnosys);
    p.bind(rules);
  }
  emit_rules(p, plan, {SyscallAbi::kI386});
}

std::vector<sock_filter> generate(const Plan& plan) {
  BpfProgram p;
  Label x86_64 = p.label(), i386 = p.label();
  p.load_word(kArchOffset);
  Label not_x86_64 = p.label();
  p.jump(BPF_JEQ, AUDIT_ARCH_X86_64, kNext, not_x86_64);
  p.always(x86_64);
  p.bind(not_x86_64);
  if (plan.i386) {
    Label not_i386 = p.label();
    p.jump(BPF_JEQ, AUDIT_ARCH_I386, kNext, not_i386);
    p.always(i386);
    p.bind(not_i386);
  }
  p.ret(kBadArchAction);
  p.bind(x86_64);
  emit_x86_64(p, plan);
  if (plan.i386) {
    p.bind(i386);
    emit_i386(p, plan);
  }
  if (p.size() > BPF_MAXINSNS)
    fail("linux.seccomp: the filter needs %zu BPF instructions, over the kernel's limit of %d", p.size(),
         BPF_MAXINSNS);
  return p.finish();
}

}  // namespace

SeccompProgram compile_seccomp(std::string_view linux_seccomp_json) {
  Plan plan = read_plan(linux_seccomp_json);
  return SeccompProgram{generate(plan), plan.flags};
}

void install_seccomp(const SeccompProgram& program) {
  struct sock_fprog fprog = {(unsigned short)program.filter.size(), const_cast<sock_filter*>(program.filter.data())};
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &fprog);
  if (r == 0) return;
  // With TSYNC, a positive result names a thread that could not take the filter.
  if (r > 0) fail("install seccomp filter: thread %ld could not be synchronized", r);
  // seccomp(2) is Linux 3.17; the prctl form cannot carry flags.
  if (errno == ENOSYS && program.flags == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) == 0) return;
  if (errno == EACCES)
    fail("install seccomp filter: permission denied (it needs no_new_privs or CAP_SYS_ADMIN)");
  fail_errno("install seccomp filter");
}

}  // namespace hutch
