#include "base/signal_names.h"

#include <signal.h>

#include <cstdlib>
#include <map>

#include "base/error.h"
#include "base/printable.h"

namespace hutch {

int parse_signal(const std::string& text) {
  if (text.empty()) return SIGTERM;
  char* end;
  long n = strtol(text.c_str(), &end, 10);
  if (*end == 0 && n > 0 && n < NSIG) return (int)n;
  std::string name = text.compare(0, 3, "SIG") == 0 ? text.substr(3) : text;
  static const std::map<std::string, int> kSignals = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
      {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL},   {"USR1", SIGUSR1},
      {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},   {"TERM", SIGTERM},
      {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
      {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
      {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},   {"PWR", SIGPWR},     {"SYS", SIGSYS},
  };
  auto it = kSignals.find(name);
  if (it == kSignals.end()) fail("unknown signal %s", printable(text).c_str());
  return it->second;
}

int parse_docker_signal(const std::string& text) {
  try {
    return parse_signal(text);
  } catch (const Error&) {
    fail("Invalid signal: %s", printable(text).c_str());
  }
}

}  // namespace hutch
