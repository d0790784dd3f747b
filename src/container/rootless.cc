#include "container/rootless.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/userns.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/interrupt.h"
#include "base/process.h"

namespace hutch {

RootlessSession enter_rootless(const Store& store) {
  IdMapping wanted = detect_id_mapping();
  RootlessSession session;
  session.mapping = enter_user_namespace(wanted);
  session.layers.mapping_key = session.mapping.key();
  session.layers.apply_owners = session.mapping.has_range();
  session.first_single_uid_use =
      !session.mapping.has_range() && !is_dir(store.layers_dir(session.layers.mapping_key));
  store.collect_stale_staging();
  return session;
}

namespace {

// The child's side: "0 R" or "0 S" (the mapping had a range or not), or
// "STATUS MESSAGE"; an interrupted child dies by its signal.
[[noreturn]] void child_report(int fd, const std::function<std::string()>& work) {
  std::string line;
  int status = 0;
  try {
    line = "0 " + work();
  } catch (const Interrupted& e) {
    die_by_signal(e.signal());
  } catch (const Error& e) {
    line = std::to_string(e.status()) + " " + e.what();
    status = e.status();
  } catch (const std::exception& e) {
    line = std::to_string(kExitRunner) + " " + e.what();
    status = kExitRunner;
  }
  (void)!::write(fd, line.data(), line.size());
  _exit(status);
}

std::string wait_child_report(pid_t pid, Pipe& report) {
  report.write.reset();
  Child child(pid);
  std::string line = read_fd(report.read.get());
  int status = child.wait();
  if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
    throw Interrupted(WTERMSIG(status));
  char* rest;
  long code = strtol(line.c_str(), &rest, 10);
  if (*rest == ' ') rest++;
  if (line.empty()) fail("user namespace helper died (%d)", exit_code_of(status));
  if (code != 0) throw Error(rest, code >= 1 && code <= 255 ? (int)code : kExitRunner);
  return rest;
}

}  // namespace

IdMapping in_rootless_child(const Store& store, const std::function<void(const RootlessSession&)>& work) {
  IdMapping wanted = detect_id_mapping();
  Pipe report = Pipe::create();
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    report.read.reset();
    child_report(report.write.get(), [&] {
      RootlessSession session = enter_rootless(store);
      work(session);
      session.note_mapping();
      return std::string(session.mapping.has_range() ? "R" : "S");
    });
  }
  std::string got = wait_child_report(pid, report);
  if (got != "R") wanted.subuid_count = wanted.subgid_count = 0;
  return wanted;
}

void in_user_namespace_child(int userns_fd, const std::function<void()>& work) {
  Pipe report = Pipe::create();
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    report.read.reset();
    child_report(report.write.get(), [&] {
      if (setns(userns_fd, CLONE_NEWUSER) < 0) fail_errno("join the container's user namespace");
      work();
      return std::string("S");
    });
  }
  wait_child_report(pid, report);
}

void RootlessSession::note_mapping() const {
  if (!first_single_uid_use) return;
  fprintf(stderr,
          "hutch: note: no subordinate id range for uid %u in /etc/subuid and /etc/subgid (or no newuidmap): "
          "containers get a single-uid mapping, you are root inside and other users do not exist\n",
          mapping.host_uid);
}

}  // namespace hutch
