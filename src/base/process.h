// Child processes with a scoped owner: a Child that goes out of scope still
// running is killed and reaped, so no error path leaks a process.
#pragma once
#include <sys/types.h>

#include <cstdint>

#include <string>
#include <vector>

namespace hutch {

class Child {
 public:
  Child() = default;
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(Child&& other) noexcept : pid_(other.release()) {}
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  pid_t release();
  // Waits for exit; returns the raw wait status.
  int wait();

 private:
  pid_t pid_ = -1;
};

// Milliseconds of CLOCK_MONOTONIC, for deadlines.
int64_t monotonic_ms();

// Maps a wait status to a shell-style exit code (128+signal when killed).
int exit_code_of(int wait_status);

// Runs argv (execvp) and waits; returns the exit code. stderr is inherited.
int run_program(const std::vector<std::string>& argv);
// The same, with stdout and stderr captured (stdin is /dev/null); 127 when
// argv[0] cannot be run.
int run_program_output(const std::vector<std::string>& argv, std::string& out, std::string& err);

// Whether pid is alive and still the process that started at start_time
// (from /proc/PID/stat field 22), so a recycled pid is not mistaken for it.
bool process_alive(pid_t pid, unsigned long long start_time);
unsigned long long process_start_time(pid_t pid);
// process_alive, and not a zombie: a process that has finished is not
// running, whatever its pid says (a parent that never reaps keeps it listed).
bool process_running(pid_t pid, unsigned long long start_time);

}  // namespace hutch
