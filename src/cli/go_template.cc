#include "cli/go_template.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "cli/go_template_parse.h"
#include "cli/go_template_value.h"

namespace hutch {

using namespace gotmpl;

namespace {

// ---------------------------------------------------------------- execution

// What one execution may make: its output plus every string and list its
// functions build (and 8 bytes a range step). Without a bound,
// {{range 100}}{{$x = print $x $x}}{{end}} doubles a string a hundred times.
// A 16 MiB image config (the most hutch reads) printed with {{json .}} stays
// well inside.
constexpr size_t kMaxTemplateBytes = 64 << 20;
// The widest printf field or pad, as Go's fmt bounds them (fmt.tooLarge):
// "%9999999999s" would otherwise ask for 10 GB of spaces.
constexpr long long kMaxWidth = 1000000;

struct ExecError {
  std::string message;
};

enum class Flow { kNormal, kBreak, kContinue };

class Executor {
 public:
  explicit Executor(const TemplateOptions& options) : options_(options) {}

  std::string out;

  void run(const std::vector<Node>& nodes, const Value& root) {
    root_ = root;
    vars_.emplace_back("$", root);
    walk(nodes, root);
  }

  // Position and text of the command being evaluated, for error messages.
  const Command* current = nullptr;

 private:
  [[noreturn]] void error(const std::string& message) { throw ExecError{message}; }

  void charge(size_t bytes) {
    spent_ += bytes;
    if (spent_ <= kMaxTemplateBytes) return;
    error(format("template output exceeds %zu MiB", kMaxTemplateBytes >> 20));
  }
  void emit(const std::string& text) {
    charge(text.size());
    out += text;
  }
  void append(std::string& to, const std::string& piece) {
    charge(piece.size());
    to += piece;
  }
  Value made(std::string text) {
    charge(sizeof(Datum) + text.size());
    return make_string(std::move(text));
  }
  long long want_width(const std::string& function, long long width) {
    if (width > kMaxWidth || width < -kMaxWidth)
      error(format("error calling %s: width %lld is larger than %lld", function.c_str(), width, kMaxWidth));
    return width;
  }

  Flow walk(const std::vector<Node>& nodes, const Value& dot) {
    for (const auto& n : nodes) {
      Flow flow = walk_node(n, dot);
      if (flow != Flow::kNormal) return flow;
    }
    return Flow::kNormal;
  }

  Flow walk_node(const Node& n, const Value& dot) {
    switch (n.kind) {
      case Node::kText: emit(n.text); return Flow::kNormal;
      case Node::kBreak: return Flow::kBreak;
      case Node::kContinue: return Flow::kContinue;
      case Node::kAction: {
        Value v = eval_pipe(n.pipe, dot);
        if (n.pipe.variables.empty()) {
          size_t before = out.size();
          print_value(v, out, true);
          charge(out.size() - before);
        }
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
    // One iteration; false to stop ({{break}}).
    auto step = [&](const Value& key, const Value& element) {
      charge(8);
      size_t inner = vars_.size();
      if (names.size() == 1) set_var(names[0], element, assign);
      if (names.size() == 2) {
        set_var(names[0], key, assign);
        set_var(names[1], element, assign);
      }
      Flow flow = walk(n.list, element);
      vars_.resize(inner);
      return flow != Flow::kBreak;
    };
    bool empty = true;
    if (v && v->kind == Datum::kList) {
      empty = v->items.empty();
      for (size_t i = 0; i < v->items.size(); i++)
        if (!step(make_int((long long)i), v->items[i])) break;
    } else if (v && v->kind == Datum::kMap) {
      std::vector<const std::pair<std::string, Value>*> sorted;
      for (const auto& m : v->members) sorted.push_back(&m);
      std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
      empty = sorted.empty();
      for (auto* m : sorted)
        if (!step(make_string(m->first), m->second)) break;
    } else if (v && v->kind == Datum::kNumber && is_integer_text(v->text)) {
      // Counted as it goes: {{range 1000000000000}} must not list its steps first.
      long long count = atoll(v->text.c_str());
      empty = count <= 0;
      for (long long i = 0; i < count; i++)
        if (!step(make_int(i), make_int(i))) break;
    } else if (v && v->kind != Datum::kNil) {
      error("range can't iterate over " + to_text(v));
    }
    Flow result = empty ? walk(n.else_list, dot) : Flow::kNormal;
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
      if (receiver == root_ && !options_.root_type.empty())
        error("can't evaluate field " + name + " in type " + options_.root_type);
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
    if (first.kind == Operand::kField && first.fields.size() == 1 && dot == root_) {
      auto method = options_.string_methods.find(first.fields[0]);
      if (method != options_.string_methods.end()) {
        std::vector<Value> args;
        for (size_t i = 1; i < cmd.operands.size(); i++) args.push_back(eval_arg(cmd.operands[i], dot));
        if (final) args.push_back(*final);
        want_args(method->first, args, 1);
        return made(method->second(want_string(args[0])));
      }
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
      return made(std::move(text));
    }
    if (name == "join") {
      want_args(name, args, 2);
      const std::string& sep = want_string(args[1]);
      const Value& v = args[0];
      if (!v || v->kind == Datum::kNil) return made("");
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
      for (size_t i = 0; i < parts.size(); i++) {
        if (i) append(joined, sep);
        append(joined, parts[i]);
      }
      return made(std::move(joined));
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
          list->items.push_back(made(s.substr(i, n)));
          i += n;
        }
      } else {
        size_t pos = 0;
        for (;;) {
          size_t next = s.find(sep, pos);
          list->items.push_back(made(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos)));
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
      return made(std::move(s));
    }
    if (name == "pad") {
      want_args(name, args, 3);
      const std::string& s = want_string(args[0]);
      long long left = want_width(name, want_int(args[1])), right = want_width(name, want_int(args[2]));
      if (s.empty()) return made("");
      return made(std::string(std::max(0LL, left), ' ') + s + std::string(std::max(0LL, right), ' '));
    }
    if (name == "truncate") {
      want_args(name, args, 2);
      const std::string& s = want_string(args[0]);
      long long n = want_int(args[1]);
      if ((long long)s.size() < n || n < 0) return made(s);
      return made(s.substr(0, n));
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
        append(s, to_text_nested(args[i]));
      }
      if (name == "println") s += '\n';
      return made(std::move(s));
    }
    if (name == "printf") {
      if (args.empty()) error("wrong number of args for printf: want at least 1 got 0");
      return made(sprintf_go(want_string(args[0]), std::vector<Value>(args.begin() + 1, args.end())));
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
      auto number = [&](const char* what) {
        std::string digits;
        while (i < format.size() && isdigit((unsigned char)format[i])) digits += format[i++];
        if (digits.size() > 7 || atol(digits.c_str()) > kMaxWidth)
          error(hutch::format("error calling printf: %s %s is larger than %lld", what, digits.c_str(), kMaxWidth));
        return digits;
      };
      std::string width = number("width"), precision;
      bool has_precision = false;
      if (i < format.size() && format[i] == '.') {
        has_precision = true;
        i++;
        precision = number("precision");
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
      char buf[8];
      std::string piece;
      if ((verb == 'd' || verb == 'x' || verb == 'X' || verb == 'c') && v && v->kind == Datum::kNumber &&
          is_integer_text(v->text)) {
        std::string s = spec + "ll" + (verb == 'c' ? 'd' : verb);
        if (verb == 'c') {
          std::string ch;
          append_utf8(ch, (unsigned long)atoll(v->text.c_str()));
          piece = ch;
        } else {
          piece = hutch::format(s.c_str(), atoll(v->text.c_str()));
        }
      } else if (strchr("fgeFGE", verb) && v && v->kind == Datum::kNumber) {
        piece = hutch::format((spec + verb).c_str(), number_of(*v));
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
        append(out, std::string("%!") + verb + "(" + type_name(v) + "=" + to_text_nested(v) + ")");
        continue;
      }
      size_t w = width.empty() ? 0 : (size_t)atoi(width.c_str());
      if (piece.size() < w && verb != 'd' && verb != 'x' && verb != 'X' && !strchr("fgeFGE", verb)) {
        if (flags.find('-') != std::string::npos) piece += std::string(w - piece.size(), ' ');
        else piece = std::string(w - piece.size(), ' ') + piece;
      }
      append(out, piece);
    }
    if (next < args.size()) {
      out += "%!(EXTRA ";
      for (size_t k = next; k < args.size(); k++)
        append(out, (k > next ? ", " : "") + type_name(args[k]) + "=" + to_text_nested(args[k]));
      out += ")";
    }
    return out;
  }

  const TemplateOptions& options_;
  std::vector<std::pair<std::string, Value>> vars_;
  Value root_;  // the data the template runs on: where string_methods apply
  size_t spent_ = 0;  // bytes charged against kMaxTemplateBytes
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
  impl_->nodes = parse_template(impl_->source);
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
