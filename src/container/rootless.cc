#include "container/rootless.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

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

// Runs work in a forked child and returns what it returned. The child reports
// "0 RESULT", or its failure as error_report(); an interrupted child dies by
// its signal, and so the caller is interrupted too.
std::string in_child(const std::function<std::string()>& work) {
  Pipe report = Pipe::create();
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    report.read.reset();
    std::string line;
    int status = 0;
    try {
      line = "0 " + work();
    } catch (const Interrupted& e) {
      die_by_signal(e.signal());
    } catch (const Error& e) {
      line = error_report(e);
      status = e.status();
    } catch (const std::exception& e) {
      line = error_report(Error(e.what()));
      status = kExitRunner;
    }
    (void)!::write(report.write.get(), line.data(), line.size());
    _exit(status);
  }
  report.write.reset();
  Child child(pid);
  std::string line = read_fd(report.read.get());
  int status = child.wait();
  if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
    throw Interrupted(WTERMSIG(status));
  if (line.empty()) fail("user namespace helper died (%d)", exit_code_of(status));
  if (line.compare(0, 2, "0 ") != 0) throw error_from_report(line);
  return line.substr(2);
}

}  // namespace

IdMapping in_rootless_child(const Store& store, const std::function<void(const RootlessSession&)>& work) {
  IdMapping wanted = detect_id_mapping();
  std::string got = in_child([&] {
    RootlessSession session = enter_rootless(store);
    work(session);
    session.note_mapping();
    // Whether the mapping kept its range (newuidmap may have refused it).
    return std::string(session.mapping.has_range() ? "R" : "S");
  });
  if (got != "R") wanted.subuid_count = wanted.subgid_count = 0;
  return wanted;
}

void in_user_namespace_child(int userns_fd, const std::function<void()>& work) {
  in_child([&] {
    if (setns(userns_fd, CLONE_NEWUSER) < 0) fail_errno("join the container's user namespace");
    work();
    return std::string();
  });
}

void RootlessSession::note_mapping() const {
  if (!first_single_uid_use) return;
  fprintf(stderr,
          "hutch: note: no subordinate id range for uid %u in /etc/subuid and /etc/subgid (or no newuidmap): "
          "containers get a single-uid mapping, you are root inside and other users do not exist\n",
          mapping.host_uid);
}

}  // namespace hutch
