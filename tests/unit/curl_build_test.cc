// The libcurl that third_party/curl/build.sh builds: checks that configure
// really produced what the registry client relies on (configure quietly drops
// features whose probes fail, and a wrong flag would not show until a pull
// failed somewhere).
#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test.h"

namespace {

std::vector<std::string> protocols(const curl_version_info_data* info) {
  std::vector<std::string> out;
  for (const char* const* p = info->protocols; *p; ++p) out.emplace_back(*p);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

#ifndef __GLIBC__
// The static musl build (build/unit-tests): our own libcurl.
static std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

TEST(curl_build_is_ours) {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  CHECK(info != nullptr);
  CHECK(info->age >= CURLVERSION_NINTH);  // cainfo/capath below exist from the ninth
  CHECK_EQ(std::string(info->version), std::string(LIBCURL_VERSION));
  // TLS is mbedTLS, and the only one (no MultiSSL).
  CHECK(info->ssl_version != nullptr);
  CHECK_EQ(std::string(info->ssl_version).rfind("mbedTLS/", 0), size_t(0));
  CHECK(!(info->features & CURL_VERSION_MULTI_SSL));
  CHECK(info->features & CURL_VERSION_SSL);
  // HTTP and HTTPS, nothing else.
  CHECK_EQ(join(protocols(info)), std::string("http https"));
  CHECK(info->features & CURL_VERSION_IPV6);
  // The threaded resolver (timeouts work during DNS lookups) and thread-safe
  // global init (layers are fetched from several threads).
  CHECK(info->features & CURL_VERSION_ASYNCHDNS);
  CHECK(info->features & CURL_VERSION_THREADSAFE);
  // gzip/deflate Content-Encoding through our zlib (the one in the deps prefix).
  CHECK(info->features & CURL_VERSION_LIBZ);
  CHECK(info->libz_version != nullptr);
  CHECK_EQ(std::string(info->libz_version), std::string(ZLIB_VERSION));
  // No CA location baked in from the build machine: hutch finds the bundle at
  // run time and passes CURLOPT_CAINFO/CURLOPT_CAPATH.
  CHECK(info->cainfo == nullptr);
  CHECK(info->capath == nullptr);
  // None of the optional libraries we left out.
  CHECK(info->brotli_ver_num == 0);
  CHECK(info->zstd_ver_num == 0);
  CHECK(info->nghttp2_ver_num == 0);
  CHECK(info->libidn == nullptr);
  CHECK(info->libssh_version == nullptr);
  CHECK(!(info->features & CURL_VERSION_PSL));
  CHECK(!(info->features & CURL_VERSION_UNIX_SOCKETS));
  CHECK(!(info->features & CURL_VERSION_NTLM));
}
#else
// The asan build links Debian's libcurl (OpenSSL, every protocol); only check
// that the parts the registry client needs are there.
TEST(curl_build_has_https) {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  CHECK(info != nullptr);
  auto p = protocols(info);
  CHECK(std::find(p.begin(), p.end(), "https") != p.end());
  CHECK(info->features & CURL_VERSION_SSL);
  CHECK(info->features & CURL_VERSION_LIBZ);
}
#endif
