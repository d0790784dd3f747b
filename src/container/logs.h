// A container's output as its log driver keeps it: the monitor writes it,
// `logs` reads it back. Drivers, as docker names them:
//   json-file  <dir>/<id>-json.log, one JSON object per line, docker's format
//   local      <dir>/local-logs/container.log, length-framed binary records
//              that keep the bytes as they were (json-file makes invalid
//              UTF-8 into U+FFFD); rotated files are gzip'd by default
//   none       nothing kept; `logs` says so
// Both files rotate at max-size into FILE.1 .. FILE.(max-file - 1).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/container_config.h"

namespace hutch {

enum class LogStream : uint8_t { kStdout = 1, kStderr = 2 };

struct LogEntry {
  LogStream stream = LogStream::kStdout;
  int64_t time_ns = 0;  // when the monitor read it, ns since the epoch (UTC)
  std::string text;     // a line with its '\n', or a partial line without
  std::string attrs;    // --log-opt labels/env: "k=v,k=v" (logs --details)
};

// Refuses, with docker's words, a driver or option that hutch does not have,
// and a malformed size or count: checked when the container is created.
void check_log_config(const LogConfig& config);

// Where the driver writes (inspect's LogPath); "" for none.
std::string log_path(const std::string& container_dir, const std::string& id, const LogConfig& config);

class LogWriter {
 public:
  virtual ~LogWriter() = default;
  // Bytes as the container wrote them; cut into lines, and lines longer than
  // 16 KiB into parts, as docker does.
  void write(LogStream stream, std::string_view data, int64_t time_ns);
  // What is left of a last line without '\n' (the stream ended).
  void flush(LogStream stream, int64_t time_ns);

 protected:
  virtual void append(const LogEntry& entry) = 0;
  std::string attrs_;

 private:
  std::string pending_[2];
};

// The writer for config (none: one that drops everything). attrs: what
// --log-opt labels= and env= pick from the container's labels and env.
std::unique_ptr<LogWriter> open_log_writer(const std::string& container_dir, const std::string& id,
                                           const LogConfig& config, const KeyValues& labels,
                                           const std::vector<std::string>& env);

struct LogQuery {
  std::optional<int64_t> since_ns;  // entries at or after
  std::optional<int64_t> until_ns;  // entries before
  std::optional<size_t> tail;       // only the last N
  bool follow = false;
};

// Calls emit for each entry the query selects, oldest first. With follow, it
// then waits for more until running() says the container has ended and what
// it wrote last has been read. Throws docker's "configured logging driver
// does not support reading" for none.
void read_logs(const std::string& container_dir, const std::string& id, const LogConfig& config, const LogQuery& query,
               const std::function<void(const LogEntry&)>& emit, const std::function<bool()>& running);

}  // namespace hutch
