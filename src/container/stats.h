// What `stats` shows of a running container: CPU time, memory, network and
// block I/O and the task count, from the container's own cgroup where it has
// one hutch can read (v2 or v1), else summed over its processes from /proc.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hutch {

struct StatsSample {
  uint64_t cpu_ns = 0;     // the container's CPU time
  uint64_t system_ns = 0;  // the host's, all CPUs (/proc/stat), as docker's SystemUsage
  int online_cpus = 1;
  uint64_t memory = 0;        // usage without the inactive page cache, as docker's CLI shows it
  uint64_t memory_limit = 0;  // the cgroup's limit, else the host's memory
  uint64_t net_rx = 0, net_tx = 0;  // every interface of its network namespace but lo
  uint64_t block_read = 0, block_write = 0;
  uint64_t pids = 0;  // tasks (threads)
  std::string source;  // "cgroup2", "cgroup1" or "proc": where the figures came from
};

// pids: the container's processes, init first (runtime/lifecycle.h);
// monitor: its supervisor, whose cgroup the container shares unless it has
// one of its own. count_network: false for --network host (docker shows no
// traffic then).
StatsSample sample_stats(const std::vector<pid_t>& pids, pid_t monitor, bool count_network);

// docker's calculateCPUPercentUnix: the container's share of the host's CPU
// time between two samples, times the CPUs online.
double cpu_percent(const StatsSample& before, const StatsSample& after);
// docker's MEM %.
double memory_percent(const StatsSample& sample);

// Reads "key value" lines ("inactive_file 4096"); 0 when key is absent.
uint64_t stat_field(const std::string& text, const std::string& key);

}  // namespace hutch
