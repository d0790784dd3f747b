#include "base/log.h"

#include <time.h>

#include <cstdarg>
#include <cstdio>
#include <string>

namespace hutch {

static LogLevel g_level = LogLevel::kWarn;

void set_log_level(LogLevel level) { g_level = level; }
bool log_enabled(LogLevel level) { return level >= g_level; }

static void vlog(const char* tag, const char* fmt, va_list ap) {
  // One write(2) per line keeps lines whole when several processes share stderr.
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "hutch: %s", tag);
  n += vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  fwrite(buf, 1, n, stderr);
  fflush(stderr);
}

void log_debug(const char* fmt, ...) {
  if (!log_enabled(LogLevel::kDebug)) return;
  va_list ap;
  va_start(ap, fmt);
  vlog("debug: ", fmt, ap);
  va_end(ap);
}

void log_phase(const char* phase) {
  if (!log_enabled(LogLevel::kDebug)) return;
  static struct timespec start = [] {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
  }();
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double ms = (now.tv_sec - start.tv_sec) * 1e3 + (now.tv_nsec - start.tv_nsec) / 1e6;
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
