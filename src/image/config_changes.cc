#include "image/config_changes.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

#include "base/env_list.h"
#include "base/error.h"
#include "base/json_reader.h"
#include "base/json_writer.h"

namespace hutch {

// ---- RunConfig

RunConfig RunConfig::from_json(const JsonValue* config) {
  RunConfig out;
  if (!config || !config->is_object()) return out;
  for (const auto& [key, value] : config->members()) out.members_.emplace_back(key, value.to_json());
  return out;
}

std::string RunConfig::to_json() const {
  std::string out = "{";
  for (size_t i = 0; i < members_.size(); i++)
    out += (i ? "," : "") + json_quote(members_[i].first) + ":" + members_[i].second;
  return out + "}";
}

const std::string* RunConfig::find(const std::string& key) const {
  for (const auto& [k, v] : members_)
    if (k == key) return &v;
  return nullptr;
}

std::vector<std::string> RunConfig::strings(const std::string& key) const {
  std::vector<std::string> out;
  const std::string* raw = find(key);
  if (!raw) return out;
  JsonValue v = parse_json(*raw, key);
  for (const auto& item : v.items())
    if (item.is_string()) out.push_back(item.as_string());
  return out;
}

std::string RunConfig::string(const std::string& key) const {
  const std::string* raw = find(key);
  if (!raw) return "";
  JsonValue v = parse_json(*raw, key);
  return v.is_string() ? v.as_string() : "";
}

std::vector<std::pair<std::string, std::string>> RunConfig::object(const std::string& key) const {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string* raw = find(key);
  if (!raw) return out;
  JsonValue v = parse_json(*raw, key);
  for (const auto& [k, value] : v.members()) out.emplace_back(k, value.to_json());
  return out;
}

void RunConfig::set_raw(const std::string& key, const std::string& json) {
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = json;
      return;
    }
  }
  members_.emplace_back(key, json);
}

void RunConfig::set_strings(const std::string& key, const std::vector<std::string>& values) {
  JsonWriter w;
  w.string_array(values);
  set_raw(key, w.str());
}

void RunConfig::set_string(const std::string& key, const std::string& value) { set_raw(key, json_quote(value)); }

void RunConfig::set_object(const std::string& key, const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out = "{";
  for (size_t i = 0; i < members.size(); i++)
    out += (i ? "," : "") + json_quote(members[i].first) + ":" + members[i].second;
  set_raw(key, out + "}");
}


// ---- the Dockerfile's word syntax

namespace {

bool is_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

class Lexer {
 public:
  Lexer(const std::string& text, const EnvList& env) : s_(text), env_(env) {}

  std::vector<std::string> words(bool split) {
    std::vector<std::string> out;
    std::string word;
    // As in the shell, a word that is only expansions which came out empty
    // is no word at all; quotes or literal text make it one.
    bool solid = false;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (split && isspace((unsigned char)c)) {
        if (solid || !word.empty()) out.push_back(word);
        word.clear();
        solid = false;
        pos_++;
        continue;
      }
      if (c != '$') solid = true;
      if (c == '\'') {
        pos_++;
        size_t end = s_.find('\'', pos_);
        if (end == std::string::npos) fail("unexpected end of statement while looking for matching single-quote");
        word += s_.substr(pos_, end - pos_);
        pos_ = end + 1;
      } else if (c == '"') {
        pos_++;
        word += double_quoted();
      } else if (c == '\\') {
        pos_++;
        if (pos_ < s_.size()) word += s_[pos_++];
      } else if (c == '$') {
        word += dollar();
      } else {
        word += c;
        pos_++;
      }
    }
    if (solid || !word.empty()) out.push_back(word);
    if (!split && out.empty()) out.push_back("");
    return out;
  }

 private:
  std::string double_quoted() {
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '"') {
        pos_++;
        return out;
      }
      if (c == '\\' && pos_ + 1 < s_.size() && strchr("\"\\$`", s_[pos_ + 1])) {
        out += s_[pos_ + 1];
        pos_ += 2;
      } else if (c == '$') {
        out += dollar();
      } else {
        out += c;
        pos_++;
      }
    }
    fail("unexpected end of statement while looking for matching double-quote");
  }

  // At a '$': the expansion, or a literal '$' when no name follows.
  std::string dollar() {
    pos_++;
    if (pos_ < s_.size() && s_[pos_] == '{') {
      size_t start = ++pos_;
      while (pos_ < s_.size() && is_name_char(s_[pos_])) pos_++;
      std::string name = s_.substr(start, pos_ - start);
      if (name.empty()) fail("bad substitution in %s", s_.c_str());
      auto value = env_.value(name);
      if (pos_ < s_.size() && s_[pos_] == '}') {
        pos_++;
        return value.value_or("");
      }
      bool colon = pos_ < s_.size() && s_[pos_] == ':';
      if (colon) pos_++;
      char op = pos_ < s_.size() ? s_[pos_] : 0;
      if (op != '-' && op != '+') fail("unsupported modifier in ${%s...} (supported: :- :+ - +)", name.c_str());
      pos_++;
      // The word runs to the matching '}' and is itself expanded.
      std::string word;
      while (pos_ < s_.size() && s_[pos_] != '}') {
        if (s_[pos_] == '$') word += dollar();
        else if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) word += s_[++pos_], pos_++;
        else word += s_[pos_++];
      }
      if (pos_ >= s_.size()) fail("missing '}' in ${%s", name.c_str());
      pos_++;
      bool set = value.has_value() && (!colon || !value->empty());
      if (op == '-') return set ? *value : word;
      return set ? word : "";
    }
    size_t start = pos_;
    if (pos_ < s_.size() && isdigit((unsigned char)s_[pos_])) {
      // $1x is the (unset) positional $1, then "x", as in the shell.
      while (pos_ < s_.size() && isdigit((unsigned char)s_[pos_])) pos_++;
    } else {
      while (pos_ < s_.size() && is_name_char(s_[pos_])) pos_++;
    }
    if (pos_ == start) return "$";
    return env_.value(s_.substr(start, pos_ - start)).value_or("");
  }

  const std::string& s_;
  const EnvList& env_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<std::string> shell_words(const std::string& text, const EnvList& env, bool split) {
  return Lexer(text, env).words(split);
}

std::vector<std::string> shell_words(const std::string& text, const std::vector<std::string>& env, bool split) {
  return shell_words(text, EnvList(env), split);
}

// ---- instructions

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && isspace((unsigned char)s[b])) b++;
  while (e > b && isspace((unsigned char)s[e - 1])) e--;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return tolower(c); });
  return s;
}

// The exec form ["a", "b"], when the text is a JSON array of strings.
std::optional<std::vector<std::string>> json_form(const std::string& args) {
  if (args.empty() || args.front() != '[') return std::nullopt;
  try {
    JsonValue v = parse_json(args, "instruction");
    if (!v.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : v.items()) {
      if (!item.is_string()) return std::nullopt;
      out.push_back(item.as_string());
    }
    return out;
  } catch (const Error&) {
    return std::nullopt;  // not JSON: the shell form, as docker reads it
  }
}

std::vector<std::string> command_line(const std::string& args) {
  if (auto exec = json_form(args)) return *exec;
  return {"/bin/sh", "-c", args};
}

// "NAME=value ..." pairs, or the legacy "NAME value with spaces" (one pair).
std::vector<std::pair<std::string, std::string>> name_values(const std::string& keyword, const std::string& args,
                                                              const EnvList& env) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> words = shell_words(args, env, true);
  if (words.empty()) fail("%s requires at least one argument", keyword.c_str());
  if (words[0].find('=') == std::string::npos) {
    // Legacy form: the value is the rest of the line after the name.
    size_t i = 0;
    while (i < args.size() && isspace((unsigned char)args[i])) i++;
    while (i < args.size() && !isspace((unsigned char)args[i])) i++;
    std::string rest = trim(args.substr(i));
    if (rest.empty()) fail("%s must have two arguments", keyword.c_str());
    out.emplace_back(words[0], shell_words(rest, env, false)[0]);
  } else {
    for (const auto& w : words) {
      size_t eq = w.find('=');
      if (eq == std::string::npos)
        fail("Syntax error - can't find = in \"%s\". Must be of the form: name=value", w.c_str());
      out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
    }
  }
  for (const auto& [name, value] : out)
    if (name.empty()) fail("%s names can not be blank", keyword.c_str());
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return isdigit(c); });
}

// "80", "80/udp", "8000-8002/tcp" -> "80/tcp", ...
std::vector<std::string> exposed_ports(const std::string& spec) {
  std::string ports = spec, proto = "tcp";
  if (size_t slash = spec.find('/'); slash != std::string::npos) {
    ports = spec.substr(0, slash);
    proto = lower(spec.substr(slash + 1));
  }
  if (proto != "tcp" && proto != "udp" && proto != "sctp") fail("invalid proto: %s", proto.c_str());
  std::string first = ports, last = ports;
  if (size_t dash = ports.find('-'); dash != std::string::npos) {
    first = ports.substr(0, dash);
    last = ports.substr(dash + 1);
  }
  if (!all_digits(first) || !all_digits(last) || first.size() > 5 || last.size() > 5)
    fail("invalid containerPort: %s", ports.c_str());
  long a = atol(first.c_str()), b = atol(last.c_str());
  if (a < 0 || b > 65535 || b < a) fail("invalid containerPort: %s", ports.c_str());
  std::vector<std::string> out;
  for (long p = a; p <= b; p++) out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

// Go's time.ParseDuration, to nanoseconds: "30s", "1m30s", "1.5h", "500ms".
int64_t parse_duration(const std::string& flag, const std::string& text) {
  static const std::map<std::string, double> kUnits = {{"ns", 1},   {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6},
                                                       {"s", 1e9},  {"m", 60e9}, {"h", 3600e9}};
  if (text == "0") return 0;
  double total = 0;
  size_t pos = 0;
  if (text.empty()) fail("invalid duration for %s: empty", flag.c_str());
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && (isdigit((unsigned char)text[pos]) || text[pos] == '.')) pos++;
    if (pos == start) fail("time: invalid duration \"%s\"", text.c_str());
    double number = atof(text.substr(start, pos - start).c_str());
    size_t unit_start = pos;
    while (pos < text.size() && !isdigit((unsigned char)text[pos]) && text[pos] != '.') pos++;
    auto unit = kUnits.find(text.substr(unit_start, pos - unit_start));
    if (unit == kUnits.end()) fail("time: missing or unknown unit in duration \"%s\"", text.c_str());
    total += number * unit->second;
  }
  return (int64_t)std::llround(total);
}

// Env, Labels, ExposedPorts and Volumes stay decoded and indexed from the
// first instruction that touches them to finish(): re-reading and re-encoding
// them for every instruction made thousands of ENV or LABEL changes quadratic.
class ChangeApplier {
 public:
  explicit ChangeApplier(RunConfig& config) : config_(config), env_(config.strings("Env")) {}

  void apply(const std::string& line);
  // Writes the decoded members back.
  void finish();

 private:
  const EnvList& env() const { return env_; }
  std::string one_word(const std::string& keyword, const std::string& args) {
    std::string value = shell_words(args, env(), false)[0];
    if (trim(args).empty()) fail("%s requires exactly one argument", keyword.c_str());
    return value;
  }
  void healthcheck(const std::string& args);
  // A member object by key (encoded values), decoded on first use.
  OrderedMap<std::string>& object(const std::string& key);
  void touch(const std::string& key);

  RunConfig& config_;
  bool cmd_set_ = false;
  EnvList env_;
  bool env_touched_ = false;
  std::map<std::string, OrderedMap<std::string>> objects_;
};

// The member keeps its place in the config, or takes its place now, as it
// would if it were written back at once.
void ChangeApplier::touch(const std::string& key) {
  if (!config_.has(key)) config_.set_raw(key, "null");
}

OrderedMap<std::string>& ChangeApplier::object(const std::string& key) {
  auto it = objects_.find(key);
  if (it != objects_.end()) return it->second;
  OrderedMap<std::string>& members = objects_[key];
  for (auto& [k, v] : config_.object(key)) members.append(k, std::move(v));
  touch(key);
  return members;
}

void ChangeApplier::finish() {
  if (env_touched_) config_.set_strings("Env", env_.entries());
  for (const auto& [key, members] : objects_) config_.set_object(key, members.items());
}

void ChangeApplier::apply(const std::string& line) {
  std::string text = trim(line);
  size_t space = 0;
  while (space < text.size() && !isspace((unsigned char)text[space])) space++;
  std::string keyword = lower(text.substr(0, space));
  std::string args = trim(text.substr(space));
  std::string upper_keyword = text.substr(0, space);
  std::transform(upper_keyword.begin(), upper_keyword.end(), upper_keyword.begin(), ::toupper);

  if (keyword == "cmd" || keyword == "entrypoint") {
    if (args.empty()) fail("%s requires at least one argument", upper_keyword.c_str());
    config_.set_strings(keyword == "cmd" ? "Cmd" : "Entrypoint", command_line(args));
    // An ENTRYPOINT drops the Cmd it would otherwise be given, unless a CMD
    // came earlier in the same changes.
    if (keyword == "cmd") cmd_set_ = true;
    else if (!cmd_set_) config_.set_raw("Cmd", "null");
  } else if (keyword == "env") {
    // Every value is expanded with the Env from before this instruction.
    auto pairs = name_values("ENV", args, env_);
    if (!env_touched_) touch("Env");
    env_touched_ = true;
    for (const auto& [name, value] : pairs) env_.set(name, value);
  } else if (keyword == "label") {
    auto pairs = name_values("LABEL", args, env());
    OrderedMap<std::string>& labels = object("Labels");
    for (const auto& [name, value] : pairs) labels.set(name, json_quote(value));
  } else if (keyword == "expose") {
    std::vector<std::string> specs = shell_words(args, env(), true);
    if (specs.empty()) fail("EXPOSE requires at least one argument");
    std::vector<std::string> ports;
    for (const auto& spec : specs)
      for (const auto& port : exposed_ports(spec)) ports.push_back(port);
    OrderedMap<std::string>& exposed = object("ExposedPorts");
    for (const auto& port : ports)
      if (!exposed.contains(port)) exposed.append(port, "{}");
  } else if (keyword == "volume") {
    std::vector<std::string> paths;
    if (auto exec = json_form(args)) paths = *exec;
    else paths = shell_words(args, env(), true);
    if (paths.empty()) fail("VOLUME requires at least one argument");
    for (const auto& p : paths)
      if (trim(p).empty()) fail("VOLUME specified can not be an empty string");
    OrderedMap<std::string>& volumes = object("Volumes");
    for (const auto& p : paths)
      if (!volumes.contains(p)) volumes.append(p, "{}");
  } else if (keyword == "user") {
    config_.set_string("User", one_word("USER", args));
  } else if (keyword == "workdir") {
    std::string dir = one_word("WORKDIR", args);
    if (dir.front() != '/') {
      std::string base = config_.string("WorkingDir");
      dir = (base.empty() ? "/" : base) + "/" + dir;
    }
    // Clean the path as Go's filepath.Clean would.
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= dir.size()) {
      size_t slash = dir.find('/', pos);
      if (slash == std::string::npos) slash = dir.size();
      std::string part = dir.substr(pos, slash - pos);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      pos = slash + 1;
    }
    std::string clean;
    for (const auto& p : parts) clean += "/" + p;
    config_.set_string("WorkingDir", clean.empty() ? "/" : clean);
  } else if (keyword == "stopsignal") {
    config_.set_string("StopSignal", one_word("STOPSIGNAL", args));
  } else if (keyword == "onbuild") {
    std::string trigger = lower(args.substr(0, args.find_first_of(" \t")));
    if (args.empty()) fail("ONBUILD requires at least one argument");
    if (trigger == "onbuild") fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (trigger == "from" || trigger == "maintainer") {
      std::transform(trigger.begin(), trigger.end(), trigger.begin(), ::toupper);
      fail("%s isn't allowed as an ONBUILD trigger", trigger.c_str());
    }
    std::vector<std::string> triggers = config_.strings("OnBuild");
    triggers.push_back(args);
    config_.set_strings("OnBuild", triggers);
  } else if (keyword == "healthcheck") {
    healthcheck(args);
  } else {
    fail("%s is not a valid change command", keyword.c_str());
  }
}

void ChangeApplier::healthcheck(const std::string& args) {
  std::string rest = args;
  std::vector<std::pair<std::string, std::string>> options;
  while (rest.compare(0, 2, "--") == 0) {
    size_t end = rest.find_first_of(" \t");
    std::string flag = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    rest = end == std::string::npos ? "" : trim(rest.substr(end));
    size_t eq = flag.find('=');
    if (eq == std::string::npos) fail("HEALTHCHECK: flag --%s needs a value (--%s=VALUE)", flag.c_str(), flag.c_str());
    options.emplace_back(flag.substr(0, eq), flag.substr(eq + 1));
  }
  size_t space = rest.find_first_of(" \t");
  std::string type = lower(rest.substr(0, space));
  std::string command = space == std::string::npos ? "" : trim(rest.substr(space));
  if (type == "none") {
    if (!options.empty() || !command.empty()) fail("HEALTHCHECK NONE takes no arguments");
    config_.set_raw("Healthcheck", "{\"Test\":[\"NONE\"]}");
    return;
  }
  if (type != "cmd") fail("Unknown type \"%s\" in HEALTHCHECK (try CMD)", rest.substr(0, space).c_str());
  if (command.empty()) fail("Missing command after HEALTHCHECK CMD");
  std::vector<std::string> test;
  if (auto exec = json_form(command)) {
    test = *exec;
    test.insert(test.begin(), "CMD");
  } else {
    test = {"CMD-SHELL", command};
  }
  JsonWriter w;
  w.begin_object().key("Test").string_array(test);
  static const std::pair<const char*, const char*> kDurations[] = {
      {"interval", "Interval"}, {"timeout", "Timeout"}, {"start-period", "StartPeriod"},
      {"start-interval", "StartInterval"}};
  for (const auto& [name, value] : options) {
    bool known = false;
    for (const auto& [flag, key] : kDurations) {
      if (name != flag) continue;
      int64_t ns = parse_duration(name, value);
      if (ns < 0) fail("Interval \"%s\" cannot be less than 0", name.c_str());
      w.field(key, ns);
      known = true;
    }
    if (name == "retries") {
      if (!all_digits(value)) fail("invalid --retries value %s", value.c_str());
      w.field("Retries", (int64_t)atoll(value.c_str()));
      known = true;
    }
    if (!known) fail("Unknown flag: %s", name.c_str());
  }
  w.end_object();
  config_.set_raw("Healthcheck", w.str());
}

// Joined by newlines, continued over trailing backslashes, without comments.
std::vector<std::string> instruction_lines(const std::vector<std::string>& changes) {
  std::string all;
  for (size_t i = 0; i < changes.size(); i++) all += (i ? "\n" : "") + changes[i];
  std::vector<std::string> out;
  std::string pending;
  size_t pos = 0;
  while (pos <= all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string::npos) end = all.size();
    std::string line = all.substr(pos, end - pos);
    pos = end + 1;
    std::string t = trim(line);
    if (pending.empty() && (t.empty() || t[0] == '#')) continue;
    if (!t.empty() && t.back() == '\\') {
      pending += t.substr(0, t.size() - 1);
      continue;
    }
    pending += t;
    if (!trim(pending).empty()) out.push_back(pending);
    pending.clear();
  }
  if (!trim(pending).empty()) out.push_back(pending);
  return out;
}

}  // namespace

void apply_changes(RunConfig& config, const std::vector<std::string>& changes) {
  ChangeApplier applier(config);
  for (const auto& line : instruction_lines(changes)) applier.apply(line);
  applier.finish();
}

void validate_changes(const std::vector<std::string>& changes) {
  RunConfig scratch;
  apply_changes(scratch, changes);
}

}  // namespace hutch
