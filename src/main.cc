// hutch: run OCI and Docker images as an ordinary user, with docker's command line.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "container/docker_init.h"
#include "container/monitor.h"
#include "container/network_keeper.h"
#include "base/error.h"
#include "base/interrupt.h"
#include "base/log.h"

using namespace hutch;

namespace {

bool set_level(const std::string& level) {
  if (level == "debug") set_log_level(LogLevel::kDebug);
  else if (level == "info") set_log_level(LogLevel::kInfo);
  else if (level == "warn" || level == "warning") set_log_level(LogLevel::kWarn);
  else if (level == "error" || level == "fatal") set_log_level(LogLevel::kError);
  else return false;
  return true;
}

// docker's CLI exits 125 for a failed run, create, start or exec (126 and 127
// being the container command's), but 1 for any other command that fails,
// while flag and usage errors (those with a hint) stay 125 everywhere. The
// handlers all speak 125 for their own failures; the status is decided here.
int run_command(const Command& command, const std::vector<std::string>& argv) {
  if (command.info.keeps_runner_status) return command.run(command, argv);
  try {
    int status = command.run(command, argv);
    return status == kExitRunner ? 1 : status;
  } catch (const Error& e) {
    if (e.status() != kExitRunner || !e.hint().empty()) throw;
    throw Error(e.what(), 1);
  } catch (const std::exception& e) {
    throw Error(e.what(), 1);
  }
}

int dispatch(const std::vector<std::string>& argv) {
  // Global options come before the command word.
  GlobalOptions& global = global_options();
  std::vector<std::string> words;
  bool help = parse_flags(kGlobalCommand, global_flags(), argv, global, words);
  if (global.version) {
    printf("hutch version %s\n", kVersion);
    return 0;
  }
  if (global.debug) set_log_level(LogLevel::kDebug);
  if (global.log_level && !set_level(*global.log_level))
    fail_status(1, "unable to parse logging level: %s", global.log_level->c_str());
  if (help || words.empty()) {
    fputs(top_level_help().c_str(), stdout);
    return 0;
  }
  if (words[0] == "runtime") {
    words.erase(words.begin());
    return runtime_main(words);
  }
  if (words[0] == "help") {
    words.erase(words.begin());
    if (words.empty()) {
      fputs(top_level_help().c_str(), stdout);
      return 0;
    }
    words.push_back("--help");
  }
  std::string first = words[0];
  if (words.size() == 1 || words[1] == "--help" || words[1] == "-h") {
    if (std::string help = group_help(first); !help.empty()) {
      fputs(help.c_str(), stdout);
      return 0;
    }
  }
  const Command* command = find_command(words);
  if (!command) fail_usage(1, "See 'hutch --help'", "'%s' is not a hutch command.", first.c_str());
  return run_command(*command, words);
}

}  // namespace

// With 0, 1 or 2 closed, the next file hutch opens would take that number and
// be handed to the container as its stdio. docker gives the container EOF on
// a closed stdin and a working stderr; /dev/null does both.
static void fill_closed_stdio() {
  for (int fd = 0; fd < 3; fd++) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0 && null != fd) {
      dup2(null, fd);
      close(null);
    }
  }
}

int main(int argc, char** argv) {
  // --init's PID 1 (container/docker_init.h), a copy of this binary bound at
  // /sbin/docker-init: it needs nothing else of hutch.
  if (argc > 0 && called_as_init(argv[0])) return init_main(argc, argv);
  fill_closed_stdio();
  // A closed stdout should end us quietly, as it would end a shell pipeline.
  signal(SIGPIPE, SIG_DFL);
  std::vector<std::string> words(argv + 1, argv + argc);
  if (const char* level = getenv("HUTCH_LOG_LEVEL")) set_level(level);
  // Called through a link named hutch-runtime, the binary is an OCI runtime
  // with runc's command line, to be given where a runc path is expected.
  const char* slash = strrchr(argv[0], '/');
  if (strcmp(slash ? slash + 1 : argv[0], "hutch-runtime") == 0) return runtime_main(words);
  // A container's monitor (container/monitor.h), as start_monitor execs it:
  // `hutch --root STORE __monitor ID`, its report pipe on fd 3, or
  // `__attached-monitor` with its owner's socket on fd 4 too. It lives as long
  // as its container, so it skips the command registry, whose tables would be
  // most of what it holds. So does the store's networks' keeper
  // (container/network_keeper.h), its report pipe on fd 3.
  if (words.size() == 3 && words[0] == "--root" && words[2] == "__network-keeper")
    return network_keeper_main(Store(words[1]), 3);
  if (words.size() == 4 && words[0] == "--root") {
    if (words[2] == "__monitor") return monitor_main(Store(words[1]), words[3], 3, -1);
    if (words[2] == "__attached-monitor") return monitor_main(Store(words[1]), words[3], 3, 4);
  }
  try {
    int status = dispatch(words);
    fflush(stdout);
    return status;
  } catch (const Interrupted& e) {
    fflush(stdout);
    die_by_signal(e.signal());
  } catch (const Error& e) {
    fflush(stdout);
    print_error(e.what(), e.hint());
    return e.status();
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitRunner;
  }
}
