#include "image/decompress.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace hutch {

namespace {
constexpr size_t kInputSize = 256 * 1024;
}

struct DecompressingReader::Codec {
  z_stream z = {};
  bool z_ready = false;
  bool z_done = false;
  ZSTD_DCtx* zstd = nullptr;
  bool zstd_frame_open = false;
  ~Codec() {
    if (z_ready) inflateEnd(&z);
    if (zstd) ZSTD_freeDCtx(zstd);
  }
};

DecompressingReader::DecompressingReader(int fd)
    : fd_(fd), in_(new unsigned char[kInputSize]), codec_(new Codec) {
  // Peek at the magic to choose the codec.
  while (in_len_ < 4 && fill_input() > 0) {
  }
  const unsigned char* p = in_.get();
  if (in_len_ >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    compression_ = Compression::kGzip;
    // 15+16: gzip wrapper only.
    if (inflateInit2(&codec_->z, 15 + 16) != Z_OK) fail("gzip: cannot initialise");
    codec_->z_ready = true;
  } else if (in_len_ >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
    compression_ = Compression::kZstd;
    codec_->zstd = ZSTD_createDCtx();
    if (!codec_->zstd) fail("zstd: cannot initialise");
  }
}

DecompressingReader::~DecompressingReader() = default;

// Appends more of the blob to the input buffer; returns bytes added.
size_t DecompressingReader::fill_input() {
  if (in_eof_) return 0;
  if (in_pos_ > 0 && in_pos_ == in_len_) in_pos_ = in_len_ = 0;
  if (in_len_ == kInputSize) {
    memmove(in_.get(), in_.get() + in_pos_, in_len_ - in_pos_);
    in_len_ -= in_pos_;
    in_pos_ = 0;
  }
  for (;;) {
    ssize_t n = ::read(fd_, in_.get() + in_len_, kInputSize - in_len_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read layer");
    if (n == 0) {
      in_eof_ = true;
      return 0;
    }
    compressed_hash_.update(in_.get() + in_len_, n);
    compressed_size_ += n;
    in_len_ += n;
    return n;
  }
}

size_t DecompressingReader::read(void* buf, size_t cap) {
  size_t n = 0;
  switch (compression_) {
    case Compression::kNone:
      if (in_pos_ == in_len_) fill_input();
      n = std::min(cap, in_len_ - in_pos_);
      memcpy(buf, in_.get() + in_pos_, n);
      in_pos_ += n;
      break;
    case Compression::kGzip: n = read_gzip(buf, cap); break;
    case Compression::kZstd: n = read_zstd(buf, cap); break;
  }
  uncompressed_hash_.update(buf, n);
  return n;
}

size_t DecompressingReader::read_gzip(void* buf, size_t cap) {
  z_stream& z = codec_->z;
  z.next_out = static_cast<Bytef*>(buf);
  z.avail_out = cap;
  while (z.avail_out == cap) {
    if (in_pos_ == in_len_ && fill_input() == 0) {
      if (!codec_->z_done) fail("gzip: unexpected end of compressed data");
      return 0;
    }
    if (codec_->z_done) {
      // Concatenated gzip members are one stream, as gzip(1) reads them.
      inflateReset(&z);
      codec_->z_done = false;
    }
    z.next_in = in_.get() + in_pos_;
    z.avail_in = in_len_ - in_pos_;
    int rc = inflate(&z, Z_NO_FLUSH);
    in_pos_ = in_len_ - z.avail_in;
    if (rc == Z_STREAM_END) {
      codec_->z_done = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      fail("gzip: corrupt compressed data (%s)", z.msg ? z.msg : "inflate failed");
    }
  }
  return cap - z.avail_out;
}

size_t DecompressingReader::read_zstd(void* buf, size_t cap) {
  ZSTD_outBuffer out = {buf, cap, 0};
  while (out.pos == 0) {
    if (in_pos_ == in_len_ && fill_input() == 0) {
      if (codec_->zstd_frame_open) fail("zstd: unexpected end of compressed data");
      return 0;
    }
    ZSTD_inBuffer in = {in_.get(), in_len_, in_pos_};
    size_t rc = ZSTD_decompressStream(codec_->zstd, &out, &in);
    in_pos_ = in.pos;
    if (ZSTD_isError(rc)) fail("zstd: corrupt compressed data (%s)", ZSTD_getErrorName(rc));
    codec_->zstd_frame_open = rc != 0;
  }
  return out.pos;
}

void DecompressingReader::drain() {
  char buf[65536];
  while (read(buf, sizeof buf) > 0) {
  }
}

}  // namespace hutch
