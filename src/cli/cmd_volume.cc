// hutch volume create|ls|inspect|rm|prune: docker's volume commands over the
// store's volumes (store/volumes.h), with their flag tables.
#include <algorithm>
#include <cstdio>
#include <set>

#include "base/error.h"
#include "base/human.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/filters.h"
#include "cli/list_format.h"
#include "cli/volume_list.h"
#include "container/rootless.h"
#include "store/volumes.h"

namespace hutch {

namespace {

constexpr const char* kVolumeTable = "table {{.Driver}}\t{{.Name}}";

[[noreturn]] void invalid_filter(const std::string& key, const std::string& value = "") {
  if (value.empty()) fail("Invalid filter '%s'", key.c_str());
  fail("Invalid filter '%s=[%s]'", key.c_str(), value.c_str());
}

// docker's volume filters take booleans as true|false|1|0 in any case; a
// true among them wins.
std::optional<bool> bool_filter(const Filters& filters, const std::string& key) {
  if (!filters.contains(key)) return std::nullopt;
  bool result = false;
  for (std::string v : filters.get(key)) {
    std::string given = v;
    for (char& c : v) c = (char)tolower((unsigned char)c);
    if (v == "true" || v == "1") result = true;
    else if (v != "false" && v != "0") invalid_filter(key, given);
  }
  return result;
}

std::string volume_inspect_json(const Volume& v) {
  JsonWriter w;
  w.begin_object().field("CreatedAt", v.created_at).field("Driver", v.driver).key("Labels").begin_object();
  for (const auto& [k, value] : v.labels) w.field(k, value);
  w.end_object().field("Mountpoint", v.mountpoint).field("Name", v.name).key("Options").begin_object();
  for (const auto& [k, value] : v.options) w.field(k, value);
  w.end_object().field("Scope", v.scope).end_object();
  return w.str();
}

struct VolumeCreateOptions {
  std::string driver = "local";
  // docker's --label is a list it makes a map of, --opt a map: both KEY=VALUE,
  // a bare KEY meaning "", a later KEY replacing an earlier one.
  FlagMap labels;
  FlagMap options;
};

int volume_create(VolumeCreateOptions& o, const Args& args) {
  std::string name = args.positional.empty() ? "" : args.positional[0];
  Store store = open_store();
  Volume v = VolumeStore(store).create(name, o.labels, o.options, o.driver);
  printf("%s\n", v.name.c_str());
  return 0;
}

struct VolumeLsOptions {
  std::vector<std::string> filters;
  std::string format;
  bool quiet = false;
};

int volume_ls(VolumeLsOptions& options, const Args& args) {
  Filters filters(options.filters, "-f, --filter", args.command);
  filters.validate({"dangling", "name", "driver", "label"}, true);
  std::optional<bool> dangling = bool_filter(filters, "dangling");
  std::string format = options.format;
  if (format.empty() || format == "table") format = options.quiet ? "{{.Name}}" : kVolumeTable;
  ListFormat list(format);
  Store store = open_store();
  VolumeStore volumes(store);
  std::vector<std::string> in_use;
  if (dangling) {
    for (const auto& v : volumes.list())
      if (!volumes.users(v.name).empty()) in_use.push_back(v.name);
  }
  for (const auto& v : volumes.list()) {
    if (dangling && (std::find(in_use.begin(), in_use.end(), v.name) == in_use.end()) != *dangling) continue;
    if (filters.contains("name") && !match_any(filters.get("name"), v.name)) continue;
    if (filters.contains("driver")) {
      auto drivers = filters.get("driver");
      if (std::find(drivers.begin(), drivers.end(), v.driver) == drivers.end()) continue;
    }
    if (!filters.match_labels("label", v.labels)) continue;
    list.add_row(volume_row(v));
  }
  fputs(list.finish(volume_header()).c_str(), stdout);
  return 0;
}

struct VolumeInspectOptions {
  std::string format;
};

int volume_inspect(VolumeInspectOptions& options, const Args& args) {
  const std::string& format = options.format;
  if (!format.empty() && format != "json") GoTemplate check(format);
  Store store = open_store();
  VolumeStore volumes(store);
  std::vector<std::string> objects, errors;
  for (const auto& name : args.positional) {
    try {
      objects.push_back(volume_inspect_json(volumes.find(name)));
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return print_inspect(objects, errors, format, 1);
}

struct VolumeRmOptions {
  bool force = false;
};

int volume_rm(VolumeRmOptions& options, const Args& args) {
  Store store = open_store();
  // A volume's files may belong to subordinate ids.
  enter_rootless(store);
  VolumeStore volumes(store);
  // As docker's CLI: the names removed, then the errors.
  std::vector<std::string> errors;
  for (const auto& name : args.positional) {
    try {
      volumes.remove(name, options.force);
      printf("%s\n", name.c_str());
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  fflush(stdout);
  for (const auto& e : errors) print_error(e);
  return errors.empty() ? 0 : 1;
}

struct VolumePruneOptions {
  bool all = false;
  std::vector<std::string> filters;
  bool force = false;
};

int volume_prune(VolumePruneOptions& options, const Args& args) {
  Filters filters(options.filters, "--filter", args.command);
  filters.validate({"label", "label!", "all"}, true);
  bool all = options.all || bool_filter(filters, "all").value_or(false);
  if (!options.force) {
    const char* warning = all ? "WARNING! This will remove all local volumes not used by at least one container.\n"
                                "Are you sure you want to continue?"
                              : "WARNING! This will remove anonymous local volumes not used by at least one "
                                "container.\nAre you sure you want to continue?";
    // docker 27+ ends quietly, with status 0, when the answer is no.
    if (!confirm(warning)) return 0;
  }
  Store store = open_store();
  enter_rootless(store);
  auto pruned = VolumeStore(store).prune([&](const Volume& v) {
    if (!all && !v.anonymous()) return false;
    if (!filters.match_labels("label", v.labels)) return false;
    return !(filters.contains("label!") && filters.match_labels("label!", v.labels));
  });
  std::string out;
  if (!pruned.names.empty()) {
    out += "Deleted Volumes:\n";
    for (const auto& name : pruned.names) out += name + "\n";
    out += "\n";
  }
  out += "Total reclaimed space: " + human_size(pruned.bytes, 4) + "\n";
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

Command volume_create_command() {
  using F = Flag<VolumeCreateOptions>;
  return make_command<VolumeCreateOptions>(
      {.name = "volume create",
       .args = "[OPTIONS] [VOLUME]",
       .summary = "Create a volume",
       .description =
           "Creates a volume of the local driver in the store (volumes/NAME/_data), for containers to mount with "
           "-v NAME:/path or --mount source=NAME. Without a name, an anonymous one with a random 64-hex-digit name "
           "and the label com.docker.volume.anonymous. Names follow docker's rule, [a-zA-Z0-9][a-zA-Z0-9_.-]+. "
           "Creating a volume that exists changes nothing and prints its name.\n\n"
           "docker's local driver mounts -o options with mount(2) as root. Without root, hutch honours two forms: "
           "type=tmpfs with device=tmpfs and o= tmpfs options (size=100m,mode=0755,uid=1000...), a fresh tmpfs at "
           "each use (two containers using it at once do not share its files); and type=none with o=bind and "
           "device=/absolute/dir, a bind of that directory. Other types (ext4, nfs, ...) and size= are refused.",
       .max_args = 1},
      {
          F::string("driver", 'd', &VolumeCreateOptions::driver, "Specify volume driver name"),
          F::key_value_list("label", 0, &VolumeCreateOptions::labels, "Set metadata for a volume"),
          F::map("opt", 'o', &VolumeCreateOptions::options, "Set driver specific options"),
      },
      volume_create);
}

Command volume_ls_command() {
  using F = Flag<VolumeLsOptions>;
  return make_command<VolumeLsOptions>(
      {.name = "volume ls",
       .args = "[OPTIONS]",
       .summary = "List volumes",
       .description =
           "Lists the volumes, sorted by name. Filters (several must all match; values of one key, any): "
           "dangling=true|false (used by no container or by some), name=REGEXP (searched in the name), "
           "driver=local, label=KEY[=VALUE]. --format takes a Go template over .Name .Driver .Scope .Mountpoint "
           ".Labels .Links .Size (the last two N/A: see system df -v), 'table TEMPLATE', or 'json'.",
       .max_args = 0},
      {
          F::list("filter", 'f', &VolumeLsOptions::filters, "Provide filter values (e.g. \"dangling=true\")")
              .value_name("filter"),
          F::string("format", 0, &VolumeLsOptions::format,
                    "Format output using a custom template: 'table' (the default), 'table TEMPLATE', 'json', or "
                    "'TEMPLATE'"),
          F::boolean("quiet", 'q', &VolumeLsOptions::quiet, "Only display volume names"),
      },
      volume_ls);
}

Command volume_inspect_command() {
  return make_command<VolumeInspectOptions>(
      {.name = "volume inspect",
       .args = "[OPTIONS] VOLUME [VOLUME...]",
       .summary = "Display detailed information on one or more volumes",
       .description = "Prints docker's JSON for each volume (CreatedAt, Driver, Labels, Mountpoint, Name, Options, "
                      "Scope), as one array; --format takes a Go template instead, evaluated once per volume. The "
                      "status is 1 when one is missing.",
       .min_args = 1},
      {Flag<VolumeInspectOptions>::string("format", 'f', &VolumeInspectOptions::format, kInspectFormatHelp)},
      volume_inspect);
}

Command volume_rm_command() {
  return make_command<VolumeRmOptions>(
      {.name = "volume rm",
       .args = "[OPTIONS] VOLUME [VOLUME...]",
       .summary = "Remove one or more volumes. You cannot remove a volume that is in use by a container.",
       .description = "Removes each volume with its content. A volume that a container (running or not) mounts is "
                      "refused, with the ids of those containers; --force only lets a missing volume pass. The "
                      "status is 1 when one failed.",
       .min_args = 1},
      {Flag<VolumeRmOptions>::boolean("force", 'f', &VolumeRmOptions::force, "Force the removal of one or more volumes")},
      volume_rm);
}

Command volume_prune_command() {
  using F = Flag<VolumePruneOptions>;
  return make_command<VolumePruneOptions>(
      {.name = "volume prune",
       .args = "[OPTIONS]",
       .summary = "Remove unused local volumes",
       .description =
           "Removes the anonymous volumes no container uses, or with --all every unused volume, as docker 23 and "
           "later do (docker 20.10 removed named ones too). Volumes created with -o options are kept, as docker "
           "keeps them. Asks first unless --force is given. Filters: label=KEY[=VALUE], label!=KEY[=VALUE], "
           "all=true.",
       .max_args = 0},
      {
          F::boolean("all", 'a', &VolumePruneOptions::all, "Remove all unused volumes, not just anonymous ones"),
          F::list("filter", 0, &VolumePruneOptions::filters, "Provide filter values (e.g. \"label=<label>\")")
              .value_name("filter"),
          F::boolean("force", 'f', &VolumePruneOptions::force, "Do not prompt for confirmation"),
      },
      volume_prune);
}

}  // namespace hutch
