// Whether text is an IPv4 or IPv6 address, as Go's net.ParseIP takes it
// (docker's checks of --dns, --add-host and -p's host address).
#pragma once
#include <string>

namespace hutch {

bool is_ip_address(const std::string& text);

}  // namespace hutch
