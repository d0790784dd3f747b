// One error channel: every failure is an Error carrying a one-line message and the
// docker exit status the CLI edge should return (125 for hutch's own failures).
#pragma once
#include <stdexcept>
#include <string>

namespace hutch {

enum ExitStatus : int {
  kExitRunner = 125,      // hutch itself failed
  kExitCannotInvoke = 126,
  kExitNotFound = 127,
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int status = kExitRunner)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// printf-style formatting into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Like fail(), appending ": strerror(errno)".
[[noreturn]] void fail_errno(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void fail_status(int status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Adds context in front of an error as it travels up: "load image: <inner>".
template <typename F>
auto with_context(const std::string& context, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    throw Error(context + ": " + e.what(), e.status());
  }
}

}  // namespace hutch
