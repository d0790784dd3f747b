// One error channel: every failure is an Error carrying a one-line message and the
// docker exit status the CLI edge should return (125 for hutch's own failures).
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

namespace hutch {

enum ExitStatus : int {
  kExitRunner = 125,      // hutch itself failed
  kExitCannotInvoke = 126,
  kExitNotFound = 127,
};

class Error : public std::runtime_error {
 public:
  // hint: hutch's own lines shown after the message ("See 'hutch run --help'."),
  // never text from input, so they are the only newlines an error may print.
  explicit Error(const std::string& message, int status = kExitRunner, std::string hint = "")
      : std::runtime_error(message), status_(status), hint_(std::move(hint)) {}
  int status() const { return status_; }
  const std::string& hint() const { return hint_; }

 private:
  int status_;
  std::string hint_;
};

// printf-style formatting into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Like fail(), appending ": strerror(errno)".
[[noreturn]] void fail_errno(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void fail_status(int status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// A usage error: the message, then the hint lines (see Error::hint).
[[noreturn]] void fail_usage(int status, const std::string& hint, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// An error as one line for the process that waits on a child: "STATUS
// MESSAGE" over a pipe or socket, and the Error it stands for again (a status
// outside 1..255 reads as 125).
std::string error_report(const Error& e);
Error error_from_report(const std::string& line);

// Adds context in front of an error as it travels up: "load image: <inner>".
template <typename F>
auto with_context(const std::string& context, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    throw Error(context + ": " + e.what(), e.status(), e.hint());
  }
}

}  // namespace hutch
