// Manifests and indexes as registries serve them: Docker schema 2 and OCI, with
// platform selection in manifest lists. Schema 1 and unknown types are refused.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/digest.h"
#include "image/platform.h"

namespace hutch {

namespace media_type {
constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
// What a pull asks for, best first.
constexpr const char* kAcceptManifests =
    "Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
}  // namespace media_type

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  Platform platform;  // index entries only
};

struct ManifestDoc {
  bool is_index = false;
  std::string media_type;
  std::vector<Descriptor> manifests;  // index
  Descriptor config;                  // image manifest
  std::vector<Descriptor> layers;     // image manifest, base first
};

// content_type is the Content-Type the registry answered with; the document's
// own mediaType wins when present. Throws a one-line Error for schema 1,
// unknown media types, foreign layer types and malformed documents.
ManifestDoc parse_manifest(const std::string& body, const std::string& content_type);

// The index entry for `want`; throws docker's "no matching manifest for
// linux/amd64 in the manifest list entries".
const Descriptor& select_platform(const ManifestDoc& index, const Platform& want);

}  // namespace hutch
