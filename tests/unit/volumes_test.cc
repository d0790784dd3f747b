// The volume store (docker's local driver) and a container's mounts planned
// and resolved against it, in a store under /tmp.
#include "store/volumes.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "base/random.h"
#include "container/mount_plan.h"
#include "store/containers.h"
#include "test.h"

using namespace hutch;

namespace {

struct TempStore {
  char path[40] = "/tmp/hutch-unit-volumes-XXXXXX";
  TempStore() { CHECK(mkdtemp(path)); }
  ~TempStore() {
    try {
      remove_tree(path);
    } catch (const Error&) {
    }
  }
  std::string root() const { return std::string(path) + "/store"; }
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

ContainerRecord record_using(const ContainerStore& containers, const std::string& name,
                             const std::vector<std::string>& volumes) {
  ContainerRecord r;
  r.id = random_hex(32);
  r.name = name;
  r.image = "img";
  r.image_id = Digest::parse("sha256:" + std::string(64, 'a'), "test");
  r.state = "exited";
  r.volumes = volumes;
  containers.create(r);
  return r;
}

std::vector<PlannedMount> plan(const ContainerConfig& config, const HostConfig& host,
                               const std::vector<std::string>& image_volumes = {}) {
  return plan_mounts(config, host, image_volumes, [](const std::string& name) -> ContainerRecord {
    fail("No such container: %s", name.c_str());
  });
}

std::string destinations(const std::vector<PlannedMount>& mounts) {
  std::string out;
  for (const auto& m : mounts) out += (out.empty() ? "" : " ") + std::string(mount_kind_name(m.kind)) + ":" + m.destination;
  return out;
}

}  // namespace

TEST(volume_names_and_options_as_local_driver) {
  validate_volume_name("a.b_c-d");
  validate_volume_name("0x");
  CHECK_THROWS(validate_volume_name("a"),
               "volume name is too short, names should be at least two alphanumeric characters");
  CHECK_THROWS(validate_volume_name("_x"),
               "\"_x\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
               "allowed. If you intended to pass a host directory, use absolute path");
  CHECK_THROWS(validate_volume_name("x/y"), "\"x/y\" includes invalid characters");
  CHECK_THROWS(validate_volume_name(".."), "\"..\" includes invalid characters");
  validate_volume_options({});
  validate_volume_options({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=100m,uid=1000"}});
  validate_volume_options({{"type", "none"}, {"device", "/srv/data"}, {"o", "bind"}});
  CHECK_THROWS(validate_volume_options({{"foo", "bar"}}), "invalid option: \"foo\"");
  CHECK_THROWS(validate_volume_options({{"type", "tmpfs"}}), "missing required option: \"device\"");
  CHECK_THROWS(validate_volume_options({{"device", "tmpfs"}}), "missing required option: \"type\"");
  CHECK_THROWS(validate_volume_options({{"o", "size=1m"}}), "missing required option: \"device\"");
  CHECK_THROWS(validate_volume_options({{"size", "1m"}}), "quota size requested but no quota support");
  CHECK_THROWS(validate_volume_options({{"type", "ext4"}, {"device", "/dev/vda"}}),
               "volume option type=ext4 is not supported rootless");
  CHECK_THROWS(validate_volume_options({{"type", "nfs"}, {"device", ":/x"}, {"o", "addr=1.2.3.4"}}),
               "volume option type=nfs is not supported rootless");
  CHECK_THROWS(validate_volume_options({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "bogus"}}),
               "invalid tmpfs option [\"bogus\"]");
  CHECK_THROWS(validate_volume_options({{"type", "none"}, {"device", "relative"}, {"o", "bind"}}),
               "volume option device=relative: the directory of a bind must be an absolute path");
  CHECK_THROWS(validate_volume_options({{"type", "none"}, {"device", "/d"}, {"o", "bind,uid=1"}}),
               "volume option o=bind,uid=1 is not supported rootless");
}

TEST(volume_store_create_list_remove) {
  TempStore t;
  Store store(t.root());
  VolumeStore volumes(store);
  Volume a = volumes.create("ab", {{"k", "v"}});
  CHECK_EQ(a.mountpoint, t.root() + "/volumes/ab/_data");
  CHECK(is_dir(a.mountpoint));
  CHECK(!a.anonymous());
  CHECK_EQ(a.created_at.size(), (size_t)20);  // 2026-12-02T00:48:23Z
  // An existing volume is returned as it was.
  Volume again = volumes.create("ab", {{"other", "1"}}, {{"type", "tmpfs"}});
  CHECK_EQ(again.labels.size(), (size_t)1);
  CHECK(again.options.empty());
  Volume anon = volumes.create("");
  CHECK_EQ(anon.name.size(), (size_t)64);
  CHECK(anon.anonymous());
  CHECK_THROWS(volumes.create("a"), "create a: volume name is too short");
  CHECK_THROWS(volumes.create("ok", {}, {{"foo", "1"}}), "create ok: invalid option: \"foo\"");
  CHECK_THROWS(volumes.create("nv", {}, {}, "nope"),
               "create nv: error looking up volume plugin nope: plugin \"nope\" not found");
  CHECK(!volumes.get("ok"));
  CHECK(!volumes.get("../images"));

  std::vector<std::string> names;
  for (const auto& v : volumes.list()) names.push_back(v.name);
  CHECK_EQ(joined(names), anon.name < "ab" ? anon.name + "|ab" : "ab|" + anon.name);  // sorted by name
  CHECK_EQ(volumes.find("ab").labels.at("k"), "v");
  CHECK_THROWS(volumes.find("nosuch"), "get nosuch: no such volume");

  // In use while a container record lists it, whatever the container's state.
  ContainerStore containers(store);
  ContainerRecord user = record_using(containers, "user1", {"ab"});
  CHECK_EQ(joined(volumes.users("ab")), user.id);
  CHECK_THROWS(volumes.remove("ab"), "remove ab: volume is in use - [" + user.id + "]");
  ContainerRecord user2 = record_using(containers, "user2", {"ab"});
  CHECK_THROWS(volumes.remove("ab"), "volume is in use - [");
  containers.remove(user);
  containers.remove(user2);
  CHECK(volumes.remove("ab"));
  CHECK(!exists(t.root() + "/volumes/ab"));
  CHECK(!volumes.remove("ab", true));
  CHECK_THROWS(volumes.remove("ab"), "get ab: no such volume");
}

TEST(volume_prune_keeps_used_and_optioned) {
  TempStore t;
  Store store(t.root());
  VolumeStore volumes(store);
  Volume anon = volumes.create("");
  Volume used_anon = volumes.create("");
  volumes.create("named", {{"keep", "1"}});
  volumes.create("tv", {}, {{"type", "tmpfs"}, {"device", "tmpfs"}});
  write_file_atomic(anon.mountpoint + "/f", "12345");
  ContainerStore containers(store);
  record_using(containers, "user", {used_anon.name});
  auto pruned = volumes.prune([](const Volume& v) { return v.anonymous(); });
  CHECK_EQ(joined(pruned.names), anon.name);
  CHECK_EQ(pruned.bytes, (int64_t)5);
  pruned = volumes.prune([](const Volume&) { return true; });
  CHECK_EQ(joined(pruned.names), "named");  // tv has options; used_anon is in use
  CHECK(volumes.get("tv"));
  CHECK(volumes.get(used_anon.name));
}

TEST(mounts_planned_as_docker_daemon) {
  ContainerConfig config;
  HostConfig host;
  host.binds = {"/h/c:/a/b/c", "named:/a/b:ro"};
  host.tmpfs = {{"/run", "size=1m"}, {"/run/", ""}};  // the last of a path counts
  host.mounts = {MountSpec{.type = "tmpfs", .target = "/t"}};
  config.volumes = {"/a", "/data/"};
  auto mounts = plan(config, host, {"/data", "/home/alice/", "rel", "/a/b"});
  // Parents first; image VOLUMEs covered by a mount are not made.
  CHECK_EQ(destinations(mounts),
           "tmpfs:/t tmpfs:/run volume:/a volume:/data volume:/rel volume:/a/b volume:/home/alice bind:/a/b/c");
  CHECK(mounts[2].anonymous);
  CHECK(!mounts[5].anonymous);
  CHECK_EQ(mounts[5].volume_name, "named");
  CHECK(mounts[5].read_only);
  CHECK_EQ(joined(mounts[1].tmpfs_options), "noexec|nosuid|nodev");

  HostConfig dup;
  dup.binds = {"/h:/x/", "v1:/x"};
  CHECK_THROWS(plan({}, dup), "Duplicate mount point: /x");
  dup.binds = {"/h:/x", "/h:/x"};  // the CLI counts a repeated -v once; the daemon refuses it
  CHECK_THROWS(plan({}, dup), "Duplicate mount point: /x");
  dup.binds = {"/h:/t"};
  dup.tmpfs = {{"/t", ""}};
  CHECK_THROWS(plan({}, dup), "Duplicate mount point: /t");
  dup = {};
  dup.binds = {"/h:/x"};
  dup.mounts = {MountSpec{.type = "volume", .source = "vv", .target = "/x/"}};
  CHECK_THROWS(plan({}, dup), "Duplicate mount point: /x/");
  dup = {};
  dup.tmpfs = {{"/t", ""}};
  dup.mounts = {MountSpec{.type = "tmpfs", .target = "/t"}};
  CHECK_THROWS(plan({}, dup), "Duplicate mount point: /t");

  ContainerConfig bad;
  bad.volumes = {"x"};
  CHECK_THROWS(plan(bad, {}),
               "invalid volume specification: 'x': invalid mount config for type \"volume\": invalid mount path: 'x' "
               "mount path must be absolute");
  bad.volumes = {"/"};
  CHECK_THROWS(plan(bad, {}), "invalid volume specification: '/': invalid mount config for type \"volume\": invalid "
                              "specification: destination can't be '/'");
  CHECK_THROWS(plan({}, {}, {"/"}), "the image's VOLUME / is the root directory");
}

TEST(volumes_from_copies_binds_and_volumes) {
  ContainerRecord source;
  source.id = "abc";
  source.mounts = {
      MountPoint{"bind", "", "/h", "/b1", "", "ro", false, "rprivate", false},
      MountPoint{"bind", "", "/h", "/b2", "", "", true, "rslave", true},
      MountPoint{"volume", "vf1", "/s/volumes/vf1/_data", "/v1", "local", "z", true, "", false},
      MountPoint{"volume", "a1", "/s/volumes/a1/_data", "/anon", "local", "", true, "", false},
      MountPoint{"tmpfs", "", "", "/t", "", "", true, "", false},
  };
  source.anonymous_volumes = {"a1"};
  auto find = [&](const std::string& name) -> ContainerRecord {
    if (name != "src1") fail("No such container: %s", name.c_str());
    return source;
  };
  HostConfig host;
  host.volumes_from = {"src1"};
  host.binds = {"/other:/v1"};  // a later mount replaces the copy
  auto mounts = plan_mounts({}, host, {}, find);
  CHECK_EQ(destinations(mounts), "bind:/b1 bind:/b2 volume:/anon bind:/v1");
  CHECK(mounts[0].read_only);
  CHECK(!mounts[1].read_only);
  CHECK(!mounts[1].recursive);
  CHECK_EQ(mounts[1].propagation, "rslave");
  CHECK(mounts[2].anonymous);
  CHECK(mounts[2].nocopy);
  CHECK_EQ(mounts[2].volume_name, "a1");
  host.binds.clear();
  host.volumes_from = {"src1:ro"};
  for (const auto& m : plan_mounts({}, host, {}, find)) CHECK(m.read_only);
  host.volumes_from = {"nosuch"};
  CHECK_THROWS(plan_mounts({}, host, {}, find), "No such container: nosuch");
  host.volumes_from = {":ro"};
  CHECK_THROWS(plan_mounts({}, host, {}, find), "invalid name or ID supplied: \"\"");
}

TEST(mounts_resolved_recorded_and_copied_up) {
  TempStore t;
  Store store(t.root());
  VolumeStore volumes(store);
  std::string host_dir = std::string(t.path) + "/host";
  mkdir_p(host_dir);
  volumes.create("tv", {}, {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=1m,size=2m,uid=5"}});
  volumes.create("bv", {}, {{"type", "none"}, {"device", host_dir}, {"o", "bind,ro"}});

  ContainerConfig config;
  config.volumes = {"/anon"};
  HostConfig host;
  host.binds = {"named:/n:nocopy", "tv:/t", "bv:/b", std::string(t.path) + "/missing/dir:/m"};
  host.mounts = {MountSpec{.type = "volume", .source = "withopts", .target = "/w", .volume_labels = {{"l", "1"}}}};
  auto mounts = plan_mounts(config, host, {"/img"}, nullptr);
  resolve_mounts(mounts, volumes);
  std::map<std::string, PlannedMount> at;
  for (const auto& m : mounts) at[m.destination] = m;
  CHECK_EQ(at["/n"].source, t.root() + "/volumes/named/_data");
  CHECK(at["/anon"].anonymous);
  CHECK_EQ(at["/anon"].volume_name.size(), (size_t)64);
  CHECK(volumes.find(at["/img"].volume_name).anonymous());
  CHECK_EQ(volumes.find("withopts").labels.at("l"), "1");
  CHECK(at["/t"].is_tmpfs());
  CHECK_EQ(joined(at["/t"].tmpfs_options), "size=2m|uid=5");
  CHECK_EQ(at["/b"].source, host_dir);
  CHECK(at["/b"].read_only);
  CHECK(!exists(std::string(t.path) + "/missing"));  // made at start, not at create
  create_missing_bind_sources(mounts);
  CHECK(is_dir(std::string(t.path) + "/missing/dir"));

  // Copy-up: an empty volume, unless nocopy or a tmpfs.
  CHECK(needs_copy_up(at["/anon"]));
  CHECK(!needs_copy_up(at["/n"]));
  CHECK(!needs_copy_up(at["/t"]));
  CHECK(!needs_copy_up(at["/m"]));
  write_file_atomic(at["/anon"].source + "/f", "x");
  CHECK(!needs_copy_up(at["/anon"]));

  ContainerRecord r;
  record_mounts(mounts, r);
  CHECK_EQ(r.mounts.size(), mounts.size());
  CHECK_EQ(r.volumes.size(), (size_t)6);  // named tv bv withopts and the two anonymous
  CHECK_EQ(joined(r.anonymous_volumes).size(), (size_t)129);
  oci::Mount tmpfs = to_oci_mount(at["/t"]);
  CHECK_EQ(tmpfs.type, "tmpfs");
  CHECK_EQ(joined(tmpfs.options), "size=2m|uid=5|rprivate");
  oci::Mount bind = to_oci_mount(at["/b"]);
  CHECK_EQ(bind.source, host_dir);
  CHECK_EQ(joined(bind.options), "rbind|ro|rprivate");

  volumes.create("gone", {}, {{"type", "none"}, {"device", std::string(t.path) + "/gone"}, {"o", "bind"}});
  HostConfig gone;
  gone.binds = {"gone:/g"};
  auto m3 = plan_mounts({}, gone, {}, nullptr);
  CHECK_THROWS(resolve_mounts(m3, volumes), "error while mounting volume '" + t.root() +
                                                "/volumes/gone/_data': failed to mount local volume: mount " +
                                                std::string(t.path) + "/gone:" + t.root() +
                                                "/volumes/gone/_data, flags: 0x1000: No such file or directory");

  HostConfig missing;
  missing.mounts = {MountSpec{.type = "bind", .source = std::string(t.path) + "/nope", .target = "/x"}};
  auto m2 = plan_mounts({}, missing, {}, nullptr);
  CHECK_THROWS(resolve_mounts(m2, volumes), "invalid mount config for type \"bind\": bind source path does not exist: " +
                                                std::string(t.path) + "/nope");

  // A container record round-trips its mounts; remove_anonymous_volumes
  // spares one another container uses.
  ContainerStore containers(store);
  r.id = random_hex(32);
  r.name = "c1";
  r.image_id = Digest::parse("sha256:" + std::string(64, 'b'), "test");
  containers.create(r);
  ContainerRecord loaded = *containers.load(r.id);
  CHECK_EQ(loaded.mounts.size(), r.mounts.size());
  CHECK_EQ(joined(loaded.anonymous_volumes), joined(r.anonymous_volumes));
  CHECK_EQ(loaded.mounts[0].destination, r.mounts[0].destination);
  ContainerRecord other = record_using(containers, "c2", {r.anonymous_volumes[0]});
  containers.remove(r);
  remove_anonymous_volumes(volumes, r.anonymous_volumes);
  CHECK(volumes.get(r.anonymous_volumes[0]));
  CHECK(!volumes.get(r.anonymous_volumes[1]));
  CHECK(volumes.get("named"));
}
