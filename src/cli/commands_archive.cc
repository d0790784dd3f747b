// The flag tables of save, import, export, commit and diff, and docker's
// management-command spellings of them (image save, container commit, ...).
#include "cli/commands.h"

namespace hutch {

void add_alias(std::vector<CommandSpec>& c, const char* name, const CommandSpec& of) {
  CommandSpec spec = of;
  spec.name = name;
  spec.description = "";
  spec.alias_of = of.name;
  c.push_back(spec);
}

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
  auto alias = [&](const char* name, const CommandSpec& of) { add_alias(c, name, of); };
  alias("image save", save);
  alias("image import", import);
  alias("container export", exp);
  alias("container commit", commit);
  alias("container diff", diff);
}

}  // namespace hutch
