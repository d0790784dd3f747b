#include "base/json_field.h"

#include <charconv>
#include <limits>

#include "base/error.h"
#include "base/printable.h"

namespace hutch {

JsonField::JsonField(const JsonValue& root, std::string document)
    : value_(&root), document_(std::make_shared<const std::string>(std::move(document))) {}

void JsonField::fail(const std::string& message) const {
  if (path_.empty()) throw Error(*document_ + ": " + message);
  throw Error(*document_ + ": " + printable(path_) + ": " + message);
}

std::string JsonField::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const JsonValue& JsonField::need(JsonValue::Kind kind, const char* expected) const {
  if (!present()) fail("missing");
  if (value_->kind() != kind) fail(std::string("expected ") + expected);
  return *value_;
}

const JsonValue& JsonField::object() const { return need(JsonValue::kObject, "an object"); }

JsonField JsonField::operator[](std::string_view key) const {
  const JsonValue* found = nullptr;
  if (present()) {
    for (const auto& [k, v] : object().members()) {
      if (k != key) continue;
      if (found) JsonField(&v, document_, child_path(key)).fail("duplicate key");
      found = &v;
    }
  }
  return JsonField(found, document_, child_path(key));
}

JsonField JsonField::required(std::string_view key) const {
  JsonField field = (*this)[key];
  if (!field.present()) field.fail("missing");
  return field;
}

std::vector<JsonField> JsonField::items() const {
  std::vector<JsonField> out;
  if (!present()) return out;
  const auto& items = need(JsonValue::kArray, "an array").items();
  for (size_t i = 0; i < items.size(); i++)
    out.push_back(JsonField(&items[i], document_, path_ + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<std::pair<std::string, JsonField>> JsonField::members() const {
  std::vector<std::pair<std::string, JsonField>> out;
  if (!present()) return out;
  for (const auto& [k, v] : object().members()) {
    JsonField field(&v, document_, child_path(k));
    for (const auto& seen : out)
      if (seen.first == k) field.fail("duplicate key");
    out.emplace_back(k, std::move(field));
  }
  return out;
}

std::vector<std::string> JsonField::keys() const {
  std::vector<std::string> out;
  if (!present()) return out;
  for (const auto& [k, v] : object().members()) out.push_back(k);
  return out;
}

const std::string& JsonField::string() const {
  const std::string& s = need(JsonValue::kString, "a string").as_string();
  if (s.find('\0') != std::string::npos) fail("contains a NUL byte");
  return s;
}

bool JsonField::boolean() const { return need(JsonValue::kBool, "true or false").as_bool(); }

std::vector<std::string> JsonField::strings() const {
  std::vector<std::string> out;
  for (const auto& item : items()) out.push_back(item.string());
  return out;
}

namespace {

// The number as written: a double would round integers above 2^53 (an
// rlimit of RLIM_INFINITY is 2^64-1), and 1.0 or 1e3 are not integers.
template <typename T>
bool parse_integer(const std::string& raw, T& out) {
  if (raw.find_first_of(".eE") != std::string::npos) return false;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), out);
  return ec == std::errc() && end == raw.data() + raw.size();
}

template <typename T>
T integer(const JsonField& field, const JsonValue* value) {
  if (!field.present()) field.fail("missing");
  T out{};
  if (value->kind() != JsonValue::kNumber || !parse_integer(value->to_json(), out))
    field.fail("expected an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
               std::to_string(std::numeric_limits<T>::max()));
  return out;
}

}  // namespace

uint64_t JsonField::u64() const { return integer<uint64_t>(*this, value_); }
uint32_t JsonField::u32() const { return integer<uint32_t>(*this, value_); }
int64_t JsonField::i64() const { return integer<int64_t>(*this, value_); }
int32_t JsonField::i32() const { return integer<int32_t>(*this, value_); }

}  // namespace hutch
