#include "registry/challenge.h"

#include <cctype>

namespace hutch {

Challenge parse_challenge(const std::string& header) {
  Challenge c;
  size_t i = header.find(' ');
  c.scheme = header.substr(0, i);
  for (auto& ch : c.scheme) ch = (char)tolower((unsigned char)ch);
  while (i != std::string::npos && i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) i++;
    size_t eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = header.substr(i, eq - i);
    for (auto& ch : key) ch = (char)tolower((unsigned char)ch);
    std::string value;
    i = eq + 1;
    if (i < header.size() && header[i] == '"') {
      for (i++; i < header.size() && header[i] != '"'; i++) {
        if (header[i] == '\\' && i + 1 < header.size()) i++;
        value += header[i];
      }
      i++;
    } else {
      size_t end = header.find(',', i);
      value = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end;
    }
    c.params[key] = value;
  }
  return c;
}

}  // namespace hutch
