#include "base/base64.h"
#include "base/error.h"
#include "registry/challenge.h"
#include "registry/manifest.h"
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
  CHECK_EQ(select_platform(doc, parse_platform("linux/amd64")).digest, digest('d'));
  CHECK_EQ(select_platform(doc, parse_platform("linux/arm/v7")).digest, digest('b'));
  CHECK_EQ(select_platform(doc, parse_platform("linux/arm64")).digest, digest('c'));
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
  CHECK_EQ(doc.layers[0].digest, digest('2'));
  CHECK_THROWS(parse_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:x\",\"size\":1},\"layers\":[]}", ""),
               "unsupported digest");
}

TEST(platform_parsing) {
  CHECK_EQ(parse_platform("linux/arm/v7").str(), std::string("linux/arm/v7"));
  CHECK_EQ(parse_platform("amd64").str(), std::string("linux/amd64"));
  CHECK_THROWS(parse_platform("windows/amd64"), "linux images only");
  CHECK_THROWS(parse_platform("linux//x"), "invalid platform");
}
