#include "image/reference.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"

namespace hutch {

namespace {

bool is_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A path component: lower-case alphanumerics joined by '.', '_', '__' or dashes.
bool valid_component(const std::string& s) {
  if (s.empty() || !is_alnum_lower(s.front()) || !is_alnum_lower(s.back())) return false;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (is_alnum_lower(c) || c == '-') continue;
    if (c == '.' || c == '_') {
      if (i + 1 < s.size() && !is_alnum_lower(s[i + 1]) && !(c == '_' && s[i + 1] == '_')) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool valid_tag(const std::string& t) {
  if (t.empty() || t.size() > 128) return false;
  if (!(isalnum((unsigned char)t[0]) || t[0] == '_')) return false;
  for (char c : t)
    if (!(isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

}  // namespace

std::string Reference::full() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest.str();
  return out;
}

std::string Reference::familiar_name() const {
  if (domain != "docker.io") return name();
  if (path.compare(0, 8, "library/") == 0 && path.find('/', 8) == std::string::npos)
    return path.substr(8);
  return path;
}

Reference parse_reference(const std::string& text) {
  auto bad = [&]() -> Reference { fail("invalid reference format: %s", text.c_str()); };
  if (text.empty()) return bad();
  Reference ref;
  std::string rest = text;
  if (size_t at = rest.find('@'); at != std::string::npos) {
    auto digest = Digest::try_parse(std::string_view(rest).substr(at + 1));
    if (!digest) return bad();
    ref.digest = *digest;
    rest.resize(at);
  }
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash)) {
    ref.tag = rest.substr(colon + 1);
    rest.resize(colon);
    if (!valid_tag(ref.tag)) return bad();
  }
  size_t first_slash = rest.find('/');
  std::string first = rest.substr(0, first_slash);
  if (first_slash != std::string::npos &&
      (first.find_first_of(".:") != std::string::npos || first == "localhost" ||
       std::any_of(first.begin(), first.end(), ::isupper))) {
    ref.domain = first;
    ref.path = rest.substr(first_slash + 1);
  } else {
    ref.domain = "docker.io";
    ref.path = rest;
  }
  if (ref.domain == "index.docker.io") ref.domain = "docker.io";
  if (ref.domain == "docker.io" && ref.path.find('/') == std::string::npos) ref.path = "library/" + ref.path;
  size_t start = 0;
  for (;;) {
    size_t slash = ref.path.find('/', start);
    if (!valid_component(ref.path.substr(start, slash - start))) return bad();
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (ref.tag.empty() && ref.digest.empty()) {
    ref.tag = "latest";
    ref.tag_defaulted = true;
  }
  return ref;
}

std::optional<Reference> parse_stored_reference(const std::string& full) {
  try {
    return parse_reference(full);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace hutch
