#include "image/pull.h"

#include <algorithm>
#include <memory>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "base/parallel.h"
#include "image/image_config.h"
#include "store/images.h"

namespace hutch {

namespace {

constexpr int64_t kMaxConfigSize = 16 << 20;
// docker's max-concurrent-downloads default: more connections rarely help a
// single registry and each one holds an unpacking thread.
constexpr size_t kParallelDownloads = 3;

std::string config_from(const Store& store, Registry& registry, HttpClient& http, const Descriptor& config) {
  std::string path = store.blob_path(config.digest);
  if (auto stored = read_file_if_exists(path)) return *stored;  // content-addressed, verified when written
  std::string json = registry.small_blob(http, config, kMaxConfigSize);
  store.put_blob(config.digest, json);
  return json;
}

}  // namespace

PullResult pull_image(const Store& store, const LayerTarget& target, Registry& registry, const Reference& ref,
                      const Platform& platform, PullObserver& observer) {
  FileLock content = store.lock_content(FileLock::kShared);
  HttpClient http;
  PullResult result;
  FetchedManifest top = registry.manifest(http, ref.digest.empty() ? ref.tag : ref.digest.str());
  result.digest = top.digest;
  ManifestDoc doc = parse_manifest(top.body, top.media_type);
  if (doc.is_index) {
    const Descriptor& chosen = select_platform(doc, platform);
    log_debug("platform %s: manifest %s", platform.str().c_str(), chosen.digest.c_str());
    FetchedManifest m = registry.manifest(http, chosen.digest.str());
    if ((int64_t)m.body.size() != chosen.size)
      fail("manifest %s is %zu bytes, the index says %lld", chosen.digest.c_str(), m.body.size(),
           (long long)chosen.size);
    doc = parse_manifest(m.body, m.media_type);
    if (doc.is_index) fail("manifest %s: an index inside an index is not supported", chosen.digest.c_str());
  }

  std::string config_json = config_from(store, registry, http, doc.config);
  ImageConfig config = parse_image_config(config_json);
  if (config.diff_ids.size() != doc.layers.size())
    fail("image config names %zu layers but the manifest has %zu", config.diff_ids.size(), doc.layers.size());
  if (!config.os.empty() && config.os != "linux") fail("image is for %s, not linux", config.os.c_str());

  ImageStore images(store);
  ImageRecord image;
  image.id = doc.config.digest;
  image.created = config.created;
  std::vector<std::string> short_ids;
  for (size_t i = 0; i < doc.layers.size(); i++) {
    const Descriptor& d = doc.layers[i];
    image.layers.push_back(LayerRecord{config.diff_ids[i], d.digest, d.media_type, d.size, 0});
    short_ids.push_back(d.digest.short_hex());
  }
  result.id = image.id;
  result.new_image = !images.get(image.id).has_value();
  bool all_present = true;
  for (const auto& l : image.layers) all_present = all_present && is_dir(store.layer_dir(target.mapping_key, l.diff_id));
  // docker shows no layers for an image that is up to date.
  if (result.new_image || !all_present) observer.layers(short_ids);

  // One connection per worker.
  size_t workers = std::min(image.layers.size(), kParallelDownloads);
  std::vector<std::unique_ptr<HttpClient>> connections;
  for (size_t w = 0; w < workers; w++) connections.push_back(std::make_unique<HttpClient>());
  parallel_for(image.layers.size(), workers, [&](size_t worker, size_t i) {
    HttpClient& worker_http = *connections[worker];
    const Descriptor& d = doc.layers[i];
    bool fetched = false;
    auto source = [&](const BlobWriter& write) {
      fetched = true;
      observer.layer_phase(i, LayerPhase::kDownloading);
      int64_t done = 0;
      registry.blob(worker_http, d, [&](const char* data, size_t size) {
        write(data, size);
        done += (int64_t)size;
        observer.layer_bytes(i, done, d.size);
      });
      observer.layer_phase(i, LayerPhase::kExtracting);
    };
    LayerOutcome outcome = ensure_layer(store, target, image.layers[i], source);
    observer.layer_phase(i, outcome == LayerOutcome::kPresent && !fetched ? LayerPhase::kAlreadyExists
                                                                           : LayerPhase::kComplete);
  });

  for (const auto& l : image.layers) image.size += l.size;
  std::string repo_digest = ref.name() + "@" + result.digest.str();
  {
    FileLock metadata = store.lock_metadata();
    if (auto existing = images.get(image.id)) image.repo_digests = existing->repo_digests;
    if (std::find(image.repo_digests.begin(), image.repo_digests.end(), repo_digest) == image.repo_digests.end())
      image.repo_digests.push_back(repo_digest);
    images.put(image);
  }
  if (ref.digest.empty()) images.tag({ref.full()}, image.id);
  return result;
}

}  // namespace hutch
