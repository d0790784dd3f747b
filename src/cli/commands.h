// The command table and what handlers share.
#pragma once
#include <string>
#include <vector>

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
// Appends save, import, export, commit, diff and their aliases (commands_archive.cc).
void add_archive_commands(std::vector<CommandSpec>& commands);
int cmd_save(ParsedArgs& args);
int cmd_import(ParsedArgs& args);
int cmd_export(ParsedArgs& args);
int cmd_commit(ParsedArgs& args);
int cmd_diff(ParsedArgs& args);

// "hutch image": the two-word commands of a management group; "" when none.
std::string group_help(const std::string& group);
std::string top_level_help();

}  // namespace hutch
