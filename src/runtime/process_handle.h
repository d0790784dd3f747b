// A process named by pid plus start time, held by a pidfd where the kernel has
// them: a pid the kernel has since given to another process is never signalled.
#pragma once
#include <sys/types.h>

#include "base/fd.h"
#include "base/process.h"

namespace hutch {

class ProcessHandle {
 public:
  ProcessHandle() = default;
  // Empty (alive() false) when pid is gone, a zombie, or another process now.
  static ProcessHandle open(pid_t pid, unsigned long long start_time);

  bool alive() const;
  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  // Throws naming the signal when it cannot be sent; a process that died
  // meanwhile is not an error (the caller wanted it gone or told).
  void signal(int sig) const;
  // Waits until it has exited (it need not be our child), up to timeout_ms (-1:
  // forever); returns whether it is gone.
  bool wait_gone(int timeout_ms) const;

 private:
  pid_t pid_ = 0;
  unsigned long long start_time_ = 0;
  Fd pidfd_;
};


}  // namespace hutch
