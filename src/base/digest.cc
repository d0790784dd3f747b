#include "base/digest.h"

#include "base/error.h"
#include "base/printable.h"
#include "base/sha256.h"

namespace hutch {

namespace {

constexpr std::string_view kPrefix = "sha256:";

// OCI's grammar for an algorithm name: lower-case alphanumerics joined by
// one of "+._-".
bool is_algorithm(std::string_view s) {
  if (s.empty()) return false;
  bool after_separator = true;
  for (char c : s) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      after_separator = false;
    } else if (c == '+' || c == '.' || c == '_' || c == '-') {
      if (after_separator) return false;
      after_separator = true;
    } else {
      return false;
    }
  }
  return !after_separator;
}

// A hostile "digest" can be long: a message shows its start.
std::string shown(std::string_view text) {
  return text.size() > 100 ? printable(text.substr(0, 100)) + "..." : printable(text);
}

}  // namespace

bool is_sha256_hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<Digest> Digest::try_parse(std::string_view text) {
  if (text.substr(0, kPrefix.size()) != kPrefix || !is_sha256_hex(text.substr(kPrefix.size()))) return std::nullopt;
  return Digest(std::string(text));
}

Digest Digest::parse(std::string_view text, std::string_view what) {
  if (auto d = try_parse(text)) return *d;
  size_t colon = text.find(':');
  if (colon != std::string_view::npos && colon > 0 && is_algorithm(text.substr(0, colon)) &&
      text.substr(0, colon) != "sha256")
    fail("%.*s: unsupported digest algorithm in \"%s\" (only sha256 is supported)", (int)what.size(), what.data(),
         shown(text).c_str());
  fail("%.*s: invalid digest \"%s\" (want sha256: and 64 lower-case hex digits)", (int)what.size(), what.data(),
       shown(text).c_str());
}

std::optional<Digest> Digest::from_hex(std::string_view hex) {
  if (!is_sha256_hex(hex)) return std::nullopt;
  return Digest(std::string(kPrefix) + std::string(hex));
}

Digest Digest::of(std::string_view bytes) { return Digest(std::string(kPrefix) + sha256_hex(bytes)); }

Digest Digest::from_computed(std::string_view hex) {
  auto d = from_hex(hex);
  if (!d) fail("internal error: computed digest %s is not sha256 hex", shown(hex).c_str());
  return *d;
}

}  // namespace hutch
