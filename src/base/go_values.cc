#include "base/go_values.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/error.h"
#include "base/printable.h"

namespace hutch {

namespace {

[[noreturn]] void syntax_error(const char* function, const std::string& text) {
  throw Error(std::string("strconv.") + function + ": parsing " + quoted(text) + ": invalid syntax");
}

[[noreturn]] void range_error(const char* function, const std::string& text) {
  throw Error(std::string("strconv.") + function + ": parsing " + quoted(text) + ": value out of range");
}

char lower(char c) { return (char)(c | 0x20); }

// Go's underscoreOK: '_' only between digits, or between a base prefix and a digit.
bool underscores_ok(std::string s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); i++) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// ParseUint(text, 0, bits) without its error's function name: the caller's.
uint64_t parse_unsigned(const char* function, const std::string& original, std::string s, int bits) {
  if (s.empty()) syntax_error(function, original);
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && lower(s[1]) == 'b') base = 2, s.erase(0, 2);
    else if (s.size() >= 3 && lower(s[1]) == 'o') base = 8, s.erase(0, 2);
    else if (s.size() >= 3 && lower(s[1]) == 'x') base = 16, s.erase(0, 2);
    else base = 8, s.erase(0, 1);
  }
  uint64_t max = bits >= 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  uint64_t cutoff = UINT64_MAX / base + 1;
  uint64_t n = 0;
  bool underscores = false;
  for (char c : s) {
    int d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (lower(c) >= 'a' && lower(c) <= 'z') {
      d = lower(c) - 'a' + 10;
    } else {
      syntax_error(function, original);
    }
    if (d >= base) syntax_error(function, original);
    if (n >= cutoff) range_error(function, original);
    n *= base;
    uint64_t next = n + d;
    if (next < n || next > max) range_error(function, original);
    n = next;
  }
  if (underscores && !underscores_ok(original)) syntax_error(function, original);
  return n;
}

// strconv.ParseFloat for the decimal forms go-units meets: [+-]digits[.digits][e[+-]digits].
double parse_go_float(const std::string& text) {
  size_t i = 0, n = text.size();
  if (i < n && (text[i] == '+' || text[i] == '-')) i++;
  size_t digits = 0;
  while (i < n && isdigit((unsigned char)text[i])) i++, digits++;
  if (i < n && text[i] == '.') {
    i++;
    while (i < n && isdigit((unsigned char)text[i])) i++, digits++;
  }
  if (digits && i < n && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (text[j] == '+' || text[j] == '-')) j++;
    size_t exp_digits = 0;
    while (j < n && isdigit((unsigned char)text[j])) j++, exp_digits++;
    if (exp_digits) i = j;
  }
  if (!digits || i != n) syntax_error("ParseFloat", text);
  double value = strtod(text.c_str(), nullptr);
  if (std::isinf(value)) range_error("ParseFloat", text);
  return value;
}

}  // namespace

bool parse_go_bool(const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False") return false;
  syntax_error("ParseBool", v);
}

int64_t parse_go_int(const std::string& text, int bits) {
  if (text.empty()) syntax_error("ParseInt", text);
  bool negative = text[0] == '-';
  std::string digits = text[0] == '-' || text[0] == '+' ? text.substr(1) : text;
  uint64_t magnitude = parse_unsigned("ParseInt", text, digits, 64);
  uint64_t cutoff = uint64_t(1) << (bits - 1);
  if (!negative && magnitude >= cutoff) range_error("ParseInt", text);
  if (negative && magnitude > cutoff) range_error("ParseInt", text);
  return negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
}

uint64_t parse_go_uint(const std::string& text, int bits) { return parse_unsigned("ParseUint", text, text, bits); }

int64_t parse_ram_in_bytes(const std::string& text) {
  const std::string invalid_size = "invalid size: '" + text + "'";
  size_t sep = text.find_last_of("01234567890. ");
  if (sep == std::string::npos) throw Error(invalid_size);
  std::string number = text.substr(0, text[sep] == ' ' ? sep : sep + 1);
  std::string suffix = text.substr(sep + 1);
  double size = parse_go_float(number);
  if (size < 0) throw Error(invalid_size);
  if (suffix.empty()) return (int64_t)size;
  for (char& c : suffix) c = (char)tolower((unsigned char)c);
  const std::string bad_suffix = "invalid suffix: '" + suffix + "'";
  if (suffix.size() > 3) throw Error(bad_suffix);
  if (suffix[0] == 'b') {
    if (suffix.size() > 1) throw Error(bad_suffix);
    return (int64_t)size;
  }
  static const std::string kUnits = "kmgtp";
  size_t unit = kUnits.find(suffix[0]);
  if (unit == std::string::npos) throw Error(bad_suffix);
  if ((suffix.size() == 2 && suffix[1] != 'b') || (suffix.size() == 3 && suffix.substr(1) != "ib"))
    throw Error(bad_suffix);
  size *= std::pow(1024.0, (double)(unit + 1));
  // Go's int64(float64) of a value past the range is unspecified; docker's
  // behaviour there is no contract, so refuse it.
  if (size >= 9223372036854775808.0) throw Error(invalid_size);
  return (int64_t)size;
}

std::string format_bytes_size(int64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  double size = (double)bytes;
  size_t i = 0;
  while (size >= 1024 && i + 1 < sizeof kUnits / sizeof *kUnits) size /= 1024, i++;
  char buf[64];
  snprintf(buf, sizeof buf, "%.4g%s", size, kUnits[i]);
  return buf;
}

std::chrono::nanoseconds parse_go_duration(const std::string& original) {
  const Error invalid("time: invalid duration " + quoted(original));
  constexpr uint64_t kLimit = uint64_t(1) << 63;
  std::string s = original;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) throw invalid;
  uint64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!(s[i] == '.' || isdigit((unsigned char)s[i]))) throw invalid;
    uint64_t whole = 0;
    size_t start = i;
    for (; i < s.size() && isdigit((unsigned char)s[i]); i++) {
      if (whole > kLimit / 10) throw invalid;
      whole = whole * 10 + (s[i] - '0');
      if (whole > kLimit) throw invalid;
    }
    bool before_point = i != start;
    uint64_t fraction = 0;
    double scale = 1;
    bool after_point = false;
    if (i < s.size() && s[i] == '.') {
      i++;
      size_t fraction_start = i;
      bool overflow = false;
      for (; i < s.size() && isdigit((unsigned char)s[i]); i++) {
        if (overflow) continue;
        if (fraction > (kLimit - 1) / 10) {
          overflow = true;
          continue;
        }
        fraction = fraction * 10 + (s[i] - '0');
        scale *= 10;
      }
      after_point = i != fraction_start;
    }
    if (!before_point && !after_point) throw invalid;
    size_t unit_start = i;
    while (i < s.size() && s[i] != '.' && !isdigit((unsigned char)s[i])) i++;
    if (i == unit_start) throw Error("time: missing unit in duration " + quoted(original));
    std::string unit = s.substr(unit_start, i - unit_start);
    uint64_t ns;
    if (unit == "ns") ns = 1;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") ns = 1000;
    else if (unit == "ms") ns = 1000000;
    else if (unit == "s") ns = 1000000000;
    else if (unit == "m") ns = 60 * 1000000000ull;
    else if (unit == "h") ns = 3600 * 1000000000ull;
    else throw Error("time: unknown unit " + quoted(unit) + " in duration " + quoted(original));
    if (whole > kLimit / ns) throw invalid;
    whole *= ns;
    if (fraction > 0) {
      whole += (uint64_t)((double)fraction * ((double)ns / scale));
      if (whole > kLimit) throw invalid;
    }
    total += whole;
    if (total > kLimit) throw invalid;
  }
  if (negative) return std::chrono::nanoseconds((int64_t)(0 - total));
  if (total > kLimit - 1) throw invalid;
  return std::chrono::nanoseconds((int64_t)total);
}

namespace {

// Go's fmtFrac: v / 10^precision's fraction, trailing zeros dropped, no point when it is zero.
std::string fraction_text(uint64_t& v, int precision) {
  std::string out;
  bool print = false;
  for (int i = 0; i < precision; i++) {
    int digit = (int)(v % 10);
    print = print || digit != 0;
    if (print) out.insert(out.begin(), (char)('0' + digit));
    v /= 10;
  }
  if (print) out.insert(out.begin(), '.');
  return out;
}

}  // namespace

std::string format_go_duration(std::chrono::nanoseconds d) {
  int64_t count = d.count();
  bool negative = count < 0;
  uint64_t u = negative ? 0 - (uint64_t)count : (uint64_t)count;
  std::string out;
  if (u < 1000000000) {
    if (u == 0) return "0s";
    const char* unit;
    int precision;
    if (u < 1000) unit = "ns", precision = 0;
    else if (u < 1000000) unit = "\u00b5s", precision = 3;
    else unit = "ms", precision = 6;
    std::string fraction = fraction_text(u, precision);
    out = std::to_string(u) + fraction + unit;
  } else {
    std::string fraction = fraction_text(u, 9);
    out = std::to_string(u % 60) + fraction + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace hutch
