// logs: a container's output as its log driver kept it.
#include <time.h>

#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "container/logs.h"
#include "store/containers.h"
#include "base/error.h"
#include "base/file.h"
#include "base/go_values.h"
#include "base/human.h"

namespace hutch {

namespace {

struct LogsOptions {
  bool follow = false;
  std::string since;
  std::string until;
  std::string tail = "all";
  bool timestamps = false;
  bool details = false;
};

// docker's timestamp argument: a Go duration back from now ("10m", "1h30m"),
// an RFC 3339 date or date and time (local time without a zone), or Unix
// seconds with an optional fraction.
int64_t parse_log_time(const std::string& value, const char* flag) {
  if (value != "0") {
    try {
      return unix_nanos_now() - parse_go_duration(value).count();
    } catch (const Error&) {
    }
  }
  if (value.find_first_of(":-") != std::string::npos && !value.empty() && value[0] != '-') {
    static const char* kLayouts[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H", "%Y-%m-%d"};
    for (const char* layout : kLayouts) {
      struct tm tm = {};
      const char* rest = strptime(value.c_str(), layout, &tm);
      if (!rest) continue;
      int64_t frac = 0;
      if (*rest == '.') {
        int64_t scale = 100000000;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10) frac += (*rest - '0') * scale;
      }
      bool zone = *rest == 'Z' || *rest == '+' || *rest == '-';
      int64_t seconds;
      if (zone) {
        seconds = timegm(&tm);
        if (*rest != 'Z') {
          int hh = 0, mm = 0;
          if (sscanf(rest + 1, "%d:%d", &hh, &mm) < 1) continue;
          seconds -= (*rest == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
        }
      } else if (*rest == 0) {
        tm.tm_isdst = -1;
        seconds = mktime(&tm);
      } else {
        continue;
      }
      return seconds * 1000000000 + frac;
    }
  } else {
    char* end = nullptr;
    errno = 0;
    long long seconds = strtoll(value.c_str(), &end, 10);
    if (end != value.c_str() && errno == 0 && (*end == 0 || *end == '.')) {
      int64_t frac = 0, scale = 100000000;
      bool digits = true;
      if (*end == '.')
        for (const char* p = end + 1; *p; p++, scale /= 10) {
          if (*p < '0' || *p > '9') digits = false;
          frac += (*p - '0') * scale;
        }
      if (digits) return (int64_t)seconds * 1000000000 + frac;
    }
  }
  fail("invalid value for \"%s\": failed to parse value as time or duration: \"%s\"", flag, value.c_str());
}

int logs(LogsOptions& options, const Args& args) {
  LogQuery query;
  if (!options.since.empty()) query.since_ns = parse_log_time(options.since, "since");
  if (!options.until.empty()) query.until_ns = parse_log_time(options.until, "until");
  if (options.tail != "all") {
    int64_t n = -1;
    try {
      n = parse_go_int(options.tail, 64);
    } catch (const Error&) {
    }
    // docker reads a negative or malformed count as all.
    if (n >= 0) query.tail = (size_t)n;
  }
  query.follow = options.follow;
  Store store = open_store();
  ContainerStore containers(store);
  ContainerRecord c = containers.find(args.positional[0]);
  std::string dir = store.container_dir(c.id);
  read_logs(
      dir, c.id, c.host_config.log_config, query,
      [&](const LogEntry& e) {
        FILE* out = e.stream == LogStream::kStderr ? stderr : stdout;
        std::string line;
        if (options.timestamps) line += rfc3339(e.time_ns / 1000000000, e.time_ns % 1000000000) + " ";
        if (options.details) line += e.attrs + " ";
        line += e.text;
        fwrite(line.data(), 1, line.size(), out);
        if (options.follow) fflush(out);
      },
      [&] {
        std::optional<ContainerRecord> now = containers.load(c.id);
        return now && now->status() == "running";
      });
  return 0;
}

}  // namespace

Command logs_command() {
  using F = Flag<LogsOptions>;
  return make_command<LogsOptions>(
      {.name = "logs",
       .args = "[OPTIONS] CONTAINER",
       .summary = "Fetch the logs of a container",
       .description = "Prints what the container wrote, as its log driver (json-file or local) kept it: its "
                      "standard output to ours and its standard error to ours. With --follow, waits for more until "
                      "the container stops.",
       .min_args = 1,
       .max_args = 1},
      {
          F::boolean("details", 0, &LogsOptions::details, "Show extra details provided to logs"),
          F::boolean("follow", 'f', &LogsOptions::follow, "Follow log output"),
          F::string("since", 0, &LogsOptions::since,
                    "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 "
                    "minutes)"),
          F::string("tail", 'n', &LogsOptions::tail, "Number of lines to show from the end of the logs"),
          F::boolean("timestamps", 't', &LogsOptions::timestamps, "Show timestamps"),
          F::string("until", 0, &LogsOptions::until,
                    "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 "
                    "minutes)"),
      },
      logs);
}

}  // namespace hutch
