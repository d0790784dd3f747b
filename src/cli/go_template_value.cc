#include "cli/go_template_value.h"

#include <algorithm>
#include <cstdlib>

namespace hutch::gotmpl {

Value make_string(std::string s) {
  auto d = std::make_shared<Datum>();
  d->kind = Datum::kString;
  d->text = std::move(s);
  return d;
}

Value make_bool(bool b) {
  auto d = std::make_shared<Datum>();
  d->kind = Datum::kBool;
  d->b = b;
  return d;
}

Value make_number(std::string text) {
  auto d = std::make_shared<Datum>();
  d->kind = Datum::kNumber;
  d->text = std::move(text);
  return d;
}

Value make_int(long long n) { return make_number(std::to_string(n)); }

Value make_nil() { return std::make_shared<Datum>(); }

Value from_json(const JsonValue& j) {
  auto d = std::make_shared<Datum>();
  switch (j.kind()) {
    case JsonValue::kNull: break;
    case JsonValue::kBool: d->kind = Datum::kBool, d->b = j.as_bool(); break;
    case JsonValue::kNumber: d->kind = Datum::kNumber, d->text = j.to_json(); break;
    case JsonValue::kString: d->kind = Datum::kString, d->text = j.as_string(); break;
    case JsonValue::kArray:
      d->kind = Datum::kList;
      for (const auto& item : j.items()) d->items.push_back(from_json(item));
      break;
    case JsonValue::kObject:
      d->kind = Datum::kMap;
      for (const auto& [k, v] : j.members()) d->members.emplace_back(k, from_json(v));
      break;
  }
  return d;
}

bool is_integer_text(const std::string& t) {
  if (t.empty()) return false;
  size_t i = t[0] == '-' || t[0] == '+' ? 1 : 0;
  if (i >= t.size()) return false;
  for (; i < t.size(); i++)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

double number_of(const Datum& d) {
  if (d.text.size() > 2 && d.text[0] == '0' && (d.text[1] == 'x' || d.text[1] == 'X'))
    return (double)strtoll(d.text.c_str(), nullptr, 16);
  return strtod(d.text.c_str(), nullptr);
}

// Go's name for the type, as its error messages show it.
std::string type_name(const Value& v) {
  if (!v) return "<nil>";
  switch (v->kind) {
    case Datum::kNil: return "<nil>";
    case Datum::kBool: return "bool";
    case Datum::kNumber: return is_integer_text(v->text) ? "int" : "float64";
    case Datum::kString: return "string";
    case Datum::kList: return "[]interface {}";
    case Datum::kMap: return "map[string]interface {}";
  }
  return "?";
}

// fmt's %v.
void print_value(const Value& v, std::string& out, bool top) {
  if (!v) {
    out += "<no value>";
    return;
  }
  switch (v->kind) {
    case Datum::kNil: out += top ? "<no value>" : "<nil>"; return;
    case Datum::kBool: out += v->b ? "true" : "false"; return;
    case Datum::kNumber:
    case Datum::kString: out += v->text; return;
    case Datum::kList:
      out += "[";
      for (size_t i = 0; i < v->items.size(); i++) {
        if (i) out += " ";
        print_value(v->items[i], out, false);
      }
      out += "]";
      return;
    case Datum::kMap: {
      // fmt prints maps with their keys sorted.
      std::vector<const std::pair<std::string, Value>*> sorted;
      for (const auto& m : v->members) sorted.push_back(&m);
      std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out += "map[";
      for (size_t i = 0; i < sorted.size(); i++) {
        if (i) out += " ";
        out += sorted[i]->first + ":";
        print_value(sorted[i]->second, out, false);
      }
      out += "]";
      return;
    }
  }
}

std::string to_text(const Value& v) {
  std::string out;
  print_value(v, out, true);
  return out;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t utf8_length(const std::string& s, size_t i) {
  unsigned char c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++)
    if (((unsigned char)s[i + k] >> 6) != 2) return 0;
  return n;
}

// encoding/json's string encoding.
void json_string(const std::string& s, std::string& out, bool escape_html) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      if (c == '"' || c == '\\') {
        out += '\\';
        out += (char)c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\b') {
        out += "\\b";
      } else if (c == '\f') {
        out += "\\f";
      } else if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += (char)c;
      }
      continue;
    }
    size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      i++;
      continue;
    }
    if (n == 3 && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
      out += (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  out += '"';
}

void json_encode(const Value& v, std::string& out, bool escape_html) {
  if (!v) {
    out += "null";
    return;
  }
  escape_html = escape_html || v->escape_html;
  switch (v->kind) {
    case Datum::kNil: out += "null"; return;
    case Datum::kBool: out += v->b ? "true" : "false"; return;
    case Datum::kNumber: out += v->text; return;
    case Datum::kString: json_string(v->text, out, escape_html); return;
    case Datum::kList:
      out += "[";
      for (size_t i = 0; i < v->items.size(); i++) {
        if (i) out += ",";
        json_encode(v->items[i], out, escape_html);
      }
      out += "]";
      return;
    case Datum::kMap:
      out += "{";
      for (size_t i = 0; i < v->members.size(); i++) {
        if (i) out += ",";
        json_string(v->members[i].first, out, escape_html);
        out += ":";
        json_encode(v->members[i].second, out, escape_html);
      }
      out += "}";
      return;
  }
}

// text/template's notion of "true": set and not the zero value.
bool truth(const Value& v) {
  if (!v) return false;
  switch (v->kind) {
    case Datum::kNil: return false;
    case Datum::kBool: return v->b;
    case Datum::kNumber: return number_of(*v) != 0;
    case Datum::kString: return !v->text.empty();
    case Datum::kList: return !v->items.empty();
    case Datum::kMap: return !v->members.empty();
  }
  return false;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += (char)cp;
  } else if (cp < 0x800) {
    out += (char)(0xc0 | (cp >> 6));
    out += (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += (char)(0xe0 | (cp >> 12));
    out += (char)(0x80 | ((cp >> 6) & 0x3f));
    out += (char)(0x80 | (cp & 0x3f));
  } else {
    out += (char)(0xf0 | (cp >> 18));
    out += (char)(0x80 | ((cp >> 12) & 0x3f));
    out += (char)(0x80 | ((cp >> 6) & 0x3f));
    out += (char)(0x80 | (cp & 0x3f));
  }
}

}  // namespace hutch::gotmpl
