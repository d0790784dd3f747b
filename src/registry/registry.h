// One repository on one registry, spoken to through the Docker Registry HTTP
// API v2 / OCI distribution protocol. Holds what every request shares (the
// endpoint, credentials, the bearer token) behind a mutex; each thread brings
// its own HttpClient, so parallel downloads use parallel connections.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/credentials.h"
#include "registry/http.h"
#include "registry/manifest.h"

namespace hutch {

struct FetchedManifest {
  std::string body;
  std::string media_type;  // Content-Type as answered
  Digest digest;           // of the body, checked against what was asked for
};

class Registry {
 public:
  // domain as references name it ("docker.io", "localhost:5000"); path
  // "library/busybox".
  Registry(std::string domain, std::string path);

  // By tag or "sha256:..."; a digest reference is verified against the body.
  FetchedManifest manifest(HttpClient& http, const std::string& reference);
  // A small blob (a config), read whole and verified.
  std::string small_blob(HttpClient& http, const Descriptor& blob, int64_t max_size);
  // Streams a blob to sink, resuming with a Range request after a broken
  // transfer. Never delivers more than blob.size bytes, and fails if fewer
  // arrive. Verifying the digest is the caller's (it hashes as it consumes).
  using BlobSink = std::function<void(const char* data, size_t size)>;
  void blob(HttpClient& http, const Descriptor& blob, const BlobSink& sink);
  std::vector<std::string> tags(HttpClient& http);
  // Checks credentials against the registry (`hutch login`); throws when refused.
  void check_login(HttpClient& http);

  void set_credentials(const Credentials& credentials) { credentials_ = credentials; }
  const std::string& domain() const { return domain_; }

 private:
  // With retries; streamed bodies go through send_once, as blob() resumes them itself.
  HttpResponse send(HttpClient& http, const HttpRequest& request, int64_t max_body);
  HttpResponse send_once(HttpClient& http, HttpRequest request, int64_t max_body, const HttpClient::Sink* sink);
  std::string base_url(HttpClient& http);
  void authenticate(HttpClient& http, const HttpResponse& challenge, const std::string& used_token);
  std::string authorization();
  [[noreturn]] void fail_answer(const HttpResponse& response, const std::string& what);

  std::string domain_;
  std::string path_;
  std::string host_;  // where the API is: registry-1.docker.io for docker.io
  std::string name_;  // as messages show it: "busybox", "localhost:5000/app"
  std::optional<Credentials> credentials_;
  std::mutex mutex_;
  std::string scheme_;  // decided by the first request
  std::string token_;
  bool basic_ = false;  // the registry asked for basic auth
};

// Docker Hub's API endpoint for "docker.io"; the domain itself otherwise.
std::string registry_host(const std::string& domain);
// Plain HTTP is allowed for loopback registries (as docker allows) and for
// those listed in "insecure-registries" of $XDG_CONFIG_HOME/hutch/config.json.
bool plain_http_allowed(const std::string& domain);

}  // namespace hutch
