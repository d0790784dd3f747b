// A command stopped by the user (INT or TERM) before its work began: thrown
// like any Error so every scoped owner cleans up on the way out, then the CLI
// edge ends the process by the same signal, as an interrupted program does
// (the shell sees 130 or 143).
#pragma once
#include "base/error.h"

namespace hutch {

class Interrupted : public Error {
 public:
  explicit Interrupted(int signal);
  int signal() const { return signal_; }

 private:
  int signal_;
};

// Restores the signal's default action, unblocks it and raises it.
[[noreturn]] void die_by_signal(int signal);

}  // namespace hutch
