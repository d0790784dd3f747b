#include "container/mount_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>

#include "base/csv.h"
#include "base/error.h"
#include "base/file.h"
#include "base/mount_flags.h"
#include "base/printable.h"
#include "base/strings.h"
#include "store/volumes.h"

namespace hutch {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (char)tolower((unsigned char)c);
  return s;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// ---- -v as docker's CLI reads it (its compose loader's ParseVolume) ----

struct VolumeSpec {
  std::string source, target;
};

VolumeSpec split_volume_spec(const std::string& spec) {
  if (spec.empty()) fail("invalid empty volume spec");
  if (spec.size() <= 2) return {"", spec};  // docker takes a one or two character spec as a target
  VolumeSpec out;
  std::vector<std::string> parts = split(spec, ':');
  for (size_t i = 0; i < parts.size(); i++) {
    bool last = i + 1 == parts.size();
    if (parts[i].empty()) fail("invalid spec: %s: empty section between colons", spec.c_str());
    if (out.source.empty() && last) out.target = parts[i];
    else if (out.source.empty()) out.source = parts[i];
    else if (out.target.empty()) out.target = parts[i];
    else if (!last) fail("invalid spec: %s: too many colons", spec.c_str());
  }
  return out;
}

bool is_file_path(const std::string& source) {
  return source[0] == '.' || source[0] == '/' || source[0] == '~';
}

std::string absolute(const std::string& path, const std::string& cwd) { return clean_path(cwd + "/" + path); }

// ---- --mount as docker's CLI reads it (its opts.MountOpt) ----

bool parse_go_bool(const std::string& v, bool& out) {
  static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (kTrue.count(v)) return out = true, true;
  if (kFalse.count(v)) return out = false, true;
  return false;
}

// go-units' RAMInBytes: "64m", "1.5g", "1 MiB", binary multiples.
bool parse_ram_bytes(const std::string& v, int64_t& out) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < v.size() && isdigit((unsigned char)v[i])) i++;
    return i > start;
  };
  if (!digits()) return false;
  size_t dots = 0;
  while (i < v.size() && v[i] == '.') {
    i++, dots++;
    if (!digits()) return false;
  }
  std::string number = v.substr(0, i);
  if (dots > 1) return false;  // the pattern allows 1.2.3, Go's ParseFloat does not
  if (i < v.size() && v[i] == ' ') i++;
  double multiplier = 1;
  if (i < v.size()) {
    const char* units = "kmgtp";
    if (const char* u = strchr(units, tolower((unsigned char)v[i])); u && *u) {
      multiplier = std::pow(1024.0, (double)(u - units + 1));
      i++;
    }
  }
  if (i < v.size() && tolower((unsigned char)v[i]) == 'i') i++;
  if (i < v.size() && tolower((unsigned char)v[i]) == 'b') i++;
  if (i != v.size()) return false;
  out = (int64_t)(strtod(number.c_str(), nullptr) * multiplier);
  return true;
}

bool parse_octal_mode(const std::string& v, uint32_t& out) {
  if (v.empty() || v.size() > 11) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '7') return false;
    n = n * 8 + (uint64_t)(c - '0');
  }
  if (n > 0xffffffffu) return false;
  out = (uint32_t)n;
  return true;
}

void set_on_map(KeyValues& map, const std::string& value) {
  size_t eq = value.find('=');
  std::string key = value.substr(0, eq), v = eq == std::string::npos ? "" : value.substr(eq + 1);
  for (auto& [k, old] : map)
    if (k == key) return void(old = v);
  map.emplace_back(key, v);
}

MountSpec mount_spec_of(const std::string& value, const std::string& cwd) {
  MountSpec m;
  m.type = "volume";
  bool volume_options = false, bind_options = false, tmpfs_options = false;
  for (const std::string& field : read_csv_record(value)) {
    size_t eq = field.find('=');
    std::string key = lower(field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro") {
        m.read_only = true;
        continue;
      }
      if (key == "volume-nocopy") {
        m.volume_nocopy = volume_options = true;
        continue;
      }
      if (key == "bind-nonrecursive") {
        m.bind_nonrecursive = bind_options = true;
        continue;
      }
      fail("invalid field '%s' must be a key=value pair", field.c_str());
    }
    std::string v = field.substr(eq + 1);
    auto bad_value = [&]() { fail("invalid value for %s: %s", key.c_str(), v.c_str()); };
    if (key == "type") {
      m.type = lower(v);
    } else if (key == "source" || key == "src") {
      m.source = !v.empty() && v[0] == '.' ? absolute(v, cwd) : v;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = v;
    } else if (key == "readonly" || key == "ro") {
      if (!parse_go_bool(v, m.read_only)) bad_value();
    } else if (key == "consistency") {
      m.consistency = lower(v);
    } else if (key == "bind-propagation") {
      m.bind_propagation = lower(v);
      bind_options = true;
    } else if (key == "bind-nonrecursive") {
      if (!parse_go_bool(v, m.bind_nonrecursive)) bad_value();
      bind_options = true;
    } else if (key == "volume-nocopy") {
      if (!parse_go_bool(v, m.volume_nocopy)) fail("invalid value for volume-nocopy: %s", v.c_str());
      volume_options = true;
    } else if (key == "volume-label") {
      set_on_map(m.volume_labels, v);
      volume_options = true;
    } else if (key == "volume-driver") {
      m.volume_driver = v;
      volume_options = true;
    } else if (key == "volume-opt") {
      set_on_map(m.volume_driver_options, v);
      volume_options = true;
    } else if (key == "tmpfs-size") {
      if (!parse_ram_bytes(v, m.tmpfs_size)) bad_value();
      tmpfs_options = true;
    } else if (key == "tmpfs-mode") {
      if (!parse_octal_mode(v, m.tmpfs_mode)) bad_value();
      tmpfs_options = true;
    } else {
      fail("unexpected key '%s' in '%s'", key.c_str(), field.c_str());
    }
  }
  if (m.type.empty()) fail("type is required");
  if (m.target.empty()) fail("target is required");
  if (volume_options && m.type != "volume") fail("cannot mix 'volume-*' options with mount type '%s'", m.type.c_str());
  if (bind_options && m.type != "bind") fail("cannot mix 'bind-*' options with mount type '%s'", m.type.c_str());
  if (tmpfs_options && m.type != "tmpfs") fail("cannot mix 'tmpfs-*' options with mount type '%s'", m.type.c_str());
  return m;
}

// ---- the daemon's checks (its volume/mounts linux parser) ----

const std::set<std::string> kPropagations = {"private", "rprivate", "shared", "rshared", "slave", "rslave"};
const std::set<std::string> kConsistencies = {"consistent", "cached", "delegated"};

// At most one word of each kind.
bool valid_mode(const std::string& mode) {
  if (mode.empty()) return true;
  int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
  for (const auto& o : split(mode, ',')) {
    if (o == "rw" || o == "ro") rw++;
    else if (o == "z" || o == "Z") label++;
    else if (kPropagations.count(o)) propagation++;
    else if (o == "nocopy") copy++;
    else if (kConsistencies.count(o)) consistency++;
    else return false;
  }
  return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1;
}

std::string mode_propagation(const std::string& mode) {
  for (const auto& o : split(mode, ','))
    if (kPropagations.count(o)) return o;
  return "";
}

// What the daemon's validateMountConfig checks, in its order; the message
// without docker's "invalid mount config for type" prefix.
struct MountCheck {
  std::string type, source, target;
  bool read_only = false;
  bool bind_options = false, volume_options = false;
  std::string propagation;
};

void check_mount(const MountCheck& m) {
  if (m.target.empty()) fail("field Target must not be empty");
  if (clean_path(m.target) == "/") fail("invalid specification: destination can't be '/'");
  if (m.target[0] != '/') fail("invalid mount path: '%s' mount path must be absolute", m.target.c_str());
  if (m.type == "bind") {
    if (m.source.empty()) fail("field Source must not be empty");
    if (!m.propagation.empty() && !kPropagations.count(m.propagation))
      fail("invalid propagation mode: %s", m.propagation.c_str());
    if (m.volume_options) fail("field VolumeOptions must not be specified");
    if (m.source[0] != '/') fail("invalid mount path: '%s' mount path must be absolute", m.source.c_str());
  } else if (m.type == "volume") {
    if (m.bind_options) fail("field BindOptions must not be specified");
    if (m.source.empty() && m.read_only) fail("must not set ReadOnly mode when using anonymous volumes");
  } else if (m.type == "tmpfs") {
    if (m.bind_options) fail("field BindOptions must not be specified");
    if (!m.source.empty()) fail("field Source must not be specified");
  } else {
    fail("mount type unknown");
  }
}

void check_mount_config(const MountCheck& m) {
  with_context(format("invalid mount config for type %s", quoted(m.type).c_str()), [&] { check_mount(m); });
}

// A named volume's name is the local driver's to refuse, as docker's
// "create NAME: ..." when the container is created.
void check_volume_name(const std::string& name) {
  if (!name.empty()) with_context("create " + name, [&] { validate_volume_name(name); });
}

// docker's tmpfs: its defaults first, so that what was given wins; the
// propagation word goes to its own field.
void set_tmpfs_options(PlannedMount& m, const std::vector<std::string>& given) {
  std::vector<std::string> all = {"noexec", "nosuid", "nodev", "rprivate"};
  all.insert(all.end(), given.begin(), given.end());
  for (auto& o : merge_tmpfs_options(all)) {
    const MountFlag* f = find_mount_flag(o);
    if (f && f->propagation) m.propagation = o;
    else m.tmpfs_options.push_back(std::move(o));
  }
}

// docker's ConvertTmpfsOptions: the largest exact binary unit.
std::string tmpfs_size_option(int64_t bytes) {
  const std::pair<int64_t, const char*> kUnits[] = {{1LL << 30, "g"}, {1LL << 20, "m"}, {1LL << 10, "k"}};
  for (const auto& [divisor, suffix] : kUnits)
    if (bytes % divisor == 0) return "size=" + std::to_string(bytes / divisor) + suffix;
  return "size=" + std::to_string(bytes);
}

}  // namespace

void add_volume_flag(const std::string& value, const std::string& cwd, ContainerConfig& config, HostConfig& host) {
  VolumeSpec spec = split_volume_spec(value);
  if (spec.source.empty()) {
    if (!contains(config.volumes, spec.target)) config.volumes.push_back(spec.target);
    return;
  }
  std::string bind = value;
  size_t colon = value.find(':');
  std::string host_part = value.substr(0, colon);
  if (is_file_path(spec.source) && host_part[0] == '.')
    bind = absolute(host_part, cwd) + value.substr(colon);
  if (!contains(host.binds, bind)) host.binds.push_back(bind);
}

MountSpec parse_mount_flag(const std::string& value, const std::string& cwd) {
  try {
    return mount_spec_of(value, cwd);
  } catch (const Error& e) {
    throw Error(format("invalid argument %s for \"--mount\" flag: %s", quoted(value).c_str(), e.what()), e.status());
  }
}

std::pair<std::string, std::string> parse_tmpfs_flag(const std::string& value) {
  size_t colon = value.find(':');
  if (colon == std::string::npos) return {value, ""};
  return {value.substr(0, colon), value.substr(colon + 1)};
}

const char* mount_kind_name(MountKind kind) {
  switch (kind) {
    case MountKind::kBind: return "bind";
    case MountKind::kVolume: return "volume";
    case MountKind::kTmpfs: return "tmpfs";
  }
  return "";
}

PlannedMount parse_bind(const std::string& raw) {
  auto invalid_spec = [&]() { fail("invalid volume specification: '%s'", raw.c_str()); };
  if (std::count(raw.begin(), raw.end(), ':') > 2) invalid_spec();
  std::vector<std::string> arr = split(raw, ':');
  if (arr[0].empty()) invalid_spec();
  std::string source, target, mode;
  if (arr.size() == 1) {
    target = arr[0];
  } else if (arr.size() == 2) {
    // "/foo:rw" is a destination and a mode, which a volume cannot have.
    if (valid_mode(arr[1])) invalid_spec();
    source = arr[0], target = arr[1];
  } else {
    source = arr[0], target = arr[1], mode = arr[2];
  }
  if (!valid_mode(mode)) fail("invalid mode: %s", mode.c_str());
  std::vector<std::string> words = mode.empty() ? std::vector<std::string>{} : split(mode, ',');
  MountCheck check;
  check.type = !source.empty() && source[0] == '/' ? "bind" : "volume";
  check.source = source;
  check.target = target;
  check.read_only = contains(words, "ro");
  check.propagation = mode_propagation(mode);
  check.bind_options = !check.propagation.empty();
  check.volume_options = contains(words, "nocopy");
  with_context(format("invalid volume specification: '%s'", raw.c_str()), [&] { check_mount_config(check); });

  PlannedMount m;
  m.kind = check.type == "bind" ? MountKind::kBind : MountKind::kVolume;
  m.destination = clean_path(target);
  m.given_destination = target;
  m.read_only = check.read_only;
  m.mode = mode;
  m.propagation = check.propagation.empty() ? "rprivate" : check.propagation;
  if (m.kind == MountKind::kBind) {
    m.source = clean_path(source);
    m.create_source = true;
  } else {
    check_volume_name(source);
    m.volume_name = source;
    m.anonymous = source.empty();
    m.nocopy = check.volume_options;
  }
  return m;
}

PlannedMount parse_mount_spec(const MountSpec& spec) {
  MountCheck check;
  check.type = spec.type;
  check.source = spec.source;
  check.target = spec.target;
  check.read_only = spec.read_only;
  check.propagation = spec.bind_propagation;
  check.bind_options = !spec.bind_propagation.empty() || spec.bind_nonrecursive;
  check.volume_options = spec.volume_nocopy || !spec.volume_labels.empty() || !spec.volume_driver.empty() ||
                         !spec.volume_driver_options.empty();
  check_mount_config(check);

  PlannedMount m;
  m.destination = clean_path(spec.target);
  m.given_destination = spec.target;
  m.read_only = spec.read_only;
  m.propagation = "rprivate";
  if (spec.type == "bind") {
    m.kind = MountKind::kBind;
    m.source = clean_path(spec.source);
    if (!spec.bind_propagation.empty()) m.propagation = spec.bind_propagation;
    m.recursive = !spec.bind_nonrecursive;
  } else if (spec.type == "volume") {
    m.kind = MountKind::kVolume;
    check_volume_name(spec.source);
    m.volume_name = spec.source;
    m.anonymous = spec.source.empty();
    m.nocopy = spec.volume_nocopy;
    for (const auto& [k, v] : spec.volume_labels) m.volume_labels[k] = v;
    for (const auto& [k, v] : spec.volume_driver_options) m.volume_options[k] = v;
    if (!spec.volume_driver.empty()) m.volume_driver = spec.volume_driver;
  } else {
    m.kind = MountKind::kTmpfs;
    std::vector<std::string> given;
    if (spec.read_only) given.push_back("ro");
    if (spec.tmpfs_mode) given.push_back(format("mode=%o", spec.tmpfs_mode));
    if (spec.tmpfs_size) given.push_back(tmpfs_size_option(spec.tmpfs_size));
    set_tmpfs_options(m, given);
  }
  return m;
}

PlannedMount parse_tmpfs(const std::string& path, const std::string& options) {
  if (clean_path(path) == "/") fail("invalid specification: destination can't be '/'");
  if (path.empty() || path[0] != '/') fail("invalid mount path: '%s' mount path must be absolute", path.c_str());
  PlannedMount m;
  m.kind = MountKind::kTmpfs;
  m.destination = clean_path(path);
  m.given_destination = path;
  set_tmpfs_options(m, options.empty() ? std::vector<std::string>{} : split(options, ','));
  m.read_only = contains(m.tmpfs_options, "ro");
  return m;
}

VolumesFrom parse_volumes_from(const std::string& spec) {
  if (spec.empty()) fail("volumes-from specification cannot be an empty string");
  size_t colon = spec.find(':');
  VolumesFrom out;
  out.container = spec.substr(0, colon);
  if (colon == std::string::npos) return out;
  std::string mode = spec.substr(colon + 1);
  // The mode applies to mounts made already: no propagation, no copy mode.
  std::vector<std::string> words = split(mode, ',');
  if (!valid_mode(mode) || !mode_propagation(mode).empty() || contains(words, "nocopy"))
    fail("invalid mode: %s", mode.c_str());
  out.read_only = contains(words, "ro");
  return out;
}

}  // namespace hutch
