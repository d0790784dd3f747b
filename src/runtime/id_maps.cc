#include "runtime/id_maps.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/process.h"

namespace hutch {

namespace {

void write_proc(pid_t pid, const char* file, const std::string& text) {
  std::string path = format("/proc/%d/%s", (int)pid, file);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != (ssize_t)text.size())
    fail_errno("write %s", path.c_str());
}

bool only_own_id(const std::vector<oci::IdMap>& maps, unsigned own) {
  return maps.size() == 1 && maps[0].host_id == own && maps[0].size == 1;
}

Child spawn_map_helper(const std::string& program, pid_t pid, const std::vector<oci::IdMap>& maps) {
  std::vector<std::string> argv = {program, std::to_string(pid)};
  for (const auto& m : maps)
    for (unsigned v : {m.container_id, m.host_id, m.size}) argv.push_back(std::to_string(v));
  pid_t child = fork();
  if (child < 0) fail_errno("fork");
  if (child == 0) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return Child(child);
}

}  // namespace

std::string find_program(const char* name) {
  const char* path = getenv("PATH");
  std::string dirs = std::string(path ? path : "") + ":/usr/bin:/bin:/usr/sbin:/sbin";
  size_t pos = 0;
  while (pos <= dirs.size()) {
    size_t colon = dirs.find(':', pos);
    if (colon == std::string::npos) colon = dirs.size();
    std::string candidate = dirs.substr(pos, colon - pos) + "/" + name;
    if (colon > pos && access(candidate.c_str(), X_OK) == 0) return candidate;
    pos = colon + 1;
  }
  return "";
}

std::string id_map_text(const std::vector<oci::IdMap>& maps) {
  std::string text;
  for (const auto& m : maps) text += format("%u %u %u\n", m.container_id, m.host_id, m.size);
  return text;
}

bool id_maps_need_helpers(const std::vector<oci::IdMap>& uids, const std::vector<oci::IdMap>& gids) {
  if (geteuid() == 0) return false;
  return !(uids.empty() || only_own_id(uids, geteuid())) || !(gids.empty() || only_own_id(gids, getegid()));
}

void write_id_maps(pid_t pid, const std::vector<oci::IdMap>& uids, const std::vector<oci::IdMap>& gids) {
  bool root = geteuid() == 0;
  bool direct_uids = root || uids.empty() || only_own_id(uids, geteuid());
  bool direct_gids = root || gids.empty() || only_own_id(gids, getegid());
  // Both helpers run at once: each is a setuid exec, the slowest step here.
  Child uid_helper, gid_helper;
  if (!direct_uids) {
    std::string program = find_program("newuidmap");
    if (program.empty()) fail("uid mappings beyond your own uid need newuidmap (package uidmap)");
    uid_helper = spawn_map_helper(program, pid, uids);
  }
  if (!direct_gids) {
    std::string program = find_program("newgidmap");
    if (program.empty()) fail("gid mappings beyond your own gid need newgidmap (package uidmap)");
    gid_helper = spawn_map_helper(program, pid, gids);
  }
  if (direct_uids && !uids.empty()) write_proc(pid, "uid_map", id_map_text(uids));
  if (direct_gids && !gids.empty()) {
    // An unprivileged process may map its gid only once setgroups is denied:
    // otherwise dropping a group could gain access that group denies.
    if (!root) write_proc(pid, "setgroups", "deny");
    write_proc(pid, "gid_map", id_map_text(gids));
  }
  if (!direct_uids && exit_code_of(uid_helper.wait()) != 0)
    fail("newuidmap refused the uid mappings: check /etc/subuid");
  if (!direct_gids && exit_code_of(gid_helper.wait()) != 0)
    fail("newgidmap refused the gid mappings: check /etc/subgid");
}

}  // namespace hutch
