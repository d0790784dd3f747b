// What `hutch run` / `create` was asked for.
#pragma once
#include <string>

#include "store/container_config.h"

namespace hutch {

// After flag parsing and before any decision: the Docker Engine API's Config
// and HostConfig (store/container_config.h) plus what only the CLI knows.
struct RunOptions {
  ContainerConfig config;
  HostConfig host;
  EndpointConfig endpoint;
  std::string name;
  std::string pull = "missing";        // always | missing | never
  std::string platform;
  bool detach = false;  // -d: a monitor supervises it; run prints its id
  bool create_only = false;  // create: recorded as created, started by start
  bool sig_proxy = true;       // the foreground run's signals go to the container
  std::string detach_keys;     // the bytes that detach a foreground -it run
};

}  // namespace hutch
