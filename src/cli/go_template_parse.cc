#include "cli/go_template_parse.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "cli/go_template_value.h"

namespace hutch::gotmpl {

namespace {

// Parsing and executing recurse once per nested "(" and per nested
// {{if}}/{{range}}/{{with}}; without a limit 60,000 "(" overflow the stack.
// Go's text/template refuses parentheses nested deeper than 10000 with this
// same message (parse.maxStackDepth); hutch counts blocks in the same budget.
constexpr int kMaxDepth = 10000;

struct Token {
  enum Type { kEnd, kField, kDot, kVariable, kIdent, kString, kNumber, kBool, kNil, kLParen, kRParen, kPipe,
              kDeclare, kAssign, kComma };
  Type type = kEnd;
  std::string text;  // identifier/field name, unquoted string, number
  size_t pos = 0;
  bool space_before = false;
};

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

  // Holds one level of depth_ for as long as it lives.
  class Nesting {
   public:
    Nesting(Parser& p, size_t pos) : p_(p) {
      if (p_.depth_ >= kMaxDepth) p_.error(pos, "max expression depth exceeded");
      p_.depth_++;
    }
    ~Nesting() { p_.depth_--; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& p_;
  };

  // if/range/with and their else branches; `first` indexes the pipeline tokens.
  Node parse_control(const std::string& word, const std::vector<Token>& tokens, size_t first) {
    Nesting nesting(*this, tokens[0].pos);
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
        Nesting nesting(*this, tok.pos);
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
  int depth_ = 0;
  std::vector<Token> else_tokens_;
  std::vector<std::string> declared_ = {"$"};
};

}  // namespace

const char* const kFunctions[] = {"and",  "eq",    "ge",    "gt",  "index",    "join",  "json",   "le",
                                  "len",  "lower", "lt",    "ne",  "not",      "or",    "pad",    "print",
                                  "printf", "println", "split", "title", "truncate", "upper"};

bool is_function(const std::string& name) {
  for (const char* f : kFunctions)
    if (name == f) return true;
  return false;
}

std::vector<Node> parse_template(const std::string& src) { return Parser(src).parse(); }

}  // namespace hutch::gotmpl
