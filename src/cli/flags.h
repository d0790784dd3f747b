// Typed flag tables. A command declares its options struct and a table of
// Flag<Options> beside its handler; each flag binds one member by type, and
// that member's initializer is the flag's default. The same table parses the
// command line, prints --help and writes the man page and the completion
// script, so a flag cannot be accepted without being implemented, and a
// misspelled name is a compile error rather than an empty value.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "base/error.h"

namespace hutch {

// What the grammar and the documentation need of a flag, apart from its type.
struct FlagInfo {
  std::string name;          // long name, without "--"
  char shorthand = 0;        // 0: none
  std::string value_name;    // "string", "list", "bytes"...; empty: a boolean, which takes no value
                             // unless given as --flag=VALUE
  std::string help;
  std::string default_text;  // the default as docker shows it ("\"missing\"", "true", "map[]"); empty: none
};

// A place in an options struct: a member, or a member of a member (at()).
template <typename O, typename T>
struct Field {
  std::function<T&(O&)> of;
  Field(T O::*member) : of([member](O& o) -> T& { return o.*member; }) {}
  explicit Field(std::function<T&(O&)> f) : of(std::move(f)) {}
};

template <typename O, typename M, typename T>
Field<O, T> at(M O::*outer, T M::*inner) {
  return Field<O, T>(std::function<T&(O&)>([outer, inner](O& o) -> T& { return (o.*outer).*inner; }));
}

template <typename O, typename M, typename N, typename T>
Field<O, T> at(M O::*outer, N M::*middle, T N::*inner) {
  return Field<O, T>(
      std::function<T&(O&)>([outer, middle, inner](O& o) -> T& { return ((o.*outer).*middle).*inner; }));
}

using FlagMap = std::map<std::string, std::string>;

// Value conversions and default texts, shared by every Options type.
namespace flag_values {
void set_list(std::vector<std::string>& list, const std::string& value);
void set_map(FlagMap& map, const std::string& value);  // KEY=VALUE; a bare KEY maps to ""
std::string shown_string(const std::string& value);    // Go's %q, or nothing for ""
std::string shown_list(const std::vector<std::string>& list);
std::string shown_map(const FlagMap& map);
std::string shown_bytes(int64_t bytes);
std::string shown_duration(std::chrono::nanoseconds d);
int64_t to_int(const std::string& value, int bits);
uint64_t to_uint(const std::string& value, int bits);
int64_t to_bytes(const std::string& value);
std::chrono::nanoseconds to_duration(const std::string& value);
bool to_bool(const std::string& value);
}  // namespace flag_values

template <typename O>
struct Flag {
  FlagInfo info;
  // Stores one value; throws Error saying why a value is refused.
  std::function<void(O&, const std::string& value)> set;
  // The member's value as docker shows a default ("" for none).
  std::function<std::string(O&)> shown;
  // Typed values are refused in docker's words ("invalid argument "x" for
  // "--rm" flag: ..."); an each() callback's errors are its own.
  bool wraps_errors = true;

  // The word --help shows for the value: "filter" rather than "list".
  Flag value_name(const char* name) const {
    Flag f = *this;
    f.info.value_name = name;
    return f;
  }

  static Flag boolean(const char* name, char shorthand, Field<O, bool> field, const char* help) {
    return make(name, shorthand, "", help, [f = field.of](O& o, const std::string& v) { f(o) = flag_values::to_bool(v); },
                [f = field.of](O& o) { return f(o) ? std::string("true") : std::string(); });
  }
  static Flag string(const char* name, char shorthand, Field<O, std::string> field, const char* help) {
    return make(name, shorthand, "string", help, [f = field.of](O& o, const std::string& v) { f(o) = v; },
                [f = field.of](O& o) { return flag_values::shown_string(f(o)); });
  }
  // Tells "--flag ''" from no flag.
  static Flag optional_string(const char* name, char shorthand, Field<O, std::optional<std::string>> field,
                              const char* help) {
    return make(name, shorthand, "string", help, [f = field.of](O& o, const std::string& v) { f(o) = v; },
                [f = field.of](O& o) { return f(o) ? flag_values::shown_string(*f(o)) : std::string(); });
  }
  // pflag's int and uint kinds (strconv.ParseInt / ParseUint, base 0, the member's width).
  template <typename T>
  static Flag integer(const char* name, char shorthand, T O::*member, const char* help) {
    return integer(name, shorthand, Field<O, T>(member), help);
  }
  template <typename T>
  static Flag integer(const char* name, char shorthand, Field<O, T> field, const char* help) {
    static_assert(std::is_integral_v<T> && std::is_signed_v<T>, "integer() binds a signed integer");
    return number(name, shorthand, "int", field, help);
  }
  template <typename T>
  static Flag uinteger(const char* name, char shorthand, T O::*member, const char* help) {
    return uinteger(name, shorthand, Field<O, T>(member), help);
  }
  template <typename T>
  static Flag uinteger(const char* name, char shorthand, Field<O, T> field, const char* help) {
    static_assert(std::is_integral_v<T> && std::is_unsigned_v<T>, "uinteger() binds an unsigned integer");
    return number(name, shorthand, "uint", field, help);
  }
  // docker's MemBytes: "64m", "1g", "512k", a plain number of bytes.
  static Flag bytes(const char* name, char shorthand, Field<O, int64_t> field, const char* help) {
    return make(name, shorthand, "bytes", help,
                [f = field.of](O& o, const std::string& v) { f(o) = flag_values::to_bytes(v); },
                [f = field.of](O& o) { return flag_values::shown_bytes(f(o)); });
  }
  // Go's time.Duration: "10s", "1m30s", "500ms".
  static Flag duration(const char* name, char shorthand, Field<O, std::chrono::nanoseconds> field,
                       const char* help) {
    return make(name, shorthand, "duration", help,
                [f = field.of](O& o, const std::string& v) { f(o) = flag_values::to_duration(v); },
                [f = field.of](O& o) { return flag_values::shown_duration(f(o)); });
  }
  // Repeatable: each occurrence appends.
  static Flag list(const char* name, char shorthand, Field<O, std::vector<std::string>> field, const char* help) {
    return make(name, shorthand, "list", help,
                [f = field.of](O& o, const std::string& v) { flag_values::set_list(f(o), v); },
                [f = field.of](O& o) { return flag_values::shown_list(f(o)); });
  }
  // Repeatable KEY=VALUE, a later KEY replacing an earlier one (docker's MapOpts).
  static Flag map(const char* name, char shorthand, Field<O, FlagMap> field, const char* help) {
    return make(name, shorthand, "map", help,
                [f = field.of](O& o, const std::string& v) { flag_values::set_map(f(o), v); },
                [f = field.of](O& o) { return flag_values::shown_map(f(o)); });
  }
  // The same, as docker reads --label: a list (so shown as one) made a map.
  static Flag key_value_list(const char* name, char shorthand, Field<O, FlagMap> field, const char* help) {
    return make(name, shorthand, "list", help,
                [f = field.of](O& o, const std::string& v) { flag_values::set_map(f(o), v); },
                [f = field.of](O& o) { return f(o).empty() ? std::string() : flag_values::shown_map(f(o)); });
  }
  // Anything else: the callback gets each value in command-line order.
  static Flag each(const char* name, char shorthand, const char* value_name, const char* help,
                   std::function<void(O&, const std::string&)> callback) {
    Flag f = make(name, shorthand, value_name, help, std::move(callback), [](O&) { return std::string(); });
    f.wraps_errors = false;
    return f;
  }

 private:
  template <typename T>
  static Flag number(const char* name, char shorthand, const char* value_name, Field<O, T> field, const char* help) {
    return make(
        name, shorthand, value_name, help,
        [f = field.of](O& o, const std::string& v) {
          if constexpr (std::is_signed_v<T>) f(o) = (T)flag_values::to_int(v, 8 * sizeof(T));
          else f(o) = (T)flag_values::to_uint(v, 8 * sizeof(T));
        },
        [f = field.of](O& o) { return f(o) ? std::to_string(f(o)) : std::string(); });
  }
  static Flag make(const char* name, char shorthand, const char* value_name, const char* help,
                   std::function<void(O&, const std::string&)> set, std::function<std::string(O&)> shown) {
    Flag f;
    f.info.name = name;
    f.info.shorthand = shorthand;
    f.info.value_name = value_name;
    f.info.help = help;
    f.set = std::move(set);
    f.shown = std::move(shown);
    return f;
  }
};

// Two grammars share the tables: docker's (cobra and pflag) for hutch's own
// commands, runc's (urfave/cli) for `hutch runtime`.
enum class Grammar { kDocker, kRunc };

struct CommandInfo {
  const char* name = "";         // "run", "image ls"
  const char* args = "";         // "[OPTIONS] IMAGE [COMMAND] [ARG...]"
  const char* summary = "";      // one line
  const char* description = "";  // man page paragraphs, "\n\n" between them
  int min_args = 0;
  int max_args = -1;  // -1: unlimited
  // run stops reading options at IMAGE, so the command's own flags pass through.
  bool options_end_at_first_argument = false;
  // docker's run, create, start and exec exit 125 when the command itself
  // fails; every other command exits 1 (main.cc). Flag errors are 125 for all.
  bool keeps_runner_status = false;
  bool hidden = false;             // in no listing, no man page: hutch's own tools (__man)
  const char* alias_of = nullptr;  // "image ls" is "images"
  Grammar grammar = Grammar::kDocker;
};

// The options of a command that has no flags.
struct NoOptions {};

// What a handler gets besides its options.
struct Args {
  std::string command;  // as invoked: "image ls" for images' alias, for hints
  std::vector<std::string> positional;
};

struct Command {
  CommandInfo info;
  std::vector<FlagInfo> flags;
  // Parses the words after the command's name, then prints the help or runs the handler.
  std::function<int(const Command& self, const std::vector<std::string>& argv)> run;
};

// The grammar without the types: calls set(i, value) for flags[i] as the
// values come; fills `positional`; returns true when help was asked for.
// Throws Error in docker's (or runc's) words and status: "unknown flag: --x"
// (125), "\"hutch tag\" requires exactly 2 arguments." (1).
bool parse_command_line(const CommandInfo& command, const std::vector<FlagInfo>& flags,
                        const std::vector<std::string>& argv, std::vector<std::string>& positional,
                        const std::function<void(size_t, const std::string&)>& set);
// docker's error for a value its flag refuses, with the hint to --help.
[[noreturn]] void invalid_flag_value(const CommandInfo& command, const FlagInfo& flag, const std::string& value,
                                     const std::string& reason);

template <typename O>
std::vector<FlagInfo> flag_infos(const std::vector<Flag<O>>& flags) {
  O defaults{};
  std::vector<FlagInfo> out;
  for (const auto& f : flags) {
    out.push_back(f.info);
    out.back().default_text = f.shown(defaults);
  }
  return out;
}

// Parses argv into `options`; returns true when help was asked for.
template <typename O>
bool parse_flags(const CommandInfo& command, const std::vector<Flag<O>>& flags, const std::vector<std::string>& argv,
                 O& options, std::vector<std::string>& positional) {
  std::vector<FlagInfo> infos;
  for (const auto& f : flags) infos.push_back(f.info);
  return parse_command_line(command, infos, argv, positional, [&](size_t i, const std::string& value) {
    if (!flags[i].wraps_errors) return flags[i].set(options, value);
    try {
      flags[i].set(options, value);
    } catch (const Error& e) {
      invalid_flag_value(command, flags[i].info, value, e.what());
    }
  });
}

std::string help_text(const Command& command);
// The rows of a help's options: docker's "  -n, --name string   help
// (default ...)", or runc's "  --name value, -n   help".
std::string options_table(const std::vector<FlagInfo>& flags, Grammar grammar = Grammar::kDocker);
std::string man_page(const Command& command);

template <typename O>
Command make_command(CommandInfo info, std::vector<Flag<O>> flags, int (*handler)(O&, const Args&)) {
  Command c;
  c.info = info;
  c.flags = flag_infos(flags);
  c.run = [flags = std::move(flags), handler](const Command& self, const std::vector<std::string>& argv) {
    O options{};
    Args args{self.info.name, {}};
    if (parse_flags(self.info, flags, argv, options, args.positional)) {
      fputs(help_text(self).c_str(), stdout);
      return 0;
    }
    return handler(options, args);
  };
  return c;
}

// A copy of `of` under another name ("image ls" for images), listed as its alias.
Command alias(const char* name, const Command& of);

}  // namespace hutch
