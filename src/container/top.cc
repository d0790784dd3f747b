#include "container/top.h"

#include <algorithm>
#include <regex>

#include "base/error.h"
#include "base/process.h"

namespace hutch {

namespace {

// Go's strings.Fields restricted to ASCII white space, as docker splits ps's lines.
std::vector<std::string> fields_ascii(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
      if (!field.empty()) out.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty()) out.push_back(std::move(field));
  return out;
}

// docker refuses renaming a column to something starting PID ("-o user=PID"),
// which would make another column read as the pids.
void validate_ps_args(const std::string& args) {
  static const std::regex re(R"(\s+([^\s]*)=\s*(PID[^\s]*))");
  for (auto it = std::sregex_iterator(args.begin(), args.end(), re); it != std::sregex_iterator(); ++it) {
    std::string key = (*it)[1], value = (*it)[2];
    if (key != "pid") fail("specifying \"%s=%s\" is not allowed", key.c_str(), value.c_str());
  }
}

}  // namespace

ProcessTable parse_ps_output(const std::string& output, const std::vector<pid_t>& pids) {
  ProcessTable table;
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = output.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(output.substr(start, nl - start));
  lines.push_back(output.substr(start));
  table.titles = fields_ascii(lines[0]);
  auto pid_column = std::find(table.titles.begin(), table.titles.end(), "PID");
  if (pid_column == table.titles.end()) fail("Couldn't find PID field in ps output");
  size_t pid_index = pid_column - table.titles.begin();
  auto add = [&](std::vector<std::string> fields) {
    // The last column (the command) keeps its spaces.
    if (fields.size() > table.titles.size()) {
      std::string rest;
      for (size_t i = table.titles.size() - 1; i < fields.size(); i++) rest += (rest.empty() ? "" : " ") + fields[i];
      fields.resize(table.titles.size());
      fields.back() = rest;
    }
    table.processes.push_back(std::move(fields));
  };
  bool after_ours = false;
  for (size_t i = 1; i < lines.size(); i++) {
    if (lines[i].empty()) continue;
    auto fields = fields_ascii(lines[i]);
    if (fields.size() <= pid_index) continue;
    if (fields[pid_index] == "-") {
      if (after_ours) add(std::move(fields));
      continue;
    }
    char* end = nullptr;
    long pid = strtol(fields[pid_index].c_str(), &end, 10);
    if (*end || fields[pid_index].empty())
      fail("Unexpected pid '%s': strconv.Atoi: parsing \"%s\": invalid syntax", fields[pid_index].c_str(),
           fields[pid_index].c_str());
    after_ours = std::find(pids.begin(), pids.end(), (pid_t)pid) != pids.end();
    if (after_ours) add(std::move(fields));
  }
  return table;
}

ProcessTable container_top(const std::vector<pid_t>& pids, const std::string& ps_args) {
  std::string args_text = ps_args.empty() ? "-ef" : ps_args;
  validate_ps_args(args_text);
  std::vector<std::string> argv = {"ps"};
  size_t start = 0;
  for (size_t sp; (sp = args_text.find(' ', start)) != std::string::npos; start = sp + 1)
    argv.push_back(args_text.substr(start, sp - start));
  argv.push_back(args_text.substr(start));
  std::string list;
  for (pid_t pid : pids) list += (list.empty() ? "" : ",") + std::to_string(pid);
  std::vector<std::string> with_pids = argv;
  with_pids.push_back("-q" + list);
  std::string out, err;
  if (run_program_output(with_pids, out, err) != 0) {
    // Some options (such as f) cannot go with -q: ps lists everything then.
    out.clear();
    err.clear();
    int status = run_program_output(argv, out, err);
    if (status != 0) {
      std::string reason = err.substr(0, err.find('\n'));
      if (reason.empty())
        reason = status == 127 ? "exec: \"ps\": executable file not found in $PATH" : format("exit status %d", status);
      fail("ps: %s", reason.c_str());
    }
  }
  return parse_ps_output(out, pids);
}

}  // namespace hutch
