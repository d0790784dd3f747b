// A strict reader over a parsed JSON document: each value carries the path
// that names it, so a wrong type, a missing member or a bad value is one line
// saying where ("config.json: process.args[2]: expected a string"). Absent
// and null are the same thing: Go writes null for an empty optional list.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_reader.h"

namespace hutch {

class JsonField {
 public:
  // `document` names the whole in errors ("config.json").
  JsonField(const JsonValue& root, std::string document);

  bool present() const { return value_ && value_->kind() != JsonValue::kNull; }
  const std::string& path() const { return path_; }
  // Throws Error("DOCUMENT: PATH: message"), the path made printable.
  [[noreturn]] void fail(const std::string& message) const;

  // A member, absent when this is absent; fails when this is present but not
  // an object, or names the key twice (readers would disagree on which wins).
  JsonField operator[](std::string_view key) const;
  // Like operator[], failing "missing" when the member is absent.
  JsonField required(std::string_view key) const;
  // Items of an array (none when absent); fails when not an array.
  std::vector<JsonField> items() const;
  // Members of an object in document order (none when absent); fails when not
  // an object or when a key repeats.
  std::vector<std::pair<std::string, JsonField>> members() const;
  // Member names of an object (none when absent).
  std::vector<std::string> keys() const;

  // These fail when the value is present with another type; call them on
  // present fields (an absent one fails "missing").
  const std::string& string() const;  // refuses NUL bytes: C paths and argv end there
  bool boolean() const;
  uint64_t u64() const;
  uint32_t u32() const;
  int64_t i64() const;
  int32_t i32() const;
  std::vector<std::string> strings() const;  // none when absent
  const JsonValue& object() const;           // fails unless an object

 private:
  JsonField(const JsonValue* value, std::shared_ptr<const std::string> document, std::string path)
      : value_(value), document_(std::move(document)), path_(std::move(path)) {}
  const JsonValue& need(JsonValue::Kind kind, const char* expected) const;
  std::string child_path(std::string_view key) const;

  const JsonValue* value_;
  std::shared_ptr<const std::string> document_;
  std::string path_;
};

}  // namespace hutch
