#pragma once

namespace hutch {

constexpr const char* kVersion = "0.1.0";

}  // namespace hutch
