// docker's human-readable renderings of sizes, durations and timestamps.
#pragma once
#include <cstdint>
#include <ctime>
#include <string>

namespace hutch {

// "4.86MB": decimal units, three significant digits (docker's SIZE column);
// docker's other sizes (system df, prune) use four.
std::string human_size(int64_t bytes, int precision = 3);
// "1.5MiB", "23.43GiB": binary units, four significant digits (docker's
// BytesSize, stats' MEM USAGE / LIMIT).
std::string binary_size(double bytes);
// "2 weeks", "About an hour", "Less than a second".
std::string human_duration(int64_t seconds);
// RFC 3339 with nanoseconds in UTC, as docker writes "Created".
std::string rfc3339_now();
std::string rfc3339(time_t seconds, long nanos = 0);
// Go's time.RFC3339Nano in local time (trailing zeros of the fraction
// dropped), as docker's network inspect shows "Created".
std::string rfc3339_nano_local(int64_t unix_nanos);
// Go's Time.String() in local time, "2006-01-02 15:04:05.999999999 -0700 MST",
// as docker's network ls shows .CreatedAt.
std::string go_time_string_nanos(int64_t unix_nanos);
// Parses an RFC 3339 timestamp; returns 0 when it cannot.
time_t parse_rfc3339(const std::string& s);
// The same to the nanosecond (ns since the epoch); 0 when it cannot.
int64_t parse_rfc3339_nanos(const std::string& s);
// The time now, ns since the epoch (UTC).
int64_t unix_nanos_now();

}  // namespace hutch
