#include "registry/credentials.h"

#include <stdlib.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/log.h"

namespace hutch {

namespace {

std::string home() {
  const char* h = getenv("HOME");
  return h ? h : "";
}

std::string docker_config_path() {
  const char* dir = getenv("DOCKER_CONFIG");
  return std::string(dir && *dir ? dir : home() + "/.docker") + "/config.json";
}

// The spellings docker and other tools have used for the same registry.
std::vector<std::string> keys_for(const std::string& registry) {
  if (registry == "docker.io")
    return {"https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io",
            "https://registry-1.docker.io"};
  return {registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v1/",
          "https://" + registry + "/v2/"};
}

std::optional<Credentials> read_from(const std::string& path, const std::string& registry) {
  auto text = read_file_if_exists(path);
  if (!text) return std::nullopt;
  JsonValue root = parse_json(*text, path);
  const JsonValue* auths = root.get("auths");
  if (!auths) return std::nullopt;
  for (const auto& key : keys_for(registry)) {
    const JsonValue* entry = auths->get(key);
    if (!entry) continue;
    std::string encoded = entry->string_at("auth");
    if (encoded.empty()) {
      // docker leaves an empty entry when a credential helper holds the secret.
      log_debug("%s: no inline credentials for %s (credential helpers are not supported)", path.c_str(),
                key.c_str());
      continue;
    }
    auto decoded = base64_decode(encoded);
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) fail("%s: malformed auth entry for %s", path.c_str(), key.c_str());
    return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
  }
  return std::nullopt;
}

// Rewrites hutch's auth file with `auths` edited by `edit`, keeping every other
// member as it was.
template <typename Edit>
bool rewrite_auth_file(Edit edit) {
  std::string path = auth_file_path();
  auto text = read_file_if_exists(path);
  JsonValue root;
  if (text) root = parse_json(*text, path);
  std::vector<std::pair<std::string, std::string>> auths;  // key -> encoded entry
  if (const JsonValue* a = root.get("auths"))
    for (const auto& [key, entry] : a->members()) auths.emplace_back(key, entry.to_json());
  bool changed = edit(auths);
  if (!changed) return false;
  JsonWriter w;
  w.begin_object().key("auths").begin_object();
  for (const auto& [key, json] : auths) w.key(key).raw(json);
  w.end_object();
  for (const auto& [key, value] : root.members())
    if (key != "auths") w.key(key).raw(value.to_json());
  w.end_object();
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) mkdir_p(path.substr(0, slash), 0700);
  write_file_atomic(path, w.str() + "\n", true, 0600);
  return true;
}

}  // namespace

std::string hutch_config_dir() {
  const char* xdg = getenv("XDG_CONFIG_HOME");
  return std::string(xdg && *xdg ? xdg : home() + "/.config") + "/hutch";
}

std::string auth_file_path() {
  const char* env = getenv("REGISTRY_AUTH_FILE");
  if (env && *env) return env;
  return hutch_config_dir() + "/auth.json";
}

std::string auth_key(const std::string& registry) {
  return registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
}

std::optional<Credentials> find_credentials(const std::string& registry) {
  for (const auto& path : {auth_file_path(), docker_config_path()}) {
    if (auto found = read_from(path, registry)) {
      log_debug("credentials for %s from %s", registry.c_str(), path.c_str());
      return found;
    }
  }
  return std::nullopt;
}

void store_credentials(const std::string& registry, const Credentials& credentials) {
  std::string key = auth_key(registry);
  JsonWriter entry;
  entry.begin_object().field("auth", base64_encode(credentials.username + ":" + credentials.password)).end_object();
  rewrite_auth_file([&](std::vector<std::pair<std::string, std::string>>& auths) {
    for (auto& [k, json] : auths) {
      if (k == key) {
        json = entry.str();
        return true;
      }
    }
    auths.emplace_back(key, entry.str());
    return true;
  });
}

bool erase_credentials(const std::string& registry) {
  auto keys = keys_for(registry);
  return rewrite_auth_file([&](std::vector<std::pair<std::string, std::string>>& auths) {
    size_t before = auths.size();
    std::erase_if(auths, [&](const auto& entry) {
      for (const auto& k : keys)
        if (entry.first == k) return true;
      return false;
    });
    return auths.size() != before;
  });
}

}  // namespace hutch
