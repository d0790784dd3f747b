// A container's Config and HostConfig as `docker inspect` prints them (docker
// 20.10's fields, order and zero values, including those of options hutch
// does not have yet): the container record's form too, read back from it.
#pragma once
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "store/container_config.h"

namespace hutch {

void write_container_config(JsonWriter& w, const ContainerConfig& config);
void write_host_config(JsonWriter& w, const HostConfig& host);

// Tolerant of missing fields (they keep their defaults), so a record written
// by an older hutch reads too: its Config had only Entrypoint, Cmd, Env,
// WorkingDir and User, with [] for none.
ContainerConfig parse_container_config(const JsonValue& json);
HostConfig parse_host_config(const JsonValue& json);

// {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], ...}, keys sorted as Go
// writes a map; a port with no bindings is null (an exposed port in
// NetworkSettings.Ports).
void write_port_bindings(JsonWriter& w, const PortBindings& ports);
PortBindings parse_port_bindings(const JsonValue* json);

}  // namespace hutch
