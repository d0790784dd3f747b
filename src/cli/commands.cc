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

// save, import, export, commit, diff and their management-command spellings.
void add_archive_commands(std::vector<CommandSpec>& c) {
  const FlagSpec change = {"change", 'c', FlagKind::kList, "list", "Apply Dockerfile instruction to the created image"};
  CommandSpec save{
      "save", "[OPTIONS] IMAGE [IMAGE...]", "Save one or more images to a tar archive (streamed to STDOUT by default)",
      "Writes images and their tags to one tar archive, on standard output (refused when that is a terminal) or "
      "in the file given by --output, which appears only once the archive is complete. A repository name without "
      "a tag saves every tag of it; an image id saves the image untagged.\n\n"
      "docker-archive (the default) is the classic docker save layout (manifest.json, repositories, one directory "
      "per layer with VERSION, json and layer.tar), which docker load, podman load, skopeo and hutch load read; "
      "layers are written uncompressed, decompressed on the fly when stored compressed, and each one's sha256 is "
      "the diff_id its config names. oci-archive is an OCI image layout (oci-layout, index.json with an "
      "org.opencontainers.image.ref.name annotation per tag, blobs/sha256) with the layers as stored, compressed "
      "or not. Every layer is checked against its digest while it is written; entries carry the image's creation "
      "time, so saving the same images twice gives the same bytes.",
      {
          {"format", 0, FlagKind::kString, "string", "Archive format: docker-archive or oci-archive", "docker-archive"},
          {"output", 'o', FlagKind::kString, "string", "Write to a file, instead of STDOUT"},
      },
      false, 1, -1, cmd_save};
  CommandSpec import{
      "import", "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
      "Import the contents from a tarball to create a filesystem image",
      "Makes a one-layer image from a root filesystem tarball read from a file or, with -, standard input. The "
      "tarball may be uncompressed, gzip or zstd (xz, bzip2 and lz4 through their programs when installed). Its "
      "entries are rewritten as a layer: leading / and ./ dropped, names leading outside the root with .. "
      "refused, sockets skipped, owners, modes, times, hard links and xattrs kept. The layer is unpacked and "
      "checked like any other before the image is recorded. Prints the new image id.\n\n"
      "The image config holds only what --change sets (Dockerfile syntax: CMD, ENTRYPOINT, ENV, EXPOSE, "
      "HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR), the platform (--platform, default the "
      "host's) and one history entry whose comment is --message or, as docker writes it, \"Imported from -\". "
      "Importing from a URL is not supported yet: download the file first.",
      {
          change,
          {"message", 'm', FlagKind::kString, "string", "Set commit message for imported image"},
          {"platform", 0, FlagKind::kString, "string", "Set platform (os[/arch[/variant]]) of the image"},
      },
      false, 1, 2, cmd_import};
  CommandSpec exp{
      "export", "[OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive",
      "Writes the container's whole filesystem (its image's layers merged with its own changes, as the container "
      "sees it) as a tar archive, on standard output (refused when that is a terminal) or in the file given by "
      "--output. Owners are the container's: the subordinate ids files belong to on the host, or under a "
      "single-uid mapping the owners recorded when the layers were unpacked. Mounts (/proc, /dev, /sys, volumes) "
      "are not part of it. The archive imports back with hutch import.",
      {
          {"output", 'o', FlagKind::kString, "string", "Write to a file, instead of STDOUT"},
      },
      false, 1, 1, cmd_export};
  CommandSpec commit{
      "commit", "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "Create a new image from a container's changes",
      "Makes a new image of the container's image plus one layer holding the container's changes: added and "
      "changed files with the owners the container sees, deletions as whiteouts, directories the container "
      "replaced as opaque; hard links are kept and entries come in a fixed order, so the same changes give the "
      "same layer. A container that changed nothing adds no layer (its history entry says empty_layer). The "
      "config is the container's (its command, environment, working directory and user as run) with --change "
      "instructions applied (Dockerfile syntax: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, "
      "STOPSIGNAL, USER, VOLUME, WORKDIR); the history entry records the container's command, --author and "
      "--message. Prints the new image id.\n\n"
      "A running container is paused while its files are read, unless --pause=false. docker freezes its cgroup; "
      "hutch, which needs no cgroups, has a helper process seize every thread of the container with ptrace "
      "(PTRACE_SEIZE and PTRACE_INTERRUPT) and let go afterwards. The container's processes do not see this as "
      "a stop (no SIGCHLD to their parents, signals arriving meanwhile are delivered afterwards), and should the "
      "helper die, the kernel releases them. Where ptrace is not allowed, commit fails and says to use "
      "--pause=false.",
      {
          {"author", 'a', FlagKind::kString, "string", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"},
          change,
          {"message", 'm', FlagKind::kString, "string", "Commit message"},
          {"pause", 'p', FlagKind::kBool, "", "Pause container during commit", "true"},
      },
      false, 1, 2, cmd_commit};
  CommandSpec diff{
      "diff", "CONTAINER", "Inspect changes to files or directories on a container's filesystem",
      "Lists what the container changed in its image's filesystem, one line per path, sorted by path: A added, "
      "C changed, D deleted. A directory holding changes is listed as changed; the entries hutch creates as mount "
      "points (/proc, /dev, /sys, /etc/hosts, /etc/hostname, /etc/resolv.conf when the image lacks them) are not "
      "listed, as docker does not list its own.",
      {}, false, 1, 1, cmd_diff};
  c.push_back(save);
  c.push_back(import);
  c.push_back(exp);
  c.push_back(commit);
  c.push_back(diff);
  auto alias = [&](const char* name, const CommandSpec& of) {
    CommandSpec spec = of;
    spec.name = name;
    spec.description = "";
    spec.alias_of = of.name;
    c.push_back(spec);
  };
  alias("image save", save);
  alias("image import", import);
  alias("container export", exp);
  alias("container commit", commit);
  alias("container diff", diff);
}

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
  add_archive_commands(c);
  return c;
}

}  // namespace

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = make_commands();
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
