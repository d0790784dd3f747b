#include "registry/manifest.h"

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"

namespace hutch {

namespace {

bool is_layer_type(const std::string& t) {
  static const char* known[] = {
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar.zstd",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  };
  for (const char* k : known)
    if (t == k) return true;
  return false;
}

bool is_config_type(const std::string& t) {
  return t == "application/vnd.docker.container.image.v1+json" || t == "application/vnd.oci.image.config.v1+json";
}

Descriptor read_descriptor(const JsonValue& v, const char* what) {
  Descriptor d;
  d.media_type = v.string_at("mediaType");
  d.digest = Digest::parse(v.string_at("digest"), std::string("manifest: ") + what);
  d.size = v.int_at("size", -1);
  if (d.size < 0) fail("manifest: %s %s has no size", what, d.digest.c_str());
  if (const JsonValue* p = v.get("platform")) {
    d.platform.os = p->string_at("os");
    d.platform.architecture = p->string_at("architecture");
    d.platform.variant = p->string_at("variant");
  }
  return d;
}

// arm64 images are v8 unless they say otherwise.
std::string normalize_variant(const std::string& arch, const std::string& variant) {
  if (arch == "arm64" && variant.empty()) return "v8";
  return variant;
}

}  // namespace

ManifestDoc parse_manifest(const std::string& body, const std::string& content_type) {
  JsonValue root = parse_json(body, "manifest");
  if (!root.is_object()) fail("manifest: not a JSON object");
  ManifestDoc doc;
  int64_t schema = root.int_at("schemaVersion", 0);
  std::string type = root.string_at("mediaType");
  if (type.empty()) type = content_type.substr(0, content_type.find(';'));
  if (schema == 1 || type.compare(0, 52, "application/vnd.docker.distribution.manifest.v1+json") == 0 ||
      type == "application/vnd.docker.distribution.manifest.v1+prettyjws")
    fail("image manifest schema 1 is not supported: the image must be pushed again with a current client");
  if (type.empty() || type == "application/json" || type == "text/plain") {
    // OCI allows mediaType to be absent; the document's shape says what it is.
    type = root.get("manifests") ? media_type::kOciIndex : media_type::kOciManifest;
  }
  doc.media_type = type;
  if (type == media_type::kDockerList || type == media_type::kOciIndex) {
    doc.is_index = true;
    const JsonValue* entries = root.get("manifests");
    if (!entries || !entries->is_array()) fail("manifest list has no manifests");
    for (const auto& e : entries->items()) doc.manifests.push_back(read_descriptor(e, "manifest list entry"));
    return doc;
  }
  if (type != media_type::kDockerManifest && type != media_type::kOciManifest)
    fail("unsupported manifest media type %s", type.c_str());
  const JsonValue* config = root.get("config");
  if (!config) fail("manifest has no config");
  doc.config = read_descriptor(*config, "config");
  if (!doc.config.media_type.empty() && !is_config_type(doc.config.media_type))
    fail("unsupported config media type %s (not a container image)", doc.config.media_type.c_str());
  const JsonValue* layers = root.get("layers");
  if (!layers || !layers->is_array()) fail("manifest has no layers");
  for (const auto& l : layers->items()) {
    Descriptor d = read_descriptor(l, "layer");
    if (!is_layer_type(d.media_type)) fail("unsupported layer media type %s", d.media_type.c_str());
    doc.layers.push_back(d);
  }
  return doc;
}

const Descriptor& select_platform(const ManifestDoc& index, const Platform& want) {
  std::string want_variant = normalize_variant(want.architecture, want.variant);
  const Descriptor* fallback = nullptr;
  for (const auto& d : index.manifests) {
    if (d.media_type != media_type::kDockerManifest && d.media_type != media_type::kOciManifest &&
        !d.media_type.empty())
      continue;
    const Platform& p = d.platform;
    if (p.os != want.os || normalize_architecture(p.architecture) != want.architecture) continue;
    std::string variant = normalize_variant(p.architecture, p.variant);
    if (variant == want_variant) return d;
    // Without a wanted variant any is fine; an entry without one runs anywhere.
    if (!fallback && (want_variant.empty() || variant.empty())) fallback = &d;
  }
  if (fallback) return *fallback;
  fail("no matching manifest for %s in the manifest list entries", want.str().c_str());
}

}  // namespace hutch
