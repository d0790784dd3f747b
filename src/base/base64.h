// Standard base64 (RFC 4648, padded), as docker's auth files and HTTP basic auth use it.
#pragma once
#include <optional>
#include <string>

namespace hutch {

std::string base64_encode(const std::string& bytes);
// nullopt on characters outside the alphabet or a bad length.
std::optional<std::string> base64_decode(const std::string& text);

}  // namespace hutch
