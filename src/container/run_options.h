// What `hutch run` was asked for, after flag parsing and before any decision.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace hutch {

struct RunOptions {
  std::string image;
  std::vector<std::string> command;  // empty: the image's Cmd
  std::optional<std::string> entrypoint;
  std::vector<std::string> env;       // -e, in order
  std::vector<std::string> env_files;
  std::string name;
  std::string workdir;
  std::string user;
  std::string hostname;
  std::string network;
  bool remove = false;
  bool interactive = false;
  bool tty = false;
  std::string pull = "missing";  // always | missing | never
};

}  // namespace hutch
