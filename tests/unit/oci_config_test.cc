// config.json parsing and writing: real configs (runc spec, rootless podman),
// round trips, and each error the parser gives.
#include "runtime/oci_config.h"

#include <climits>

#include "base/error.h"
#include "base/file.h"
#include "base/json_reader.h"
#include "runtime/capabilities.h"
#include "runtime/oci_default_spec.h"
#include "runtime/rlimits.h"
#include "test.h"

using namespace hutch;
using namespace hutch::oci;

namespace {

std::string fixture(const char* name) { return read_file(std::string("tests/fixtures/oci/") + name); }

// A valid config with `process` as its process object and `extra` members after root.
std::string config_with(const std::string& process, const std::string& extra = "") {
  return R"({"ociVersion":"1.0.2","process":)" + process + R"(,"root":{"path":"rootfs"})" + extra + "}";
}
const char* kProcess = R"({"args":["sh"],"cwd":"/"})";
std::string with_linux(const std::string& linux) { return config_with(kProcess, R"(,"linux":)" + linux); }

Config round_trip(const Config& c) { return parse_config(write_config(c)); }

}  // namespace

TEST(oci_parse_runc_spec) {
  Config c = parse_config(fixture("runc-spec.json"));
  CHECK_EQ(c.oci_version, std::string("1.0.2-dev"));
  CHECK(c.process.terminal);
  CHECK_EQ(c.process.user.uid, 0u);
  CHECK_EQ(c.process.args.size(), 1u);
  CHECK_EQ(c.process.env[1], std::string("TERM=xterm"));
  CHECK_EQ(c.process.cwd, std::string("/"));
  CHECK(c.process.capabilities.has_value());
  CHECK_EQ(c.process.capabilities->bounding.size(), 3u);
  CHECK(c.process.capabilities->inheritable.empty());
  CHECK_EQ(c.process.rlimits.size(), 1u);
  CHECK_EQ(c.process.rlimits[0].type, std::string("RLIMIT_NOFILE"));
  CHECK_EQ(c.process.rlimits[0].hard, 1024u);
  CHECK(c.process.no_new_privileges);
  CHECK_EQ(c.root.path, std::string("rootfs"));
  CHECK(c.root.readonly);
  CHECK_EQ(c.hostname, std::string("runc"));
  CHECK_EQ(c.mounts.size(), 7u);
  CHECK_EQ(c.mounts[2].destination, std::string("/dev/pts"));
  CHECK_EQ(c.mounts[2].options.back(), std::string("gid=5"));
  CHECK(c.mounts[0].options.empty());
  CHECK_EQ(c.linux.namespaces.size(), 5u);
  CHECK(c.linux.has_namespace("network"));
  CHECK(!c.linux.has_namespace("user"));
  CHECK_EQ(c.linux.resources_json, std::string(R"({"devices":[{"allow":false,"access":"rwm"}]})"));
  CHECK(c.linux.seccomp_json.empty());
  CHECK_EQ(c.linux.masked_paths.size(), 10u);
  CHECK_EQ(c.linux.readonly_paths.size(), 5u);
  CHECK(c.linux.unsupported.empty());
}

TEST(oci_parse_runc_spec_rootless) {
  Config c = parse_config(fixture("runc-spec-rootless.json"));
  CHECK(c.linux.has_namespace("user"));
  CHECK(!c.linux.has_namespace("network"));
  CHECK_EQ(c.linux.uid_mappings.size(), 1u);
  CHECK_EQ(c.linux.uid_mappings[0].host_id, 1001u);
  CHECK_EQ(c.linux.gid_mappings[0].size, 1u);
  CHECK_EQ(c.mounts[5].type, std::string("none"));
  CHECK_EQ(c.mounts[5].source, std::string("/sys"));
  CHECK(c.linux.resources_json.empty());
}

TEST(oci_parse_podman_configs) {
  Config c = parse_config(fixture("podman-run.json"));
  CHECK_EQ(*c.process.user.umask, 18u);
  CHECK_EQ(c.process.rlimits.size(), 2u);
  const Namespace* net = c.linux.find_namespace("network");
  CHECK(net != nullptr);
  CHECK(net->path.rfind("/tmp/oci-podman/xdg/netns/netns-", 0) == 0);
  CHECK(!c.linux.has_namespace("user"));
  CHECK_EQ(c.linux.resources_json, std::string("{}"));
  CHECK(c.linux.seccomp_json.find("\"defaultErrnoRet\":38") != std::string::npos);
  CHECK_EQ(c.linux.sysctl.size(), 1u);
  CHECK_EQ(c.linux.sysctl[0].second, std::string("0 0"));
  CHECK_EQ(c.annotations.front().first, std::string("io.container.manager"));
  CHECK_EQ(*c.annotation("org.opencontainers.image.stopSignal"), std::string("15"));
  CHECK(c.linux.unsupported.empty());

  Config flags = parse_config(fixture("podman-run-flags.json"));
  CHECK(flags.process.terminal);
  CHECK_EQ(flags.process.user.additional_gids.size(), 1u);
  CHECK_EQ(flags.process.capabilities->ambient.size(), 1u);
  CHECK_EQ(flags.process.rlimits[0].soft, 512u);
  CHECK_EQ(flags.mounts[1].options.back(), std::string("tmpcopyup"));

  Config keep = parse_config(fixture("podman-run-keep-id.json"));
  CHECK(keep.linux.has_namespace("user"));
  CHECK_EQ(keep.linux.uid_mappings.size(), 3u);
  CHECK_EQ(keep.linux.uid_mappings[2].container_id, 1002u);
  CHECK_EQ(keep.linux.rootfs_propagation, std::string("rslave"));
  CHECK(keep.root.readonly);
}

TEST(oci_round_trip_fixtures) {
  for (const char* name : {"runc-spec.json", "runc-spec-rootless.json", "podman-run.json", "podman-run-flags.json",
                           "podman-run-keep-id.json"}) {
    Config c = parse_config(fixture(name));
    CHECK(round_trip(c) == c);
    CHECK_EQ(write_config(round_trip(c)), write_config(c));
  }
}

TEST(oci_round_trip_every_field) {
  Config c;
  c.oci_version = "1.2.0";
  c.process.terminal = true;
  c.process.console_size = ConsoleSize{25, 80};
  c.process.user = {4294967295u, 7, 022, {5, 6}};
  c.process.args = {"/bin/echo", "a b", "\"q\"\n"};
  c.process.env = {"A=1", "B="};
  c.process.cwd = "/work";
  c.process.capabilities = Capabilities{{"CAP_CHOWN"}, {}, {"CAP_KILL"}, {"CAP_BPF"}, {"CAP_CHECKPOINT_RESTORE"}};
  c.process.rlimits = {{"RLIMIT_CORE", ULLONG_MAX, 0}, {"RLIMIT_NOFILE", 4096, 1024}};
  c.process.no_new_privileges = true;
  c.process.oom_score_adj = -1000;
  c.process.apparmor_profile = "p";
  c.process.selinux_label = "l";
  c.root = {"/abs/rootfs", true};
  c.hostname = "h";
  c.domainname = "d.test";
  c.mounts = {{"/", "overlay", "overlay", {"lowerdir=/a:/b"}}, {"/data", "", "/src", {"rbind", "ro"}}};
  c.hooks.prestart = {{"/bin/a", {"a", "1"}, {"K=V"}, 5}};
  c.hooks.create_runtime = {{"/bin/b", {}, {}, std::nullopt}};
  c.hooks.create_container = {{"/bin/c", {}, {}, 1}};
  c.hooks.start_container = {{"/bin/d", {}, {}, std::nullopt}};
  c.hooks.poststart = {{"/bin/e", {}, {}, std::nullopt}};
  c.hooks.poststop = {{"/bin/f", {}, {}, std::nullopt}};
  c.annotations = {{"z.last", "1"}, {"a.first", ""}, {"run.hutch.user", "1000:1000"}};
  c.linux.namespaces = {{"user", ""}, {"network", "/proc/1/ns/net"}, {"time", ""}};
  c.linux.uid_mappings = {{0, 1000, 1}, {1, 100000, 65536}};
  c.linux.gid_mappings = {{0, 1000, 1}};
  c.linux.devices = {{"c", "/dev/fuse", 10, 229, 0666, 0, 0},
                     {"p", "/dev/fifo", 0, 0, {}, {}, {}},
                     {"b", "/dev/big", -1, 4294967296, {}, 5, {}}};
  c.linux.sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.msgmax", "65536"}};
  c.linux.masked_paths = {"/proc/kcore"};
  c.linux.readonly_paths = {"/proc/sys"};
  c.linux.rootfs_propagation = "rprivate";
  c.linux.mount_label = "ml";
  c.linux.cgroups_path = "/hutch/x";
  c.linux.resources_json = R"({"pids":{"limit":-1},"memory":{"limit":1500000000}})";
  c.linux.seccomp_json = R"({"defaultAction":"SCMP_ACT_ALLOW"})";
  Config back = round_trip(c);
  CHECK(back == c);
  CHECK_EQ(back.process.rlimits[0].hard, (uint64_t)ULLONG_MAX);
  CHECK_EQ(back.annotations[0].first, std::string("z.last"));
  CHECK_EQ(back.linux.sysctl[1].first, std::string("kernel.msgmax"));
  CHECK_EQ(back.linux.devices[2].minor, (int64_t)4294967296);
  // Raw parts keep their numbers as written, through any number of trips.
  Config parsed = parse_config(with_linux(R"({"resources":{"memory":{"limit":1.5e9,"swap":18446744073709551615}}})"));
  CHECK(round_trip(parsed) == parsed);
  CHECK(parsed.linux.resources_json.find("18446744073709551615") != std::string::npos);
}

TEST(oci_writer_leaves_out_defaults) {
  Config c;
  c.process.args = {"sh"};
  c.root.path = "rootfs";
  CHECK_EQ(write_config(c),
           std::string(R"({"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},)"
                       R"("root":{"path":"rootfs"},"linux":{}})"));
  CHECK(round_trip(c) == c);
}

TEST(oci_process_document) {
  Process p =
      parse_process(R"({"args":["ls","-l"],"cwd":"/tmp","env":["A=b"],"user":{"uid":5,"gid":6}})", "process.json");
  CHECK_EQ(p.args[1], std::string("-l"));
  CHECK_EQ(p.user.gid, 6u);
  CHECK(parse_process(write_process(p), "x") == p);
  CHECK_THROWS(parse_process(R"({"args":[],"cwd":"/"})", "process.json"), "process.json: args: must not be empty");
  CHECK_THROWS(parse_process(R"({"args":["a"],"cwd":"/","scheduler":{"policy":"SCHED_FIFO"}})", "p.json"),
               "p.json: scheduler: is not supported");
}

TEST(oci_lenient_where_the_spec_is) {
  // Unknown members and other platforms' sections are ignored; null is absent.
  Config c = parse_config(config_with(R"({"args":["sh"],"cwd":"/","env":null,"commandLine":"x","future":1})",
                                      R"(,"windows":{"layerFolders":[]},"vm":{},"solaris":{},"x-unknown":[1])"
                                      R"(,"hooks":null,"annotations":{})"));
  CHECK(c.process.env.empty());
  CHECK(c.annotations.empty());
  // A relative mount destination is relative to "/" (config.md, Linux, deprecated).
  c = parse_config(config_with(kProcess, R"(,"mounts":[{"destination":"data/x","type":"tmpfs"}])"));
  CHECK_EQ(c.mounts[0].destination, std::string("/data/x"));
  // consoleSize means nothing without a terminal.
  c = parse_config(config_with(R"({"args":["sh"],"cwd":"/","consoleSize":{"height":"bad"}})"));
  CHECK(!c.process.console_size);
  c = parse_config(config_with(R"({"terminal":true,"args":["sh"],"cwd":"/","consoleSize":{"height":2,"width":3}})"));
  CHECK_EQ(c.process.console_size->width, 3u);
  // A FIFO needs no device numbers.
  c = parse_config(with_linux(R"({"devices":[{"type":"p","path":"/dev/f"}]})"));
  CHECK_EQ(c.linux.devices[0].major, 0);
}

TEST(oci_unsupported_fields_are_listed) {
  Config c = parse_config(config_with(
      R"({"args":["sh"],"cwd":"/","scheduler":{"policy":"SCHED_OTHER"},"ioPriority":{"class":"IOPRIO_CLASS_BE"}})",
      R"(,"mounts":[{"destination":"/a"},{"destination":"/b","uidMappings":[],"gidMappings":[]}])"
      R"(,"linux":{"intelRdt":{"closID":"x"},"personality":{"domain":"LINUX32"},"timeOffsets":{},)"
      R"("netDevices":{"eth0":{}},"memoryPolicy":{"mode":"MPOL_BIND"},"seccomp":null})"));
  std::vector<std::string> expected = {"process.scheduler",     "process.ioPriority", "mounts[1].uidMappings",
                                       "mounts[1].gidMappings", "linux.intelRdt",     "linux.personality",
                                       "linux.timeOffsets",     "linux.netDevices",   "linux.memoryPolicy"};
  CHECK(c.linux.unsupported == expected);
  CHECK(c.linux.seccomp_json.empty());
}

TEST(oci_errors_document) {
  CHECK_THROWS(parse_config("{"), "invalid JSON in config.json");
  CHECK_THROWS(parse_config("[]"), "config.json: expected an object");
  CHECK_THROWS(parse_config(R"({"process":{}})"), "config.json: ociVersion: missing");
  CHECK_THROWS(parse_config(R"({"ociVersion":1})"), "config.json: ociVersion: expected a string");
  CHECK_THROWS(parse_config(R"({"ociVersion":"2.0.0"})"),
               "config.json: ociVersion: unsupported version \"2.0.0\" (hutch reads 1.x)");
  CHECK_THROWS(parse_config(R"({"ociVersion":"1.0.2","root":{"path":"r"}})"), "config.json: process: missing");
  CHECK_THROWS(parse_config(R"({"ociVersion":"1.0.2","process":null,"root":{"path":"r"}})"),
               "config.json: process: missing");
  CHECK_THROWS(parse_config(R"({"ociVersion":"1.0.2","process":{"args":["a"],"cwd":"/"}})"),
               "config.json: root: missing");
  CHECK_THROWS(parse_config(R"({"ociVersion":"1.0.2","process":{"args":["a"],"cwd":"/"},"root":{}})"),
               "config.json: root.path: missing");
  CHECK_THROWS(parse_config(R"({"ociVersion":"1.0.2","process":{"args":["a"],"cwd":"/"},"root":{"path":""}})"),
               "config.json: root.path: must not be empty");
  CHECK_THROWS(parse_config(R"({"ociVersion":"1.0.2","ociVersion":"1.0.2"})"),
               "config.json: ociVersion: duplicate key");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"hostname":7)")), "config.json: hostname: expected a string");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"annotations":{"a":1})")),
               "config.json: annotations.a: expected a string");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"annotations":{"":"x"})")),
               "config.json: annotations.: empty key");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"annotations":{"k":"1","k":"2"})")),
               "config.json: annotations.k: duplicate key");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"linux":[])")), "config.json: linux: expected an object");
}

TEST(oci_errors_process) {
  CHECK_THROWS(parse_config(config_with(R"({"args":["a","b",3],"cwd":"/"})")),
               "config.json: process.args[2]: expected a string");
  CHECK_THROWS(parse_config(config_with(R"({"cwd":"/"})")), "config.json: process.args: missing");
  CHECK_THROWS(parse_config(config_with(R"({"args":[],"cwd":"/"})")), "config.json: process.args: must not be empty");
  CHECK_THROWS(parse_config(config_with(R"({"args":"sh","cwd":"/"})")), "config.json: process.args: expected an array");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a\u0000b"],"cwd":"/"})")),
               "config.json: process.args[0]: contains a NUL byte");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"]})")), "config.json: process.cwd: missing");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"tmp"})")),
               "config.json: process.cwd: must be an absolute path");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","env":["A=1","NOEQUALS"]})")),
               "config.json: process.env[1]: expected NAME=VALUE, got \"NOEQUALS\"");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","env":["=x"]})")),
               "config.json: process.env[0]: expected NAME=VALUE");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","terminal":"yes"})")),
               "config.json: process.terminal: expected true or false");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","terminal":true,"consoleSize":{"height":1}})")),
               "config.json: process.consoleSize.width: missing");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","oomScoreAdj":1.5})")),
               "config.json: process.oomScoreAdj: expected an integer from -2147483648 to 2147483647");
}

TEST(oci_errors_user_numbers) {
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","user":{"gid":0}})")),
               "config.json: process.user.uid: missing");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","user":{"uid":4294967296,"gid":0}})")),
               "config.json: process.user.uid: expected an integer from 0 to 4294967295");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","user":{"uid":-1,"gid":0}})")),
               "config.json: process.user.uid: expected an integer from 0 to 4294967295");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","user":{"uid":1.0,"gid":0}})")),
               "config.json: process.user.uid: expected an integer");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","user":{"uid":"0","gid":0}})")),
               "config.json: process.user.uid: expected an integer");
  CHECK_THROWS(
      parse_config(config_with(R"({"args":["a"],"cwd":"/","user":{"uid":0,"gid":0,"additionalGids":[1,-2]}})")),
      "config.json: process.user.additionalGids[1]: expected an integer from 0 to 4294967295");
}

TEST(oci_errors_capabilities_rlimits) {
  CHECK_THROWS(
      parse_config(config_with(R"({"args":["a"],"cwd":"/","capabilities":{"bounding":["CAP_KILL","CAP_TEST"]}})")),
      "config.json: process.capabilities.bounding[1]: unknown capability \"CAP_TEST\"");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","capabilities":{"ambient":["cap_kill"]}})")),
               "config.json: process.capabilities.ambient[0]: unknown capability \"cap_kill\"");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","capabilities":[]})")),
               "config.json: process.capabilities: expected an object");
  CHECK_THROWS(
      parse_config(config_with(R"({"args":["a"],"cwd":"/","rlimits":[{"type":"RLIMIT_TEST","hard":1,"soft":1}]})")),
      "config.json: process.rlimits[0].type: unknown rlimit type \"RLIMIT_TEST\"");
  CHECK_THROWS(
      parse_config(config_with(R"({"args":["a"],"cwd":"/","rlimits":[{"type":"RLIMIT_CORE","hard":1,"soft":1},)"
                               R"({"type":"RLIMIT_CORE","hard":2,"soft":2}]})")),
      "config.json: process.rlimits[1].type: duplicate rlimit type \"RLIMIT_CORE\"");
  CHECK_THROWS(parse_config(config_with(R"({"args":["a"],"cwd":"/","rlimits":[{"type":"RLIMIT_CORE","hard":1}]})")),
               "config.json: process.rlimits[0].soft: missing");
  CHECK_THROWS(
      parse_config(config_with(R"({"args":["a"],"cwd":"/","rlimits":[{"type":"RLIMIT_CORE","hard":-1,"soft":1}]})")),
      "config.json: process.rlimits[0].hard: expected an integer from 0 to 18446744073709551615");
}

TEST(oci_errors_mounts_hooks) {
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"mounts":[{"type":"tmpfs"}])")),
               "config.json: mounts[0].destination: missing");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"mounts":[{"destination":""}])")),
               "config.json: mounts[0].destination: must not be empty");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"mounts":[{"destination":"/a","options":["ro",1]}])")),
               "config.json: mounts[0].options[1]: expected a string");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"mounts":{})")), "config.json: mounts: expected an array");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"hooks":{"poststop":[{"args":["x"]}]})")),
               "config.json: hooks.poststop[0].path: missing");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"hooks":{"createRuntime":[{"path":"bin/x"}]})")),
               "config.json: hooks.createRuntime[0].path: must be an absolute path");
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"hooks":{"prestart":[{"path":"/x","timeout":0}]})")),
               "config.json: hooks.prestart[0].timeout: must be greater than zero");
}

TEST(oci_errors_linux) {
  CHECK_THROWS(parse_config(with_linux(R"({"namespaces":[{"type":"pid"},{"type":"foo"}]})")),
               "config.json: linux.namespaces[1].type: unknown namespace type \"foo\"");
  CHECK_THROWS(parse_config(with_linux(R"({"namespaces":[{"type":"pid"},{"type":"pid","path":"/proc/1/ns/pid"}]})")),
               "config.json: linux.namespaces[1].type: duplicate namespace type \"pid\"");
  CHECK_THROWS(parse_config(with_linux(R"({"namespaces":[{"path":"/x"}]})")),
               "config.json: linux.namespaces[0].type: missing");
  CHECK_THROWS(parse_config(with_linux(R"({"namespaces":[{"type":"network","path":"netns"}]})")),
               "config.json: linux.namespaces[0].path: must be an absolute path");
  CHECK_THROWS(parse_config(with_linux(R"({"uidMappings":[{"containerID":0,"hostID":1000}]})")),
               "config.json: linux.uidMappings[0].size: missing");
  CHECK_THROWS(parse_config(with_linux(R"({"gidMappings":[{"containerID":0,"hostID":-1,"size":1}]})")),
               "config.json: linux.gidMappings[0].hostID: expected an integer from 0 to 4294967295");
  CHECK_THROWS(parse_config(with_linux(R"({"devices":[{"type":"x","path":"/dev/x","major":1,"minor":1}]})")),
               "config.json: linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)");
  CHECK_THROWS(parse_config(with_linux(R"({"devices":[{"type":"c","path":"/dev/x","major":1}]})")),
               "config.json: linux.devices[0].minor: missing");
  CHECK_THROWS(parse_config(with_linux(R"({"devices":[{"type":"c","path":"dev/x","major":1,"minor":3}]})")),
               "config.json: linux.devices[0].path: must be an absolute path");
  CHECK_THROWS(
      parse_config(with_linux(R"({"devices":[{"type":"c","path":"/dev/x","major":1,"minor":3,"fileMode":-1}]})")),
      "config.json: linux.devices[0].fileMode: expected an integer from 0 to 4294967295");
  CHECK_THROWS(parse_config(with_linux(R"({"sysctl":{"kernel.msgmax":65536}})")),
               "config.json: linux.sysctl.kernel.msgmax: expected a string");
  CHECK_THROWS(parse_config(with_linux(R"({"maskedPaths":["proc/kcore"]})")),
               "config.json: linux.maskedPaths[0]: must be an absolute path");
  CHECK_THROWS(parse_config(with_linux(R"({"readonlyPaths":["/ok",""]})")),
               "config.json: linux.readonlyPaths[1]: must be an absolute path");
  CHECK_THROWS(parse_config(with_linux(R"({"rootfsPropagation":"rshard"})")),
               "config.json: linux.rootfsPropagation: unknown propagation \"rshard\"");
  CHECK_THROWS(parse_config(with_linux(R"({"resources":[]})")), "config.json: linux.resources: expected an object");
  CHECK_THROWS(parse_config(with_linux(R"({"seccomp":"x"})")), "config.json: linux.seccomp: expected an object");
}

TEST(oci_errors_name_input_printably) {
  CHECK_THROWS(parse_config(config_with(kProcess, R"(,"annotations":{"a\u001b[31m":1})")),
               "config.json: annotations.a\\x1b[31m: expected a string");
}

TEST(oci_default_spec_is_runc_spec) {
  Config ours = default_spec(false, 0, 0);
  Config runc = parse_config(fixture("runc-spec.json"));
  runc.oci_version = ours.oci_version;
  runc.hostname = ours.hostname;
  CHECK(ours == runc);
  CHECK_EQ(ours.hostname, std::string("hutch"));

  Config rootless = default_spec(true, 1001, 1001);
  Config runc_rootless = parse_config(fixture("runc-spec-rootless.json"));
  runc_rootless.oci_version = rootless.oci_version;
  runc_rootless.hostname = rootless.hostname;
  CHECK(rootless == runc_rootless);
  CHECK(round_trip(rootless) == rootless);
}

TEST(oci_features) {
  JsonValue f = parse_json(features_json(), "features");
  CHECK_EQ(f.string_at("ociVersionMin"), std::string("1.0.0"));
  CHECK_EQ(f.strings_at("hooks").size(), 6u);
  const JsonValue* linux = f.get("linux");
  CHECK(linux != nullptr);
  std::vector<std::string> ns = linux->strings_at("namespaces");
  CHECK_EQ(ns.size(), 7u);
  CHECK(std::find(ns.begin(), ns.end(), "time") == ns.end());
  CHECK_EQ(linux->strings_at("capabilities").size(), 41u);
  CHECK(!linux->get("cgroup")->get("v1")->as_bool());
  CHECK(linux->get("cgroup")->get("v2")->as_bool());
  CHECK(linux->get("seccomp")->get("enabled")->as_bool());
  CHECK_EQ(linux->get("seccomp")->strings_at("archs").size(), 3u);
  CHECK(!linux->get("apparmor")->get("enabled")->as_bool());
  CHECK(!linux->get("mountExtensions")->get("idmap")->get("enabled")->as_bool());
  std::vector<std::string> options = f.strings_at("mountOptions");
  CHECK(std::find(options.begin(), options.end(), "rbind") != options.end());
  CHECK(std::find(options.begin(), options.end(), "idmap") == options.end());
}

TEST(capability_table) {
  CHECK_EQ(*capability_number("CAP_CHOWN"), 0);
  CHECK_EQ(*capability_number("CAP_SYS_ADMIN"), 21);
  CHECK_EQ(*capability_number("CAP_CHECKPOINT_RESTORE"), 40);
  CHECK(!capability_number("CAP_TEST"));
  CHECK(!capability_number("chown"));
  CHECK_EQ(std::string(capability_name(38)), std::string("CAP_PERFMON"));
  CHECK(capability_name(41) == nullptr);
  CHECK(capability_name(-1) == nullptr);
  for (int i = 0; i <= kLastCapability; i++) CHECK_EQ(*capability_number(capability_name(i)), i);
  CHECK_EQ(capability_mask({"CAP_CHOWN", "CAP_KILL", "CAP_CHECKPOINT_RESTORE"}),
           (1ull << 0) | (1ull << 5) | (1ull << 40));
  CHECK_EQ(capability_mask({}), 0ull);
  CHECK_THROWS(capability_mask({"CAP_KILL", "CAP_NOPE"}), "unknown capability \"CAP_NOPE\"");
}

TEST(rlimit_table) {
  CHECK_EQ(*rlimit_resource("RLIMIT_CPU"), 0);
  CHECK_EQ(*rlimit_resource("RLIMIT_NOFILE"), 7);
  CHECK_EQ(*rlimit_resource("RLIMIT_RTTIME"), 15);
  CHECK(!rlimit_resource("RLIMIT_TEST"));
  CHECK(!rlimit_resource("NOFILE"));
  CHECK_EQ(std::string(rlimit_name(6)), std::string("RLIMIT_NPROC"));
  CHECK(rlimit_name(16) == nullptr);
}
