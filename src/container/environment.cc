#include "container/environment.h"

#include <cstdlib>

#include "base/env_list.h"
#include "base/error.h"
#include "base/file.h"

namespace hutch {

void apply_env(std::vector<std::string>& base, const std::vector<std::string>& updates) {
  EnvList env(base);
  for (const auto& u : updates) {
    if (u.empty() || u[0] == '=') fail("invalid environment variable: %s", u.c_str());
    if (u.find('=') != std::string::npos) {
      env.set(u);
    } else if (const char* value = getenv(u.c_str())) {
      env.set(u, value);
    } else {
      env.unset(u);
    }
  }
  base = env.entries();
}

std::vector<std::string> read_env_file(const std::string& path) {
  auto text = read_file_if_exists(path);
  if (!text) fail("open %s: no such file or directory", path.c_str());
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line.erase(0, start);
    // docker trims leading space of the name only; the value is kept verbatim.
    if (line.find('=') == std::string::npos) {
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    }
    if (line.find_first_of(" \t") < line.find('='))
      fail("variable '%s' contains whitespaces (in %s)", line.c_str(), path.c_str());
    out.push_back(line);
  }
  return out;
}

void set_env_default(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  for (const auto& e : env)
    if (EnvList::name_of(e) == name) return;
  env.push_back(name + "=" + value);
}

}  // namespace hutch
