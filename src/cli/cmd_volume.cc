// hutch volume create|ls|inspect|rm|prune: docker's volume commands over the
// store's volumes (store/volumes.h), with their flag tables.
#include <algorithm>
#include <cstdio>
#include <regex>
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

// docker's CLI exits 1 when the command fails and 125 only for usage
// errors (which carry a hint).
template <typename F>
int with_docker_status(F&& body) {
  try {
    return body();
  } catch (const Error& e) {
    if (e.status() == kExitRunner && e.hint().empty()) throw Error(e.what(), 1);
    throw;
  }
}

// "k=v" as k and v; "k" as k and "" (docker's labels and options).
std::map<std::string, std::string> key_values(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    size_t eq = item.find('=');
    out[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
  }
  return out;
}

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

// docker's volume service words it "Invalid filter 'KEY'".
void check_filter_keys(const Filters& filters, const std::set<std::string>& accepted) {
  try {
    filters.validate(accepted);
  } catch (const Error& e) {
    std::string message = e.what();
    message[0] = 'I';
    throw Error(message, e.status());
  }
}

// docker's filters.Match: each value a regular expression searched in the
// name; an invalid one matches nothing.
bool name_matches(const std::vector<std::string>& patterns, const std::string& name) {
  for (const auto& p : patterns) {
    try {
      if (std::regex_search(name, std::regex(p))) return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
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

int volume_create(ParsedArgs& args) {
  std::string name = args.positional.empty() ? "" : args.positional[0];
  Store store = open_store();
  Volume v = VolumeStore(store).create(name, key_values(args.values("label")), key_values(args.values("opt")),
                                       args.value("driver", "local"));
  printf("%s\n", v.name.c_str());
  return 0;
}

int volume_ls(ParsedArgs& args) {
  Filters filters(args.values("filter"), "-f, --filter", args.command->name);
  check_filter_keys(filters, {"dangling", "name", "driver", "label"});
  std::optional<bool> dangling = bool_filter(filters, "dangling");
  std::string format = args.value("format");
  if (format.empty() || format == "table") format = args.flag("quiet") ? "{{.Name}}" : kVolumeTable;
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
    if (filters.contains("name") && !name_matches(filters.get("name"), v.name)) continue;
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

int volume_inspect(ParsedArgs& args) {
  std::string format = args.value("format");
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

int volume_rm(ParsedArgs& args) {
  Store store = open_store();
  // A volume's files may belong to subordinate ids.
  enter_rootless(store);
  VolumeStore volumes(store);
  // As docker's CLI: the names removed, then the errors.
  std::vector<std::string> errors;
  for (const auto& name : args.positional) {
    try {
      volumes.remove(name, args.flag("force"));
      printf("%s\n", name.c_str());
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  fflush(stdout);
  for (const auto& e : errors) print_error(e);
  return errors.empty() ? 0 : 1;
}

int volume_prune(ParsedArgs& args) {
  Filters filters(args.values("filter"), "--filter", args.command->name);
  check_filter_keys(filters, {"label", "label!", "all"});
  bool all = args.flag("all") || bool_filter(filters, "all").value_or(false);
  if (!args.flag("force")) {
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

int cmd_volume_create(ParsedArgs& args) { return with_docker_status([&] { return volume_create(args); }); }
int cmd_volume_ls(ParsedArgs& args) { return with_docker_status([&] { return volume_ls(args); }); }
int cmd_volume_inspect(ParsedArgs& args) { return with_docker_status([&] { return volume_inspect(args); }); }
int cmd_volume_rm(ParsedArgs& args) { return with_docker_status([&] { return volume_rm(args); }); }
int cmd_volume_prune(ParsedArgs& args) { return with_docker_status([&] { return volume_prune(args); }); }

}  // namespace

void add_volume_commands(std::vector<CommandSpec>& c) {
  CommandSpec create{
      "volume create", "[OPTIONS] [VOLUME]", "Create a volume",
      "Creates a volume of the local driver in the store (volumes/NAME/_data), for containers to mount with -v "
      "NAME:/path or --mount source=NAME. Without a name, an anonymous one with a random 64-hex-digit name and the "
      "label com.docker.volume.anonymous. Names follow docker's rule, [a-zA-Z0-9][a-zA-Z0-9_.-]+. Creating a "
      "volume that exists changes nothing and prints its name.\n\n"
      "docker's local driver mounts -o options with mount(2) as root. Without root, hutch honours two forms: "
      "type=tmpfs with device=tmpfs and o= tmpfs options (size=100m,mode=0755,uid=1000...), a fresh tmpfs at each "
      "use (two containers using it at once do not share its files); and type=none with o=bind and "
      "device=/absolute/dir, a bind of that directory. Other types (ext4, nfs, ...) and size= are refused.",
      {
          {"driver", 'd', FlagKind::kString, "string", "Specify volume driver name", "\"local\""},
          {"label", 0, FlagKind::kList, "list", "Set metadata for a volume"},
          {"opt", 'o', FlagKind::kList, "map", "Set driver specific options", "map[]"},
      },
      false, 0, 1, cmd_volume_create};
  CommandSpec ls{
      "volume ls", "[OPTIONS]", "List volumes",
      "Lists the volumes, sorted by name. Filters (several must all match; values of one key, any): "
      "dangling=true|false (used by no container or by some), name=REGEXP (searched in the name), driver=local, "
      "label=KEY[=VALUE]. --format takes a Go template over .Name .Driver .Scope .Mountpoint .Labels .Links .Size "
      "(the last two N/A: see system df -v), 'table TEMPLATE', or 'json'.",
      {
          {"filter", 'f', FlagKind::kList, "filter", "Provide filter values (e.g. \"dangling=true\")"},
          {"format", 0, FlagKind::kString, "string",
           "Format output using a custom template: 'table' (the default), 'table TEMPLATE', 'json', or 'TEMPLATE'"},
          {"quiet", 'q', FlagKind::kBool, "", "Only display volume names"},
      },
      false, 0, 0, cmd_volume_ls};
  CommandSpec inspect{
      "volume inspect", "[OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes",
      "Prints docker's JSON for each volume (CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope), as one "
      "array; --format takes a Go template instead, evaluated once per volume. The status is 1 when one is missing.",
      {{"format", 'f', FlagKind::kString, "string", "Format output using a custom template: 'json' or a Go template"}},
      false, 1, -1, cmd_volume_inspect};
  CommandSpec rm{
      "volume rm", "[OPTIONS] VOLUME [VOLUME...]",
      "Remove one or more volumes. You cannot remove a volume that is in use by a container.",
      "Removes each volume with its content. A volume that a container (running or not) mounts is refused, with "
      "the ids of those containers; --force only lets a missing volume pass. The status is 1 when one failed.",
      {{"force", 'f', FlagKind::kBool, "", "Force the removal of one or more volumes"}}, false, 1, -1, cmd_volume_rm};
  CommandSpec prune{
      "volume prune", "[OPTIONS]", "Remove unused local volumes",
      "Removes the anonymous volumes no container uses, or with --all every unused volume, as docker 23 and later "
      "do (docker 20.10 removed named ones too). Volumes created with -o options are kept, as docker keeps them. "
      "Asks first unless --force is given. Filters: label=KEY[=VALUE], label!=KEY[=VALUE], all=true.",
      {
          {"all", 'a', FlagKind::kBool, "", "Remove all unused volumes, not just anonymous ones"},
          {"filter", 0, FlagKind::kList, "filter", "Provide filter values (e.g. \"label=<label>\")"},
          {"force", 'f', FlagKind::kBool, "", "Do not prompt for confirmation"},
      },
      false, 0, 0, cmd_volume_prune};
  for (const auto* command : {&create, &ls, &inspect, &rm, &prune}) c.push_back(*command);
  add_alias(c, "volume list", ls);
  add_alias(c, "volume remove", rm);
}

}  // namespace hutch
