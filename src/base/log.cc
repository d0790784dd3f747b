#include "base/log.h"

#include <time.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/printable.h"

namespace hutch {

static LogLevel g_level = LogLevel::kWarn;

void set_log_level(LogLevel level) { g_level = level; }
bool log_enabled(LogLevel level) { return level >= g_level; }

// One write per line keeps lines whole when several processes share stderr.
static void write_line(std::string_view tag, std::string_view message, std::string_view hint = {}) {
  std::string line = "hutch: ";
  line += tag;
  line += printable(message);
  line += '\n';
  if (!hint.empty()) {
    line += hint;
    line += '\n';
  }
  fwrite(line.data(), 1, line.size(), stderr);
  fflush(stderr);
}

static void vlog(const char* tag, const char* fmt, va_list ap) {
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  write_line(tag, std::string_view(buf, n < 0 ? 0 : std::min<size_t>(n, sizeof buf - 1)));
}

void print_error(std::string_view message, std::string_view hint) { write_line("", message, hint); }

void log_debug(const char* fmt, ...) {
  if (!log_enabled(LogLevel::kDebug)) return;
  va_list ap;
  va_start(ap, fmt);
  vlog("debug: ", fmt, ap);
  va_end(ap);
}

void log_phase(const char* phase) {
  if (!log_enabled(LogLevel::kDebug)) return;
  auto now_ns = [] {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
  };
  // One origin for a command and the processes it execs (its monitor), so
  // their phases read as one timeline.
  static long long start = [&] {
    if (const char* origin = getenv("HUTCH_PHASE_ORIGIN")) return atoll(origin);
    long long t = now_ns();
    setenv("HUTCH_PHASE_ORIGIN", std::to_string(t).c_str(), 1);
    return t;
  }();
  double ms = (now_ns() - start) / 1e6;
  log_debug("%.2f ms: %s", ms, phase);
}

void log_warn(const char* fmt, ...) {
  if (!log_enabled(LogLevel::kWarn)) return;
  va_list ap;
  va_start(ap, fmt);
  vlog("warning: ", fmt, ap);
  va_end(ap);
}

}  // namespace hutch
