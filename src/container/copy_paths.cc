#include "container/copy_paths.h"

#include "base/error.h"
#include "base/file.h"

namespace hutch {

CopyArg split_copy_arg(const std::string& arg) {
  if (!arg.empty() && arg[0] == '/') return {"", arg};
  size_t colon = arg.find(':');
  if (colon == std::string::npos || arg[0] == '.') return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

bool has_trailing_separator(const std::string& path) { return !path.empty() && path.back() == '/'; }

bool specifies_current_dir(const std::string& path) {
  return path == "." || (path.size() >= 2 && path.compare(path.size() - 2, 2, "/.") == 0);
}

bool asserts_directory(const std::string& path) { return has_trailing_separator(path) || specifies_current_dir(path); }

std::string clean_keeping_trailing(const std::string& path, const std::string& original) {
  std::string out = clean_path(path);
  if (specifies_current_dir(original) && !specifies_current_dir(out)) {
    if (out != "/") out += "/";
    out += ".";
  } else if (has_trailing_separator(original) && !has_trailing_separator(out)) {
    out += "/";
  }
  return out;
}

DirEntry split_dir_entry(const std::string& path) {
  std::string cleaned = clean_path(path);
  if (specifies_current_dir(path) && cleaned != "/") cleaned += "/.";
  else if (specifies_current_dir(path)) cleaned = "/.";
  if (cleaned == "/") return {"/", "/"};
  size_t slash = cleaned.rfind('/');
  if (slash == std::string::npos) return {".", cleaned};
  return {slash == 0 ? "/" : cleaned.substr(0, slash), cleaned.substr(slash + 1)};
}

std::string archive_top_name(const CopyInfo& src) {
  if (!src.rebase_name.empty()) return src.rebase_name;
  std::string base = split_dir_entry(src.path).base;
  // The root itself: its contents.
  return base == "/" ? "." : base;
}

ArchivePlan plan_archive_copy(const CopyInfo& src, const CopyInfo& dst) {
  DirEntry d = split_dir_entry(dst.path);
  if (dst.exists && dst.is_dir) return {dst.path, archive_top_name(src)};
  if (dst.exists && src.is_dir) fail("cannot copy directory");
  if (!dst.exists && !src.is_dir && asserts_directory(dst.path)) fail("no such directory");
  return {d.dir, d.base};
}

}  // namespace hutch
