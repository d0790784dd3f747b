#include "cli/flags.h"

#include <algorithm>

#include "base/error.h"

namespace hutch {

namespace {

const FlagSpec* find_long(const CommandSpec& c, const std::string& name) {
  for (const auto& f : c.flags)
    if (name == f.name) return &f;
  return nullptr;
}

const FlagSpec* find_short(const CommandSpec& c, char s) {
  for (const auto& f : c.flags)
    if (f.shorthand == s) return &f;
  return nullptr;
}

[[noreturn]] void usage_error(const CommandSpec& c, const std::string& message) {
  fail_usage(kExitRunner, std::string("See 'hutch ") + c.name + " --help'.", "%s", message.c_str());
}

bool parse_bool(const CommandSpec& c, const std::string& flag, const std::string& v) {
  if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True") return true;
  if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False") return false;
  usage_error(c, "invalid argument \"" + v + "\" for \"" + flag + "\" flag: strconv.ParseBool: parsing \"" + v +
                     "\": invalid syntax");
}

}  // namespace

bool ParsedArgs::flag(const std::string& name) const {
  auto it = values_.find(name);
  return it != values_.end() && !it->second.empty() && it->second.back() == "true";
}

std::string ParsedArgs::value(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& ParsedArgs::values(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

ParsedArgs parse_flags(const CommandSpec& c, const std::vector<std::string>& argv) {
  ParsedArgs out;
  out.command = &c;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); i++) {
    const std::string& arg = argv[i];
    if (options_done || arg == "-" || arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      if (c.options_end_at_first_argument) options_done = true;
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg[1] == '-') {
      std::string name = arg.substr(2);
      std::string value;
      bool has_value = false;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
        has_value = true;
      }
      if (name == "help") {
        out.add("help", "true");
        continue;
      }
      const FlagSpec* f = find_long(c, name);
      if (!f) usage_error(c, "unknown flag: --" + name);
      if (f->kind == FlagKind::kBool) {
        out.add(f->name, has_value ? (parse_bool(c, "--" + name, value) ? "true" : "false") : "true");
        continue;
      }
      if (!has_value) {
        if (i + 1 >= argv.size()) usage_error(c, "flag needs an argument: --" + name);
        value = argv[++i];
      }
      out.add(f->name, value);
      continue;
    }
    // A cluster of shorthands: "-it", "-eFOO=1", "-u" "root".
    for (size_t k = 1; k < arg.size(); k++) {
      char s = arg[k];
      if (s == 'h' && !find_short(c, 'h')) {
        out.add("help", "true");
        continue;
      }
      const FlagSpec* f = find_short(c, s);
      if (!f) usage_error(c, std::string("unknown shorthand flag: '") + s + "' in " + arg);
      if (f->kind == FlagKind::kBool) {
        if (k + 1 < arg.size() && arg[k + 1] == '=') {
          out.add(f->name, parse_bool(c, std::string("-") + s, arg.substr(k + 2)) ? "true" : "false");
          break;
        }
        out.add(f->name, "true");
        continue;
      }
      std::string value = arg.substr(k + 1);
      if (!value.empty() && value[0] == '=') value.erase(0, 1);
      if (value.empty() && k + 1 == arg.size()) {
        if (i + 1 >= argv.size()) usage_error(c, std::string("flag needs an argument: '") + s + "' in -" + s);
        value = argv[++i];
      }
      out.add(f->name, value);
      break;
    }
  }
  if (out.flag("help")) return out;
  int n = (int)out.positional.size();
  if (n < c.min_args || (c.max_args >= 0 && n > c.max_args)) {
    std::string want = c.min_args == c.max_args ? "exactly " + std::to_string(c.min_args)
                       : n < c.min_args         ? "at least " + std::to_string(c.min_args)
                                                : "at most " + std::to_string(c.max_args);
    // docker exits 1 here, for every command: only flag errors are 125.
    fail_usage(1, format("See 'hutch %s --help'.\n\nUsage:  hutch %s %s\n\n%s", c.name, c.name, c.args, c.summary),
               "\"hutch %s\" requires %s argument%s.", c.name, want.c_str(),
               (c.min_args == 1 && n < c.min_args) || c.max_args == 1 ? "" : "s");
  }
  return out;
}

std::string help_text(const CommandSpec& c) {
  std::string out = std::string("\nUsage:  hutch ") + c.name + " " + c.args + "\n\n" + c.summary + "\n";
  if (c.alias_of) out += std::string("\nAliases:\n  hutch ") + c.name + ", hutch " + c.alias_of + "\n";
  if (c.flags.empty()) return out;
  out += "\nOptions:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (const auto& f : c.flags) {
    std::string left = f.shorthand ? std::string("  -") + f.shorthand + ", --" : std::string("      --");
    left += f.name;
    if (f.kind != FlagKind::kBool) left += std::string(" ") + f.value_name;
    std::string right = f.help;
    if (*f.default_text) right += std::string(" (default ") + f.default_text + ")";
    width = std::max(width, left.size());
    rows.emplace_back(left, right);
  }
  for (const auto& [left, right] : rows) out += left + std::string(width - left.size() + 3, ' ') + right + "\n";
  return out;
}

namespace {

std::string roff_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

}  // namespace

std::string man_page(const CommandSpec& c) {
  std::string title = std::string("hutch-") + c.name;
  std::replace(title.begin(), title.end(), ' ', '-');
  std::string upper = title;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  std::string out = ".\\\" Generated by `hutch __man " + std::string(c.name) + "` from the flag table; do not edit.\n";
  out += ".TH " + upper + " 1 \"\" \"hutch\" \"hutch manual\"\n";
  out += ".SH NAME\n" + roff_escape(title) + " \\- " + roff_escape(c.summary) + "\n";
  out += ".SH SYNOPSIS\n.B hutch " + roff_escape(c.name) + "\n" + roff_escape(c.args) + "\n";
  out += ".SH DESCRIPTION\n";
  std::string desc = c.description;
  size_t pos = 0;
  while (pos <= desc.size()) {
    size_t end = desc.find("\n\n", pos);
    if (end == std::string::npos) end = desc.size();
    out += roff_escape(desc.substr(pos, end - pos)) + "\n";
    pos = end + 2;
    if (pos <= desc.size()) out += ".PP\n";
  }
  if (!c.flags.empty()) {
    out += ".SH OPTIONS\n";
    for (const auto& f : c.flags) {
      out += ".TP\n";
      std::string head = f.shorthand ? std::string("\\fB\\-") + f.shorthand + "\\fR, " : "";
      head += std::string("\\fB\\-\\-") + roff_escape(f.name) + "\\fR";
      if (f.kind != FlagKind::kBool) head += std::string(" \\fI") + f.value_name + "\\fR";
      out += head + "\n" + roff_escape(f.help);
      if (*f.default_text) out += std::string(" (default ") + roff_escape(f.default_text) + ")";
      out += "\n";
    }
  }
  out += ".SH SEE ALSO\n\\fBhutch\\fR(1)\n";
  return out;
}

}  // namespace hutch
