#include "image/layers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "image/decompress.h"
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

void check_digests(const LayerRecord& layer, const Digest& blob_digest, const Digest& diff_id) {
  if (blob_digest != layer.blob)
    fail("layer blob %s: digest mismatch (content is %s)", layer.blob.c_str(), blob_digest.c_str());
  if (diff_id != layer.diff_id)
    fail("layer %s: digest mismatch (content is %s)", layer.diff_id.c_str(), diff_id.c_str());
}

void publish(LayerRecord& layer, const UnpackResult& result, const std::string& dir, const std::string& final_dir) {
  layer.size = result.content_size;
  write_file_atomic(final_dir + ".size", std::to_string(result.content_size));
  if (rename(dir.c_str(), final_dir.c_str()) < 0) fail_errno("rename into %s", final_dir.c_str());
}

// Reads a blob through without unpacking it, for a layer already unpacked
// from another blob: it must still hold what its record says.
void verify_blob(const std::string& path, const LayerRecord& layer) {
  Fd fd = open_or_fail(path, O_RDONLY);
  DecompressingReader reader(fd.get());
  std::vector<char> buf(256 * 1024);
  with_context("layer " + layer.diff_id.str(), [&] {
    while (reader.read(buf.data(), buf.size()) > 0) {
    }
    reader.drain();
  });
  check_digests(layer, reader.compressed_digest(), reader.uncompressed_digest());
}

UnpackOptions options_for(const LayerTarget& target) {
  UnpackOptions options;
  options.apply_owners = target.apply_owners;
  return options;
}

// With the layer's lock held: unpacks from a blob in the store, or from one
// a load staged, which joins the store once its layer matched.
void unpack_stored(const Store& store, const LayerTarget& target, LayerRecord& layer,
                   const std::string& final_dir, const std::string& staged_blob = "") {
  log_debug("unpacking layer %s", layer.diff_id.c_str());
  Staging staging(store);
  std::string dir = staging.make_path("layer");
  if (mkdir(dir.c_str(), 0755) < 0) fail_errno("mkdir %s", dir.c_str());
  Fd blob = open_or_fail(staged_blob.empty() ? store.blob_path(layer.blob) : staged_blob, O_RDONLY);
  UnpackResult result = with_context("layer " + layer.diff_id.str(), [&] {
    return unpack_layer(blob.get(), dir, options_for(target));
  });
  check_digests(layer, result.blob_digest, result.diff_id);
  if (!staged_blob.empty()) store.adopt_blob(layer.blob, staged_blob);
  publish(layer, result, dir, final_dir);
}

// Every entry of one diff_id (`entries`, indexes into `layers`), under the
// layer's lock: the first unpacks it if no process has yet, and each other
// blob that is not in the store yet is verified before it joins.
void ensure_layer_entries(const Store& store, const LayerTarget& target, std::vector<LayerRecord>& layers,
                          const std::vector<size_t>& entries, const std::vector<std::string>& staged,
                          const std::string& final_dir) {
  auto staged_of = [&](size_t i) { return i < staged.size() ? staged[i] : std::string(); };
  FileLock lock(final_dir + ".lock", FileLock::kExclusive);
  std::set<Digest> checked;
  if (!is_dir(final_dir)) {
    unpack_stored(store, target, layers[entries[0]], final_dir, staged_of(entries[0]));
    checked.insert(layers[entries[0]].blob);
  }
  for (size_t i : entries) {
    const std::string blob = staged_of(i);
    if (!checked.insert(layers[i].blob).second || blob.empty() || exists(store.blob_path(layers[i].blob))) continue;
    verify_blob(blob, layers[i]);
    store.adopt_blob(layers[i].blob, blob);
  }
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
      result = with_context("layer " + layer.diff_id.str(), [&] {
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
  std::string write_blob = "write blob " + layer.blob.str();
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
  check_digests(layer, result.blob_digest, result.diff_id);
  blob.reset();
  store.adopt_blob(layer.blob, blob_path);
  publish(layer, result, dir, final_dir);
}

}  // namespace

LayerOutcome ensure_layer(const Store& store, const LayerTarget& target, LayerRecord& layer,
                          const BlobSource& source) {
  mkdir_p(store.layers_dir(target.mapping_key), 0700);
  std::string final_dir = store.layer_dir(target.mapping_key, layer.diff_id);
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
                                       std::vector<LayerRecord>& layers, const std::vector<std::string>& staged) {
  mkdir_p(store.layers_dir(target.mapping_key), 0700);
  // Entries by diff_id, in order of first appearance.
  std::map<Digest, size_t> group_of;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < layers.size(); i++) {
    auto [it, added] = group_of.try_emplace(layers[i].diff_id, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  std::vector<std::string> dirs;
  for (const auto& entries : groups) dirs.push_back(store.layer_dir(target.mapping_key, layers[entries[0]].diff_id));

  std::vector<size_t> work;
  for (size_t g = 0; g < groups.size(); g++) {
    bool needed = !is_dir(dirs[g]);
    for (size_t i : groups[g])
      needed = needed || (i < staged.size() && !staged[i].empty() && !exists(store.blob_path(layers[i].blob)));
    if (needed) work.push_back(g);
  }
  // The first missing layer is often the biggest; layers are independent, so a
  // small pool keeps both cores busy.
  if (!work.empty())
    parallel_for(work.size(), std::max(1u, std::thread::hardware_concurrency()), [&](size_t, size_t k) {
      size_t g = work[k];
      ensure_layer_entries(store, target, layers, groups[g], staged, dirs[g]);
    });

  // Each layer where it is highest.
  std::vector<std::string> stack;
  std::vector<bool> stacked(groups.size());
  for (size_t i = layers.size(); i-- > 0;) {
    size_t g = group_of[layers[i].diff_id];
    if (!stacked[g]) stack.push_back(dirs[g]), stacked[g] = true;
  }
  std::reverse(stack.begin(), stack.end());
  return stack;
}

bool all_layers_present(const Store& store, const LayerTarget& target, const std::vector<LayerRecord>& layers) {
  for (const auto& layer : layers)
    if (!is_dir(store.layer_dir(target.mapping_key, layer.diff_id))) return false;
  return true;
}

int64_t fill_layer_sizes(const Store& store, const LayerTarget& target, std::vector<LayerRecord>& layers) {
  int64_t total = 0;
  for (auto& layer : layers) {
    if (layer.size == 0) layer.size = read_size_sidecar(store.layer_dir(target.mapping_key, layer.diff_id) + ".size");
    total += layer.size;
  }
  return total;
}

}  // namespace hutch
