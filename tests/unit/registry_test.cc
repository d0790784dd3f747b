#include <stdlib.h>
#include <sys/stat.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/file.h"
#include "registry/challenge.h"
#include "registry/credentials.h"
#include "registry/manifest.h"
#include "registry/registry.h"
#include "test.h"

using namespace hutch;

TEST(base64_round_trips_every_length) {
  std::string s;
  for (int i = 0; i < 40; i++) {
    auto back = base64_decode(base64_encode(s));
    CHECK(back.has_value());
    CHECK_EQ(*back, s);
    s += (char)(i * 37 + 1);
  }
  CHECK_EQ(base64_encode("user:pass"), std::string("dXNlcjpwYXNz"));
  CHECK(!base64_decode("dXNl*jpw").has_value());
}

TEST(challenge_bearer_with_quoted_commas) {
  Challenge c = parse_challenge(
      "Bearer realm=\"https://auth.example/token\",service=\"reg\",scope=\"repository:a/b:pull,push\"");
  CHECK_EQ(c.scheme, std::string("bearer"));
  CHECK_EQ(c.params["realm"], std::string("https://auth.example/token"));
  CHECK_EQ(c.params["service"], std::string("reg"));
  CHECK_EQ(c.params["scope"], std::string("repository:a/b:pull,push"));
}

TEST(challenge_basic) {
  Challenge c = parse_challenge("Basic realm=\"Registry Realm\"");
  CHECK_EQ(c.scheme, std::string("basic"));
  CHECK_EQ(c.params["realm"], std::string("Registry Realm"));
}

namespace {
std::string digest(char c) { return "sha256:" + std::string(64, c); }
std::string index_json() {
  auto entry = [](const char* arch, const char* variant, char d) {
    std::string v = *variant ? std::string(",\"variant\":\"") + variant + "\"" : "";
    return std::string("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"") + digest(d) +
           "\",\"size\":100,\"platform\":{\"os\":\"linux\",\"architecture\":\"" + arch + "\"" + v + "}}";
  };
  return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
         entry("arm", "v6", 'a') + "," + entry("arm", "v7", 'b') + "," + entry("arm64", "v8", 'c') + "," +
         entry("amd64", "", 'd') + "]}";
}
}  // namespace

TEST(index_selects_platform_and_variant) {
  ManifestDoc doc = parse_manifest(index_json(), "");
  CHECK(doc.is_index);
  CHECK_EQ(select_platform(doc, parse_platform("linux/amd64")).digest.str(), digest('d'));
  CHECK_EQ(select_platform(doc, parse_platform("linux/arm/v7")).digest.str(), digest('b'));
  CHECK_EQ(select_platform(doc, parse_platform("linux/arm64")).digest.str(), digest('c'));
  CHECK_THROWS(select_platform(doc, parse_platform("linux/s390x")),
               "no matching manifest for linux/s390x in the manifest list entries");
}

TEST(manifest_schema1_and_unknown_types_refused) {
  CHECK_THROWS(parse_manifest("{\"schemaVersion\":1,\"fsLayers\":[]}", ""), "schema 1");
  CHECK_THROWS(parse_manifest("{\"schemaVersion\":2,\"mediaType\":\"application/x-helm\"}", ""),
               "unsupported manifest media type");
  std::string artifact = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                         "\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"" +
                         digest('e') + "\",\"size\":1},\"layers\":[]}";
  CHECK_THROWS(parse_manifest(artifact, ""), "not a container image");
}

TEST(manifest_reads_config_and_layers) {
  std::string m = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                  "\"digest\":\"" + digest('1') + "\",\"size\":7},\"layers\":[{\"mediaType\":"
                  "\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" + digest('2') + "\",\"size\":9}]}";
  ManifestDoc doc = parse_manifest(m, "application/vnd.oci.image.manifest.v1+json");
  CHECK(!doc.is_index);
  CHECK_EQ(doc.config.size, (int64_t)7);
  CHECK_EQ(doc.layers.size(), (size_t)1);
  CHECK_EQ(doc.layers[0].digest.str(), digest('2'));
  CHECK_THROWS(parse_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:x\",\"size\":1},\"layers\":[]}", ""),
               "unsupported digest");
}

TEST(platform_parsing) {
  CHECK_EQ(parse_platform("linux/arm/v7").str(), std::string("linux/arm/v7"));
  CHECK_EQ(parse_platform("amd64").str(), std::string("linux/amd64"));
  CHECK_THROWS(parse_platform("windows/amd64"), "linux images only");
  CHECK_THROWS(parse_platform("linux//x"), "invalid platform");
}

namespace {
// A private directory for files the code under test finds through the environment.
std::string scratch_dir() {
  char tmpl[] = "/tmp/hutch-unit.XXXXXX";
  const char* dir = mkdtemp(tmpl);
  CHECK(dir != nullptr);
  return dir;
}
}  // namespace

TEST(plain_http_only_for_loopback_and_configured_registries) {
  std::string dir = scratch_dir();
  setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  CHECK(plain_http_allowed("localhost:5000"));
  CHECK(plain_http_allowed("127.0.0.1:5000"));
  CHECK(plain_http_allowed("127.1.2.3"));
  CHECK(plain_http_allowed("[::1]:5000"));
  CHECK(!plain_http_allowed("registry.example:5000"));
  CHECK(!plain_http_allowed("docker.io"));
  mkdir_p(dir + "/hutch");
  write_file_atomic(dir + "/hutch/config.json", "{\"insecure-registries\": [\"registry.example:5000\", \"lab\"]}");
  CHECK(plain_http_allowed("registry.example:5000"));
  CHECK(plain_http_allowed("lab:443"));
  CHECK(!plain_http_allowed("registry.example:5001"));
  unsetenv("XDG_CONFIG_HOME");
  remove_tree(dir);
}

TEST(credentials_round_trip_in_docker_format) {
  std::string dir = scratch_dir();
  std::string file = dir + "/auth.json";
  setenv("REGISTRY_AUTH_FILE", file.c_str(), 1);
  setenv("DOCKER_CONFIG", (dir + "/docker").c_str(), 1);
  CHECK(!find_credentials("reg:5000").has_value());
  store_credentials("reg:5000", Credentials{"alice", "pa:ss"});
  store_credentials("docker.io", Credentials{"bob", "x"});
  auto found = find_credentials("reg:5000");
  CHECK(found.has_value());
  CHECK_EQ(found->username, std::string("alice"));
  CHECK_EQ(found->password, std::string("pa:ss"));
  CHECK_EQ(find_credentials("docker.io")->username, std::string("bob"));
  std::string text = read_file(file);
  CHECK(text.find("\"https://index.docker.io/v1/\"") != std::string::npos);
  struct stat st;
  CHECK(stat(file.c_str(), &st) == 0 && (st.st_mode & 0777) == 0600);
  CHECK(erase_credentials("reg:5000"));
  CHECK(!erase_credentials("reg:5000"));
  CHECK(!find_credentials("reg:5000").has_value());
  CHECK(find_credentials("docker.io").has_value());
  // docker's own file is read too
  mkdir_p(dir + "/docker");
  write_file_atomic(dir + "/docker/config.json", "{\"auths\":{\"https://other:1/v2/\":{\"auth\":\"" +
                                                      base64_encode("carol:pw") + "\"}}}");
  CHECK_EQ(find_credentials("other:1")->username, std::string("carol"));
  unsetenv("REGISTRY_AUTH_FILE");
  unsetenv("DOCKER_CONFIG");
  remove_tree(dir);
}
