#include "cli/flags.h"

#include <algorithm>

#include "base/go_values.h"
#include "base/printable.h"

namespace hutch {

namespace flag_values {

void set_list(std::vector<std::string>& list, const std::string& value) { list.push_back(value); }

void set_map(FlagMap& map, const std::string& value) {
  size_t eq = value.find('=');
  map[value.substr(0, eq)] = eq == std::string::npos ? "" : value.substr(eq + 1);
}

std::string shown_string(const std::string& value) { return value.empty() ? "" : quoted(value); }

// docker's ListOpts shows nothing when empty, else Go's %v of the slice.
std::string shown_list(const std::vector<std::string>& list) {
  if (list.empty()) return "";
  std::string out = "[";
  for (const auto& item : list) out += (out.size() > 1 ? " " : "") + item;
  return out + "]";
}

// docker's MapOpts is Go's %v of the map, keys sorted: "map[]" when empty.
std::string shown_map(const FlagMap& map) {
  std::string out = "map[";
  for (const auto& [key, value] : map) out += (out.size() > 4 ? " " : "") + key + ":" + value;
  return out + "]";
}

std::string shown_bytes(int64_t bytes) { return bytes ? format_bytes_size(bytes) : ""; }
std::string shown_duration(std::chrono::nanoseconds d) { return d.count() ? format_go_duration(d) : ""; }
int64_t to_int(const std::string& value, int bits) { return parse_go_int(value, bits); }
uint64_t to_uint(const std::string& value, int bits) { return parse_go_uint(value, bits); }
int64_t to_bytes(const std::string& value) { return parse_ram_in_bytes(value); }
std::chrono::nanoseconds to_duration(const std::string& value) { return parse_go_duration(value); }
bool to_bool(const std::string& value) { return parse_go_bool(value); }

}  // namespace flag_values

namespace {

// "See 'hutch run --help'.", or for the global options "See 'hutch --help'.".
std::string see_help(const CommandInfo& c) {
  return std::string("See 'hutch ") + c.name + (*c.name ? " " : "") + "--help'.";
}

[[noreturn]] void usage_error(const CommandInfo& c, const std::string& message) {
  if (c.grammar == Grammar::kRunc) fail("%s", message.c_str());
  fail_usage(kExitRunner, see_help(c), "%s", message.c_str());
}

const FlagInfo* find_long(const std::vector<FlagInfo>& flags, const std::string& name) {
  for (const auto& f : flags)
    if (name == f.name) return &f;
  return nullptr;
}

const FlagInfo* find_short(const std::vector<FlagInfo>& flags, char s) {
  for (const auto& f : flags)
    if (f.shorthand == s) return &f;
  return nullptr;
}

bool is_bool(const FlagInfo& f) { return f.value_name.empty(); }

// A bare boolean is true; --flag=VALUE goes through the flag's own parser.
constexpr const char* kBareBool = "true";

// docker's (cobra and pflag): -abc bundles, -fVALUE, --flag=VALUE and --flag
// VALUE, -h for help unless a flag owns it.
bool parse_docker(const CommandInfo& c, const std::vector<FlagInfo>& flags, const std::vector<std::string>& argv,
                  std::vector<std::string>& positional, const std::function<void(size_t, const std::string&)>& set) {
  auto index = [&](const FlagInfo* f) { return (size_t)(f - flags.data()); };
  bool help = false, options_done = false;
  for (size_t i = 0; i < argv.size(); i++) {
    const std::string& arg = argv[i];
    if (options_done || arg == "-" || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      if (c.options_end_at_first_argument) options_done = true;
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg[1] == '-') {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      const FlagInfo* f = find_long(flags, name);
      if (!f && name == "help") {
        help = true;
        continue;
      }
      if (!f) usage_error(c, "unknown flag: --" + name);
      if (!value && is_bool(*f)) value = kBareBool;
      if (!value) {
        if (i + 1 >= argv.size()) usage_error(c, "flag needs an argument: --" + name);
        value = argv[++i];
      }
      set(index(f), *value);
      continue;
    }
    // A bundle of shorthands: "-it", "-eFOO=1", "-u" "root".
    for (size_t k = 1; k < arg.size(); k++) {
      char s = arg[k];
      const FlagInfo* f = find_short(flags, s);
      if (!f && s == 'h') {
        help = true;
        continue;
      }
      if (!f) usage_error(c, std::string("unknown shorthand flag: '") + s + "' in " + arg);
      if (is_bool(*f)) {
        if (k + 1 < arg.size() && arg[k + 1] == '=') {
          set(index(f), arg.substr(k + 2));
          break;
        }
        set(index(f), kBareBool);
        continue;
      }
      std::string value = arg.substr(k + 1);
      if (!value.empty() && value[0] == '=') value.erase(0, 1);
      if (value.empty() && k + 1 == arg.size()) {
        if (i + 1 >= argv.size()) usage_error(c, std::string("flag needs an argument: '") + s + "' in -" + s);
        value = argv[++i];
      }
      set(index(f), value);
      break;
    }
  }
  if (help) return true;
  int n = (int)positional.size();
  if (n < c.min_args || (c.max_args >= 0 && n > c.max_args)) {
    std::string want = c.min_args == c.max_args ? "exactly " + std::to_string(c.min_args)
                       : n < c.min_args         ? "at least " + std::to_string(c.min_args)
                                                : "at most " + std::to_string(c.max_args);
    // docker exits 1 here, for every command: only flag errors are 125.
    fail_usage(1, format("%s\n\nUsage:  hutch %s %s\n\n%s", see_help(c).c_str(), c.name, c.args, c.summary),
               "\"hutch %s\" requires %s argument%s.", c.name, want.c_str(),
               (c.min_args == 1 && n < c.min_args) || c.max_args == 1 ? "" : "s");
  }
  return false;
}

// runc's (urfave/cli): -name and --name alike, no bundles; arguments may come
// between options unless the command ends them at its first.
bool parse_runc(const CommandInfo& c, const std::vector<FlagInfo>& flags, const std::vector<std::string>& argv,
                std::vector<std::string>& positional, const std::function<void(size_t, const std::string&)>& set) {
  bool help = false, options_done = false;
  for (size_t i = 0; i < argv.size(); i++) {
    const std::string& word = argv[i];
    if (options_done || word.size() < 2 || word[0] != '-') {
      positional.push_back(word);
      if (c.options_end_at_first_argument) options_done = true;
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    std::string name = word.substr(word[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagInfo* f = nullptr;
    for (const auto& candidate : flags)
      if (name == candidate.name || (name.size() == 1 && name[0] == candidate.shorthand)) f = &candidate;
    if (!f && (name == "help" || name == "h")) {
      help = true;
      continue;
    }
    if (!f) fail("flag provided but not defined: -%s", name.c_str());
    if (!value && is_bool(*f)) value = kBareBool;
    if (!value) {
      if (i + 1 >= argv.size()) fail("flag needs an argument: -%s", name.c_str());
      value = argv[++i];
    }
    set((size_t)(f - flags.data()), *value);
  }
  if (help) return true;
  int n = (int)positional.size();
  if (n < c.min_args || (c.max_args >= 0 && n > c.max_args)) fail("%s: expected %s", c.name, c.args);
  return false;
}

}  // namespace

bool parse_command_line(const CommandInfo& c, const std::vector<FlagInfo>& flags, const std::vector<std::string>& argv,
                        std::vector<std::string>& positional,
                        const std::function<void(size_t, const std::string&)>& set) {
  if (c.grammar == Grammar::kRunc) return parse_runc(c, flags, argv, positional, set);
  return parse_docker(c, flags, argv, positional, set);
}

void invalid_flag_value(const CommandInfo& c, const FlagInfo& f, const std::string& value, const std::string& reason) {
  if (c.grammar == Grammar::kRunc) fail("invalid value %s for flag -%s: %s", quoted(value).c_str(), f.name.c_str(), reason.c_str());
  std::string spelled = f.shorthand ? std::string("-") + f.shorthand + ", --" + f.name : "--" + f.name;
  usage_error(c, "invalid argument " + quoted(value) + " for " + quoted(spelled) + " flag: " + reason);
}

Command alias(const char* name, const Command& of) {
  Command copy = of;
  copy.info.name = name;
  copy.info.description = "";
  copy.info.alias_of = of.info.name;
  return copy;
}

namespace {

std::string docker_help(const Command& command) {
  const CommandInfo& c = command.info;
  std::string out = std::string("\nUsage:  hutch ") + c.name + " " + c.args + "\n\n" + c.summary + "\n";
  if (c.alias_of) out += std::string("\nAliases:\n  hutch ") + c.name + ", hutch " + c.alias_of + "\n";
  if (command.flags.empty()) return out;
  return out + "\nOptions:\n" + options_table(command.flags);
}

std::string runc_help(const Command& command) {
  const CommandInfo& c = command.info;
  std::string out = std::string("Usage: hutch-runtime ") + c.name + " " + c.args + "\n\n" + c.summary + "\n";
  if (command.flags.empty()) return out;
  return out + "\nOptions:\n" + options_table(command.flags, Grammar::kRunc);
}

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

std::string options_table(const std::vector<FlagInfo>& flags, Grammar grammar) {
  if (grammar == Grammar::kRunc) {
    // urfave/cli's: "--bundle value, -b", then the help in a column.
    std::string out;
    for (const auto& f : flags) {
      std::string left = "  --" + f.name + (is_bool(f) ? "" : " value");
      if (f.shorthand) left += std::string(", -") + f.shorthand;
      out += left + std::string(left.size() < 32 ? 32 - left.size() : 2, ' ') + f.help + "\n";
    }
    return out;
  }
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (const auto& f : flags) {
    std::string left = f.shorthand ? std::string("  -") + f.shorthand + ", --" : std::string("      --");
    left += f.name;
    if (!is_bool(f)) left += " " + f.value_name;
    std::string right = f.help;
    if (!f.default_text.empty()) right += " (default " + f.default_text + ")";
    width = std::max(width, left.size());
    rows.emplace_back(left, right);
  }
  std::string out;
  for (const auto& [left, right] : rows) out += left + std::string(width - left.size() + 3, ' ') + right + "\n";
  return out;
}

std::string help_text(const Command& command) {
  return command.info.grammar == Grammar::kRunc ? runc_help(command) : docker_help(command);
}

std::string man_page(const Command& command) {
  const CommandInfo& c = command.info;
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
  if (!command.flags.empty()) {
    out += ".SH OPTIONS\n";
    for (const auto& f : command.flags) {
      out += ".TP\n";
      std::string head = f.shorthand ? std::string("\\fB\\-") + f.shorthand + "\\fR, " : "";
      head += "\\fB\\-\\-" + roff_escape(f.name) + "\\fR";
      if (!is_bool(f)) head += " \\fI" + f.value_name + "\\fR";
      out += head + "\n" + roff_escape(f.help);
      if (!f.default_text.empty()) out += " (default " + roff_escape(f.default_text) + ")";
      out += "\n";
    }
  }
  out += ".SH SEE ALSO\n\\fBhutch\\fR(1)\n";
  return out;
}

}  // namespace hutch
