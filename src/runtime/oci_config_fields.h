// JSON names of the config's repeated members, written once for the parser
// (oci_config.cc) and the writer (oci_config_write.cc).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "runtime/oci_config.h"

namespace hutch::oci {

inline constexpr std::pair<const char*, std::vector<std::string> Capabilities::*> kCapabilitySets[] = {
    {"bounding", &Capabilities::bounding},       {"effective", &Capabilities::effective},
    {"inheritable", &Capabilities::inheritable}, {"permitted", &Capabilities::permitted},
    {"ambient", &Capabilities::ambient},
};

// In the order the spec runs them.
inline constexpr std::pair<const char*, std::vector<Hook> Hooks::*> kHookLists[] = {
    {"prestart", &Hooks::prestart},
    {"createRuntime", &Hooks::create_runtime},
    {"createContainer", &Hooks::create_container},
    {"startContainer", &Hooks::start_container},
    {"poststart", &Hooks::poststart},
    {"poststop", &Hooks::poststop},
};

}  // namespace hutch::oci
