#include "runtime/bpf_program.h"

#include "base/error.h"

namespace hutch {

BpfProgram::Label BpfProgram::label() {
  targets_.push_back(-1);
  return (Label)targets_.size() - 1;
}

void BpfProgram::bind(Label label) { targets_[label] = (long)code_.size(); }

void BpfProgram::load_word(uint32_t offset) { code_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }

void BpfProgram::and_k(uint32_t mask) { code_.push_back(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask)); }

void BpfProgram::ret(uint32_t value) { code_.push_back(BPF_STMT(BPF_RET | BPF_K, value)); }

void BpfProgram::jump(uint16_t op, uint32_t k, Label if_true, Label if_false) {
  pending_.push_back({code_.size(), if_true, if_false});
  code_.push_back(BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0));
}

void BpfProgram::always(Label target) {
  pending_.push_back({code_.size(), target, kNext});
  code_.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
}

std::vector<sock_filter> BpfProgram::finish() const {
  std::vector<sock_filter> out = code_;
  // Offsets count from the instruction after the jump; only forward jumps exist.
  auto offset = [&](size_t at, Label label) -> size_t {
    if (label == kNext) return 0;
    long target = targets_[label];
    if (target < 0 || (size_t)target <= at) fail("seccomp: internal error: jump to an unplaced label");
    return (size_t)target - at - 1;
  };
  for (const Pending& p : pending_) {
    sock_filter& insn = out[p.at];
    if (BPF_OP(insn.code) == BPF_JA) {
      insn.k = (uint32_t)offset(p.at, p.if_true);
      continue;
    }
    size_t jt = offset(p.at, p.if_true), jf = offset(p.at, p.if_false);
    if (jt > 255 || jf > 255) fail("seccomp: internal error: conditional jump of %zu instructions", jt > jf ? jt : jf);
    insn.jt = (uint8_t)jt;
    insn.jf = (uint8_t)jf;
  }
  return out;
}

}  // namespace hutch
