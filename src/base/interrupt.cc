#include "base/interrupt.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

namespace hutch {

Interrupted::Interrupted(int signal)
    : Error(format("interrupted by %s", strsignal(signal)), 128 + signal), signal_(signal) {}

void die_by_signal(int signal) {
  ::signal(signal, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  raise(signal);
  _exit(128 + signal);  // only if the signal's default is not to end the process
}

}  // namespace hutch
