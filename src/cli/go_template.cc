#include "cli/go_template.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/error.h"

namespace hutch {

namespace {

// ---------------------------------------------------------------- values

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

// ---------------------------------------------------------------- syntax

struct Pipe;

struct Operand {
  enum Kind { kField, kDot, kVariable, kFunction, kString, kNumber, kBool, kNil, kPipe };
  Kind kind = kDot;
  std::string text;                 // literal, function or variable name
  std::vector<std::string> fields;  // the field chain that follows
  std::shared_ptr<Pipe> pipe;       // a parenthesized pipeline
};

struct Command {
  std::vector<Operand> operands;
  size_t pos = 0;
  std::string source;
};

struct Pipe {
  std::vector<std::string> variables;  // declared or assigned
  bool assign = false;                 // "=" rather than ":="
  std::vector<Command> commands;
};

struct Node {
  enum Kind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Kind kind = kText;
  std::string text;
  Pipe pipe;
  std::vector<Node> list;
  std::vector<Node> else_list;
};

struct Token {
  enum Type { kEnd, kField, kDot, kVariable, kIdent, kString, kNumber, kBool, kNil, kLParen, kRParen, kPipe,
              kDeclare, kAssign, kComma };
  Type type = kEnd;
  std::string text;  // identifier/field name, unquoted string, number
  size_t pos = 0;
  bool space_before = false;
};

const char* const kFunctions[] = {"and",  "eq",    "ge",    "gt",  "index",    "join",  "json",   "le",
                                  "len",  "lower", "lt",    "ne",  "not",      "or",    "pad",    "print",
                                  "printf", "println", "split", "title", "truncate", "upper"};

bool is_function(const std::string& name) {
  for (const char* f : kFunctions)
    if (name == f) return true;
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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80; }

class Parser {
 public:
  explicit Parser(const std::string& src) : src_(src) {}

  std::vector<Node> parse() {
    std::vector<Node> nodes;
    Stop stop = parse_list(nodes);
    if (stop == Stop::kEnd) error(stop_pos_, "unexpected {{end}}");
    if (stop == Stop::kElse) error(stop_pos_, "unexpected {{else}}");
    return nodes;
  }

 private:
  enum class Stop { kEof, kEnd, kElse };

  [[noreturn]] void error(size_t pos, const std::string& message) {
    int line = 1 + (int)std::count(src_.begin(), src_.begin() + std::min(pos, src_.size()), '\n');
    fail("template parsing error: template: :%d: %s", line, message.c_str());
  }

  // Parses text and actions until {{end}}, {{else ...}} or the end of input.
  // After kElse, else_tokens_ holds what followed "else" in that action.
  Stop parse_list(std::vector<Node>& out) {
    for (;;) {
      size_t open = src_.find("{{", pos_);
      std::string text = src_.substr(pos_, open == std::string::npos ? std::string::npos : open - pos_);
      if (trim_next_) {
        size_t k = 0;
        while (k < text.size() && is_space(text[k])) k++;
        text.erase(0, k);
        trim_next_ = false;
      }
      if (open == std::string::npos) {
        add_text(out, text);
        pos_ = src_.size();
        return Stop::kEof;
      }
      size_t p = open + 2;
      if (src_.compare(p, 1, "-") == 0 && p + 1 < src_.size() && is_space(src_[p + 1])) {
        while (!text.empty() && is_space(text.back())) text.pop_back();
        p += 2;
      }
      add_text(out, text);
      action_pos_ = open;
      // Comments: {{/* ... */}}, with optional trim markers.
      size_t q = p;
      while (q < src_.size() && is_space(src_[q])) q++;
      if (src_.compare(q, 2, "/*") == 0) {
        size_t close = src_.find("*/", q + 2);
        if (close == std::string::npos) error(open, "unclosed comment");
        size_t r = close + 2;
        if (src_.compare(r, 4, " -}}") == 0) {
          trim_next_ = true;
          r += 4;
        } else if (src_.compare(r, 2, "}}") == 0) {
          r += 2;
        } else {
          error(open, "comment ends before closing delimiter");
        }
        pos_ = r;
        continue;
      }
      pos_ = p;
      std::vector<Token> tokens = lex_action();
      if (tokens.front().type == Token::kIdent) {
        const std::string& word = tokens.front().text;
        if (word == "end") {
          if (tokens.size() > 2) error(tokens[1].pos, "unexpected " + describe(tokens[1]) + " in end");
          stop_pos_ = open;
          return Stop::kEnd;
        }
        if (word == "else") {
          else_tokens_.assign(tokens.begin() + 1, tokens.end());
          stop_pos_ = open;
          return Stop::kElse;
        }
        if (word == "if" || word == "range" || word == "with") {
          out.push_back(parse_control(word, tokens, 1));
          continue;
        }
        if (word == "break" || word == "continue") {
          if (range_depth_ == 0) error(open, "{{" + word + "}} outside {{range}}");
          if (tokens.size() > 2) error(tokens[1].pos, "unexpected " + describe(tokens[1]) + " in " + word);
          Node n;
          n.kind = word == "break" ? Node::kBreak : Node::kContinue;
          out.push_back(std::move(n));
          continue;
        }
        if (word == "define" || word == "template" || word == "block")
          error(open, "{{" + word + "}} is not supported");
      }
      Node n;
      n.kind = Node::kAction;
      size_t i = 0;
      n.pipe = parse_pipe(tokens, i, "command", false);
      if (tokens[i].type != Token::kEnd) error(tokens[i].pos, "unexpected " + describe(tokens[i]) + " in command");
      out.push_back(std::move(n));
    }
  }

  void add_text(std::vector<Node>& out, const std::string& text) {
    if (text.empty()) return;
    Node n;
    n.text = text;
    out.push_back(std::move(n));
  }

  // if/range/with and their else branches; `first` indexes the pipeline tokens.
  Node parse_control(const std::string& word, const std::vector<Token>& tokens, size_t first) {
    Node n;
    n.kind = word == "if" ? Node::kIf : word == "range" ? Node::kRange : Node::kWith;
    size_t i = first;
    n.pipe = parse_pipe(tokens, i, word, true);
    if (tokens[i].type != Token::kEnd) error(tokens[i].pos, "unexpected " + describe(tokens[i]) + " in " + word);
    if (n.kind == Node::kRange) range_depth_++;
    Stop stop = parse_list(n.list);
    if (n.kind == Node::kRange) range_depth_--;
    if (stop == Stop::kEof) error(src_.size(), "unexpected EOF");
    if (stop == Stop::kElse) {
      std::vector<Token> rest = else_tokens_;
      if (rest.size() > 1 && rest.front().type == Token::kIdent &&
          (rest.front().text == "if" || rest.front().text == "with")) {
        // {{else if ...}} is an {{if}} inside the else branch sharing the {{end}}.
        n.else_list.push_back(parse_control(rest.front().text, rest, 1));
        return n;
      }
      if (rest.size() > 1) error(rest.front().pos, "unexpected " + describe(rest.front()) + " in else");
      stop = parse_list(n.else_list);
      if (stop == Stop::kEof) error(src_.size(), "unexpected EOF");
      if (stop == Stop::kElse) error(stop_pos_, "expected end; found {{else}}");
    }
    return n;
  }

  std::string describe(const Token& t) {
    switch (t.type) {
      case Token::kEnd: return "}}";
      case Token::kString: return "quoted string";
      case Token::kLParen: return "\"(\"";
      case Token::kRParen: return "\")\"";
      case Token::kPipe: return "\"|\"";
      case Token::kComma: return "\",\"";
      case Token::kDeclare: return "\":=\"";
      case Token::kAssign: return "\"=\"";
      case Token::kField: return "<." + t.text + ">";
      case Token::kVariable: return "<" + t.text + ">";
      default: return "<" + t.text + ">";
    }
  }

  Pipe parse_pipe(const std::vector<Token>& t, size_t& i, const std::string& context, bool in_control) {
    Pipe pipe;
    // Declarations: "$x :=", "$x =", and for range "$i, $e :=".
    if (t[i].type == Token::kVariable) {
      if (t[i + 1].type == Token::kDeclare || t[i + 1].type == Token::kAssign) {
        pipe.variables.push_back(t[i].text);
        pipe.assign = t[i + 1].type == Token::kAssign;
        i += 2;
      } else if (t[i + 1].type == Token::kComma && context == "range" && t[i + 2].type == Token::kVariable &&
                 (t[i + 3].type == Token::kDeclare || t[i + 3].type == Token::kAssign)) {
        pipe.variables = {t[i].text, t[i + 2].text};
        pipe.assign = t[i + 3].type == Token::kAssign;
        i += 4;
      }
    }
    for (const auto& v : pipe.variables) {
      if (pipe.assign && std::find(declared_.begin(), declared_.end(), v) == declared_.end())
        error(t[i > 0 ? i - 1 : 0].pos, "undefined variable \"" + v + "\"");
    }
    for (;;) {
      Command cmd;
      cmd.pos = t[i].pos;
      while (t[i].type != Token::kEnd && t[i].type != Token::kPipe && t[i].type != Token::kRParen)
        cmd.operands.push_back(parse_operand(t, i));
      if (cmd.operands.empty()) {
        if (pipe.commands.empty() && t[i].type != Token::kPipe) error(t[i].pos, "missing value for " + context);
        error(t[i].pos, "missing value for command");
      }
      size_t end = t[i].pos;
      cmd.source = src_.substr(cmd.pos, end - cmd.pos);
      while (!cmd.source.empty() && is_space(cmd.source.back())) cmd.source.pop_back();
      pipe.commands.push_back(std::move(cmd));
      if (t[i].type != Token::kPipe) break;
      i++;
    }
    // Variables become visible after the pipeline that declares them.
    if (!pipe.assign)
      for (const auto& v : pipe.variables) declared_.push_back(v);
    (void)in_control;
    return pipe;
  }

  void chain_fields(const std::vector<Token>& t, size_t& i, Operand& op) {
    while (t[i].type == Token::kField && !t[i].space_before) op.fields.push_back(t[i++].text);
  }

  Operand parse_operand(const std::vector<Token>& t, size_t& i) {
    const Token& tok = t[i++];
    Operand op;
    switch (tok.type) {
      case Token::kField:
        op.kind = Operand::kField;
        op.fields.push_back(tok.text);
        chain_fields(t, i, op);
        return op;
      case Token::kDot:
        op.kind = Operand::kDot;
        return op;
      case Token::kVariable:
        if (std::find(declared_.begin(), declared_.end(), tok.text) == declared_.end())
          error(tok.pos, "undefined variable \"" + tok.text + "\"");
        op.kind = Operand::kVariable;
        op.text = tok.text;
        chain_fields(t, i, op);
        return op;
      case Token::kIdent:
        if (!is_function(tok.text)) {
          static const char* const kKeywords[] = {"if", "else", "end", "range", "with", "break", "continue",
                                                  "define", "template", "block"};
          for (const char* k : kKeywords)
            if (tok.text == k) error(tok.pos, "unexpected <" + tok.text + "> in command");
          error(tok.pos, "function \"" + tok.text + "\" not defined");
        }
        op.kind = Operand::kFunction;
        op.text = tok.text;
        return op;
      case Token::kString:
        op.kind = Operand::kString;
        op.text = tok.text;
        return op;
      case Token::kNumber:
        op.kind = Operand::kNumber;
        op.text = tok.text;
        return op;
      case Token::kBool:
        op.kind = Operand::kBool;
        op.text = tok.text;
        return op;
      case Token::kNil:
        op.kind = Operand::kNil;
        return op;
      case Token::kLParen: {
        op.kind = Operand::kPipe;
        op.pipe = std::make_shared<Pipe>(parse_pipe(t, i, "parenthesized pipeline", false));
        if (t[i].type != Token::kRParen) error(t[i].pos, "unclosed left paren");
        i++;
        chain_fields(t, i, op);
        return op;
      }
      default: error(tok.pos, "unexpected " + describe(tok) + " in operand");
    }
  }

  // Reads the tokens of one action up to its "}}" (or " -}}").
  std::vector<Token> lex_action() {
    std::vector<Token> out;
    size_t p = pos_;
    for (;;) {
      bool space = false;
      while (p < src_.size() && is_space(src_[p])) p++, space = true;
      Token tok;
      tok.pos = p;
      tok.space_before = space;
      if (space && src_.compare(p, 3, "-}}") == 0) {
        trim_next_ = true;
        pos_ = p + 3;
        out.push_back(tok);
        return out;
      }
      if (src_.compare(p, 2, "}}") == 0) {
        pos_ = p + 2;
        out.push_back(tok);
        return out;
      }
      if (p >= src_.size()) error(action_pos_, "unclosed action");
      char c = src_[p];
      if (c == '.' && p + 1 < src_.size() && is_ident_char(src_[p + 1]) && !isdigit((unsigned char)src_[p + 1])) {
        size_t q = p + 1;
        while (q < src_.size() && is_ident_char(src_[q])) q++;
        tok.type = Token::kField;
        tok.text = src_.substr(p + 1, q - p - 1);
        p = q;
      } else if (c == '.' && !(p + 1 < src_.size() && isdigit((unsigned char)src_[p + 1]))) {
        tok.type = Token::kDot;
        tok.text = ".";
        p++;
      } else if (c == '$') {
        size_t q = p + 1;
        while (q < src_.size() && is_ident_char(src_[q])) q++;
        tok.type = Token::kVariable;
        tok.text = src_.substr(p, q - p);
        p = q;
      } else if (c == '"') {
        tok.type = Token::kString;
        p = lex_quoted(p, tok.text);
      } else if (c == '`') {
        size_t close = src_.find('`', p + 1);
        if (close == std::string::npos) error(p, "unterminated raw quoted string");
        tok.type = Token::kString;
        tok.text = src_.substr(p + 1, close - p - 1);
        tok.text.erase(std::remove(tok.text.begin(), tok.text.end(), '\r'), tok.text.end());
        p = close + 1;
      } else if (c == '\'') {
        std::string chars;
        size_t q = lex_char(p, chars);
        tok.type = Token::kNumber;
        tok.text = chars;
        p = q;
      } else if (isdigit((unsigned char)c) || ((c == '-' || c == '+' || c == '.') && p + 1 < src_.size() &&
                                               (isdigit((unsigned char)src_[p + 1]) || src_[p + 1] == '.'))) {
        size_t q = p + 1;
        while (q < src_.size() && (isalnum((unsigned char)src_[q]) || src_[q] == '.' || src_[q] == '_' ||
                                   ((src_[q] == '+' || src_[q] == '-') && strchr("eEpP", src_[q - 1]))))
          q++;
        tok.type = Token::kNumber;
        tok.text = src_.substr(p, q - p);
        std::string digits = tok.text;
        digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
        char* end = nullptr;
        if (digits.size() > 2 && (digits[digits[0] == '-' || digits[0] == '+'] == '0') &&
            strchr("xX", digits[(digits[0] == '-' || digits[0] == '+') + 1])) {
          strtoll(digits.c_str(), &end, 16);
        } else {
          strtod(digits.c_str(), &end);
        }
        if (!end || *end) error(p, "bad number syntax: \"" + tok.text + "\"");
        tok.text = digits;
        p = q;
      } else if (isalpha((unsigned char)c) || c == '_') {
        size_t q = p;
        while (q < src_.size() && is_ident_char(src_[q])) q++;
        tok.text = src_.substr(p, q - p);
        tok.type = tok.text == "true" || tok.text == "false" ? Token::kBool
                   : tok.text == "nil"                       ? Token::kNil
                                                             : Token::kIdent;
        p = q;
      } else if (c == '(') {
        tok.type = Token::kLParen, p++;
      } else if (c == ')') {
        tok.type = Token::kRParen, p++;
      } else if (c == '|') {
        tok.type = Token::kPipe, p++;
      } else if (c == ',') {
        tok.type = Token::kComma, p++;
      } else if (c == ':' && src_.compare(p, 2, ":=") == 0) {
        tok.type = Token::kDeclare, p += 2;
      } else if (c == '=') {
        tok.type = Token::kAssign, p++;
      } else {
        char buf[64];
        unsigned char uc = (unsigned char)c;
        if (uc >= 0x20 && uc < 0x7f) snprintf(buf, sizeof buf, "bad character U+%04X '%c'", uc, c);
        else snprintf(buf, sizeof buf, "bad character U+%04X", uc);
        error(p, buf);
      }
      out.push_back(tok);
    }
  }

  // Go's interpreted string literal; returns the position after the quote.
  size_t lex_quoted(size_t p, std::string& value) {
    size_t q = p + 1;
    for (;;) {
      if (q >= src_.size() || src_[q] == '\n') error(p, "unterminated quoted string");
      char c = src_[q];
      if (c == '"') return q + 1;
      if (c != '\\') {
        value += c;
        q++;
        continue;
      }
      q = unescape(q, value, '"');
    }
  }

  size_t lex_char(size_t p, std::string& number) {
    std::string value;
    size_t q = p + 1;
    if (q < src_.size() && src_[q] == '\\') {
      q = unescape(q, value, '\'');
    } else if (q < src_.size()) {
      size_t n = utf8_length(src_, q);
      value = src_.substr(q, n ? n : 1);
      q += n ? n : 1;
    }
    if (q >= src_.size() || src_[q] != '\'') error(p, "unterminated character constant");
    // The rune's code point.
    unsigned long cp = (unsigned char)value[0];
    if (value.size() > 1) {
      cp &= 0xff >> (value.size() + 1);
      for (size_t k = 1; k < value.size(); k++) cp = (cp << 6) | ((unsigned char)value[k] & 0x3f);
    }
    number = std::to_string(cp);
    return q + 1;
  }

  // One backslash escape at src_[q]; returns the position after it.
  size_t unescape(size_t q, std::string& value, char quote) {
    if (q + 1 >= src_.size()) error(q, "unterminated quoted string");
    char e = src_[q + 1];
    q += 2;
    switch (e) {
      case 'a': value += '\a'; return q;
      case 'b': value += '\b'; return q;
      case 'f': value += '\f'; return q;
      case 'n': value += '\n'; return q;
      case 'r': value += '\r'; return q;
      case 't': value += '\t'; return q;
      case 'v': value += '\v'; return q;
      case '\\': value += '\\'; return q;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (q + n > src_.size()) error(q, "invalid syntax");
        std::string hex = src_.substr(q, n);
        for (char h : hex)
          if (!isxdigit((unsigned char)h)) error(q, "invalid syntax");
        unsigned long cp = strtoul(hex.c_str(), nullptr, 16);
        if (e == 'x') value += (char)cp;
        else append_utf8(value, cp);
        return q + n;
      }
      default:
        if (e == quote) {
          value += e;
          return q;
        }
        if (e >= '0' && e <= '7' && q + 1 < src_.size()) {
          std::string oct = src_.substr(q - 1, 3);
          value += (char)strtoul(oct.c_str(), nullptr, 8);
          return q + 2;
        }
        error(q, "invalid syntax");
    }
  }

  const std::string& src_;
  size_t pos_ = 0;
  size_t action_pos_ = 0;
  size_t stop_pos_ = 0;
  bool trim_next_ = false;
  int range_depth_ = 0;
  std::vector<Token> else_tokens_;
  std::vector<std::string> declared_ = {"$"};
};

// ---------------------------------------------------------------- execution

struct ExecError {
  std::string message;
};

enum class Flow { kNormal, kBreak, kContinue };

class Executor {
 public:
  explicit Executor(const TemplateOptions& options) : options_(options) {}

  std::string out;

  void run(const std::vector<Node>& nodes, const Value& root) {
    vars_.emplace_back("$", root);
    walk(nodes, root);
  }

  // Position and text of the command being evaluated, for error messages.
  const Command* current = nullptr;

 private:
  [[noreturn]] void error(const std::string& message) { throw ExecError{message}; }

  Flow walk(const std::vector<Node>& nodes, const Value& dot) {
    for (const auto& n : nodes) {
      Flow flow = walk_node(n, dot);
      if (flow != Flow::kNormal) return flow;
    }
    return Flow::kNormal;
  }

  Flow walk_node(const Node& n, const Value& dot) {
    switch (n.kind) {
      case Node::kText: out += n.text; return Flow::kNormal;
      case Node::kBreak: return Flow::kBreak;
      case Node::kContinue: return Flow::kContinue;
      case Node::kAction: {
        Value v = eval_pipe(n.pipe, dot);
        if (n.pipe.variables.empty()) print_value(v, out, true);
        return Flow::kNormal;
      }
      case Node::kIf:
      case Node::kWith: {
        size_t mark = vars_.size();
        Value v = eval_pipe(n.pipe, dot);
        Flow flow;
        if (truth(v)) flow = walk(n.list, n.kind == Node::kWith ? v : dot);
        else flow = walk(n.else_list, dot);
        vars_.resize(mark);
        return flow;
      }
      case Node::kRange: return walk_range(n, dot);
    }
    return Flow::kNormal;
  }

  Flow walk_range(const Node& n, const Value& dot) {
    size_t mark = vars_.size();
    Pipe pipe = n.pipe;
    std::vector<std::string> names = pipe.variables;
    bool assign = pipe.assign;
    pipe.variables.clear();
    Value v = eval_pipe(pipe, dot);
    std::vector<std::pair<Value, Value>> elements;  // key, element
    if (v && v->kind == Datum::kList) {
      for (size_t i = 0; i < v->items.size(); i++) elements.emplace_back(make_int((long long)i), v->items[i]);
    } else if (v && v->kind == Datum::kMap) {
      std::vector<const std::pair<std::string, Value>*> sorted;
      for (const auto& m : v->members) sorted.push_back(&m);
      std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
      for (auto* m : sorted) elements.emplace_back(make_string(m->first), m->second);
    } else if (v && v->kind == Datum::kNumber && is_integer_text(v->text)) {
      long long count = atoll(v->text.c_str());
      for (long long i = 0; i < count; i++) elements.emplace_back(make_int(i), make_int(i));
    } else if (v && v->kind != Datum::kNil) {
      error("range can't iterate over " + to_text(v));
    }
    Flow result = Flow::kNormal;
    if (elements.empty()) {
      result = walk(n.else_list, dot);
    } else {
      for (const auto& [key, element] : elements) {
        size_t inner = vars_.size();
        if (names.size() == 1) set_var(names[0], element, assign);
        if (names.size() == 2) {
          set_var(names[0], key, assign);
          set_var(names[1], element, assign);
        }
        Flow flow = walk(n.list, element);
        vars_.resize(inner);
        if (flow == Flow::kBreak) break;
      }
    }
    vars_.resize(mark);
    return result == Flow::kNormal ? Flow::kNormal : result;
  }

  void set_var(const std::string& name, const Value& v, bool assign) {
    if (!assign) {
      vars_.emplace_back(name, v);
      return;
    }
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) {
        it->second = v;
        return;
      }
    }
    error("undefined variable: " + name);
  }

  Value lookup_var(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    error("undefined variable: " + name);
  }

  Value eval_pipe(const Pipe& pipe, const Value& dot) {
    Value value;
    bool has_final = false;
    for (const auto& cmd : pipe.commands) {
      const Command* saved = current;
      current = &cmd;
      value = eval_command(cmd, dot, has_final ? &value : nullptr);
      current = saved;
      has_final = true;
    }
    for (const auto& name : pipe.variables) set_var(name, value, pipe.assign);
    return value;
  }

  Value field(const Value& receiver, const std::string& name) {
    if (!receiver) return nullptr;
    if (receiver->kind == Datum::kMap) {
      for (const auto& [k, v] : receiver->members)
        if (k == name) return v;
      return nullptr;
    }
    if (receiver->kind == Datum::kNil) error("nil pointer evaluating interface {}." + name);
    error("can't evaluate field " + name + " in type " + type_name(receiver));
  }

  Value chain(Value v, const std::vector<std::string>& fields) {
    for (const auto& f : fields) v = field(v, f);
    return v;
  }

  Value literal(const Operand& op) {
    switch (op.kind) {
      case Operand::kString: return make_string(op.text);
      case Operand::kNumber: return make_number(op.text);
      case Operand::kBool: return make_bool(op.text == "true");
      case Operand::kNil: return make_nil();
      default: return nullptr;
    }
  }

  // An argument: like a command of one operand, functions called without arguments.
  Value eval_arg(const Operand& op, const Value& dot) {
    switch (op.kind) {
      case Operand::kField: return chain(dot, op.fields);
      case Operand::kDot: return dot;
      case Operand::kVariable: return chain(lookup_var(op.text), op.fields);
      case Operand::kFunction: return call(op.text, {}, dot);
      case Operand::kPipe: return chain(eval_pipe(*op.pipe, dot), op.fields);
      default: return literal(op);
    }
  }

  Value eval_command(const Command& cmd, const Value& dot, const Value* final) {
    const Operand& first = cmd.operands[0];
    if (first.kind == Operand::kFunction) {
      std::vector<Value> args;
      for (size_t i = 1; i < cmd.operands.size(); i++) args.push_back(eval_arg(cmd.operands[i], dot));
      if (final) args.push_back(*final);
      return call(first.text, args, dot);
    }
    if (cmd.operands.size() > 1 || final) {
      if (first.kind == Operand::kField) error(first.fields.back() + " is not a method but has arguments");
      error("can't give argument to non-function " + cmd.source.substr(0, cmd.source.find(' ')));
    }
    return eval_arg(first, dot);
  }

  // ---- functions

  void want_args(const std::string& name, const std::vector<Value>& args, size_t n) {
    if (args.size() != n)
      error("wrong number of args for " + name + ": want " + std::to_string(n) + " got " + std::to_string(args.size()));
  }

  const std::string& want_string(const Value& v) {
    if (!v || v->kind != Datum::kString) error("wrong type for value; expected string; got " + type_name(v));
    return v->text;
  }

  long long want_int(const Value& v) {
    if (!v || v->kind != Datum::kNumber || !is_integer_text(v->text))
      error("wrong type for value; expected int; got " + type_name(v));
    return atoll(v->text.c_str());
  }

  Value call(const std::string& name, const std::vector<Value>& args, const Value& dot) {
    if (options_.header_functions) {
      // docker's HeaderFunctions: these leave the column name as it is.
      static const char* const kIdentity[] = {"json", "split", "join", "title", "lower", "upper", "truncate"};
      for (const char* f : kIdentity) {
        if (name == f) {
          if (args.empty()) error("wrong number of args for " + name + ": want 1 got 0");
          return args[0];
        }
      }
    }
    if (name == "json") {
      want_args(name, args, 1);
      std::string text;
      json_encode(args[0], text, false);
      return make_string(text);
    }
    if (name == "join") {
      want_args(name, args, 2);
      const std::string& sep = want_string(args[1]);
      const Value& v = args[0];
      if (!v || v->kind == Datum::kNil) return make_string("");
      std::vector<std::string> parts;
      if (v->kind == Datum::kList) {
        for (const auto& item : v->items) parts.push_back(to_text_nested(item));
      } else if (v->kind == Datum::kMap) {
        for (const auto& m : v->members) parts.push_back(to_text_nested(m.second));
        std::sort(parts.begin(), parts.end());
      } else {
        error("error calling join: expected slice, got " + type_name(v));
      }
      std::string joined;
      for (size_t i = 0; i < parts.size(); i++) joined += (i ? sep : "") + parts[i];
      return make_string(joined);
    }
    if (name == "split") {
      want_args(name, args, 2);
      const std::string& s = want_string(args[0]);
      const std::string& sep = want_string(args[1]);
      auto list = std::make_shared<Datum>();
      list->kind = Datum::kList;
      if (sep.empty()) {
        for (size_t i = 0; i < s.size();) {
          size_t n = utf8_length(s, i);
          if (!n) n = 1;
          list->items.push_back(make_string(s.substr(i, n)));
          i += n;
        }
      } else {
        size_t pos = 0;
        for (;;) {
          size_t next = s.find(sep, pos);
          list->items.push_back(make_string(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos)));
          if (next == std::string::npos) break;
          pos = next + sep.size();
        }
      }
      return list;
    }
    if (name == "upper" || name == "lower" || name == "title") {
      want_args(name, args, 1);
      std::string s = want_string(args[0]);
      bool word_start = true;
      for (char& c : s) {
        if (name == "upper") c = (char)toupper((unsigned char)c);
        else if (name == "lower") c = (char)tolower((unsigned char)c);
        else {
          if (word_start) c = (char)toupper((unsigned char)c);
          word_start = !isalnum((unsigned char)c) && c != '_' && c != '\'';
        }
      }
      return make_string(s);
    }
    if (name == "pad") {
      want_args(name, args, 3);
      const std::string& s = want_string(args[0]);
      if (s.empty()) return make_string("");
      return make_string(std::string(std::max(0LL, want_int(args[1])), ' ') + s +
                         std::string(std::max(0LL, want_int(args[2])), ' '));
    }
    if (name == "truncate") {
      want_args(name, args, 2);
      const std::string& s = want_string(args[0]);
      long long n = want_int(args[1]);
      if ((long long)s.size() < n || n < 0) return make_string(s);
      return make_string(s.substr(0, n));
    }
    if (name == "len") {
      want_args(name, args, 1);
      const Value& v = args[0];
      if (v && v->kind == Datum::kString) return make_int((long long)v->text.size());
      if (v && v->kind == Datum::kList) return make_int((long long)v->items.size());
      if (v && v->kind == Datum::kMap) return make_int((long long)v->members.size());
      error("error calling len: len of " + std::string(v && v->kind != Datum::kNil ? "type " + type_name(v) : "nil pointer"));
    }
    if (name == "index") {
      if (args.empty()) error("wrong number of args for index: want at least 1 got 0");
      Value v = args[0];
      for (size_t i = 1; i < args.size(); i++) {
        if (!v || v->kind == Datum::kNil) error("error calling index: index of untyped nil");
        if (v->kind == Datum::kList || v->kind == Datum::kString) {
          if (!args[i] || args[i]->kind != Datum::kNumber || !is_integer_text(args[i]->text))
            error("error calling index: cannot index slice/array with type " + type_name(args[i]));
          long long k = atoll(args[i]->text.c_str());
          size_t size = v->kind == Datum::kList ? v->items.size() : v->text.size();
          if (k < 0 || (size_t)k >= size) error("error calling index: index out of range: " + std::to_string(k));
          v = v->kind == Datum::kList ? v->items[k] : make_int((unsigned char)v->text[k]);
        } else if (v->kind == Datum::kMap) {
          if (!args[i] || args[i]->kind != Datum::kString)
            error("error calling index: value has type " + type_name(args[i]) + "; should be string");
          v = field(v, args[i]->text);
        } else {
          error("error calling index: can't index item of type " + type_name(v));
        }
      }
      return v;
    }
    if (name == "not") {
      want_args(name, args, 1);
      return make_bool(!truth(args[0]));
    }
    if (name == "and" || name == "or") {
      if (args.empty()) error("wrong number of args for " + name + ": want at least 1 got 0");
      for (size_t i = 0; i + 1 < args.size(); i++)
        if (truth(args[i]) == (name == "or")) return args[i];
      return args.back();
    }
    if (name == "eq" || name == "ne" || name == "lt" || name == "le" || name == "gt" || name == "ge") {
      if (name == "eq") {
        if (args.size() < 2) error("wrong number of args for eq: want at least 2 got " + std::to_string(args.size()));
        for (size_t i = 1; i < args.size(); i++)
          if (compare(args[0], args[i], true) == 0) return make_bool(true);
        return make_bool(false);
      }
      want_args(name, args, 2);
      int c = compare(args[0], args[1], name == "ne");
      if (name == "ne") return make_bool(c != 0);
      if (name == "lt") return make_bool(c < 0);
      if (name == "le") return make_bool(c <= 0);
      if (name == "gt") return make_bool(c > 0);
      return make_bool(c >= 0);
    }
    if (name == "print" || name == "println") {
      std::string s;
      for (size_t i = 0; i < args.size(); i++) {
        bool is_str = args[i] && args[i]->kind == Datum::kString;
        bool prev_str = i > 0 && args[i - 1] && args[i - 1]->kind == Datum::kString;
        if (i > 0 && (name == "println" || (!is_str && !prev_str))) s += ' ';
        s += to_text_nested(args[i]);
      }
      if (name == "println") s += '\n';
      return make_string(s);
    }
    if (name == "printf") {
      if (args.empty()) error("wrong number of args for printf: want at least 1 got 0");
      return make_string(sprintf_go(want_string(args[0]), std::vector<Value>(args.begin() + 1, args.end())));
    }
    (void)dot;
    error("function \"" + name + "\" not defined");
  }

  // fmt.Sprint of an argument: a nil inside a function call prints "<nil>".
  std::string to_text_nested(const Value& v) {
    std::string out;
    if (!v) return "<nil>";
    print_value(v, out, false);
    return out;
  }

  // Go's comparison builtins, for basic kinds.
  int compare(const Value& a, const Value& b, bool equality_only) {
    auto kind = [](const Value& v) { return v ? v->kind : Datum::kNil; };
    if (!a || !b) error("error calling " + std::string(equality_only ? "eq" : "lt") + ": invalid type for comparison");
    if (kind(a) != kind(b)) {
      if (kind(a) == Datum::kNil || kind(b) == Datum::kNil) {
        if (equality_only) return 1;
      }
      error("error calling " + std::string(equality_only ? "eq" : "lt") + ": incompatible types for comparison");
    }
    switch (a->kind) {
      case Datum::kString: return a->text < b->text ? -1 : a->text > b->text ? 1 : 0;
      case Datum::kNumber: {
        double x = number_of(*a), y = number_of(*b);
        return x < y ? -1 : x > y ? 1 : 0;
      }
      case Datum::kBool:
        if (!equality_only) error("error calling lt: invalid type for comparison");
        return a->b == b->b ? 0 : 1;
      case Datum::kNil:
        if (equality_only) return 0;
        break;
      default: break;
    }
    error("error calling " + std::string(equality_only ? "eq" : "lt") + ": invalid type for comparison");
  }

  // A useful subset of fmt.Sprintf: flags, width, precision and the verbs
  // v s d q t x X f g e c %.
  std::string sprintf_go(const std::string& format, const std::vector<Value>& args) {
    std::string out;
    size_t next = 0;
    for (size_t i = 0; i < format.size(); i++) {
      if (format[i] != '%') {
        out += format[i];
        continue;
      }
      size_t start = i++;
      std::string flags;
      while (i < format.size() && strchr("-+# 0", format[i])) flags += format[i++];
      std::string width, precision;
      while (i < format.size() && isdigit((unsigned char)format[i])) width += format[i++];
      bool has_precision = false;
      if (i < format.size() && format[i] == '.') {
        has_precision = true;
        i++;
        while (i < format.size() && isdigit((unsigned char)format[i])) precision += format[i++];
      }
      if (i >= format.size()) {
        out += "%!(NOVERB)";
        break;
      }
      char verb = format[i];
      if (verb == '%') {
        out += '%';
        continue;
      }
      (void)start;
      if (next >= args.size()) {
        out += std::string("%!") + verb + "(MISSING)";
        continue;
      }
      const Value& v = args[next++];
      std::string spec = "%" + flags + width + (has_precision ? "." + (precision.empty() ? "0" : precision) : "");
      char buf[512];
      std::string piece;
      if ((verb == 'd' || verb == 'x' || verb == 'X' || verb == 'c') && v && v->kind == Datum::kNumber &&
          is_integer_text(v->text)) {
        std::string s = spec + "ll" + (verb == 'c' ? 'd' : verb);
        if (verb == 'c') {
          std::string ch;
          append_utf8(ch, (unsigned long)atoll(v->text.c_str()));
          piece = ch;
        } else {
          snprintf(buf, sizeof buf, s.c_str(), atoll(v->text.c_str()));
          piece = buf;
        }
      } else if (strchr("fgeFGE", verb) && v && v->kind == Datum::kNumber) {
        snprintf(buf, sizeof buf, (spec + verb).c_str(), number_of(*v));
        piece = buf;
      } else if (verb == 'x' && v && v->kind == Datum::kString) {
        for (unsigned char c : v->text) {
          snprintf(buf, sizeof buf, "%02x", c);
          piece += buf;
        }
      } else if (verb == 'q' && v && v->kind == Datum::kString) {
        json_string(v->text, piece, false);
      } else if (verb == 't' && v && v->kind == Datum::kBool) {
        piece = v->b ? "true" : "false";
      } else if (verb == 'v' || verb == 's') {
        piece = to_text_nested(v);
        if (has_precision && piece.size() > (size_t)atoi(precision.c_str())) piece.resize(atoi(precision.c_str()));
      } else {
        out += std::string("%!") + verb + "(" + type_name(v) + "=" + to_text_nested(v) + ")";
        continue;
      }
      size_t w = width.empty() ? 0 : (size_t)atoi(width.c_str());
      if (piece.size() < w && verb != 'd' && verb != 'x' && verb != 'X' && !strchr("fgeFGE", verb)) {
        if (flags.find('-') != std::string::npos) piece += std::string(w - piece.size(), ' ');
        else piece = std::string(w - piece.size(), ' ') + piece;
      }
      out += piece;
    }
    if (next < args.size()) {
      out += "%!(EXTRA ";
      for (size_t k = next; k < args.size(); k++)
        out += (k > next ? ", " : "") + type_name(args[k]) + "=" + to_text_nested(args[k]);
      out += ")";
    }
    return out;
  }

  const TemplateOptions& options_;
  std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace

namespace {

void indented(const Value& v, std::string& out, bool escape_html, int depth) {
  auto newline = [&](int d) { out += "\n" + std::string(4 * d, ' '); };
  if (v && v->kind == Datum::kList && !v->items.empty()) {
    out += "[";
    for (size_t i = 0; i < v->items.size(); i++) {
      if (i) out += ",";
      newline(depth + 1);
      indented(v->items[i], out, escape_html, depth + 1);
    }
    newline(depth);
    out += "]";
  } else if (v && v->kind == Datum::kMap && !v->members.empty()) {
    out += "{";
    for (size_t i = 0; i < v->members.size(); i++) {
      if (i) out += ",";
      newline(depth + 1);
      json_string(v->members[i].first, out, escape_html);
      out += ": ";
      indented(v->members[i].second, out, escape_html, depth + 1);
    }
    newline(depth);
    out += "}";
  } else {
    json_encode(v, out, escape_html);
  }
}

}  // namespace

std::string go_json(const JsonValue& value, bool escape_html, bool indent) {
  std::string out;
  if (indent) indented(from_json(value), out, escape_html, 0);
  else json_encode(from_json(value), out, escape_html);
  return out;
}

struct GoTemplate::Impl {
  std::string source;
  std::vector<Node> nodes;
};

GoTemplate::GoTemplate(const std::string& text) : impl_(std::make_unique<Impl>()) {
  impl_->source = text;
  impl_->nodes = Parser(impl_->source).parse();
}

GoTemplate::~GoTemplate() = default;
GoTemplate::GoTemplate(GoTemplate&&) noexcept = default;
GoTemplate& GoTemplate::operator=(GoTemplate&&) noexcept = default;

std::string GoTemplate::execute(const JsonValue& data, const TemplateOptions& options) const {
  auto root = std::const_pointer_cast<Datum>(from_json(data));
  root->escape_html = options.escape_html_in_root_json;
  Executor exec(options);
  try {
    exec.run(impl_->nodes, root);
  } catch (const ExecError& e) {
    if (options.partial_on_error) return exec.out;
    const std::string& src = impl_->source;
    size_t pos = exec.current ? exec.current->pos : 0;
    size_t line_start = src.rfind('\n', pos == 0 ? 0 : pos - 1);
    int line = 1 + (int)std::count(src.begin(), src.begin() + std::min(pos, src.size()), '\n');
    size_t col = line_start == std::string::npos || pos == 0 ? pos : pos - line_start - 1;
    std::string at = exec.current ? exec.current->source : "";
    fail("template parsing error: template: :%d:%zu: executing \"\" at <%s>: %s", line, col, at.c_str(),
         e.message.c_str());
  }
  return exec.out;
}

}  // namespace hutch
