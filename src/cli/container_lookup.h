// The container a command names, found as docker's CLI reports it: a
// missing one ("No such container: X") is status 1, not hutch's 125.
#pragma once
#include <string>

#include "store/containers.h"

namespace hutch {

ContainerRecord find_container(const ContainerStore& containers, const std::string& key);

}  // namespace hutch
