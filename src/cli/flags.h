// docker's command-line grammar, driven by one table per command: the same
// table parses arguments, prints --help, writes the man page and completion.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace hutch {

enum class FlagKind { kBool, kString, kList };

struct FlagSpec {
  const char* name;        // long name, without "--"
  char shorthand;          // 0 when none
  FlagKind kind;
  const char* value_name;  // shown in help: "string", "list"
  const char* help;
  const char* default_text = "";
};

class Store;
class ParsedArgs;

struct CommandSpec {
  const char* name;     // "run", "images", "image ls"
  const char* args;     // "[OPTIONS] IMAGE [COMMAND] [ARG...]"
  const char* summary;  // one line
  const char* description;  // man page paragraph(s)
  std::vector<FlagSpec> flags;
  // docker run stops reading options at IMAGE so the command's own flags pass through.
  bool options_end_at_first_argument = false;
  int min_args = 0;
  int max_args = -1;  // -1: unlimited
  int (*handler)(ParsedArgs& args) = nullptr;
  const char* alias_of = nullptr;  // "image ls" is "images"
  // docker's run, create, start and exec exit 125 when the command itself
  // fails; every other command exits 1 (main.cc). Flag errors are 125 for all.
  bool keeps_runner_status = false;
};

class ParsedArgs {
 public:
  const CommandSpec* command = nullptr;
  std::vector<std::string> positional;

  bool flag(const std::string& name) const;
  // Last value of a string flag; fallback when absent.
  std::string value(const std::string& name, const std::string& fallback = "") const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  const std::vector<std::string>& values(const std::string& name) const;

  void add(const std::string& name, const std::string& value) { values_[name].push_back(value); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// Throws Error with docker's wording and status: "unknown flag: --x" (125),
// "\"hutch tag\" requires exactly 2 arguments." (1).
ParsedArgs parse_flags(const CommandSpec& command, const std::vector<std::string>& argv);

std::string help_text(const CommandSpec& command);
std::string man_page(const CommandSpec& command);

}  // namespace hutch
