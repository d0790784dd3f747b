// docker's environment rules. The CLI's part: --env-file entries, then -e
// ones, a bare NAME taking the caller's value when it has one. The daemon's
// part: the flags' entries first, then the image's that they leave alone; and
// for the process, PATH, HOSTNAME (and TERM) defaults that those replace in
// place, a bare NAME removing the variable. Label flags are read the same way.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace hutch {

// Reads the --env-file files and appends the -e entries; throws Error for a
// missing file or an entry with no name ("=x").
std::vector<std::string> env_from_flags(const std::vector<std::string>& env_files,
                                        const std::vector<std::string>& env_flags);
// Reads an --env-file: one NAME[=VALUE] per line, '#' comments, blank lines
// skipped, a bare NAME resolved as for -e.
std::vector<std::string> read_env_file(const std::string& path);
// The lines of such a file as they are, with no NAME resolved (--label-file).
std::vector<std::string> read_key_value_file(const std::string& path);

// Config.Labels from --label-file files, then --label flags: KEY=VALUE, or a
// bare KEY with an empty value; a later KEY replaces an earlier one's value.
std::vector<std::pair<std::string, std::string>> labels_from_flags(const std::vector<std::string>& label_files,
                                                                   const std::vector<std::string>& label_flags);

// Config.Env of a container: `user` (a later entry of a name replacing an
// earlier one in place) followed by the image's entries whose names it lacks.
std::vector<std::string> merge_env(const std::vector<std::string>& image, const std::vector<std::string>& user);

// The process's environment: `defaults` with `config` applied over them (in
// place, or appended; a bare NAME removes NAME).
std::vector<std::string> process_env(const std::vector<std::string>& defaults, const std::vector<std::string>& config);

}  // namespace hutch
