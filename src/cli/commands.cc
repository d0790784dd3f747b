#include "cli/commands.h"

#include "base/error.h"

namespace hutch {

GlobalOptions& global_options() {
  static GlobalOptions options;
  return options;
}

Store open_store() {
  const std::string& root = global_options().root;
  return Store(root.empty() ? default_store_root() : root);
}

namespace {

std::vector<CommandSpec> make_commands() {
  std::vector<CommandSpec> c;
  c.push_back(CommandSpec{
      "run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image",
      "Runs COMMAND (or the image's entrypoint and command) in a new container, as the invoking user, without "
      "root or a daemon. The container gets its own user, mount, PID, UTS, IPC and network namespaces; its root "
      "filesystem is an overlay of the image's layers with a private writable layer. Options end at IMAGE: "
      "everything after it is the command.\n\n"
      "With a subordinate id range for the user in /etc/subuid and /etc/subgid (and newuidmap), container ids "
      "1..N map to that range; otherwise only root exists in the container, mapped to the invoking user.\n\n"
      "The exit status is the command's own; 125 when hutch itself fails, 126 when the command cannot be "
      "invoked, 127 when it cannot be found.",
      {
          {"entrypoint", 0, FlagKind::kString, "string", "Overwrite the default ENTRYPOINT of the image"},
          {"env", 'e', FlagKind::kList, "list", "Set environment variables"},
          {"env-file", 0, FlagKind::kList, "list", "Read in a file of environment variables"},
          {"hostname", 'h', FlagKind::kString, "string", "Container host name"},
          {"interactive", 'i', FlagKind::kBool, "", "Keep STDIN open even if not attached"},
          {"name", 0, FlagKind::kString, "string", "Assign a name to the container"},
          {"network", 0, FlagKind::kString, "network",
           "Connect a container to a network: none, host, or private (loopback only)", "private"},
          {"rm", 0, FlagKind::kBool, "", "Automatically remove the container when it exits"},
          {"tty", 't', FlagKind::kBool, "", "Allocate a pseudo-TTY"},
          {"user", 'u', FlagKind::kString, "string", "Username or UID (format: <name|uid>[:<group|gid>])"},
          {"workdir", 'w', FlagKind::kString, "string", "Working directory inside the container"},
      },
      true, 1, -1, cmd_run});
  c.push_back(CommandSpec{
      "load", "[OPTIONS]", "Load an image from a tar archive or STDIN",
      "Loads images from a docker-archive tarball (as written by docker save, podman save or skopeo) or an OCI "
      "image-layout archive. Layers may be uncompressed, gzip or zstd; the archive itself may be compressed too. "
      "Every layer is checked against the digest the image config names before the image is recorded; a "
      "corrupt, truncated or unsafe archive leaves the store as it was.",
      {
          {"input", 'i', FlagKind::kString, "string", "Read from tar archive file, instead of STDIN"},
          {"quiet", 'q', FlagKind::kBool, "", "Suppress the load output"},
      },
      false, 0, 0, cmd_load});
  c.push_back(CommandSpec{
      "images", "[OPTIONS] [REPOSITORY[:TAG]]", "List images",
      "Lists the images in the store, one line per tag, newest first.",
      {
          {"all", 'a', FlagKind::kBool, "", "Show all images (default hides intermediate images)"},
          {"no-trunc", 0, FlagKind::kBool, "", "Don't truncate output"},
          {"quiet", 'q', FlagKind::kBool, "", "Only show image IDs"},
      },
      false, 0, 1, cmd_images});
  c.push_back(CommandSpec{
      "ps", "[OPTIONS]", "List containers",
      "Lists containers: running ones, or all of them with --all. A container whose hutch process was killed "
      "is shown as exited.",
      {
          {"all", 'a', FlagKind::kBool, "", "Show all containers (default shows just running)"},
          {"no-trunc", 0, FlagKind::kBool, "", "Don't truncate output"},
          {"quiet", 'q', FlagKind::kBool, "", "Only display container IDs"},
      },
      false, 0, 0, cmd_ps});
  c.push_back(CommandSpec{
      "rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers",
      "Removes containers and their writable layers. A running container is refused unless --force is given, "
      "which kills it first.",
      {
          {"force", 'f', FlagKind::kBool, "", "Force the removal of a running container (uses SIGKILL)"},
          {"volumes", 'v', FlagKind::kBool, "", "Remove anonymous volumes associated with the container"},
      },
      false, 1, -1, cmd_rm});
  c.push_back(CommandSpec{"version", "", "Show the hutch version information",
                          "Prints the version of hutch.", {}, false, 0, 0, cmd_version});
  c.push_back(CommandSpec{"completion", "bash", "Generate the shell completion script",
                          "Prints a bash completion script generated from the same tables that parse the "
                          "command line. Load it with: source <(hutch completion bash)",
                          {}, false, 1, 1, cmd_completion});
  // Management-command spellings docker also accepts.
  c.push_back(CommandSpec{"image ls", "[OPTIONS] [REPOSITORY[:TAG]]", "List images", "", c[2].flags, false, 0, 1,
                          cmd_images, "images"});
  c.push_back(CommandSpec{"image load", "[OPTIONS]", "Load an image from a tar archive or STDIN", "", c[1].flags,
                          false, 0, 0, cmd_load, "load"});
  c.push_back(CommandSpec{"container ls", "[OPTIONS]", "List containers", "", c[3].flags, false, 0, 0, cmd_ps,
                          "ps"});
  c.push_back(CommandSpec{"container run", c[0].args, c[0].summary, "", c[0].flags, true, 1, -1, cmd_run, "run"});
  c.push_back(CommandSpec{"container rm", c[4].args, c[4].summary, "", c[4].flags, false, 1, -1, cmd_rm, "rm"});
  return c;
}

}  // namespace

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = [] {
    std::vector<CommandSpec> c = make_commands();
    add_archive_commands(c);
    return c;
  }();
  return commands;
}

const CommandSpec* find_command(std::vector<std::string>& words) {
  if (words.empty()) return nullptr;
  if (words.size() >= 2) {
    std::string two = words[0] + " " + words[1];
    for (const auto& c : all_commands()) {
      if (two == c.name) {
        words.erase(words.begin(), words.begin() + 2);
        return &c;
      }
    }
  }
  for (const auto& c : all_commands()) {
    if (words[0] == c.name) {
      words.erase(words.begin());
      return &c;
    }
  }
  return nullptr;
}

std::string top_level_help() {
  std::string out =
      "\nUsage:  hutch [OPTIONS] COMMAND\n\n"
      "Run OCI and Docker container images as an ordinary user: no root, no daemon.\n\n"
      "Commands:\n";
  for (const auto& c : all_commands()) {
    if (c.alias_of) continue;
    std::string name = c.name;
    out += "  " + name + std::string(12 - name.size(), ' ') + c.summary + "\n";
  }
  out +=
      "\nGlobal Options:\n"
      "      --root string        Store directory (default $HUTCH_ROOT, $XDG_DATA_HOME/hutch or ~/.local/share/hutch)\n"
      "  -l, --log-level string   Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\") (default \"warn\")\n"
      "  -D, --debug              Enable debug mode\n"
      "  -v, --version            Print version information and quit\n"
      "\nRun 'hutch COMMAND --help' for more information on a command.\n";
  return out;
}

}  // namespace hutch
