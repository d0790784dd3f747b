// The command table and what handlers share.
#pragma once
#include <string>
#include <vector>

#include "base/error.h"
#include "base/version.h"
#include "cli/flags.h"
#include "store/store.h"

namespace hutch {

struct GlobalOptions {
  std::string root;  // --root; empty: the default
};
GlobalOptions& global_options();
Store open_store();

const std::vector<CommandSpec>& all_commands();
// Finds "run", or two-word forms such as "image ls"; consumes the words used.
const CommandSpec* find_command(std::vector<std::string>& words);

int cmd_run(ParsedArgs& args);
// `hutch runtime ...` and `hutch-runtime ...`: runc's command line, its own grammar.
int runtime_main(const std::vector<std::string>& words);
int cmd_load(ParsedArgs& args);
int cmd_pull(ParsedArgs& args);
int cmd_login(ParsedArgs& args);
int cmd_logout(ParsedArgs& args);
int cmd_images(ParsedArgs& args);
int cmd_ps(ParsedArgs& args);
int cmd_rm(ParsedArgs& args);
int cmd_rmi(ParsedArgs& args);
int cmd_tag(ParsedArgs& args);
int cmd_history(ParsedArgs& args);
int cmd_inspect(ParsedArgs& args);
int cmd_image_inspect(ParsedArgs& args);
int cmd_image_prune(ParsedArgs& args);
int cmd_system_df(ParsedArgs& args);
int cmd_version(ParsedArgs& args);
int cmd_completion(ParsedArgs& args);
int cmd_man(ParsedArgs& args);
// Appends a copy of `of` named `name` ("image save"), listed as its alias.
void add_alias(std::vector<CommandSpec>& commands, const char* name, const CommandSpec& of);
// Appends save, import, export, commit, diff and their aliases (commands_archive.cc).
void add_archive_commands(std::vector<CommandSpec>& commands);
int cmd_save(ParsedArgs& args);
int cmd_import(ParsedArgs& args);
int cmd_export(ParsedArgs& args);
int cmd_commit(ParsedArgs& args);
int cmd_diff(ParsedArgs& args);

// docker's inspect output: an indented JSON array of the objects, a compact
// one for "json", or the template once per object; then the errors, which
// make the status `failure_status`.
int print_inspect(const std::vector<std::string>& objects, const std::vector<std::string>& errors,
                  const std::string& format, int failure_status = kExitRunner);
// docker's prune confirmation: the warning, " [y/N] ", and a line from stdin.
bool confirm(const char* warning);

// Appends volume create, ls, inspect, rm, prune and their aliases (cmd_volume.cc).
void add_volume_commands(std::vector<CommandSpec>& commands);

// "hutch image": the two-word commands of a management group; "" when none.
std::string group_help(const std::string& group);
std::string top_level_help();

}  // namespace hutch
