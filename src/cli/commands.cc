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

constexpr const char* kFormatHelp =
    "Format output using a custom template: 'table' (the default), 'table TEMPLATE' (a Go template, aligned "
    "columns with a header), 'json', or 'TEMPLATE'";
constexpr const char* kInspectFormatHelp = "Format output using a custom template: 'json' or a Go template";

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
          {"mount", 0, FlagKind::kList, "mount", "Attach a filesystem mount to the container"},
          {"name", 0, FlagKind::kString, "string", "Assign a name to the container"},
          {"network", 0, FlagKind::kString, "network",
           "Connect a container to a network: none, host, or private (loopback only)", "private"},
          {"platform", 0, FlagKind::kString, "string", "Set platform if the image is pulled (OS/ARCH[/VARIANT])"},
          {"pull", 0, FlagKind::kString, "string", "Pull image before running (\"always\", \"missing\", \"never\")",
           "\"missing\""},
          {"read-only", 0, FlagKind::kBool, "", "Mount the container's root filesystem as read only"},
          {"rm", 0, FlagKind::kBool, "", "Automatically remove the container when it exits"},
          {"tty", 't', FlagKind::kBool, "", "Allocate a pseudo-TTY"},
          {"tmpfs", 0, FlagKind::kList, "list", "Mount a tmpfs directory"},
          {"user", 'u', FlagKind::kString, "string", "Username or UID (format: <name|uid>[:<group|gid>])"},
          {"volume", 'v', FlagKind::kList, "list", "Bind mount a volume"},
          {"volumes-from", 0, FlagKind::kList, "list", "Mount volumes from the specified container(s)"},
          {"workdir", 'w', FlagKind::kString, "string", "Working directory inside the container"},
      },
      true, 1, -1, cmd_run});
  c.back().keeps_runner_status = true;
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
      "pull", "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
      "Pulls an image from a registry speaking the Docker Registry HTTP API v2 (OCI distribution). Names are "
      "normalized as docker does: busybox is docker.io/library/busybox:latest, fetched from Docker Hub's "
      "registry-1.docker.io. From a manifest list or OCI index, the entry for --platform (default: this "
      "machine's) is chosen.\n\n"
      "Layers are downloaded three at a time and unpacked while they arrive; every blob, the config and a "
      "manifest named by digest are checked against their digests, and nothing is recorded until all matched. "
      "Broken transfers are resumed, and 5xx answers retried, with back-off. Concurrent pulls of the same "
      "image download each layer once.\n\n"
      "Credentials come from `hutch login` (its auth file is $REGISTRY_AUTH_FILE or "
      "$XDG_CONFIG_HOME/hutch/auth.json) or from docker's ~/.docker/config.json. TLS is verified against "
      "$SSL_CERT_FILE, $SSL_CERT_DIR or the system's CA bundle. Plain HTTP is used only for loopback "
      "registries and those listed in \"insecure-registries\" of $XDG_CONFIG_HOME/hutch/config.json, and "
      "only when the registry does not speak TLS.",
      {
          {"all-tags", 'a', FlagKind::kBool, "", "Download all tagged images in the repository"},
          {"platform", 0, FlagKind::kString, "string", "Set platform if server is multi-platform capable"},
          {"quiet", 'q', FlagKind::kBool, "", "Suppress verbose output"},
      },
      false, 1, 1, cmd_pull});
  c.push_back(CommandSpec{
      "login", "[OPTIONS] [SERVER]", "Log in to a registry",
      "Checks the credentials against the registry (default: Docker Hub) and stores them in hutch's auth "
      "file, $REGISTRY_AUTH_FILE or $XDG_CONFIG_HOME/hutch/auth.json (mode 0600), in docker's format. "
      "Without --username or --password, asks for them on the terminal.",
      {
          {"password", 'p', FlagKind::kString, "string", "Password"},
          {"password-stdin", 0, FlagKind::kBool, "", "Take the password from stdin"},
          {"username", 'u', FlagKind::kString, "string", "Username"},
      },
      false, 0, 1, cmd_login});
  c.push_back(CommandSpec{
      "logout", "[SERVER]", "Log out from a registry",
      "Removes the credentials for the registry (default: Docker Hub) from hutch's auth file. Credentials in "
      "docker's ~/.docker/config.json are left alone.",
      {}, false, 0, 1, cmd_logout});
  c.push_back(CommandSpec{
      "images", "[OPTIONS] [REPOSITORY[:TAG]]", "List images",
      "Lists the images in the store, one line per tag, newest first. REPOSITORY[:TAG] and reference= filters "
      "match docker's way, with glob patterns ('*' does not cross '/'); several filters must all match. "
      "--format takes a Go template over the fields .ID .Repository .Tag .Digest .CreatedSince .CreatedAt .Size "
      ".VirtualSize .SharedSize .UniqueSize .Containers, 'table TEMPLATE' for aligned columns, or 'json'.",
      {
          {"all", 'a', FlagKind::kBool, "", "Show all images (default hides intermediate images)"},
          {"digests", 0, FlagKind::kBool, "", "Show digests"},
          {"filter", 'f', FlagKind::kList, "filter",
           "Filter output based on conditions provided: dangling=true|false, reference=PATTERN, before=IMAGE, "
           "since=IMAGE, label=KEY[=VALUE], until=TIMESTAMP"},
          {"format", 0, FlagKind::kString, "string", kFormatHelp},
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
  c.push_back(CommandSpec{
      "version", "[OPTIONS]", "Show the hutch version information",
      "Prints the version of hutch. With --licenses, also hutch's licence and, for each piece of software "
      "built into the static binary (its libraries, musl libc, LLVM's libc++, libc++abi and libunwind, zig's "
      "compiler_rt), its version and the full text of its licence.",
      {{"licenses", 0, FlagKind::kBool, "", "Print the licences of hutch and the software built into it"}},
      false, 0, 0, cmd_version});
  c.push_back(CommandSpec{"completion", "bash", "Generate the shell completion script",
                          "Prints a bash completion script generated from the same tables that parse the "
                          "command line. Load it with: source <(hutch completion bash)",
                          {}, false, 1, 1, cmd_completion});
  // Image management (cmd_rmi.cc, cmd_tag.cc, cmd_history.cc, cmd_inspect.cc, cmd_prune.cc, cmd_df.cc).
  const std::vector<FlagSpec> rmi_flags = {
      {"force", 'f', FlagKind::kBool, "", "Force removal of the image"},
      {"no-prune", 0, FlagKind::kBool, "", "Do not delete untagged parents"},
  };
  c.push_back(CommandSpec{
      "rmi", "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
      "Removes images by reference, id or id prefix. A reference is untagged; the image itself is deleted when "
      "no other reference names it, with the unpacked layers and blobs that no remaining image uses. An image "
      "id named by several tags needs --force. An image a container was created from is refused; with --force "
      "it is only untagged and kept (as <none>) while the container exists. Each image is handled on its own; "
      "the exit status is 1 when any failed.",
      rmi_flags, false, 1, -1, cmd_rmi});
  c.push_back(CommandSpec{"tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                          "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
                          "Adds the reference TARGET_IMAGE (normalized as docker does: busybox is "
                          "docker.io/library/busybox:latest) to the image SOURCE_IMAGE names; a tag that named "
                          "another image moves.",
                          {}, false, 2, 2, cmd_tag});
  const std::vector<FlagSpec> history_flags = {
      {"format", 0, FlagKind::kString, "string", kFormatHelp},
      {"human", 'H', FlagKind::kBool, "", "Print sizes and dates in human readable format", "true"},
      {"no-trunc", 0, FlagKind::kBool, "", "Don't truncate output"},
      {"quiet", 'q', FlagKind::kBool, "", "Only show image IDs"},
  };
  c.push_back(CommandSpec{
      "history", "[OPTIONS] IMAGE", "Show the history of an image",
      "Lists the image config's history, newest first: the step that made each layer and its size. Only the "
      "newest row is an image; the rows before it show <missing>, as docker shows for images not built locally. "
      "--format fields: .ID .CreatedSince .CreatedAt .CreatedBy .Size .Comment.",
      history_flags, false, 1, 1, cmd_history});
  c.push_back(CommandSpec{
      "inspect", "[OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on containers and images",
      "Prints docker's JSON for each container or image named (containers are looked up first), as one array; "
      "--format takes a Go template instead, evaluated once per object.",
      {
          {"format", 'f', FlagKind::kString, "string", kInspectFormatHelp},
          {"size", 's', FlagKind::kBool, "", "Display total file sizes if the type is container"},
          {"type", 0, FlagKind::kString, "string", "Only inspect objects of the given type (container or image)"},
      },
      false, 1, -1, cmd_inspect});
  c.push_back(CommandSpec{"image inspect", "[OPTIONS] IMAGE [IMAGE...]",
                          "Display detailed information on one or more images",
                          "Prints docker's image JSON (Id, RepoTags, RepoDigests, Config, RootFS, the layer "
                          "directories as GraphDriver, ...) for each image, as one array; --format takes a Go "
                          "template instead, evaluated once per image.",
                          {{"format", 'f', FlagKind::kString, "string", kInspectFormatHelp}}, false, 1, -1,
                          cmd_image_inspect});
  c.push_back(CommandSpec{
      "image prune", "[OPTIONS]", "Remove unused images",
      "Removes dangling images (those without a tag), or with --all every image no container was created from; "
      "then the layers and blobs no image uses, such as those left by an interrupted load. Asks first unless "
      "--force is given. Filters: until=TIMESTAMP, label=KEY[=VALUE], label!=KEY[=VALUE].",
      {
          {"all", 'a', FlagKind::kBool, "", "Remove all unused images, not just dangling ones"},
          {"filter", 0, FlagKind::kList, "filter", "Provide filter values (e.g. \"until=<timestamp>\")"},
          {"force", 'f', FlagKind::kBool, "", "Do not prompt for confirmation"},
      },
      false, 0, 0, cmd_image_prune});
  c.push_back(CommandSpec{
      "system df", "[OPTIONS]", "Show hutch disk usage",
      "Shows what images (unpacked layers and blobs, shared content counted once), containers (their "
      "writable layers) and local volumes (those without -o options, as docker counts them) take in the store, "
      "and how much of it removing unused images, stopped containers and unused volumes would free. --verbose "
      "lists each image, container and volume (with the number of containers using it).",
      {
          {"format", 0, FlagKind::kString, "string", kFormatHelp},
          {"verbose", 'v', FlagKind::kBool, "", "Show detailed information on space usage"},
      },
      false, 0, 0, cmd_system_df});
  // Management-command spellings docker also accepts.
  auto alias = [&c](const char* spelling, const char* of) {
    for (const auto& command : c) {
      if (std::string(command.name) != of) continue;
      CommandSpec copy = command;
      copy.name = spelling;
      copy.description = "";
      copy.alias_of = of;
      c.push_back(copy);
      return;
    }
    fail("no command %s", of);  // a mistake in this table
  };
  alias("image ls", "images");
  alias("image list", "images");
  alias("image rm", "rmi");
  alias("image remove", "rmi");
  alias("image tag", "tag");
  alias("image history", "history");
  alias("image pull", "pull");
  alias("image load", "load");
  alias("container ls", "ps");
  alias("container run", "run");
  alias("container rm", "rm");
  return c;
}

}  // namespace

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = [] {
    std::vector<CommandSpec> c = make_commands();
    add_archive_commands(c);
    add_volume_commands(c);
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

std::string group_help(const std::string& group) {
  std::string rows;
  for (const auto& c : all_commands()) {
    std::string name = c.name;
    if (c.alias_of || name.compare(0, group.size() + 1, group + " ") != 0) continue;
    std::string sub = name.substr(group.size() + 1);
    rows += "  " + sub + std::string(sub.size() < 12 ? 12 - sub.size() : 2, ' ') + c.summary + "\n";
  }
  for (const auto& c : all_commands()) {
    std::string name = c.name;
    if (!c.alias_of || name.compare(0, group.size() + 1, group + " ") != 0) continue;
    std::string sub = name.substr(group.size() + 1);
    rows += "  " + sub + std::string(sub.size() < 12 ? 12 - sub.size() : 2, ' ') + c.summary + " (hutch " + c.alias_of +
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
      std::string name = c.name;
      if (c.alias_of || (name.find(' ') != std::string::npos) != two_words) continue;
      size_t width = two_words ? 16 : 12;
      out += "  " + name + std::string(name.size() < width ? width - name.size() : 2, ' ') + c.summary + "\n";
    }
    if (two_words) out += "\n";
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
