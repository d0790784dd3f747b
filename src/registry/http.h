// HTTP/HTTPS over libcurl. One HttpClient owns one connection cache, so a
// session's requests to a registry reuse their TLS connections; clients are not
// shared between threads (each download worker has its own).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"

namespace hutch {

// The network failed (refused, reset, timed out, TLS broke, body cut short):
// worth retrying, unlike an answer the server gave on purpose.
class TransportError : public Error {
 public:
  TransportError(const std::string& message, int curl_code) : Error(message), curl_code_(curl_code) {}
  // The TLS handshake itself failed (not verification): the server may speak
  // plain HTTP.
  bool handshake_failed() const;
  // Worth another try: the connection broke or timed out. A name that does not
  // resolve or a certificate that does not verify will not get better.
  bool retryable() const;

 private:
  int curl_code_;
};

// A successful answer's body exceeded the caller's bound.
class BodyTooLarge : public Error {
 public:
  using Error::Error;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  int64_t range_start = -1;          // asks for bytes range_start- when >= 0
};

struct HttpResponse {
  long status = 0;
  std::string url;                                // after redirects
  std::map<std::string, std::string> headers;    // lower-cased names, last value wins
  std::vector<std::string> authenticate;          // every WWW-Authenticate value
  std::string body;                               // when not streamed
  std::string header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Reads the whole body, refusing more than max_body bytes.
  HttpResponse fetch(const HttpRequest& request, int64_t max_body);

  // Passes the body to sink as it arrives, but only for a 2xx answer (other
  // bodies are collected, bounded, into response.body). The sink returns false
  // to abort the transfer.
  using Sink = std::function<bool(const char* data, size_t size, const HttpResponse& response)>;
  HttpResponse stream(const HttpRequest& request, const Sink& sink);

 private:
  HttpResponse perform(const HttpRequest& request, int64_t max_body, const Sink* sink);
  void* curl_;
};

// Where the CA certificates are, decided once: $SSL_CERT_FILE, $SSL_CERT_DIR,
// then the distributions' usual bundle files and directories.
struct CaLocation {
  std::string file;
  std::string dir;
};
const CaLocation& ca_location();

std::string url_encode(const std::string& s);

}  // namespace hutch
