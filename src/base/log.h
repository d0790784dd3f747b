// Diagnostics on stderr, prefixed "hutch: ". The level comes from --log-level.
#pragma once

namespace hutch {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_debug(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Debug line with the milliseconds since the first phase was logged: where start-up time goes.
void log_phase(const char* phase);

}  // namespace hutch
