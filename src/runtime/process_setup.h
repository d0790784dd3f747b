// The steps from a prepared namespace to execve, shared by a container's first
// process and by exec: the user, the terminal, limits, privileges, seccomp.
#pragma once
#include <string>
#include <vector>

#include "runtime/oci_config.h"

namespace hutch {

// The process as it will run: run.hutch.user resolved against the container's
// /etc/passwd and /etc/group (read through "/", which must be the container's
// root by now), HOME set from the entry when env lacks it.
oci::Process resolve_process(const oci::Config& config, const oci::Process& process);

// exec.LookPath's rules against the container's PATH; throws with status 127.
std::string find_executable(const std::string& name, const std::vector<std::string>& env);

// Gives the process a new session on a pty of the container's own devpts and
// sends the master over console_socket. Without a terminal, nothing.
void attach_console(const oci::Process& process, int console_socket);

// rlimits, oom_score_adj, umask, cwd: what must happen before identity changes.
void apply_limits(const oci::Process& process);

// Identity, capabilities, no_new_privileges and seccomp, in the order that
// lets each step still run; the next call must be execve.
void apply_privileges(const oci::Process& process, const std::string& seccomp_json);

// Everything but stdio (and the listed extra fds) closes at exec.
void close_inherited_fds(int keep_up_to = 2);

[[noreturn]] void exec_process(const std::string& path, const oci::Process& process);

}  // namespace hutch
