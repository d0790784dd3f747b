// The command registry and what handlers share.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/version.h"
#include "cli/flags.h"
#include "store/store.h"

namespace hutch {

// The options before the command word.
struct GlobalOptions {
  std::string root;                      // --root; empty: the default
  std::optional<std::string> log_level;  // --log-level; unset: $HUTCH_LOG_LEVEL or warn
  bool debug = false;                    // -D: the same as --log-level debug
  bool version = false;
};
GlobalOptions& global_options();
const std::vector<Flag<GlobalOptions>>& global_flags();
// What the global options parse with: options end at the command word.
extern const CommandInfo kGlobalCommand;
Store open_store();

// Every command, in the order --help lists them; aliases after what they
// name. Parsing, --help, `hutch __man` and `hutch completion` all walk it.
const std::vector<Command>& all_commands();
// Finds "run", or two-word forms such as "image ls"; consumes the words used.
const Command* find_command(std::vector<std::string>& words);

// `hutch runtime ...` and `hutch-runtime ...`: runc's command line, its own grammar.
int runtime_main(const std::vector<std::string>& words);

// Each command's options, flag table and handler live in its cmd_*.cc.
Command run_command();
Command load_command();
Command pull_command();
Command login_command();
Command logout_command();
Command images_command();
Command ps_command();
Command rm_command();
Command version_command();
Command completion_command();
Command man_command();
Command rmi_command();
Command tag_command();
Command history_command();
Command inspect_command();
Command image_inspect_command();
Command image_prune_command();
Command system_df_command();
Command save_command();
Command import_command();
Command export_command();
Command commit_command();
Command diff_command();
Command volume_create_command();
Command volume_ls_command();
Command volume_inspect_command();
Command volume_rm_command();
Command volume_prune_command();
Command network_create_command();
Command network_ls_command();
Command network_inspect_command();
Command network_rm_command();
Command network_prune_command();
Command network_connect_command();
Command network_disconnect_command();
Command start_command();
Command stop_command();
Command restart_command();
Command kill_command();
Command wait_command();
Command logs_command();
Command exec_command();
Command attach_command();
Command pause_command();
Command unpause_command();
Command create_command();
Command rename_command();
Command system_boot_command();
Command container_prune_command();
Command cp_command();
Command top_command();
Command stats_command();
Command update_command();
Command port_command();

// The --format help of the list commands (images, history, system df).
extern const char* const kTableFormatHelp;
// The --format help of the inspect commands.
extern const char* const kInspectFormatHelp;

// docker's inspect output: an indented JSON array of the objects, a compact
// one for "json", or the template once per object; then the errors, which
// make the status `failure_status`.
int print_inspect(const std::vector<std::string>& objects, const std::vector<std::string>& errors,
                  const std::string& format, int failure_status = kExitRunner);
// docker's prune confirmation: the warning, " [y/N] ", and a line from stdin.
bool confirm(const char* warning);

// "hutch image": the two-word commands of a management group; "" when none.
std::string group_help(const std::string& group);
std::string top_level_help();

}  // namespace hutch
