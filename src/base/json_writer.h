// A minimal streaming JSON writer: the store's records and `inspect` output.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"

namespace hutch {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t n);
  JsonWriter& value(int n) { return value((int64_t)n); }
  JsonWriter& value(uint64_t n) { return value((int64_t)n); }
  JsonWriter& value(bool b);
  JsonWriter& value(const Digest& d) { return value(std::string_view(d.str())); }
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already-encoded value
  JsonWriter& string_array(const std::vector<std::string>& items);

  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

std::string json_quote(std::string_view s);

// "KEY": {"k": "v", ...}: the labels and options of the store's records.
void write_string_map(JsonWriter& w, std::string_view key, const std::map<std::string, std::string>& map);

}  // namespace hutch
