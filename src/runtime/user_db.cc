#include "runtime/user_db.h"

#include <cstdlib>

#include "base/error.h"

namespace hutch {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

bool parse_id(const std::string& s, unsigned* out) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  unsigned long v = strtoul(s.c_str(), nullptr, 10);
  if (v > 0xfffffffeUL) return false;
  *out = v;
  return true;
}

// Each entry's fields, skipping comments and short lines.
std::vector<std::vector<std::string>> entries(const std::string& text, size_t min_fields) {
  std::vector<std::vector<std::string>> out;
  for (const auto& line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    auto fields = split(line, ':');
    if (fields.size() >= min_fields) out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace

ExecUser resolve_user(const std::string& spec, const std::string& passwd, const std::string& group) {
  std::string user_part = spec.substr(0, spec.find(':'));
  std::string group_part = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
  ExecUser out;
  std::string user_name;
  unsigned id;
  bool numeric_user = user_part.empty() || parse_id(user_part, &id);
  if (user_part.empty()) id = 0;
  bool found = false;
  for (const auto& f : entries(passwd, 7)) {
    unsigned uid;
    if (!parse_id(f[2], &uid)) continue;
    if (numeric_user ? uid == id : f[0] == user_part) {
      out.uid = uid;
      unsigned gid;
      out.gid = parse_id(f[3], &gid) ? gid : 0;
      out.home = f[5].empty() ? "/" : f[5];
      user_name = f[0];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!numeric_user) fail("unable to find user %s: no matching entries in passwd file", user_part.c_str());
    out.uid = id;
    out.gid = 0;
  }
  auto groups = entries(group, 4);
  if (!group_part.empty()) {
    unsigned gid;
    if (parse_id(group_part, &gid)) {
      out.gid = gid;
    } else {
      bool group_found = false;
      for (const auto& f : groups) {
        if (f[0] == group_part && parse_id(f[2], &gid)) {
          out.gid = gid;
          group_found = true;
          break;
        }
      }
      if (!group_found) fail("unable to find group %s: no matching entries in group file", group_part.c_str());
    }
  }
  // As runc does: the primary group leads the supplementary list.
  out.groups.push_back(out.gid);
  if (!user_name.empty()) {
    for (const auto& f : groups) {
      unsigned gid;
      if (!parse_id(f[2], &gid)) continue;
      for (const auto& member : split(f[3], ','))
        if (member == user_name && gid != out.gid) out.groups.push_back(gid);
    }
  }
  return out;
}

}  // namespace hutch
