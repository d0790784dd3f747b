#include "base/json_reader.h"

#include <simdjson.h>

#include "base/error.h"
#include "base/json_writer.h"

namespace hutch {

class JsonBuilder {
 public:
  static JsonValue build(simdjson::dom::element e) {
    JsonValue v;
    switch (e.type()) {
      case simdjson::dom::element_type::ARRAY:
        v.kind_ = JsonValue::kArray;
      {
        simdjson::dom::array array = e.get_array().value_unsafe();
        for (auto item : array) v.items_.push_back(build(item));
      }
        break;
      case simdjson::dom::element_type::OBJECT:
        v.kind_ = JsonValue::kObject;
      {
        simdjson::dom::object object = e.get_object().value_unsafe();
        for (auto field : object) v.members_.emplace_back(std::string(field.key), build(field.value));
      }
        break;
      case simdjson::dom::element_type::INT64:
        v.kind_ = JsonValue::kNumber;
        v.number_ = (double)e.get_int64().value_unsafe();
        v.raw_number_ = std::to_string(e.get_int64().value_unsafe());
        break;
      case simdjson::dom::element_type::UINT64:
        v.kind_ = JsonValue::kNumber;
        v.number_ = (double)e.get_uint64().value_unsafe();
        v.raw_number_ = std::to_string(e.get_uint64().value_unsafe());
        break;
      case simdjson::dom::element_type::DOUBLE:
        v.kind_ = JsonValue::kNumber;
        v.number_ = e.get_double().value_unsafe();
        v.raw_number_ = simdjson::to_string(e);
        break;
      case simdjson::dom::element_type::STRING:
        v.kind_ = JsonValue::kString;
        v.string_ = std::string(e.get_string().value_unsafe());
        break;
      case simdjson::dom::element_type::BOOL:
        v.kind_ = JsonValue::kBool;
        v.bool_ = e.get_bool().value_unsafe();
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
    }
    return v;
  }
};

JsonValue parse_json(std::string_view text, const std::string& what) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error) fail("invalid JSON in %s: %s", what.c_str(), simdjson::error_message(error));
  return JsonBuilder::build(root);
}

const JsonValue* JsonValue::get(std::string_view key) const {
  if (kind_ != kObject) return nullptr;
  for (const auto& [k, v] : members_)
    if (k == key) return &v;
  return nullptr;
}

std::string JsonValue::string_at(std::string_view key, const std::string& fallback) const {
  const JsonValue* v = get(key);
  return v && v->kind_ == kString ? v->string_ : fallback;
}

int64_t JsonValue::int_at(std::string_view key, int64_t fallback) const {
  const JsonValue* v = get(key);
  return v && v->kind_ == kNumber ? (int64_t)v->number_ : fallback;
}

std::vector<std::string> JsonValue::strings_at(std::string_view key) const {
  std::vector<std::string> out;
  const JsonValue* v = get(key);
  if (!v) return out;
  for (const auto& item : v->items_)
    if (item.kind_ == kString) out.push_back(item.string_);
  return out;
}

std::string JsonValue::to_json() const {
  switch (kind_) {
    case kNull: return "null";
    case kBool: return bool_ ? "true" : "false";
    case kNumber: return raw_number_;
    case kString: return json_quote(string_);
    case kArray: {
      std::string out = "[";
      for (size_t i = 0; i < items_.size(); i++) out += (i ? "," : "") + items_[i].to_json();
      return out + "]";
    }
    case kObject: {
      std::string out = "{";
      for (size_t i = 0; i < members_.size(); i++)
        out += (i ? "," : "") + json_quote(members_[i].first) + ":" + members_[i].second.to_json();
      return out + "}";
    }
  }
  return "null";
}

std::map<std::string, std::string> string_map_of(const JsonValue* object) {
  std::map<std::string, std::string> out;
  if (object && object->is_object())
    for (const auto& [k, v] : object->members()) out[k] = v.as_string();
  return out;
}

}  // namespace hutch
