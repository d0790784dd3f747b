#include "container/environment.h"

#include <cstdlib>

#include "base/env_list.h"
#include "base/error.h"
#include "base/file.h"
#include "base/ordered_map.h"

namespace hutch {

namespace {

// docker's CLI: NAME=VALUE as given; a bare NAME set in this process takes
// its value, else stays bare (the daemon then unsets it).
std::string resolve_entry(const std::string& entry) {
  if (entry.empty() || entry[0] == '=') fail("invalid environment variable: %s", entry.c_str());
  if (entry.find('=') != std::string::npos) return entry;
  if (const char* value = getenv(entry.c_str())) return entry + "=" + value;
  return entry;
}

}  // namespace

std::vector<std::string> env_from_flags(const std::vector<std::string>& env_files,
                                        const std::vector<std::string>& env_flags) {
  std::vector<std::string> out;
  for (const auto& file : env_files)
    for (auto& entry : read_env_file(file)) out.push_back(std::move(entry));
  for (const auto& entry : env_flags) out.push_back(resolve_entry(entry));
  return out;
}

std::vector<std::string> read_key_value_file(const std::string& path) {
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
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<std::string> read_env_file(const std::string& path) {
  std::vector<std::string> out = read_key_value_file(path);
  for (auto& entry : out) entry = resolve_entry(entry);
  return out;
}

std::vector<std::pair<std::string, std::string>> labels_from_flags(const std::vector<std::string>& label_files,
                                                                   const std::vector<std::string>& label_flags) {
  std::vector<std::string> entries;
  for (const auto& file : label_files)
    for (auto& entry : read_key_value_file(file)) entries.push_back(std::move(entry));
  entries.insert(entries.end(), label_flags.begin(), label_flags.end());
  OrderedMap<std::string> labels;
  for (const auto& entry : entries) {
    size_t eq = entry.find('=');
    labels.set(entry.substr(0, eq), eq == std::string::npos ? "" : entry.substr(eq + 1));
  }
  return labels.items();
}

std::vector<std::string> merge_env(const std::vector<std::string>& image, const std::vector<std::string>& user) {
  EnvList from_user;
  for (const auto& entry : user) from_user.set(entry);
  if (user.empty()) return image;
  std::vector<std::string> out = from_user.entries();
  for (const auto& entry : image)
    if (!from_user.has(EnvList::name_of(entry))) out.push_back(entry);
  return out;
}

std::vector<std::string> process_env(const std::vector<std::string>& defaults, const std::vector<std::string>& config) {
  EnvList env(defaults);
  for (const auto& entry : config) {
    if (entry.find('=') == std::string::npos) env.unset(entry);
    else env.set(entry);
  }
  return env.entries();
}

}  // namespace hutch
