// Values a Go template works on, and how Go prints and encodes them; the
// internals of go_template.cc and go_template_parse.cc.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/json_reader.h"

namespace hutch::gotmpl {

struct Datum;
// nullptr is Go's invalid value: what a missing map key evaluates to.
using Value = std::shared_ptr<const Datum>;

struct Datum {
  enum Kind { kNil, kBool, kNumber, kString, kList, kMap };
  Kind kind = kNil;
  bool b = false;
  std::string text;  // a string's content, or a number as written
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;  // in document order
  bool escape_html = false;  // see TemplateOptions::escape_html_in_root_json
};

Value make_string(std::string s);
Value make_bool(bool b);
Value make_number(std::string text);
Value make_int(long long n);
Value make_nil();
Value from_json(const JsonValue& j);

bool is_integer_text(const std::string& t);
double number_of(const Datum& d);
// Go's name for the type, as its error messages show it.
std::string type_name(const Value& v);
// fmt's %v; `top` prints a nil as "<no value>" as text/template does.
void print_value(const Value& v, std::string& out, bool top);
std::string to_text(const Value& v);
// Length of the UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t utf8_length(const std::string& s, size_t i);
void append_utf8(std::string& out, unsigned long cp);
// encoding/json's string and value encodings.
void json_string(const std::string& s, std::string& out, bool escape_html);
void json_encode(const Value& v, std::string& out, bool escape_html);
// text/template's notion of "true": set and not the zero value.
bool truth(const Value& v);

}  // namespace hutch::gotmpl
