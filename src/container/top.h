// docker's ContainerTop: the host's ps, with the rows of a container's
// processes kept.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace hutch {

struct ProcessTable {
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> processes;
};

// Runs `ps ARGS -qPID,...` ("-ef" when ps_args is empty; ARGS split at each
// space, as docker splits them), and without -q when ps refuses it with
// those options. Throws "ps: REASON" (ps's first line of stderr) when ps
// fails, and docker's message for a pid= column renamed ("-o pid=PID").
ProcessTable container_top(const std::vector<pid_t>& pids, const std::string& ps_args);

// The rows of ps's output whose PID column is one of pids (and the thread
// lines, PID "-", that follow one of them); the last column takes the rest of
// a line. Throws "Couldn't find PID field in ps output" without a PID column.
ProcessTable parse_ps_output(const std::string& output, const std::vector<pid_t>& pids);

}  // namespace hutch
