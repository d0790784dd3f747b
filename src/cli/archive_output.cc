#include "cli/archive_output.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "base/random.h"

namespace hutch {

ArchiveOutput::ArchiveOutput(const std::string& path) : path_(path) {
  if (path_.empty()) {
    if (isatty(1)) fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    return;
  }
  std::string dir = dirname_of(path_);
  std::string base = path_.substr(path_.find_last_of('/') + 1);
  temp_ = (dir == "." && path_.find('/') == std::string::npos ? "" : dir + "/") + "." + base + ".tmp-" + random_hex(4);
  file_ = Fd(::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!file_) fail_errno("failed to save to %s", path_.c_str());
}

ArchiveOutput::~ArchiveOutput() {
  if (!temp_.empty()) unlink(temp_.c_str());
}

void ArchiveOutput::complete() {
  if (path_.empty()) return;
  if (fsync(file_.get()) < 0) fail_errno("failed to save to %s", path_.c_str());
  file_.reset();
  if (rename(temp_.c_str(), path_.c_str()) < 0) fail_errno("failed to save to %s", path_.c_str());
  temp_.clear();
}

}  // namespace hutch
