#include "base/error.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hutch {

static std::string vformat(const char* fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out(n > 0 ? n : 0, '\0');
  if (n > 0) vsnprintf(out.data(), n + 1, fmt, ap);
  return out;
}

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  throw Error(s);
}

void fail_status(int status, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  throw Error(s, status);
}

void fail_usage(int status, const std::string& hint, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  throw Error(s, status, hint);
}

void fail_errno(const char* fmt, ...) {
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  throw Error(s + ": " + strerror(saved));
}

std::string error_report(const Error& e) { return std::to_string(e.status()) + " " + e.what(); }

Error error_from_report(const std::string& line) {
  char* rest;
  long status = strtol(line.c_str(), &rest, 10);
  if (*rest == ' ') rest++;
  return Error(rest, status >= 1 && status <= 255 ? (int)status : kExitRunner);
}

}  // namespace hutch
