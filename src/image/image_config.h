// The parts of an OCI / docker image config that running and listing need.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/digest.h"

namespace hutch {

struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string created;  // RFC 3339
  std::vector<std::string> env;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;
  std::vector<std::string> volumes;        // the keys of Volumes
  std::vector<std::string> exposed_ports;  // the keys of ExposedPorts
  std::vector<std::pair<std::string, std::string>> labels;
  std::string stop_signal;
  std::string healthcheck_json;  // kept as JSON: only carried into containers
  bool args_escaped = false;
  std::vector<Digest> diff_ids;
};

// Throws Error when the JSON is malformed, lacks rootfs.diff_ids, or one of
// them is not a sha256 digest.
ImageConfig parse_image_config(const std::string& json);

}  // namespace hutch
