#include "runtime/userns.h"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "runtime/id_maps.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/log.h"
#include "base/process.h"
#include "base/sha256.h"

namespace hutch {

std::string IdMapping::key() const {
  std::string text = has_range() ? format("range %u %u %u %u %u %u", host_uid, subuid_start, subuid_count,
                                          host_gid, subgid_start, subgid_count)
                                 : format("single %u %u", host_uid, host_gid);
  return (has_range() ? "r-" : "s-") + sha256_hex(text).substr(0, 12);
}

namespace {

// Finds "name:start:count" or "uid:start:count" in /etc/subuid-style files.
bool find_range(const char* file, const std::string& name, unsigned id, unsigned* start, uint32_t* count) {
  auto text = read_file_if_exists(file);
  if (!text) return false;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    size_t c1 = line.find(':'), c2 = line.find(':', c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    std::string who = line.substr(0, c1);
    if (who != name && who != std::to_string(id)) continue;
    *start = strtoul(line.c_str() + c1 + 1, nullptr, 10);
    *count = strtoul(line.c_str() + c2 + 1, nullptr, 10);
    if (*count > 0) return true;
  }
  return false;
}

void write_proc(const char* file, const std::string& text) {
  Fd fd(::open(file, O_WRONLY | O_CLOEXEC));
  if (!fd) fail_errno("open %s", file);
  if (::write(fd.get(), text.data(), text.size()) != (ssize_t)text.size())
    fail_errno("write %s", file);
}

// Forked before unshare: a setuid helper run from inside the new namespace
// would lose its privilege, so the children stay outside and wait for the go.
Child fork_waiting_helper(const Pipe& go, const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    // Only the parent may hold the write end, or its closing would not be seen.
    ::close(go.write.get());
    char c;
    while (::read(go.read.get(), &c, 1) < 0 && errno == EINTR) {
    }
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0 && !log_enabled(LogLevel::kDebug)) dup2(devnull, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return Child(pid);
}

}  // namespace

IdMapping detect_id_mapping() {
  IdMapping m;
  m.host_uid = getuid();
  m.host_gid = getgid();
  std::string name;
  if (struct passwd* pw = getpwuid(m.host_uid)) name = pw->pw_name;
  else if (const char* user = getenv("USER")) name = user;
  bool uid_range = find_range("/etc/subuid", name, m.host_uid, &m.subuid_start, &m.subuid_count);
  bool gid_range = find_range("/etc/subgid", name, m.host_uid, &m.subgid_start, &m.subgid_count);
  if (!uid_range || !gid_range || find_program("newuidmap").empty() || find_program("newgidmap").empty()) {
    m.subuid_count = m.subgid_count = 0;
  }
  return m;
}

IdMapping enter_user_namespace(const IdMapping& wanted) {
  IdMapping m = wanted;
  if (m.has_range()) {
    std::string pid = std::to_string(getpid());
    Pipe go = Pipe::create();
    Child uid_helper = fork_waiting_helper(go, {find_program("newuidmap"), pid, "0",
        std::to_string(m.host_uid), "1", "1", std::to_string(m.subuid_start), std::to_string(m.subuid_count)});
    Child gid_helper = fork_waiting_helper(go, {find_program("newgidmap"), pid, "0",
        std::to_string(m.host_gid), "1", "1", std::to_string(m.subgid_start), std::to_string(m.subgid_count)});
    log_phase("id map helpers forked");
    if (unshare(CLONE_NEWUSER) < 0) fail_errno("cannot create a user namespace");
    go.write.reset();  // EOF releases both helpers
    int uid_status = exit_code_of(uid_helper.wait());
    int gid_status = exit_code_of(gid_helper.wait());
    log_phase("id maps written");
    if (uid_status == 0 && gid_status == 0) return m;
    log_warn("newuidmap/newgidmap failed; mapping only your own uid and gid into containers");
    m.subuid_count = m.subgid_count = 0;
    // Whichever map a helper did write stays; the other is written below.
    if (uid_status != 0) write_proc("/proc/self/uid_map", format("0 %u 1\n", m.host_uid));
    if (gid_status != 0) {
      write_proc("/proc/self/setgroups", "deny");
      write_proc("/proc/self/gid_map", format("0 %u 1\n", m.host_gid));
    }
    return m;
  }
  if (unshare(CLONE_NEWUSER) < 0) fail_errno("cannot create a user namespace");
  // An unprivileged process may map only its own ids, and only once it has
  // given up setgroups(2), which could otherwise drop a group that denies access.
  write_proc("/proc/self/setgroups", "deny");
  write_proc("/proc/self/uid_map", format("0 %u 1\n", m.host_uid));
  write_proc("/proc/self/gid_map", format("0 %u 1\n", m.host_gid));
  return m;
}

}  // namespace hutch
