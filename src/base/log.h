// Diagnostics on stderr, prefixed "hutch: ". The level comes from --log-level.
// Every line goes through printable(): messages repeat input (tags, paths,
// templates), and its control characters must not reach the terminal raw.
#pragma once
#include <string_view>

namespace hutch {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_debug(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Debug line with the milliseconds since the first phase was logged: where start-up time goes.
void log_phase(const char* phase);
// "hutch: MESSAGE" (escaped), then hutch's own hint lines as they are (Error::hint).
void print_error(std::string_view message, std::string_view hint = {});

}  // namespace hutch
