#include "image/layers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "image/layer_unpack.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/lock.h"
#include "base/parallel.h"
#include "base/log.h"

namespace hutch {

namespace {

int64_t read_size_sidecar(const std::string& path) {
  auto text = read_file_if_exists(path);
  return text ? atoll(text->c_str()) : 0;
}

void check_digests(const LayerRecord& layer, const UnpackResult& result) {
  if (result.blob_digest != layer.blob)
    fail("layer blob %s: digest mismatch (content is %s)", layer.blob.c_str(), result.blob_digest.c_str());
  if (result.diff_id != layer.diff_id)
    fail("layer %s: digest mismatch (content is %s)", layer.diff_id.c_str(), result.diff_id.c_str());
}

void publish(LayerRecord& layer, const UnpackResult& result, const std::string& dir, const std::string& final_dir) {
  layer.size = result.content_size;
  write_file_atomic(final_dir + ".size", std::to_string(result.content_size));
  if (rename(dir.c_str(), final_dir.c_str()) < 0) fail_errno("rename into %s", final_dir.c_str());
}

UnpackOptions options_for(const LayerTarget& target) {
  UnpackOptions options;
  options.apply_owners = target.apply_owners;
  return options;
}

// With the layer's lock held and the blob in the store.
void unpack_stored(const Store& store, const LayerTarget& target, LayerRecord& layer,
                   const std::string& final_dir) {
  log_debug("unpacking layer %s", layer.diff_id.c_str());
  Staging staging(store);
  std::string dir = staging.make_path("layer");
  if (mkdir(dir.c_str(), 0755) < 0) fail_errno("mkdir %s", dir.c_str());
  Fd blob = open_or_fail(store.blob_path(layer.blob), O_RDONLY);
  UnpackResult result = with_context("layer " + layer.diff_id, [&] {
    return unpack_layer(blob.get(), dir, options_for(target));
  });
  check_digests(layer, result);
  publish(layer, result, dir, final_dir);
}

void unpack_one(const Store& store, const LayerTarget& target, LayerRecord& layer,
                const std::string& final_dir) {
  FileLock lock(final_dir + ".lock", FileLock::kExclusive);
  if (is_dir(final_dir)) {  // another process finished it while we waited
    layer.size = read_size_sidecar(final_dir + ".size");
    return;
  }
  unpack_stored(store, target, layer, final_dir);
}

// Turns SIGPIPE from a write to a closed pipe into EPIPE for this thread only:
// ignoring it process-wide would be inherited by containers through execve.
class BlockSigpipe {
 public:
  BlockSigpipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~BlockSigpipe() {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_;
  sigset_t old_;
};

// With the layer's lock held: downloads and unpacks at once.
void unpack_streamed(const Store& store, const LayerTarget& target, LayerRecord& layer,
                     const std::string& final_dir, const BlobSource& source) {
  log_debug("fetching and unpacking layer %s", layer.diff_id.c_str());
  Staging staging(store);
  std::string dir = staging.make_path("layer");
  if (mkdir(dir.c_str(), 0755) < 0) fail_errno("mkdir %s", dir.c_str());
  std::string blob_path = staging.make_path("blob");
  Fd blob = open_or_fail(blob_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  Pipe pipe = Pipe::create();
  fcntl(pipe.write.get(), F_SETPIPE_SZ, 1 << 20);  // fewer wake-ups; a smaller pipe still works

  UnpackResult result;
  std::exception_ptr unpack_error;
  std::thread unpacker([&] {
    try {
      result = with_context("layer " + layer.diff_id, [&] {
        return unpack_layer(pipe.read.get(), dir, options_for(target));
      });
    } catch (...) {
      unpack_error = std::current_exception();
    }
    // A writer still sending gets EPIPE instead of blocking on a full pipe.
    pipe.read.reset();
  });
  bool unpacker_gone = false;
  BlockSigpipe block_sigpipe;
  std::string write_blob = "write blob " + layer.blob;
  try {
    source([&](const char* data, size_t size) {
      write_all(blob.get(), std::string_view(data, size), write_blob.c_str());
      std::string_view rest(data, size);
      while (!rest.empty()) {
        ssize_t n = ::write(pipe.write.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EPIPE) {
          unpacker_gone = true;
          fail("layer %s: unpacking stopped", layer.diff_id.c_str());
        }
        if (n < 0) fail_errno("write to unpacker");
        rest.remove_prefix((size_t)n);
      }
    });
  } catch (...) {
    pipe.write.reset();
    unpacker.join();
    if (unpacker_gone && unpack_error) std::rethrow_exception(unpack_error);
    throw;
  }
  pipe.write.reset();
  unpacker.join();
  if (unpack_error) std::rethrow_exception(unpack_error);
  check_digests(layer, result);
  blob.reset();
  store.adopt_blob(layer.blob, blob_path);
  publish(layer, result, dir, final_dir);
}

}  // namespace

LayerOutcome ensure_layer(const Store& store, const LayerTarget& target, LayerRecord& layer,
                          const BlobSource& source) {
  std::string base = store.layers_dir(target.mapping_key);
  mkdir_p(base, 0700);
  std::string final_dir = base + "/" + layer.diff_id.substr(7);
  FileLock lock(final_dir + ".lock", FileLock::kExclusive);
  if (is_dir(final_dir)) {
    layer.size = read_size_sidecar(final_dir + ".size");
    return LayerOutcome::kPresent;
  }
  if (exists(store.blob_path(layer.blob))) {
    unpack_stored(store, target, layer, final_dir);
    return LayerOutcome::kFromStore;
  }
  unpack_streamed(store, target, layer, final_dir, source);
  return LayerOutcome::kDownloaded;
}

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
  parallel_for(missing.size(), std::max(1u, std::thread::hardware_concurrency()), [&](size_t, size_t k) {
    size_t i = missing[k];
    unpack_one(store, target, layers[i], dirs[i]);
  });
  return dirs;
}

}  // namespace hutch
