// A classic-BPF program written forwards with labels, as seccomp filters are.
// Conditional jumps reach at most 255 instructions ahead; a caller keeps them
// short (a rule's own block) and crosses longer distances with always(), whose
// offset is 32 bits. finish() resolves the labels and says when a conditional
// jump was placed too far, rather than truncating it into a wrong target.
#pragma once
#include <linux/filter.h>

#include <cstdint>
#include <vector>

namespace hutch {

class BpfProgram {
 public:
  using Label = int;
  static constexpr Label kNext = -1;  // the instruction after this one

  Label label();
  void bind(Label label);  // the next instruction emitted is label's target

  void load_word(uint32_t offset);  // A = 32-bit word at offset in seccomp_data
  void and_k(uint32_t mask);        // A &= mask
  void ret(uint32_t value);
  // op is BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET, comparing A with k.
  void jump(uint16_t op, uint32_t k, Label if_true, Label if_false);
  void always(Label target);

  size_t size() const { return code_.size(); }
  std::vector<sock_filter> finish() const;

 private:
  struct Pending {
    size_t at;
    Label if_true, if_false;  // for always(), if_true is the target
  };
  std::vector<sock_filter> code_;
  std::vector<Pending> pending_;
  std::vector<long> targets_;  // per label: instruction index, -1 until bound
};

}  // namespace hutch
