// docker's --init: a minimal init as the container's PID 1 (docker's
// docker-init, which is tini), run from a private copy of hutch's own binary.
#pragma once
#include <string>
#include <utility>

#include "runtime/oci_config.h"

namespace hutch {

// Where docker puts its init, and so where hutch's goes: `docker-init -- CMD`.
constexpr const char* kInitPath = "/sbin/docker-init";
// The source config.json names for the init's bind mount: not a path, so a
// config used without provide_init (`hutch runtime`) fails to bind it
// instead of binding something else.
constexpr const char* kInitSource = "hutch:docker-init";

// True when main was called as the init (argv[0]'s base name docker-init).
bool called_as_init(const char* argv0);

// The init itself: starts argv's command (after "--") as its child, in a
// process group of its own that gets the terminal, forwards every signal it
// receives to it, reaps every child, and exits with the command's status
// (128+N when a signal N ended it).
int init_main(int argc, char** argv);

// A private copy of hutch's binary in the container's directory, for its
// init mount: removed when this goes, once the container has ended.
class InitBinary {
 public:
  InitBinary() = default;
  InitBinary(InitBinary&& other) noexcept : path_(std::exchange(other.path_, std::string())) {}
  InitBinary& operator=(InitBinary&& other) noexcept;
  ~InitBinary();

 private:
  friend InitBinary provide_init(oci::Config& spec, const std::string& dir);
  std::string path_;
};

// When the spec mounts kInitSource, copies the binary into dir and points the
// mount at the copy; keep the result while the container runs.
InitBinary provide_init(oci::Config& spec, const std::string& dir);

}  // namespace hutch
