// An environment as docker keeps one: NAME=VALUE entries in order, each name
// indexed (see OrderedMap), so applying n variables costs O(n).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "base/ordered_map.h"

namespace hutch {

class EnvList {
 public:
  EnvList() = default;
  explicit EnvList(const std::vector<std::string>& entries) {
    for (const auto& e : entries) map_.append(name_of(e), e);
  }

  // NAME=VALUE; replaces NAME's entry in place, or appends.
  void set(const std::string& entry) { map_.set(name_of(entry), entry); }
  void set(const std::string& name, const std::string& value) { map_.set(name, name + "=" + value); }
  void unset(const std::string& name) { map_.erase(name); }
  bool has(const std::string& name) const { return map_.contains(name); }
  // What follows "NAME="; nullopt when the name is unset (or has no '=').
  std::optional<std::string> value(const std::string& name) const {
    const std::string* entry = map_.find(name);
    if (!entry || entry->size() <= name.size()) return std::nullopt;
    return entry->substr(name.size() + 1);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (auto& [name, entry] : map_.items()) out.push_back(std::move(entry));
    return out;
  }

  static std::string name_of(const std::string& entry) { return entry.substr(0, entry.find('=')); }

 private:
  OrderedMap<std::string> map_;  // name -> the whole entry
};

}  // namespace hutch
