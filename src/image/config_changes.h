// The "config" object of an image config (what docker calls the container
// config: Cmd, Env, ...) and the Dockerfile instructions `import -c` and
// `commit -c` apply to it: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL,
// ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR, with the Dockerfile's quoting
// and $VAR / ${VAR} / ${VAR:-word} / ${VAR:+word} expansion from the Env set
// so far, as docker's builder does.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hutch {

class EnvList;
class JsonValue;

// Kept member by member as encoded JSON, so fields hutch does not interpret
// (Healthcheck options, ArgsEscaped, ...) pass through unchanged and in order.
class RunConfig {
 public:
  // From an image config's "config" value; null or absent gives an empty one.
  static RunConfig from_json(const JsonValue* config);
  std::string to_json() const;

  std::vector<std::string> strings(const std::string& key) const;
  std::string string(const std::string& key) const;
  bool has(const std::string& key) const { return find(key) != nullptr; }
  // Object members as (key, encoded value), e.g. Labels or ExposedPorts.
  std::vector<std::pair<std::string, std::string>> object(const std::string& key) const;

  void set_raw(const std::string& key, const std::string& json);
  void set_strings(const std::string& key, const std::vector<std::string>& values);
  void set_string(const std::string& key, const std::string& value);
  void set_object(const std::string& key, const std::vector<std::pair<std::string, std::string>>& members);

 private:
  const std::string* find(const std::string& key) const;
  std::vector<std::pair<std::string, std::string>> members_;
};

// Applies the changes in order; throws Error with docker's wording for an
// instruction that is not allowed ("run is not a valid change command") or
// malformed. The strings are joined by newlines first, as docker does, so a
// trailing backslash continues an instruction into the next string.
void apply_changes(RunConfig& config, const std::vector<std::string>& changes);

// Checks changes without a config to apply them to: the early error a
// command gives before it does any work.
void validate_changes(const std::vector<std::string>& changes);

// Expands $VAR, ${VAR}, ${VAR:-word}, ${VAR:+word} (and the forms without
// ':') and removes quotes and backslash escapes; with split, unquoted blanks
// of the text separate words (expansions never do).
std::vector<std::string> shell_words(const std::string& text, const std::vector<std::string>& env, bool split);
std::vector<std::string> shell_words(const std::string& text, const EnvList& env, bool split);

}  // namespace hutch
