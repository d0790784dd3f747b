// Registry credentials in docker's auth-file format:
//   {"auths": {"registry.example:5000": {"auth": base64("user:password")}}}
// hutch writes its own file (mode 0600) and also reads docker's, so a user who
// already ran `docker login` is logged in for hutch too.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace hutch {

struct Credentials {
  std::string username;
  std::string password;
};

// $XDG_CONFIG_HOME/hutch, else ~/.config/hutch: auth.json and config.json.
std::string hutch_config_dir();

// $REGISTRY_AUTH_FILE, else $XDG_CONFIG_HOME/hutch/auth.json (~/.config/hutch/auth.json).
std::string auth_file_path();

// The key docker files credentials under: "https://index.docker.io/v1/" for
// Docker Hub, the host[:port] otherwise.
std::string auth_key(const std::string& registry);

// Looks in hutch's file, then $DOCKER_CONFIG/config.json (~/.docker/config.json).
std::optional<Credentials> find_credentials(const std::string& registry);

void store_credentials(const std::string& registry, const Credentials& credentials);
// False when there was nothing stored for the registry in hutch's file.
bool erase_credentials(const std::string& registry);

}  // namespace hutch
