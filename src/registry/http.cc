#include "registry/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef HUTCH_CURL_MBEDTLS
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#endif

#include <exception>
#include <mutex>

#include "base/log.h"
#include "base/version.h"

namespace hutch {

namespace {

// Bodies of error answers are read only for their message.
constexpr int64_t kMaxErrorBody = 64 << 10;

bool is_file(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

std::string lower(std::string s) {
  for (auto& c : s) c = (char)tolower((unsigned char)c);
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

struct Transfer {
  HttpResponse response;
  int64_t max_body = 0;
  const HttpClient::Sink* sink = nullptr;
  bool too_large = false;
  std::exception_ptr sink_error;
  bool sink_stopped = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  if (line.compare(0, 5, "HTTP/") == 0) {
    // A new answer (after a redirect or a 100): forget the previous one's headers.
    size_t space = line.find(' ');
    t->response.status = space == std::string::npos ? 0 : atol(line.c_str() + space + 1);
    t->response.headers.clear();
    t->response.authenticate.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value = trim(line.substr(colon + 1));
    if (name == "www-authenticate") t->response.authenticate.push_back(value);
    t->response.headers[name] = value;
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  bool success = t->response.status >= 200 && t->response.status < 300;
  if (t->sink && success) {
    try {
      if (!(*t->sink)(data, n, t->response)) {
        t->sink_stopped = true;
        return 0;
      }
    } catch (...) {
      t->sink_error = std::current_exception();
      return 0;
    }
    return n;
  }
  int64_t limit = success ? t->max_body : kMaxErrorBody;
  if ((int64_t)(t->response.body.size() + n) > limit) {
    if (!success) return n;  // an error page's tail is not worth failing over
    t->too_large = true;
    return 0;
  }
  t->response.body.append(data, n);
  return n;
}

#ifdef HUTCH_CURL_MBEDTLS
// mbedTLS 2.28 matches the host only against DNS names, so a registry reached
// as https://10.0.0.5:5000 fails verification even when its certificate names
// that address. For an IP literal we finish the check it skips: the address
// in an iPAddress subjectAltName entry (which mbedTLS keeps unparsed).
struct PeerAddress {
  unsigned char bytes[16];
  size_t size = 0;
};

int accept_matching_ip_san(void* data, mbedtls_x509_crt* crt, int depth, uint32_t* flags) {
  const auto* peer = static_cast<const PeerAddress*>(data);
  if (depth != 0 || !(*flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)) return 0;
  for (const mbedtls_x509_sequence* san = &crt->subject_alt_names; san; san = san->next) {
    if (san->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && san->buf.len == peer->size &&
        memcmp(san->buf.p, peer->bytes, peer->size) == 0) {
      *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
      break;
    }
  }
  return 0;
}

// Called by curl for each new TLS connection, redirects included.
CURLcode on_tls_setup(CURL* curl, void* tls_config, void* data) {
  auto* peer = static_cast<PeerAddress*>(data);
  char* url = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &url);
  CURLU* parsed = curl_url();
  char* host = nullptr;
  peer->size = 0;
  if (url && curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    std::string h = host;
    if (h.size() > 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
    if (inet_pton(AF_INET, h.c_str(), peer->bytes) == 1) peer->size = 4;
    else if (inet_pton(AF_INET6, h.c_str(), peer->bytes) == 1) peer->size = 16;
  }
  curl_free(host);
  curl_url_cleanup(parsed);
  if (peer->size > 0)
    mbedtls_ssl_conf_verify(static_cast<mbedtls_ssl_config*>(tls_config), accept_matching_ip_san, peer);
  return CURLE_OK;
}
#endif

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

bool TransportError::handshake_failed() const { return curl_code_ == CURLE_SSL_CONNECT_ERROR; }

bool TransportError::retryable() const {
  switch (curl_code_) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

const CaLocation& ca_location() {
  static const CaLocation location = [] {
    CaLocation ca;
    const char* file = getenv("SSL_CERT_FILE");
    const char* dir = getenv("SSL_CERT_DIR");
    if (file && *file) ca.file = file;
    if (dir && *dir) ca.dir = dir;
    if (!ca.file.empty() || !ca.dir.empty()) return ca;
    // Debian/Ubuntu/Alpine/Arch, Fedora/RHEL, openSUSE, older RHEL, and the rest.
    for (const char* f : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                          "/etc/ssl/ca-bundle.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                          "/etc/pki/tls/cacert.pem", "/etc/ssl/cert.pem"}) {
      if (is_file(f)) {
        ca.file = f;
        break;
      }
    }
    for (const char* d : {"/etc/ssl/certs", "/etc/pki/tls/certs", "/system/etc/security/cacerts"}) {
      if (is_directory(d)) {
        ca.dir = d;
        break;
      }
    }
    return ca;
  }();
  return location;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += (char)c;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

HttpClient::HttpClient() {
  global_init();
  curl_ = curl_easy_init();
  if (!curl_) fail("cannot initialise libcurl");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::fetch(const HttpRequest& request, int64_t max_body) {
  return perform(request, max_body, nullptr);
}

HttpResponse HttpClient::stream(const HttpRequest& request, const Sink& sink) {
  return perform(request, 0, &sink);
}

HttpResponse HttpClient::perform(const HttpRequest& request, int64_t max_body, const Sink* sink) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // keeps the connection cache
  Transfer t;
  t.max_body = max_body;
  t.sink = sink;

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // Blob fetches are redirected to storage; curl drops our Authorization header
  // when the redirect leaves the registry's host, which storage URLs require.
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, (std::string("hutch/") + kVersion).c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 KiB/s for 30 s) fails and is retried.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  // docker's floor too; the static mbedTLS has no TLS 1.0/1.1, and asking for
  // them would turn an old server's refusal into an internal error.
  curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  const CaLocation& ca = ca_location();
  if (!ca.file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca.file.c_str());
  if (!ca.dir.empty()) curl_easy_setopt(c, CURLOPT_CAPATH, ca.dir.c_str());
#ifdef HUTCH_CURL_MBEDTLS
  PeerAddress peer;
  curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_tls_setup);
  curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &peer);
#endif
  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  std::string range;
  if (request.range_start >= 0) {
    range = std::to_string(request.range_start) + "-";
    curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());
  }
  struct curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);

  log_debug("%s %s%s", request.method.c_str(), request.url.c_str(),
            range.empty() ? "" : (" range " + range).c_str());
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective) t.response.url = effective;

  if (t.sink_error) std::rethrow_exception(t.sink_error);
  if (t.sink_stopped) fail("%s: transfer stopped", request.url.c_str());
  if (t.too_large)
    throw BodyTooLarge(format("%s: answer larger than %lld bytes", request.url.c_str(), (long long)max_body));
  if (rc != CURLE_OK) {
    std::string why = error_text[0] ? error_text : curl_easy_strerror(rc);
    if (rc == CURLE_PEER_FAILED_VERIFICATION)
      why = "the server's TLS certificate does not verify (" + why +
            "); name its CA with SSL_CERT_FILE or SSL_CERT_DIR if it is private";
    throw TransportError(format("%s %s: %s", request.method.c_str(), request.url.c_str(), why.c_str()), rc);
  }
  log_debug("-> %ld", t.response.status);
  return t.response;
}

}  // namespace hutch
