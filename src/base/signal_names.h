// Signals by name or number, as kill(1), runc and docker take them.
#pragma once
#include <string>

namespace hutch {

// "TERM", "SIGTERM", "15"; "" is SIGTERM. Throws "unknown signal X".
int parse_signal(const std::string& text);
// The same, refused in docker's words: "Invalid signal: X".
int parse_docker_signal(const std::string& text);

}  // namespace hutch
