#include "cli/container_list.h"

#include <algorithm>
#include <cerrno>
#include <regex>
#include <set>

#include "base/error.h"
#include "base/human.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/tree_size.h"
#include "cli/image_list.h"
#include "cli/list_format.h"
#include "container/port_spec.h"
#include "container/ports.h"
#include "image/image_refs.h"
#include "store/images.h"

namespace hutch {

namespace {

const std::set<std::string> kStates = {"created", "restarting", "running", "removing", "paused", "exited", "dead"};
const std::set<std::string> kHealth = {"starting", "healthy", "unhealthy", "none"};

// docker's filters.Match: absent, an exact value, or a regular expression
// found in the text (an invalid expression matches nothing).
bool matches(const Filters& filters, const std::string& key, const std::string& text) {
  if (!filters.contains(key)) return true;
  for (const auto& pattern : filters.get(key)) {
    if (pattern == text) return true;
    try {
      if (std::regex_search(text, std::regex(pattern))) return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
}

bool exact(const Filters& filters, const std::string& key, const std::string& text) {
  if (!filters.contains(key)) return true;
  auto values = filters.get(key);
  return std::find(values.begin(), values.end(), text) != values.end();
}

// before= and since= name a container by full id or name.
std::string reference_container(const std::vector<ContainerRecord>& all, const std::string& value) {
  std::string name = value[0] == '/' ? value.substr(1) : value;
  for (const auto& c : all)
    if (c.id == value || c.name == name) return c.id;
  fail("no such container %s", value.c_str());
}

// The images ancestor= names: each one found, and those built on it (their
// layers begin with all of its layers, as commit makes them; hutch keeps no
// parent links, so this stands for docker's walk down the parent chain).
std::set<Digest> ancestor_images(const Store& store, const std::vector<std::string>& values) {
  ImageStore images(store);
  std::vector<ImageRecord> found;
  for (const auto& value : values) {
    std::optional<ImageRecord> image;
    try {
      image = find_image_or_digest(images, value);
    } catch (const Error&) {
    }
    // As docker's daemon does: a warning in its log, and the value matches nothing.
    if (!image) log_debug("Error while looking up for image %s", value.c_str());
    else found.push_back(*image);
  }
  std::set<Digest> out;
  if (found.empty()) return out;
  for (const auto& image : images.list()) {
    for (const auto& a : found) {
      bool built_on = a.layers.size() <= image.layers.size() && !a.layers.empty() &&
                      std::equal(a.layers.begin(), a.layers.end(), image.layers.begin(),
                                 [](const LayerRecord& x, const LayerRecord& y) { return x.diff_id == y.diff_id; });
      if (image.id == a.id || built_on) out.insert(image.id);
    }
  }
  return out;
}

// The mounts docker lists for a container: inspect's Mounts (--tmpfs mounts
// show only in HostConfig.Tmpfs).
std::vector<const MountPoint*> listed_mounts(const ContainerRecord& c) {
  std::vector<const MountPoint*> out;
  for (const auto& m : c.mounts) {
    bool tmpfs_flag = false;
    for (const auto& [path, options] : c.host_config.tmpfs) tmpfs_flag |= m.type == "tmpfs" && path == m.destination;
    if (!tmpfs_flag) out.push_back(&m);
  }
  return out;
}

bool mounts_volume(const ContainerRecord& c, const std::vector<std::string>& values) {
  for (const MountPoint* m : listed_mounts(c)) {
    const std::string& name = m->name.empty() ? m->source : m->name;
    for (const auto& v : values)
      if ((!m->destination.empty() && v == m->destination) || v == name) return true;
  }
  return false;
}

std::map<std::string, std::string> labels_of(const ContainerRecord& c) {
  std::map<std::string, std::string> labels;
  for (const auto& [k, v] : c.config.labels) labels[k] = v;
  return labels;
}

std::string health_of(const ContainerRecord& c) { return c.health.status.empty() ? "none" : c.health.status; }

// The network a container is on, by docker's name for it.
// Its networks, as docker's NETWORKS column lists them.
std::string network_of(const ContainerRecord& c) {
  const std::string& mode = c.host_config.network_mode;
  std::string out = mode == "default" || mode.empty() ? "bridge" : mode;
  for (const auto& extra : c.extra_networks) out += "," + extra.name;
  return out;
}

// The container ports published on the host, as "80/tcp".
std::vector<std::string> published_keys(const ContainerRecord& c) {
  std::vector<std::string> out;
  for (const auto& p : published_ports(c)) out.push_back(private_port_name(p));
  return out;
}

// docker's publish= and expose= filters: any of the ports, or ranges
// "8000-8080", tcp unless "/PROTO" says otherwise.
bool has_port(const std::vector<std::string>& ports, const std::vector<std::string>& wanted) {
  for (const auto& w : wanted) {
    size_t slash = w.find('/');
    std::string range = w.substr(0, slash), proto = slash == std::string::npos ? "tcp" : w.substr(slash + 1);
    size_t dash = range.find('-');
    int first = atoi(range.c_str()), last = dash == std::string::npos ? first : atoi(range.c_str() + dash + 1);
    for (const auto& key : ports) {
      auto port = parse_container_port(key);
      if (port && port->protocol == proto && port->number >= first && port->number <= last) return true;
    }
  }
  return false;
}

// The image as docker's formatter shows it: truncated ids, no digest.
std::string image_column(const ContainerRecord& c, bool trunc) {
  if (c.image.empty()) return "<no image>";
  if (!trunc) return c.image;
  if (c.image == c.image_id.str()) return short_id(c.image_id);
  size_t at = c.image.find('@');
  return at == std::string::npos ? c.image : c.image.substr(0, at);
}

}  // namespace

std::vector<ContainerSummary> list_containers(const Store& store, Filters filters,
                                              const ContainerListOptions& options) {
  filters.validate({"ancestor", "before", "exited", "id", "isolation", "label", "name", "status", "health", "since",
                    "volume", "network", "is-task", "publish", "expose"},
                   true);
  // The daemon's checks, in its order.
  std::vector<int> exited;
  for (const auto& value : filters.get("exited")) {
    char* end = nullptr;
    errno = 0;
    long code = strtol(value.c_str(), &end, 10);
    if (value.empty() || *end || errno == ERANGE || code != (int)code)
      fail("strconv.Atoi: parsing %s: %s", quoted(value).c_str(), errno == ERANGE ? "value out of range" : "invalid syntax");
    exited.push_back((int)code);
  }
  bool all = options.all;
  for (const auto& value : filters.get("status")) {
    if (!kStates.count(value)) fail("Invalid filter 'status=%s'", value.c_str());
    all = true;
  }
  std::optional<bool> is_task;
  if (filters.contains("is-task")) {
    if (exact(filters, "is-task", "true")) is_task = true;
    else if (exact(filters, "is-task", "false")) is_task = false;
    else {
      std::string list;
      for (const auto& v : filters.get("is-task")) list += (list.empty() ? "" : " ") + v;
      fail("Invalid filter 'is-task=[%s]'", list.c_str());
    }
  }
  for (const auto& value : filters.get("health"))
    if (!kHealth.count(value)) fail("Unrecognised filter value for health: %s", value.c_str());

  ContainerStore containers(store);
  std::vector<ContainerRecord> records = containers.list();
  std::sort(records.begin(), records.end(), [](const ContainerRecord& a, const ContainerRecord& b) {
    int64_t x = parse_rfc3339_nanos(a.created), y = parse_rfc3339_nanos(b.created);
    return x != y ? x > y : a.id < b.id;
  });
  std::string before, since;
  for (const auto& value : filters.get("before")) before = reference_container(records, value);
  for (const auto& value : filters.get("since")) since = reference_container(records, value);
  std::set<Digest> ancestors;
  bool by_ancestor = filters.contains("ancestor");
  if (by_ancestor) ancestors = ancestor_images(store, filters.get("ancestor"));
  // id= takes unique id prefixes (an ambiguous one matches nothing).
  std::set<std::string> ids;
  for (const auto& prefix : filters.get("id")) {
    std::string match;
    int n = 0;
    for (const auto& c : records)
      if (!prefix.empty() && c.id.compare(0, prefix.size(), prefix) == 0) match = c.id, n++;
    if (n == 1) ids.insert(match);
  }

  ImageStore images(store);
  std::vector<ContainerSummary> out;
  for (auto& c : records) {
    if (!before.empty()) {
      if (c.id == before) before.clear();
      continue;
    }
    if (!since.empty() && c.id == since) break;
    std::string state = c.status();
    bool running = state == "running" || state == "paused" || state == "restarting";
    if (!running && !all && options.limit <= 0) continue;
    if (!filters.match_labels("label", labels_of(c))) continue;
    if (!matches(filters, "name", c.name) && !matches(filters, "name", "/" + c.name)) continue;
    if (filters.contains("id") && (!ids.count(c.id) || !matches(filters, "id", c.id))) continue;
    if (is_task && *is_task) continue;  // hutch has no swarm tasks
    if (!exact(filters, "isolation", "default")) continue;
    if (options.limit > 0 && (int)out.size() == options.limit) break;
    if (!exited.empty()) {
      bool ended = !running && !c.started_at.empty();
      if (!ended || std::find(exited.begin(), exited.end(), c.reported_exit_code()) == exited.end()) continue;
    }
    if (!exact(filters, "status", state)) continue;
    if (!exact(filters, "health", health_of(c))) continue;
    if (filters.contains("volume") && !mounts_volume(c, filters.get("volume"))) continue;
    if (by_ancestor && !ancestors.count(c.image_id)) continue;
    if (!matches(filters, "network", network_of(c))) continue;
    if (filters.contains("publish") && !has_port(published_keys(c), filters.get("publish"))) continue;
    if (filters.contains("expose") && !has_port(c.config.exposed_ports, filters.get("expose"))) continue;
    ContainerSummary s;
    if (options.size) {
      s.size_rw = tree_bytes(store.container_dir(c.id) + "/upper");
      auto image = images.get(c.image_id);
      s.size_root_fs = s.size_rw + (image ? image->size : 0);
    }
    s.record = std::move(c);
    out.push_back(std::move(s));
  }
  return out;
}

std::string container_status_text(const ContainerRecord& c, time_t now) {
  std::string status = c.status();
  if (status == "created") return "Created";
  if (status == "running" || status == "paused") {
    std::string up = "Up " + human_duration(now - parse_rfc3339(c.started_at));
    if (status == "paused") return up + " (Paused)";
    if (c.health.status == "starting") return up + " (health: starting)";
    if (!c.health.status.empty()) return up + " (" + c.health.status + ")";
    return up;
  }
  // A monitor that died (kill -9) took the container with it: 137.
  time_t finished = parse_rfc3339(c.finished_at);
  std::string when = finished ? " " + human_duration(now - finished) + " ago" : "";
  std::string code = "(" + std::to_string(c.reported_exit_code()) + ")";
  return (status == "restarting" ? "Restarting " : "Exited ") + code + when;
}

std::string container_command_text(const ContainerRecord& c, bool trunc) {
  // docker's daemon quotes the arguments (not the path) that hold a space.
  std::string cmd;
  for (size_t i = 0; i < c.command.size(); i++) {
    const std::string& a = c.command[i];
    bool quote = i > 0 && a.find(' ') != std::string::npos;
    cmd += (i ? " " : "") + (quote ? "'" + a + "'" : a);
  }
  // docker cuts at 20 characters, and shows it as Go's strconv.Quote does,
  // so an image's Cmd cannot put escape sequences on the terminal.
  return quoted(trunc ? ellipsis(cmd, 20) : cmd);
}

JsonValue container_row(const ContainerSummary& s, bool trunc, time_t now) {
  const ContainerRecord& c = s.record;
  std::string labels = joined_labels(labels_of(c)), mounts;
  int local_volumes = 0;
  for (const MountPoint* m : listed_mounts(c)) {
    std::string name = m->name.empty() ? m->source : m->name;
    mounts += (mounts.empty() ? "" : ",") + (trunc ? ellipsis(name, 15) : name);
    if (m->type == "volume") local_volumes++;
  }
  std::string size = human_size(s.size_rw);
  if (s.size_root_fs > 0) size += " (virtual " + human_size(s.size_root_fs) + ")";
  time_t created = parse_rfc3339(c.created);
  return string_fields({
      {"Command", container_command_text(c, trunc)},
      {"CreatedAt", go_time_string(created)},
      {"ID", trunc ? c.id.substr(0, 12) : c.id},
      {"Image", image_column(c, trunc)},
      {"Labels", labels},
      {"LocalVolumes", std::to_string(local_volumes)},
      {"Mounts", mounts},
      {"Names", c.name},
      {"Networks", network_of(c)},
      {"Ports", ports_column(listed_ports(c))},
      {"RunningFor", human_duration(now - created) + " ago"},
      {"Size", size},
      {"State", c.status()},
      {"Status", container_status_text(c, now)},
  });
}

std::map<std::string, std::function<std::string(const std::string&)>> container_row_methods(
    const ContainerRecord& c) {
  return label_method(labels_of(c));
}

JsonValue container_header() {
  return string_fields({{"Command", "COMMAND"},
                        {"CreatedAt", "CREATED AT"},
                        {"ID", "CONTAINER ID"},
                        {"Image", "IMAGE"},
                        {"Labels", "LABELS"},
                        {"LocalVolumes", "LOCAL VOLUMES"},
                        {"Mounts", "MOUNTS"},
                        {"Names", "NAMES"},
                        {"Networks", "NETWORKS"},
                        {"Ports", "PORTS"},
                        {"RunningFor", "CREATED"},
                        {"Size", "SIZE"},
                        {"State", "STATE"},
                        {"Status", "STATUS"}});
}

}  // namespace hutch
