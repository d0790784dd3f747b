// docker's daemon merging a container's Config with its image's (its
// `merge`, then the checks of container creation).
#include <algorithm>

#include "base/error.h"
#include "base/ordered_map.h"
#include "container/environment.h"
#include "container/health.h"
#include "container/spec_builder.h"

namespace hutch {

namespace {

// Keys of both, the given ones first; docker prints these maps sorted anyway.
std::vector<std::string> union_of(std::vector<std::string> out, const std::vector<std::string>& more) {
  for (const auto& key : more)
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  return out;
}

KeyValues merge_labels(const KeyValues& given, const std::vector<std::pair<std::string, std::string>>& image) {
  if (given.empty()) return image;
  OrderedMap<std::string> labels;
  for (const auto& [key, value] : given) labels.append(key, value);
  for (const auto& [key, value] : image)
    if (!labels.contains(key)) labels.append(key, value);
  return labels.items();
}

}  // namespace

ContainerConfig merge_config(const ImageConfig& image, const RunOptions& options) {
  ContainerConfig c = options.config;
  if (c.user.empty()) c.user = image.user;
  c.exposed_ports = union_of(c.exposed_ports, image.exposed_ports);
  c.env = merge_env(image.env, c.env);
  c.labels = merge_labels(c.labels, image.labels);
  // --entrypoint (even "") replaces the image's and with it the image's Cmd.
  if (!c.entrypoint) {
    if (!c.cmd && !image.cmd.empty()) {
      c.cmd = image.cmd;
      c.args_escaped = image.args_escaped;
    }
    if (!image.entrypoint.empty()) c.entrypoint = image.entrypoint;
  }
  // An empty entrypoint is recorded as none (docker's --entrypoint "").
  if (c.entrypoint && (c.entrypoint->empty() || (c.entrypoint->size() == 1 && (*c.entrypoint)[0].empty())))
    c.entrypoint.reset();
  if (c.cmd && c.cmd->empty()) c.cmd.reset();
  // The daemon checks the container's own Healthcheck, before the image's fills it in.
  if (!c.healthcheck_json.empty()) check_health_config(parse_health_config(c.healthcheck_json));
  c.healthcheck_json = merge_health_json(c.healthcheck_json, image.healthcheck_json);
  if (c.working_dir.empty()) c.working_dir = image.working_dir;
  c.volumes = union_of(c.volumes, image.volumes);
  if (c.stop_signal.empty()) c.stop_signal = image.stop_signal;

  if (!c.entrypoint && !c.cmd) fail("No command specified");
  if (options.host.uts_mode == "host" && !c.hostname.empty()) fail("conflicting options: hostname and the UTS mode");
  if (options.host.uts_mode == "host" && !c.domainname.empty())
    fail("conflicting options: domainname and the UTS mode");
  if (!c.working_dir.empty() && c.working_dir[0] != '/')
    fail("the working directory '%s' is invalid, it needs to be an absolute path", c.working_dir.c_str());
  return c;
}

}  // namespace hutch
