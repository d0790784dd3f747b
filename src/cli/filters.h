// docker's --filter key=value options: parsing, validation and the matching
// rules its daemon applies (labels, booleans, timestamps).
#pragma once
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hutch {

class Filters {
 public:
  // Parses each "--filter" value. `flag` names the flag in errors, as docker
  // does: "-f, --filter" or "--filter".
  Filters(const std::vector<std::string>& values, const std::string& flag, const std::string& command);

  // Throws "invalid filter 'KEY'" for a key not in `accepted` ("Invalid
  // filter" in the words of docker's container and volume services).
  void validate(const std::set<std::string>& accepted, bool capitalized = false) const;
  bool contains(const std::string& key) const { return fields_.count(key) > 0; }
  // The values of a key, sorted (docker keeps them as a set).
  std::vector<std::string> get(const std::string& key) const;
  void add(const std::string& key, const std::string& value) { fields_[key].insert(value); }
  // "true"/"1" or "false"/"0"; throws "invalid filter 'KEY=[VALUES]'" otherwise.
  std::optional<bool> get_bool(const std::string& key) const;
  // docker's MatchKVList: every "k" or "k=v" of `key` is among the labels
  // (true when the key has no values).
  bool match_labels(const std::string& key, const std::map<std::string, std::string>& labels) const;

 private:
  std::map<std::string, std::set<std::string>> fields_;
};

// docker's filters.Match for a key's values: each a regular expression
// searched in `text` (an exact value always matches); an invalid one matches
// nothing.
bool match_any(const std::vector<std::string>& patterns, const std::string& text);

// Go's path.Match, which docker's reference filter uses: '*' and '?' do not
// cross '/', "[a-z]" and "[^...]" are classes, '\\' escapes. Throws
// "syntax error in pattern" for a malformed pattern.
bool path_match(const std::string& pattern, const std::string& name);

// docker's timestamps for "until": a Go duration before now ("10m", "1h30m"),
// seconds since the epoch, or an RFC 3339 date or time (local when no zone).
// Throws "invalid value for 'until' filter: ...".
time_t parse_until(const std::string& value, time_t now);

}  // namespace hutch
