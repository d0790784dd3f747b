#include "image/layers.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "image/layer_unpack.h"
#include "base/error.h"
#include "base/file.h"
#include "base/lock.h"
#include "base/log.h"

namespace hutch {

namespace {

int64_t read_size_sidecar(const std::string& path) {
  auto text = read_file_if_exists(path);
  return text ? atoll(text->c_str()) : 0;
}

void unpack_one(const Store& store, const LayerTarget& target, LayerRecord& layer,
                const std::string& final_dir) {
  FileLock lock(final_dir + ".lock", FileLock::kExclusive);
  if (is_dir(final_dir)) {  // another process finished it while we waited
    layer.size = read_size_sidecar(final_dir + ".size");
    return;
  }
  log_debug("unpacking layer %s", layer.diff_id.c_str());
  Staging staging(store);
  std::string dir = staging.make_path("layer");
  if (mkdir(dir.c_str(), 0755) < 0) fail_errno("mkdir %s", dir.c_str());
  Fd blob = open_or_fail(store.blob_path(layer.blob), O_RDONLY);
  UnpackOptions options;
  options.apply_owners = target.apply_owners;
  UnpackResult result = with_context("layer " + layer.diff_id, [&] {
    return unpack_layer(blob.get(), dir, options);
  });
  if (result.blob_digest != layer.blob)
    fail("layer blob %s: digest mismatch (content is %s)", layer.blob.c_str(), result.blob_digest.c_str());
  if (result.diff_id != layer.diff_id)
    fail("layer %s: digest mismatch (content is %s)", layer.diff_id.c_str(), result.diff_id.c_str());
  layer.size = result.content_size;
  write_file_atomic(final_dir + ".size", std::to_string(result.content_size));
  if (rename(dir.c_str(), final_dir.c_str()) < 0) fail_errno("rename into %s", final_dir.c_str());
}

}  // namespace

std::vector<std::string> ensure_layers(const Store& store, const LayerTarget& target,
                                       std::vector<LayerRecord>& layers) {
  std::string base = store.layers_dir(target.mapping_key);
  mkdir_p(base, 0700);
  std::vector<std::string> dirs;
  std::vector<size_t> missing;
  for (size_t i = 0; i < layers.size(); i++) {
    dirs.push_back(base + "/" + layers[i].diff_id.substr(7));
    if (!is_dir(dirs.back())) missing.push_back(i);
  }
  if (missing.empty()) return dirs;

  // The first missing layer is often the biggest; layers are independent, so a
  // small pool keeps both cores busy.
  size_t workers = std::min<size_t>(missing.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto work = [&] {
    for (;;) {
      size_t k = next++;
      if (k >= missing.size()) return;
      {
        std::lock_guard<std::mutex> guard(error_mutex);
        if (first_error) return;
      }
      try {
        size_t i = missing[k];
        unpack_one(store, target, layers[i], dirs[i]);
      } catch (...) {
        std::lock_guard<std::mutex> guard(error_mutex);
        if (!first_error) first_error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < workers; i++) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
  return dirs;
}

}  // namespace hutch
