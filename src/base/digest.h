// Content addresses. Every digest that comes from outside (image configs,
// manifests, archive indexes, registry headers, the command line) becomes a
// Digest where it is parsed, and the store builds paths only from a Digest:
// a string that merely starts with "sha256:" can go on "../../etc", and a
// path made from it would lead out of the store.
#pragma once
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace hutch {

class Digest {
 public:
  Digest() = default;  // empty: "no digest", never a store path

  // "sha256:" and 64 lower-case hex digits. Anything else throws Error naming
  // `what` ("image config: rootfs.diff_ids[2]"); another well-formed
  // algorithm is refused as unsupported rather than as garbage.
  static Digest parse(std::string_view text, std::string_view what);
  static std::optional<Digest> try_parse(std::string_view text);
  // The 64 hex digits alone, as store file names and docker's ids carry them.
  static std::optional<Digest> from_hex(std::string_view hex);
  // The SHA-256 of bytes in memory.
  static Digest of(std::string_view bytes);
  // A hex digest just computed by Sha256::hex().
  static Digest from_computed(std::string_view hex);

  bool empty() const { return text_.empty(); }
  const std::string& str() const { return text_; }  // "sha256:HEX"
  const char* c_str() const { return text_.c_str(); }
  std::string_view hex() const { return empty() ? std::string_view() : std::string_view(text_).substr(7); }
  // The 12 hex digits docker shows for ids.
  std::string short_hex() const { return std::string(hex().substr(0, 12)); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

bool is_sha256_hex(std::string_view hex);

}  // namespace hutch
