#include "image/image_config.h"

#include "base/error.h"
#include "base/json_reader.h"

namespace hutch {

ImageConfig parse_image_config(const std::string& json) {
  JsonValue root = parse_json(json, "image config");
  if (!root.is_object()) fail("image config is not a JSON object");
  ImageConfig c;
  c.architecture = root.string_at("architecture");
  c.os = root.string_at("os");
  c.created = root.string_at("created");
  if (const JsonValue* config = root.get("config")) {
    c.env = config->strings_at("Env");
    c.entrypoint = config->strings_at("Entrypoint");
    c.cmd = config->strings_at("Cmd");
    c.working_dir = config->string_at("WorkingDir");
    c.user = config->string_at("User");
    if (const JsonValue* v = config->get("Volumes"); v && v->is_object())
      for (const auto& [path, _] : v->members()) c.volumes.push_back(path);
    if (const JsonValue* v = config->get("ExposedPorts"); v && v->is_object())
      for (const auto& [port, _] : v->members()) c.exposed_ports.push_back(port);
    if (const JsonValue* v = config->get("Labels"); v && v->is_object())
      for (const auto& [key, value] : v->members())
        if (value.is_string()) c.labels.emplace_back(key, value.as_string());
    c.stop_signal = config->string_at("StopSignal");
    if (const JsonValue* v = config->get("Healthcheck"); v && v->is_object()) c.healthcheck_json = v->to_json();
    if (const JsonValue* v = config->get("ArgsEscaped"); v && v->kind() == JsonValue::kBool) c.args_escaped = v->as_bool();
  }
  const JsonValue* rootfs = root.get("rootfs");
  if (!rootfs || !rootfs->get("diff_ids")) fail("image config has no rootfs.diff_ids");
  std::vector<std::string> diff_ids = rootfs->strings_at("diff_ids");
  for (size_t i = 0; i < diff_ids.size(); i++)
    c.diff_ids.push_back(Digest::parse(diff_ids[i], format("image config: rootfs.diff_ids[%zu]", i)));
  return c;
}

}  // namespace hutch
