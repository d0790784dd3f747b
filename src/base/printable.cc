#include "base/printable.h"

#include <cstdio>

namespace hutch {

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  unsigned char c = s[i];
  size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++)
    if (((unsigned char)s[i + k] & 0xc0) != 0x80) return 0;
  unsigned char c1 = s[i + 1];
  if (c == 0xe0 && c1 < 0xa0) return 0;  // overlong
  if (c == 0xed && c1 >= 0xa0) return 0;  // surrogate
  if (c == 0xf0 && c1 < 0x90) return 0;  // overlong
  if (c == 0xf4 && c1 >= 0x90) return 0;  // above U+10FFFF
  return n;
}

void append_hex(std::string& out, const char* prefix, unsigned value, int digits) {
  char buf[16];
  snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, value);
  out += buf;
}

std::string escaped(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    if (c >= 0x20 && c < 0x7f) {
      if (quote && (c == '"' || c == '\\')) out += '\\';
      out += (char)c;
      i++;
      continue;
    }
    if (c < 0x80) {
      static const char kNamed[] = "\a" "a" "\b" "b" "\f" "f" "\n" "n" "\r" "r" "\t" "t" "\v" "v";
      const char* named = nullptr;
      for (size_t k = 0; c && k + 1 < sizeof kNamed; k += 2)
        if (kNamed[k] == (char)c) named = &kNamed[k + 1];
      if (named) out += '\\', out += *named;
      else append_hex(out, "\\x", c, 2);
      i++;
      continue;
    }
    size_t n = utf8_sequence(text, i);
    if (n == 0) {
      append_hex(out, "\\x", c, 2);
      i++;
    } else if (n == 2 && c == 0xc2 && (unsigned char)text[i + 1] < 0xa0) {
      append_hex(out, "\\u", (unsigned char)text[i + 1], 4);  // C1 control
      i += 2;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace

std::string printable(std::string_view text) { return escaped(text, false); }

std::string quoted(std::string_view text) { return "\"" + escaped(text, true) + "\""; }

std::string ellipsis(const std::string& s, size_t width) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if (((unsigned char)s[i] & 0xc0) == 0x80) continue;
    if (++chars == width) {
      size_t next = i + 1;
      while (next < s.size() && ((unsigned char)s[next] & 0xc0) == 0x80) next++;
      if (next >= s.size()) return s;
      // Cut before this character.
      return s.substr(0, i) + "\u2026";
    }
  }
  return s;
}

}  // namespace hutch
