// SHA-256, the digest every blob, layer and image id in the store is named by.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hutch {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Lower-case hex of the digest; the object must not be updated afterwards.
  std::string hex();

 private:
  void compress(const uint8_t* block);
  uint32_t state_[8];
  uint64_t length_ = 0;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

std::string sha256_hex(std::string_view data);

}  // namespace hutch
