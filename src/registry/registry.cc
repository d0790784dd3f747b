#include "registry/registry.h"

#include <stdlib.h>
#include <time.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "base/log.h"
#include "base/sha256.h"
#include "image/reference.h"
#include "registry/challenge.h"

namespace hutch {

namespace {

constexpr int64_t kMaxManifestSize = 4 << 20;  // docker's limit too
constexpr int64_t kMaxTokenSize = 1 << 20;
constexpr int kMaxAttempts = 6;

void back_off(int attempt) {
  long ms = std::min(4000L, 250L << attempt);
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) < 0) {
  }
}

bool retryable_status(long status) { return status == 429 || status >= 500; }

// Runs attempt() again, with back-off, while it breaks on the way (resets,
// timeouts) or is answered 429/5xx; the last answer or error stands.
template <typename Attempt>
HttpResponse with_retries(const std::string& what, Attempt attempt) {
  for (int n = 0;; n++) {
    try {
      HttpResponse r = attempt();
      if (!retryable_status(r.status) || n + 1 >= kMaxAttempts) return r;
      log_debug("%s: status %ld, retrying", what.c_str(), r.status);
    } catch (const TransportError& e) {
      if (!e.retryable() || n + 1 >= kMaxAttempts) throw;
      log_debug("%s, retrying", e.what());
    }
    back_off(n);
  }
}

// The registry's own words: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}
// becomes "manifest unknown: ..." as docker prints it.
struct Answer {
  std::string code;  // "MANIFEST_UNKNOWN"
  std::string text;
};

Answer read_answer(const HttpResponse& r) {
  Answer a;
  try {
    JsonValue root = parse_json(r.body, "error answer");
    if (const JsonValue* errors = root.get("errors"); errors && !errors->items().empty()) {
      const JsonValue& e = errors->items().front();
      a.code = e.string_at("code");
      std::string code = a.code;
      for (auto& ch : code) ch = ch == '_' ? ' ' : (char)tolower((unsigned char)ch);
      a.text = code + ": " + e.string_at("message");
      return a;
    }
  } catch (const Error&) {
  }
  a.text = format("status %ld", r.status);
  return a;
}

}  // namespace

std::string registry_host(const std::string& domain) {
  return domain == "docker.io" ? "registry-1.docker.io" : domain;
}

bool plain_http_allowed(const std::string& domain) {
  std::string host = domain;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  if (host == "localhost" || host == "::1" || host.compare(0, 4, "127.") == 0) return true;
  std::string path = hutch_config_dir() + "/config.json";
  auto text = read_file_if_exists(path);
  if (!text) return false;
  JsonValue root = parse_json(*text, path);
  for (const auto& entry : root.strings_at("insecure-registries"))
    if (entry == domain || entry == host) return true;
  return false;
}

Registry::Registry(std::string domain, std::string path)
    : domain_(std::move(domain)),
      path_(std::move(path)),
      host_(registry_host(domain_)),
      name_(Reference{domain_, path_, "", {}}.familiar_name()) {
  credentials_ = find_credentials(domain_);
}

std::string Registry::base_url(HttpClient& http) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (scheme_.empty()) {
    scheme_ = "https";
    if (plain_http_allowed(domain_)) {
      // docker's order for registries that may be plain: TLS first, and plain
      // HTTP only when the server does not speak TLS at all.
      try {
        http.fetch(HttpRequest{"GET", "https://" + host_ + "/v2/", {}, -1}, 1 << 20);
      } catch (const TransportError& e) {
        if (e.handshake_failed()) scheme_ = "http";
      }
      log_debug("%s: using %s", host_.c_str(), scheme_.c_str());
    }
  }
  return scheme_ + "://" + host_;
}

std::string Registry::authorization() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!token_.empty()) return "Authorization: Bearer " + token_;
  if (basic_ && credentials_)
    return "Authorization: Basic " + base64_encode(credentials_->username + ":" + credentials_->password);
  return "";
}

void Registry::authenticate(HttpClient& http, const HttpResponse& answer, const std::string& used_token) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!token_.empty() && token_ != used_token) return;  // another thread already renewed it
  for (const auto& header : answer.authenticate) {
    Challenge c = parse_challenge(header);
    if (c.scheme == "basic") {
      if (!credentials_) break;
      basic_ = true;
      return;
    }
    if (c.scheme != "bearer") continue;
    std::string realm = c.params["realm"];
    if (realm.compare(0, 7, "http://") != 0 && realm.compare(0, 8, "https://") != 0)
      fail("%s: bearer realm \"%s\" is not an http(s) URL", host_.c_str(), realm.c_str());
    std::string scope = c.params.count("scope") ? c.params["scope"] : "repository:" + path_ + ":pull";
    std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&") +
                      "service=" + url_encode(c.params["service"]);
    if (!path_.empty()) url += "&scope=" + url_encode(scope);
    HttpRequest request{"GET", url, {}, -1};
    if (credentials_) {
      url += "&account=" + url_encode(credentials_->username);
      request.url = url;
      request.headers.push_back("Authorization: Basic " +
                                base64_encode(credentials_->username + ":" + credentials_->password));
    }
    HttpResponse r = with_retries(realm, [&] { return http.fetch(request, kMaxTokenSize); });
    if (r.status == 401 || r.status == 403)
      fail("Get \"%s\": unauthorized: incorrect username or password", realm.c_str());
    if (r.status != 200) fail("token server %s answered status %ld", realm.c_str(), r.status);
    JsonValue token = parse_json(r.body, "token answer");
    token_ = token.string_at("token");
    if (token_.empty()) token_ = token.string_at("access_token");
    if (token_.empty()) fail("token server %s answered without a token", realm.c_str());
    return;
  }
  fail_answer(answer, "");
}

HttpResponse Registry::send_once(HttpClient& http, HttpRequest request, int64_t max_body,
                                 const HttpClient::Sink* sink) {
  size_t plain_headers = request.headers.size();
  for (int round = 0;; round++) {
    request.headers.resize(plain_headers);
    std::string auth = authorization();
    if (!auth.empty()) request.headers.push_back(auth);
    HttpResponse r = sink ? http.stream(request, *sink) : http.fetch(request, max_body);
    if (r.status != 401 || round > 0) return r;
    std::string used;
    if (auth.compare(0, 22, "Authorization: Bearer ") == 0) used = auth.substr(22);
    authenticate(http, r, used);
  }
}

HttpResponse Registry::send(HttpClient& http, const HttpRequest& request, int64_t max_body) {
  return with_retries(request.url, [&] { return send_once(http, request, max_body, nullptr); });
}

void Registry::fail_answer(const HttpResponse& r, const std::string& what) {
  Answer a = read_answer(r);
  if (r.status == 401 || r.status == 403 || a.code == "NAME_UNKNOWN" || a.code == "DENIED" ||
      a.code == "UNAUTHORIZED")
    fail("pull access denied for %s, repository does not exist or may require 'hutch login': %s", name_.c_str(),
         a.text.c_str());
  if (what.empty()) fail("%s: %s", host_.c_str(), a.text.c_str());
  fail("%s: %s", what.c_str(), a.text.c_str());
}

FetchedManifest Registry::manifest(HttpClient& http, const std::string& reference) {
  std::string url = base_url(http) + "/v2/" + path_ + "/manifests/" + reference;
  HttpResponse r;
  try {
    r = send(http, HttpRequest{"GET", url, {media_type::kAcceptManifests}, -1}, kMaxManifestSize);
  } catch (const BodyTooLarge&) {
    fail("manifest %s:%s is larger than %d MiB", name_.c_str(), reference.c_str(), (int)(kMaxManifestSize >> 20));
  }
  std::optional<Digest> wanted = Digest::try_parse(reference);
  std::string shown = name_ + (wanted ? "@" : ":") + reference;
  if (r.status == 404) {
    Answer a = read_answer(r);
    if (a.code == "NAME_UNKNOWN") fail_answer(r, "");
    fail("manifest for %s not found: %s", shown.c_str(), a.text.c_str());
  }
  if (r.status != 200) fail_answer(r, "manifest for " + shown);
  FetchedManifest m;
  m.body = std::move(r.body);
  m.media_type = r.header("content-type");
  m.digest = Digest::of(m.body);
  if (wanted && *wanted != m.digest)
    fail("manifest for %s: digest mismatch (content is %s)", shown.c_str(), m.digest.c_str());
  return m;
}

std::string Registry::small_blob(HttpClient& http, const Descriptor& blob, int64_t max_size) {
  if (blob.size > max_size) fail("blob %s is too large (%lld bytes)", blob.digest.c_str(), (long long)blob.size);
  std::string data;
  this->blob(http, blob, [&](const char* p, size_t n) { data.append(p, n); });
  Digest digest = Digest::of(data);
  if (digest != blob.digest) fail("blob %s: digest mismatch (content is %s)", blob.digest.c_str(), digest.c_str());
  return data;
}

void Registry::blob(HttpClient& http, const Descriptor& blob, const BlobSink& sink) {
  std::string url = base_url(http) + "/v2/" + path_ + "/blobs/" + blob.digest.str();
  int64_t delivered = 0;
  int attempt = 0;
  for (;;) {
    int64_t at_start = delivered;
    int64_t skip = 0;
    bool first = true;
    HttpClient::Sink wrapper = [&](const char* data, size_t n, const HttpResponse& r) {
      if (first) {
        first = false;
        // A server that ignores Range sends everything again.
        if (at_start > 0 && r.status == 200) skip = at_start;
        if (r.status == 206) {
          std::string range = r.header("content-range");
          size_t space = range.find(' ');
          if (space == std::string::npos || atoll(range.c_str() + space + 1) != at_start)
            fail("blob %s: the registry resumed at the wrong offset (%s)", blob.digest.c_str(), range.c_str());
        }
      }
      if (skip > 0) {
        size_t dropped = (size_t)std::min<int64_t>(skip, (int64_t)n);
        skip -= dropped;
        data += dropped;
        n -= dropped;
        if (n == 0) return true;
      }
      if (delivered + (int64_t)n > blob.size)
        fail("blob %s is larger than the %lld bytes its manifest says", blob.digest.c_str(), (long long)blob.size);
      sink(data, n);
      delivered += (int64_t)n;
      return true;
    };
    HttpRequest request{"GET", url, {}, delivered > 0 ? delivered : -1};
    std::string problem;
    try {
      HttpResponse r = send_once(http, request, 0, &wrapper);
      if (r.status >= 200 && r.status < 300) {
        if (delivered == blob.size) return;
        problem = format("blob %s: got %lld of %lld bytes", blob.digest.c_str(), (long long)delivered,
                         (long long)blob.size);
      } else if (r.status == 416) {
        fail("blob %s is shorter than the %lld bytes its manifest says", blob.digest.c_str(), (long long)blob.size);
      } else if (retryable_status(r.status)) {
        problem = format("blob %s: status %ld", blob.digest.c_str(), r.status);
      } else {
        fail_answer(r, "blob " + blob.digest.str());
      }
    } catch (const TransportError& e) {
      if (!e.retryable()) throw;
      problem = e.what();
    }
    if (delivered > at_start) attempt = 0;  // progress was made: a fresh budget
    if (++attempt >= kMaxAttempts) fail("%s (gave up after %d attempts)", problem.c_str(), kMaxAttempts);
    log_debug("%s; resuming at byte %lld", problem.c_str(), (long long)delivered);
    back_off(attempt - 1);
  }
}

std::vector<std::string> Registry::tags(HttpClient& http) {
  std::vector<std::string> out;
  std::string base = base_url(http);
  std::string url = base + "/v2/" + path_ + "/tags/list";
  for (int page = 0; page < 1000 && !url.empty(); page++) {
    HttpResponse r = send(http, HttpRequest{"GET", url, {}, -1}, kMaxManifestSize);
    if (r.status != 200) fail_answer(r, "tags of " + name_);
    JsonValue root = parse_json(r.body, "tag list");
    for (const auto& t : root.strings_at("tags")) out.push_back(t);
    // Link: </v2/name/tags/list?last=x&n=y>; rel="next"
    std::string link = r.header("link");
    url.clear();
    size_t lt = link.find('<'), gt = link.find('>');
    if (lt != std::string::npos && gt != std::string::npos && link.find("rel=\"next\"") != std::string::npos) {
      std::string next = link.substr(lt + 1, gt - lt - 1);
      url = next.compare(0, 4, "http") == 0 ? next : base + next;
    }
  }
  return out;
}

void Registry::check_login(HttpClient& http) {
  std::string url = base_url(http) + "/v2/";
  HttpResponse r = send(http, HttpRequest{"GET", url, {}, -1}, 1 << 20);
  if (r.status == 401 || r.status == 403) fail("login to %s: unauthorized: %s", domain_.c_str(), read_answer(r).text.c_str());
  if (r.status != 200) fail("login to %s: %s", domain_.c_str(), read_answer(r).text.c_str());
}

}  // namespace hutch
