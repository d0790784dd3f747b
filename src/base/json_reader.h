// A parsed JSON document as a small owned tree. simdjson does the parsing; its
// heavy header stays inside json_reader.cc.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hutch {

class JsonValue {
 public:
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind() const { return kind_; }
  bool is_object() const { return kind_ == kObject; }
  bool is_array() const { return kind_ == kArray; }
  bool is_string() const { return kind_ == kString; }

  // Object member, or nullptr when absent or when this is not an object.
  const JsonValue* get(std::string_view key) const;
  // Member as string; `fallback` when absent or not a string.
  std::string string_at(std::string_view key, const std::string& fallback = "") const;
  int64_t int_at(std::string_view key, int64_t fallback = 0) const;
  // Member as a list of strings (non-strings are skipped); empty when absent.
  std::vector<std::string> strings_at(std::string_view key) const;

  const std::string& as_string() const { return string_; }
  int64_t as_int() const { return (int64_t)number_; }
  bool as_bool() const { return bool_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

  // Re-encodes this value (used to carry opaque parts of a config through).
  std::string to_json() const;

 private:
  friend class JsonBuilder;
  Kind kind_ = kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
  std::string raw_number_;
};

// Throws Error("invalid JSON: ...") on malformed input; `what` names the document.
JsonValue parse_json(std::string_view text, const std::string& what);

// The string members of an object (others read as ""); empty when `object` is
// null or not an object.
std::map<std::string, std::string> string_map_of(const JsonValue* object);

}  // namespace hutch
