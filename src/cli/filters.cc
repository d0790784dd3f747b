#include "cli/filters.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "base/error.h"
#include "base/human.h"

namespace hutch {

namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// time.ParseDuration: "1h30m", "1.5h", "300ms", "-2m".
std::optional<double> parse_duration(const std::string& s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  double sign = 1;
  if (s[i] == '-' || s[i] == '+') sign = s[i++] == '-' ? -1 : 1;
  if (s.substr(i) == "0") return 0.0;
  if (i >= s.size()) return std::nullopt;
  double total = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (isdigit((unsigned char)s[i]) || s[i] == '.')) i++;
    if (i == start) return std::nullopt;
    double n = atof(s.substr(start, i - start).c_str());
    size_t unit_start = i;
    while (i < s.size() && !isdigit((unsigned char)s[i]) && s[i] != '.') i++;
    std::string unit = s.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "ns") scale = 1e-9;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") scale = 1e-6;
    else if (unit == "ms") scale = 1e-3;
    else if (unit == "s") scale = 1;
    else if (unit == "m") scale = 60;
    else if (unit == "h") scale = 3600;
    else return std::nullopt;
    total += n * scale;
  }
  return sign * total;
}

[[noreturn]] void bad_pattern() { fail("syntax error in pattern"); }

// One character of a class, maybe escaped.
char class_char(const std::string& chunk, size_t& i) {
  if (i >= chunk.size() || chunk[i] == '-' || chunk[i] == ']') bad_pattern();
  if (chunk[i] == '\\' && ++i >= chunk.size()) bad_pattern();
  char c = chunk[i++];
  if (i >= chunk.size()) bad_pattern();
  return c;
}

// Matches a chunk (no '*') at the start of s; returns the rest of s.
std::optional<std::string> match_chunk(const std::string& chunk, std::string s) {
  bool failed = false;
  size_t i = 0;
  while (i < chunk.size()) {
    if (!failed && s.empty()) failed = true;
    char c = chunk[i];
    if (c == '[') {
      char r = 0;
      if (!failed) r = s[0], s.erase(0, 1);
      i++;
      bool negated = i < chunk.size() && chunk[i] == '^';
      if (negated) i++;
      bool match = false;
      for (int n = 0;; n++) {
        if (i < chunk.size() && chunk[i] == ']' && n > 0) {
          i++;
          break;
        }
        char lo = class_char(chunk, i), hi = lo;
        if (chunk[i] == '-') hi = class_char(chunk, ++i);
        if (lo <= r && r <= hi) match = true;
      }
      if (match == negated) failed = true;
    } else if (c == '?') {
      if (!failed) {
        if (s[0] == '/') failed = true;
        s.erase(0, 1);
      }
      i++;
    } else {
      if (c == '\\' && ++i >= chunk.size()) bad_pattern();
      if (!failed) {
        if (chunk[i] != s[0]) failed = true;
        s.erase(0, 1);
      }
      i++;
    }
  }
  if (failed) return std::nullopt;
  return s;
}

// Splits off the leading stars and the chunk up to the next star outside a class.
void scan_chunk(std::string& pattern, bool& star, std::string& chunk) {
  star = false;
  while (!pattern.empty() && pattern[0] == '*') pattern.erase(0, 1), star = true;
  bool in_class = false;
  size_t i = 0;
  for (; i < pattern.size(); i++) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) i++;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (c == '*' && !in_class) {
      break;
    }
  }
  chunk = pattern.substr(0, i);
  pattern.erase(0, i);
}

}  // namespace

bool path_match(const std::string& pattern_in, const std::string& name_in) {
  std::string pattern = pattern_in, name = name_in;
  while (!pattern.empty()) {
    bool star;
    std::string chunk;
    scan_chunk(pattern, star, chunk);
    if (star && chunk.empty()) return name.find('/') == std::string::npos;
    auto rest = match_chunk(chunk, name);
    if (rest && (rest->empty() || !pattern.empty())) {
      name = *rest;
      continue;
    }
    bool advanced = false;
    if (star) {
      for (size_t i = 0; i < name.size() && name[i] != '/'; i++) {
        auto t = match_chunk(chunk, name.substr(i + 1));
        if (t) {
          if (pattern.empty() && !t->empty()) continue;
          name = *t;
          advanced = true;
          break;
        }
      }
    }
    if (advanced) continue;
    // A mismatch still reports a malformed remainder of the pattern.
    while (!pattern.empty()) {
      scan_chunk(pattern, star, chunk);
      match_chunk(chunk, "");
    }
    return false;
  }
  return name.empty();
}

Filters::Filters(const std::vector<std::string>& values, const std::string& flag, const std::string& command) {
  for (const auto& value : values) {
    if (value.empty()) continue;
    size_t eq = value.find('=');
    if (eq == std::string::npos)
      fail_usage(kExitRunner, "See 'hutch " + command + " --help'.",
                 "invalid argument \"%s\" for \"%s\" flag: bad format of filter (expected name=value)", value.c_str(),
                 flag.c_str());
    std::string name = trim(value.substr(0, eq));
    for (char& c : name) c = (char)tolower((unsigned char)c);
    fields_[name].insert(trim(value.substr(eq + 1)));
  }
}

void Filters::validate(const std::set<std::string>& accepted, bool capitalized) const {
  for (const auto& [name, values] : fields_)
    if (!accepted.count(name)) fail("%s filter '%s'", capitalized ? "Invalid" : "invalid", name.c_str());
}

std::vector<std::string> Filters::get(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

std::optional<bool> Filters::get_bool(const std::string& key) const {
  auto it = fields_.find(key);
  if (it == fields_.end()) return std::nullopt;
  const auto& v = it->second;
  bool is_false = v.count("0") || v.count("false");
  bool is_true = v.count("1") || v.count("true");
  if (is_false == is_true) {
    std::string list;
    for (const auto& x : v) list += (list.empty() ? "" : " ") + x;
    fail("invalid filter '%s=[%s]'", key.c_str(), list.c_str());
  }
  return is_true;
}

bool Filters::match_labels(const std::string& key, const std::map<std::string, std::string>& labels) const {
  auto it = fields_.find(key);
  if (it == fields_.end() || it->second.empty()) return true;
  if (labels.empty()) return false;
  for (const auto& want : it->second) {
    size_t eq = want.find('=');
    auto found = labels.find(want.substr(0, eq));
    if (found == labels.end()) return false;
    if (eq != std::string::npos && found->second != want.substr(eq + 1)) return false;
  }
  return true;
}

time_t parse_until(const std::string& value, time_t now) {
  auto bad = [&]() -> time_t {
    fail("invalid value for 'until' filter: failed to parse value as time or duration: \"%s\"", value.c_str());
  };
  if (value != "0")
    if (auto d = parse_duration(value)) return now - (time_t)std::llround(*d);
  bool has_zone = value.find_first_of("zZ+") != std::string::npos ||
                  std::count(value.begin(), value.end(), '-') == 3;
  if (value.find('-') != std::string::npos) {
    struct tm tm = {};
    const char* rest = strptime(value.c_str(), "%Y-%m-%d", &tm);
    if (!rest) bad();
    if (*rest == 'T') {
      const char* t = rest + 1;
      rest = strptime(t, "%H:%M:%S", &tm);
      if (!rest) rest = strptime(t, "%H:%M", &tm);
      if (!rest) rest = strptime(t, "%H", &tm);
      if (!rest) bad();
      while (*rest == '.' || isdigit((unsigned char)*rest)) rest++;
    }
    if (has_zone) {
      time_t t = timegm(&tm);
      if (*rest == 'Z' || *rest == 'z') return t;
      if (*rest == '+' || *rest == '-') {
        int hh = 0, mm = 0;
        sscanf(rest + 1, "%d:%d", &hh, &mm);
        return t - (*rest == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
      }
      bad();
    }
    if (*rest) bad();
    tm.tm_isdst = -1;
    return mktime(&tm);
  }
  // Seconds since the epoch, maybe with a fraction.
  char* end = nullptr;
  double seconds = strtod(value.c_str(), &end);
  if (value.empty() || !end || *end || !isdigit((unsigned char)value[0])) bad();
  return (time_t)seconds;
}

bool match_any(const std::vector<std::string>& patterns, const std::string& text) {
  for (const auto& p : patterns) {
    if (p == text) return true;
    try {
      if (std::regex_search(text, std::regex(p))) return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
}

}  // namespace hutch
