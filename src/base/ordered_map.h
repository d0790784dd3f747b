// Keys kept in the order they first came, with a hash index: docker's rule for
// Env, Labels, ExposedPorts and Volumes (a later value replaces the earlier one
// in place, a new key goes last) in linear time. A search of the list for each
// key made a 100,000-line --env-file take minutes.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hutch {

template <typename V>
class OrderedMap {
 public:
  // Appends even when the key is already there (an image's Env may repeat a
  // name); the index then names the last one, as docker's own index does.
  void append(const std::string& key, V value) {
    index_[key] = slots_.size();
    slots_.emplace_back(std::in_place, key, std::move(value));
  }
  // Replaces the key's value in place, or appends it.
  void set(const std::string& key, V value) {
    if (auto it = index_.find(key); it != index_.end()) slots_[it->second]->second = std::move(value);
    else append(key, std::move(value));
  }
  const V* find(const std::string& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &slots_[it->second]->second;
  }
  bool contains(const std::string& key) const { return index_.count(key) > 0; }
  void erase(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    slots_[it->second].reset();  // a hole, so no later position moves
    index_.erase(it);
  }
  // The (key, value) pairs in order.
  std::vector<std::pair<std::string, V>> items() const {
    std::vector<std::pair<std::string, V>> out;
    out.reserve(slots_.size());
    for (const auto& s : slots_)
      if (s) out.push_back(*s);
    return out;
  }

 private:
  std::vector<std::optional<std::pair<std::string, V>>> slots_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace hutch
