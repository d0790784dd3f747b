#include "base/human.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hutch {

std::string human_size(int64_t bytes, int precision) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double size = (double)bytes;
  int unit = 0;
  while (size >= 1000 && unit < 6) {
    size /= 1000;
    unit++;
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%.*g%s", precision, size, kUnits[unit]);
  return buf;
}

std::string binary_size(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 8) {
    bytes /= 1024;
    unit++;
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%.4g%s", bytes, kUnits[unit]);
  return buf;
}

std::string human_duration(int64_t seconds) {
  char buf[64];
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return snprintf(buf, sizeof buf, "%lld seconds", (long long)seconds), buf;
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return snprintf(buf, sizeof buf, "%lld minutes", (long long)minutes), buf;
  int64_t hours = (int64_t)std::llround(seconds / 3600.0);
  if (hours == 1) return "About an hour";
  if (hours < 48) return snprintf(buf, sizeof buf, "%lld hours", (long long)hours), buf;
  if (hours < 24 * 7 * 2) return snprintf(buf, sizeof buf, "%lld days", (long long)hours / 24), buf;
  if (hours < 24 * 30 * 2)
    return snprintf(buf, sizeof buf, "%lld weeks", (long long)hours / 24 / 7), buf;
  if (hours < 24 * 365 * 2)
    return snprintf(buf, sizeof buf, "%lld months", (long long)hours / 24 / 30), buf;
  return snprintf(buf, sizeof buf, "%lld years", (long long)(seconds / 3600) / 24 / 365), buf;
}

std::string rfc3339(time_t seconds, long nanos) {
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%09ldZ", nanos);
  return buf;
}

std::string rfc3339_now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return rfc3339(ts.tv_sec, ts.tv_nsec);
}

namespace {

// Go's ".999999999" layout: the fraction without its trailing zeros, nothing
// when it is zero.
std::string go_fraction(long nanos) {
  if (nanos == 0) return "";
  char buf[16];
  snprintf(buf, sizeof buf, ".%09ld", nanos);
  std::string out = buf;
  while (out.back() == '0') out.pop_back();
  return out;
}

struct tm local_tm(int64_t unix_nanos) {
  time_t seconds = (time_t)(unix_nanos / 1000000000);
  struct tm tm;
  localtime_r(&seconds, &tm);
  return tm;
}

}  // namespace

std::string rfc3339_nano_local(int64_t unix_nanos) {
  struct tm tm = local_tm(unix_nanos);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf + go_fraction((long)(unix_nanos % 1000000000));
  long offset = tm.tm_gmtoff / 60;
  if (offset == 0) return out + "Z";
  snprintf(buf, sizeof buf, "%c%02ld:%02ld", offset < 0 ? '-' : '+', labs(offset) / 60, labs(offset) % 60);
  return out + buf;
}

std::string go_time_string_nanos(int64_t unix_nanos) {
  struct tm tm = local_tm(unix_nanos);
  char date[64], zone[64];
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  strftime(zone, sizeof zone, " %z %Z", &tm);
  return date + go_fraction((long)(unix_nanos % 1000000000)) + zone;
}

namespace {

// The seconds and the fraction's nanoseconds; false when it cannot.
bool parse_rfc3339_parts(const std::string& s, time_t* seconds, int64_t* nanos) {
  struct tm tm = {};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return false;
  time_t t = timegm(&tm);
  int64_t frac = 0;
  if (*rest == '.') {
    int64_t scale = 100000000;
    for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10) frac += (*rest - '0') * scale;
  }
  while (*rest == '.' || (*rest >= '0' && *rest <= '9')) rest++;
  if (*rest == '+' || *rest == '-') {
    int sign = *rest == '+' ? 1 : -1;
    int hh = 0, mm = 0;
    sscanf(rest + 1, "%d:%d", &hh, &mm);
    t -= sign * (hh * 3600 + mm * 60);
  }
  *seconds = t;
  *nanos = frac;
  return true;
}

}  // namespace

time_t parse_rfc3339(const std::string& s) {
  time_t seconds;
  int64_t nanos;
  return parse_rfc3339_parts(s, &seconds, &nanos) ? seconds : 0;
}

int64_t parse_rfc3339_nanos(const std::string& s) {
  time_t seconds;
  int64_t nanos;
  return parse_rfc3339_parts(s, &seconds, &nanos) ? (int64_t)seconds * 1000000000 + nanos : 0;
}

int64_t unix_nanos_now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

}  // namespace hutch
