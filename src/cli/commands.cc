#include "cli/commands.h"

#include "base/error.h"

namespace hutch {

GlobalOptions& global_options() {
  static GlobalOptions options;
  return options;
}

const CommandInfo kGlobalCommand = {.name = "", .args = "[OPTIONS] COMMAND", .options_end_at_first_argument = true};

const std::vector<Flag<GlobalOptions>>& global_flags() {
  using F = Flag<GlobalOptions>;
  static const std::vector<F> flags = {
      F::string("root", 0, &GlobalOptions::root,
                "Store directory (default $HUTCH_ROOT, $XDG_DATA_HOME/hutch or ~/.local/share/hutch)"),
      F::optional_string("log-level", 'l', &GlobalOptions::log_level,
                         "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"); without it, "
                         "$HUTCH_LOG_LEVEL or \"warn\""),
      F::boolean("debug", 'D', &GlobalOptions::debug, "Enable debug mode"),
      F::boolean("version", 'v', &GlobalOptions::version, "Print version information and quit"),
  };
  return flags;
}

Store open_store() {
  const std::string& root = global_options().root;
  return Store(root.empty() ? default_store_root() : root);
}

const char* const kTableFormatHelp =
    "Format output using a custom template: 'table' (the default), 'table TEMPLATE' (a Go template, aligned "
    "columns with a header), 'json', or 'TEMPLATE'";
const char* const kInspectFormatHelp = "Format output using a custom template: 'json' or a Go template";

namespace {

std::vector<Command> make_commands() {
  std::vector<Command> c = {
      run_command(),     load_command(),    pull_command(),          login_command(),         logout_command(),
      images_command(),  ps_command(),      rm_command(),            version_command(),       completion_command(),
      rmi_command(),     tag_command(),     history_command(),       inspect_command(),       image_inspect_command(),
      image_prune_command(),                system_df_command(),     man_command(),
  };
  // Management-command spellings docker also accepts.
  auto add_alias = [&c](const char* spelling, const char* of) {
    for (const auto& command : c) {
      if (std::string(command.info.name) != of) continue;
      c.push_back(alias(spelling, command));
      return;
    }
    fail("no command %s", of);  // a mistake in this table
  };
  add_alias("image ls", "images");
  add_alias("image list", "images");
  add_alias("image rm", "rmi");
  add_alias("image remove", "rmi");
  add_alias("image tag", "tag");
  add_alias("image history", "history");
  add_alias("image pull", "pull");
  add_alias("image load", "load");
  add_alias("container ls", "ps");
  add_alias("container run", "run");
  add_alias("container rm", "rm");
  for (auto make : {save_command, import_command, export_command, commit_command, diff_command})
    c.push_back(make());
  add_alias("image save", "save");
  add_alias("image import", "import");
  add_alias("container export", "export");
  add_alias("container commit", "commit");
  add_alias("container diff", "diff");
  for (auto make : {volume_create_command, volume_ls_command, volume_inspect_command, volume_rm_command,
                    volume_prune_command})
    c.push_back(make());
  add_alias("volume list", "volume ls");
  for (auto make : {network_connect_command, network_create_command, network_disconnect_command,
                    network_ls_command, network_inspect_command, network_rm_command, network_prune_command})
    c.push_back(make());
  add_alias("network list", "network ls");
  add_alias("network remove", "network rm");
  for (auto make : {start_command, stop_command, restart_command, kill_command, wait_command, logs_command,
                    exec_command, create_command, rename_command, system_boot_command, container_prune_command,
                    cp_command})
    c.push_back(make());
  add_alias("container start", "start");
  add_alias("container stop", "stop");
  add_alias("container restart", "restart");
  add_alias("container kill", "kill");
  add_alias("container wait", "wait");
  add_alias("container logs", "logs");
  add_alias("container exec", "exec");
  add_alias("container rename", "rename");
  add_alias("container create", "create");
  add_alias("container cp", "cp");
  add_alias("volume remove", "volume rm");
  c.push_back(attach_command());
  add_alias("container attach", "attach");
  c.push_back(pause_command());
  c.push_back(unpause_command());
  add_alias("container pause", "pause");
  add_alias("container unpause", "unpause");
  for (auto make : {top_command, stats_command, update_command, port_command}) c.push_back(make());
  add_alias("container top", "top");
  add_alias("container stats", "stats");
  add_alias("container update", "update");
  add_alias("container port", "port");
  return c;
}

}  // namespace

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = make_commands();
  return commands;
}

const Command* find_command(std::vector<std::string>& words) {
  if (words.empty()) return nullptr;
  if (words.size() >= 2) {
    std::string two = words[0] + " " + words[1];
    for (const auto& c : all_commands()) {
      if (two == c.info.name) {
        words.erase(words.begin(), words.begin() + 2);
        return &c;
      }
    }
  }
  for (const auto& c : all_commands()) {
    if (words[0] == c.info.name) {
      words.erase(words.begin());
      return &c;
    }
  }
  return nullptr;
}

std::string group_help(const std::string& group) {
  std::string rows;
  for (const auto& c : all_commands()) {
    std::string name = c.info.name;
    if (c.info.hidden || c.info.alias_of || name.compare(0, group.size() + 1, group + " ") != 0) continue;
    std::string sub = name.substr(group.size() + 1);
    rows += "  " + sub + std::string(sub.size() < 12 ? 12 - sub.size() : 2, ' ') + c.info.summary + "\n";
  }
  for (const auto& c : all_commands()) {
    std::string name = c.info.name;
    if (!c.info.alias_of || name.compare(0, group.size() + 1, group + " ") != 0) continue;
    std::string sub = name.substr(group.size() + 1);
    rows += "  " + sub + std::string(sub.size() < 12 ? 12 - sub.size() : 2, ' ') + c.info.summary + " (hutch " + c.info.alias_of +
            ")\n";
  }
  if (rows.empty()) return "";
  return "\nUsage:  hutch " + group + " COMMAND\n\nCommands:\n" + rows +
         "\nRun 'hutch " + group + " COMMAND --help' for more information on a command.\n";
}

std::string top_level_help() {
  std::string out =
      "\nUsage:  hutch [OPTIONS] COMMAND\n\n"
      "Run OCI and Docker container images as an ordinary user: no root, no daemon.\n\n";
  // Two-word commands ("image prune") get a section of their own, before the others.
  for (bool two_words : {true, false}) {
    out += two_words ? "Management Commands:\n" : "Commands:\n";
    for (const auto& c : all_commands()) {
      std::string name = c.info.name;
      if (c.info.hidden || c.info.alias_of || (name.find(' ') != std::string::npos) != two_words) continue;
      size_t width = two_words ? 16 : 12;
      out += "  " + name + std::string(name.size() < width ? width - name.size() : 2, ' ') + c.info.summary + "\n";
    }
    if (two_words) out += "\n";
  }
  out += "\nGlobal Options:\n" + options_table(flag_infos(global_flags()));
  out += "\nRun 'hutch COMMAND --help' for more information on a command.\n";
  return out;
}

}  // namespace hutch
