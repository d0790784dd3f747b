// A byte source over a blob that may be gzip, zstd or uncompressed (detected by
// magic), hashing both the stored bytes and the decompressed stream as they pass:
// one read of the blob gives its digest, its diff_id, and the tar for extraction.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "base/digest.h"
#include "base/sha256.h"

namespace hutch {

enum class Compression { kNone, kGzip, kZstd };

class DecompressingReader {
 public:
  explicit DecompressingReader(int fd);
  ~DecompressingReader();
  DecompressingReader(const DecompressingReader&) = delete;
  DecompressingReader& operator=(const DecompressingReader&) = delete;

  // Fills up to `cap` bytes of decompressed data; returns 0 at end of stream.
  size_t read(void* buf, size_t cap);
  // Reads and hashes whatever the consumer left unread (tar padding).
  void drain();

  Compression compression() const { return compression_; }
  // Once everything was read; the object must not be read afterwards.
  Digest compressed_digest() { return Digest::from_computed(compressed_hash_.hex()); }
  Digest uncompressed_digest() { return Digest::from_computed(uncompressed_hash_.hex()); }
  uint64_t compressed_size() const { return compressed_size_; }

 private:
  size_t fill_input();
  size_t read_gzip(void* buf, size_t cap);
  size_t read_zstd(void* buf, size_t cap);

  int fd_;
  Compression compression_ = Compression::kNone;
  Sha256 compressed_hash_;
  Sha256 uncompressed_hash_;
  uint64_t compressed_size_ = 0;
  std::unique_ptr<unsigned char[]> in_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  bool in_eof_ = false;
  struct Codec;
  std::unique_ptr<Codec> codec_;
};

}  // namespace hutch
