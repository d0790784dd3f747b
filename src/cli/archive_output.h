// Where `save` and `export` write their tar: the file named by -o, written
// beside it and renamed into place only once complete (so a failed or
// interrupted command never leaves a truncated archive under that name, as
// with docker), or standard output, refused when it is a terminal.
#pragma once
#include <string>

#include "base/fd.h"

namespace hutch {

class ArchiveOutput {
 public:
  // path empty: standard output.
  explicit ArchiveOutput(const std::string& path);
  ~ArchiveOutput();
  ArchiveOutput(const ArchiveOutput&) = delete;
  ArchiveOutput& operator=(const ArchiveOutput&) = delete;

  int fd() const { return path_.empty() ? 1 : file_.get(); }
  // Flushes and moves the finished file into place.
  void complete();

 private:
  std::string path_;
  std::string temp_;
  Fd file_;
};

}  // namespace hutch
