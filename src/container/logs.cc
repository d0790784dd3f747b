#include "container/logs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/go_values.h"
#include "base/human.h"
#include "base/json_reader.h"
#include "base/strings.h"

namespace hutch {

namespace {

// docker cuts a line longer than this into parts (its buffer size).
constexpr size_t kMaxLine = 16 * 1024;

struct DriverOptions {
  int64_t max_size = -1;  // -1: never rotate
  int max_file = 1;
  bool compress = false;
  std::vector<std::string> labels;
  std::vector<std::string> env;
};

DriverOptions driver_options(const LogConfig& config) {
  DriverOptions o;
  bool local = config.type == "local";
  if (local) {
    // docker's local driver: small, rotated and compressed by default.
    o.max_size = 20 * 1024 * 1024;
    o.max_file = 5;
    o.compress = true;
  }
  for (const auto& [key, value] : config.config) {
    if (key == "max-size") {
      o.max_size = parse_ram_in_bytes(value);
      if (o.max_size <= 0) o.max_size = -1;
    } else if (key == "max-file") {
      int64_t n = parse_go_int(value, 32);
      if (n < 1) fail("max-file cannot be less than 1");
      o.max_file = (int)n;
    } else if (key == "compress") {
      o.compress = parse_go_bool(value);
    } else if (!local && key == "labels") {
      o.labels = split(value, ',');
    } else if (!local && key == "env") {
      o.env = split(value, ',');
    } else {
      fail("unknown log opt '%s' for %s log driver", key.c_str(), config.type.c_str());
    }
  }
  return o;
}

std::string rfc3339_nano(int64_t ns) {
  time_t seconds = ns / 1000000000;
  long frac = (long)(ns % 1000000000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  // Go's RFC3339Nano, as json-file writes it: trailing zeros dropped.
  if (frac) {
    n += snprintf(buf + n, sizeof buf - n, ".%09ld", frac);
    while (buf[n - 1] == '0') n--;
  }
  buf[n] = 0;
  return std::string(buf) + "Z";
}

// Go's encoding/json string: HTML-safe, invalid UTF-8 as U+FFFD.
void append_go_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<': out += "\\u003c"; break;
        case '>': out += "\\u003e"; break;
        case '&': out += "\\u0026"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += (char)c;
          }
      }
      i++;
      continue;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    bool valid = len && c <= 0xf4 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; k++) valid = ((unsigned char)s[i + k] & 0xc0) == 0x80;
    if (valid) {
      uint32_t cp = c & (0xff >> (len + 1));
      for (size_t k = 1; k < len; k++) cp = cp << 6 | ((unsigned char)s[i + k] & 0x3f);
      static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = cp >= kMin[len] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
      if (valid && (cp == 0x2028 || cp == 0x2029)) {
        out += cp == 0x2028 ? "\\u2028" : "\\u2029";
        i += len;
        continue;
      }
    }
    if (!valid) {
      out += "\ufffd";
      i++;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  out += '"';
}

std::string gzip_file_name(const std::string& path) { return path + ".gz"; }

// Writes FILE and, at max-size, shifts FILE.1 .. FILE.(max-file - 1) along
// (gzip'd with compress) and starts FILE again.
class RotatingFile {
 public:
  RotatingFile(std::string path, const DriverOptions& options) : path_(std::move(path)), options_(options) { open(); }

  void write(const std::string& record) {
    if (options_.max_size > 0 && size_ > 0 && size_ + (int64_t)record.size() > options_.max_size) rotate();
    write_all(fd_.get(), record);
    size_ += (int64_t)record.size();
  }

 private:
  void open() {
    fd_ = Fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
    if (!fd_) fail_errno("open %s", path_.c_str());
    struct stat st;
    size_ = fstat(fd_.get(), &st) == 0 ? st.st_size : 0;
  }

  std::string rotated(int n) const {
    std::string name = path_ + "." + std::to_string(n);
    return options_.compress ? gzip_file_name(name) : name;
  }

  void rotate() {
    if (options_.max_file < 2) {
      // One file: it starts over.
      if (ftruncate(fd_.get(), 0) < 0) fail_errno("truncate %s", path_.c_str());
      size_ = 0;
      return;
    }
    unlink(rotated(options_.max_file - 1).c_str());
    for (int n = options_.max_file - 2; n >= 1; n--) rename(rotated(n).c_str(), rotated(n + 1).c_str());
    std::string first = path_ + ".1";
    if (rename(path_.c_str(), first.c_str()) < 0) fail_errno("rotate %s", path_.c_str());
    if (options_.compress) compress(first);
    open();
  }

  // A reader that still has the old file open reads it to its end.
  static void compress(const std::string& path) {
    std::string data = read_file(path);
    std::string gz = gzip_file_name(path), tmp = gz + ".tmp";
    gzFile out = gzopen(tmp.c_str(), "wb6");
    if (!out) fail_errno("open %s", tmp.c_str());
    bool ok = data.empty() || gzwrite(out, data.data(), (unsigned)data.size()) == (int)data.size();
    ok = gzclose(out) == Z_OK && ok;
    if (!ok || rename(tmp.c_str(), gz.c_str()) < 0) {
      unlink(tmp.c_str());
      return;  // the uncompressed file stays, and is read as it is
    }
    unlink(path.c_str());
  }

  std::string path_;
  DriverOptions options_;
  Fd fd_;
  int64_t size_ = 0;
};

class JsonFileWriter : public LogWriter {
 public:
  JsonFileWriter(const std::string& path, const DriverOptions& options, std::string attrs_json)
      : file_(path, options), attrs_json_(std::move(attrs_json)) {}

 protected:
  void append(const LogEntry& e) override {
    std::string line = "{\"log\":";
    append_go_json_string(line, e.text);
    line += e.stream == LogStream::kStderr ? ",\"stream\":\"stderr\"" : ",\"stream\":\"stdout\"";
    if (!attrs_json_.empty()) line += ",\"attrs\":" + attrs_json_;
    line += ",\"time\":\"" + rfc3339_nano(e.time_ns) + "\"}\n";
    file_.write(line);
  }

 private:
  RotatingFile file_;
  std::string attrs_json_;
};

// A local record: u32 length, stream byte, i64 time (little-endian), the
// bytes, and the length again so that a reader can walk back from the end.
constexpr size_t kFrameOverhead = 4 + 1 + 8 + 4;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out += (char)(v >> (8 * i) & 0xff);
}

uint64_t get_le(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--) v = v << 8 | (unsigned char)p[i];
  return v;
}

class LocalWriter : public LogWriter {
 public:
  LocalWriter(const std::string& path, const DriverOptions& options) : file_(path, options) {}

 protected:
  void append(const LogEntry& e) override {
    std::string frame;
    uint32_t payload = (uint32_t)(1 + 8 + e.text.size());
    put_le(frame, payload, 4);
    frame += (char)e.stream;
    put_le(frame, (uint64_t)e.time_ns, 8);
    frame += e.text;
    put_le(frame, payload, 4);
    file_.write(frame);
  }

 private:
  RotatingFile file_;
};

class NoLogWriter : public LogWriter {
 protected:
  void append(const LogEntry&) override {}
};

// Takes the complete records at the front of buffer.
using RecordParser = void (*)(std::string& buffer, std::vector<LogEntry>& out);

void parse_json_lines(std::string& buffer, std::vector<LogEntry>& out) {
  size_t start = 0;
  for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(buffer.data() + start, nl - start);
    try {
      JsonValue j = parse_json(std::string(line), "log entry");
      LogEntry e;
      e.text = j.string_at("log");
      e.stream = j.string_at("stream") == "stderr" ? LogStream::kStderr : LogStream::kStdout;
      e.time_ns = parse_rfc3339_nanos(j.string_at("time"));
      if (const JsonValue* attrs = j.get("attrs"); attrs && attrs->is_object()) {
        std::vector<std::string> pairs;
        for (const auto& [k, v] : attrs->members()) pairs.push_back(k + "=" + (v.is_string() ? v.as_string() : ""));
        std::sort(pairs.begin(), pairs.end());
        for (const auto& pair : pairs) e.attrs += (e.attrs.empty() ? "" : ",") + pair;
      }
      out.push_back(std::move(e));
    } catch (const Error&) {
      // A torn last line (a monitor killed mid-write) is skipped.
    }
  }
  buffer.erase(0, start);
}

void parse_local_frames(std::string& buffer, std::vector<LogEntry>& out) {
  size_t at = 0;
  while (buffer.size() - at >= kFrameOverhead) {
    uint32_t payload = (uint32_t)get_le(buffer.data() + at, 4);
    if (payload < 9 || buffer.size() - at < payload + 8) break;
    LogEntry e;
    e.stream = buffer[at + 4] == (char)LogStream::kStderr ? LogStream::kStderr : LogStream::kStdout;
    e.time_ns = (int64_t)get_le(buffer.data() + at + 5, 8);
    e.text.assign(buffer.data() + at + 13, payload - 9);
    out.push_back(std::move(e));
    at += payload + 8;
  }
  buffer.erase(0, at);
}

std::string gunzip_file(const std::string& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) return "";
  std::string out;
  char buf[65536];
  int n;
  while ((n = gzread(in, buf, sizeof buf)) > 0) out.append(buf, n);
  gzclose(in);
  return out;
}

// FILE.N and FILE.N.gz, oldest (highest N) first.
std::vector<std::string> rotated_files(const std::string& path) {
  std::string dir = path.substr(0, path.rfind('/'));
  std::string base = path.substr(path.rfind('/') + 1) + ".";
  std::vector<std::pair<int, std::string>> found;
  for (const auto& name : list_dir(dir)) {
    if (name.compare(0, base.size(), base) != 0) continue;
    std::string rest = name.substr(base.size());
    bool gz = rest.size() > 3 && rest.compare(rest.size() - 3, 3, ".gz") == 0;
    if (gz) rest.resize(rest.size() - 3);
    if (rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos) continue;
    found.emplace_back(atoi(rest.c_str()), dir + "/" + name);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

// Reads from an open file what has been appended since the last call.
bool read_more(int fd, std::string& buffer) {
  char buf[65536];
  bool any = false;
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    buffer.append(buf, n);
    any = true;
  }
  return any;
}

}  // namespace

void check_log_config(const LogConfig& config) {
  if (config.type != "json-file" && config.type != "local" && config.type != "none")
    fail("logger: no log driver named '%s' is registered", config.type.c_str());
  if (config.type == "none") {
    if (!config.config.empty())
      fail("unknown log opt '%s' for none log driver", config.config.front().first.c_str());
    return;
  }
  driver_options(config);
}

std::string log_path(const std::string& container_dir, const std::string& id, const LogConfig& config) {
  if (config.type == "json-file") return container_dir + "/" + id + "-json.log";
  if (config.type == "local") return container_dir + "/local-logs/container.log";
  return "";
}

void LogWriter::write(LogStream stream, std::string_view data, int64_t time_ns) {
  std::string& pending = pending_[stream == LogStream::kStderr];
  while (!data.empty()) {
    size_t nl = data.find('\n');
    size_t take = nl == std::string_view::npos ? data.size() : nl + 1;
    take = std::min(take, kMaxLine - pending.size());
    pending.append(data.substr(0, take));
    data.remove_prefix(take);
    if (pending.back() == '\n' || pending.size() >= kMaxLine) {
      append(LogEntry{stream, time_ns, pending, attrs_});
      pending.clear();
    }
  }
}

void LogWriter::flush(LogStream stream, int64_t time_ns) {
  std::string& pending = pending_[stream == LogStream::kStderr];
  if (pending.empty()) return;
  append(LogEntry{stream, time_ns, pending, attrs_});
  pending.clear();
}

std::unique_ptr<LogWriter> open_log_writer(const std::string& container_dir, const std::string& id,
                                           const LogConfig& config, const KeyValues& labels,
                                           const std::vector<std::string>& env) {
  if (config.type == "none") return std::make_unique<NoLogWriter>();
  DriverOptions options = driver_options(config);
  std::string path = log_path(container_dir, id, config);
  if (config.type == "local") {
    if (mkdir((container_dir + "/local-logs").c_str(), 0700) < 0 && errno != EEXIST)
      fail_errno("mkdir %s/local-logs", container_dir.c_str());
    return std::make_unique<LocalWriter>(path, options);
  }
  // docker's log attributes: the named labels and environment variables.
  std::vector<std::pair<std::string, std::string>> attrs;
  for (const auto& key : options.labels)
    for (const auto& [k, v] : labels)
      if (k == key) attrs.emplace_back(k, v);
  for (const auto& key : options.env)
    for (const auto& e : env)
      if (e.compare(0, key.size() + 1, key + "=") == 0) attrs.emplace_back(key, e.substr(key.size() + 1));
  std::string attrs_json;
  if (!attrs.empty()) {
    attrs_json = "{";
    for (size_t i = 0; i < attrs.size(); i++) {
      if (i) attrs_json += ",";
      append_go_json_string(attrs_json, attrs[i].first);
      attrs_json += ":";
      append_go_json_string(attrs_json, attrs[i].second);
    }
    attrs_json += "}";
  }
  return std::make_unique<JsonFileWriter>(path, options, attrs_json);
}

void read_logs(const std::string& container_dir, const std::string& id, const LogConfig& config, const LogQuery& query,
               const std::function<void(const LogEntry&)>& emit, const std::function<bool()>& running) {
  if (config.type == "none") fail("configured logging driver does not support reading");
  std::string path = log_path(container_dir, id, config);
  RecordParser parse = config.type == "local" ? parse_local_frames : parse_json_lines;

  bool past_until = false;
  std::deque<LogEntry> last;  // for tail
  bool collecting = true;     // before follow: tail applies
  auto take = [&](std::vector<LogEntry>& entries) {
    for (auto& e : entries) {
      if (query.since_ns && e.time_ns < *query.since_ns) continue;
      if (query.until_ns && e.time_ns >= *query.until_ns) {
        past_until = true;
        continue;
      }
      if (collecting && query.tail) {
        if (*query.tail == 0) continue;
        last.push_back(std::move(e));
        if (last.size() > *query.tail) last.pop_front();
      } else {
        emit(e);
      }
    }
    entries.clear();
  };

  std::vector<LogEntry> entries;
  for (const auto& file : rotated_files(path)) {
    std::string data = file.size() > 3 && file.compare(file.size() - 3, 3, ".gz") == 0 ? gunzip_file(file)
                                                                                      : read_file_if_exists(file).value_or("");
    parse(data, entries);
    take(entries);
  }
  std::string buffer;
  Fd current(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (current) read_more(current.get(), buffer);
  parse(buffer, entries);
  take(entries);
  for (auto& e : last) emit(e);
  last.clear();
  collecting = false;
  if (!query.follow) return;

  while (!past_until) {
    // Whether it ran is asked before the read: what it wrote before it ended
    // is then read before the loop ends.
    bool alive = running();
    if (current) read_more(current.get(), buffer);
    parse(buffer, entries);
    take(entries);
    if (!alive || past_until) return;
    // Rotated: the old file has been read to its end; the new one follows.
    struct stat now, open_one;
    if (stat(path.c_str(), &now) == 0 &&
        (!current || (fstat(current.get(), &open_one) == 0 && open_one.st_ino != now.st_ino))) {
      if (current) read_more(current.get(), buffer);
      parse(buffer, entries);
      take(entries);
      buffer.clear();
      current = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      continue;
    }
    usleep(50000);
  }
}

}  // namespace hutch
