// Image references normalized as docker does: "busybox" is
// docker.io/library/busybox:latest, and is shown again as "busybox".
#pragma once
#include <optional>
#include <string>

#include "base/digest.h"

namespace hutch {

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // empty when only a digest was given
  Digest digest;       // empty when none was given
  // The text named neither tag nor digest, so tag is docker's default "latest".
  bool tag_defaulted = false;

  std::string name() const { return domain + "/" + path; }
  // domain/path:tag (and @digest when present): the key tags are stored under.
  std::string full() const;
  // The short form docker prints: "busybox", "user/app", "quay.io/x/y".
  std::string familiar_name() const;
};

// Throws Error("invalid reference format: ...") for malformed input.
Reference parse_reference(const std::string& text);
// Splits a stored full reference back ("docker.io/library/a:b" -> familiar "a", tag "b").
std::optional<Reference> parse_stored_reference(const std::string& full);

}  // namespace hutch
