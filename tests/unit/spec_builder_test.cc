// The spec builder's rules one by one: docker's merge of image and flags, and
// docker's config.json (as docker 20.10 writes it for `docker run`) translated
// for a user namespace.
#include <algorithm>

#include "base/error.h"
#include "container/docker_defaults.h"
#include "container/spec_builder.h"
#include "test.h"

using namespace hutch;

namespace {

using Strings = std::vector<std::string>;

ImageConfig base_image() {
  ImageConfig image;
  image.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=from-image", "BAR=from-image"};
  image.cmd = {"sh"};
  return image;
}

HostFacts sub_facts() {
  HostFacts f;
  f.host_uid = 1000;
  f.host_gid = 1000;
  f.subuid_start = 100000;
  f.subuid_count = 65536;
  f.subgid_start = 100000;
  f.subgid_count = 65536;
  f.host_hostname = "hosty";
  f.container_id = "0123456789ab" + std::string(52, 'f');
  f.layer_dirs = {"/s/layers/base", "/s/layers/mid", "/s/layers/top"};
  f.upper_dir = "/s/c/upper";
  f.work_dir = "/s/c/work";
  f.rootfs = "/s/c/rootfs";
  return f;
}

HostFacts solo_facts() {
  HostFacts f = sub_facts();
  f.subuid_start = f.subuid_count = f.subgid_start = f.subgid_count = 0;
  return f;
}

RunOptions options_with(std::vector<std::string> cmd = {}) {
  RunOptions o;
  o.config.image = "img";
  if (!cmd.empty()) o.config.cmd = cmd;
  return o;
}

oci::Config spec_of(const RunOptions& o, const HostFacts& facts = sub_facts(), const ImageConfig& image = base_image()) {
  return build_spec(merge_config(image, o), o.host, facts);
}

const oci::Mount* mount_at(const oci::Config& spec, const std::string& destination) {
  for (const auto& m : spec.mounts)
    if (m.destination == destination) return &m;
  return nullptr;
}

bool has(const Strings& list, const std::string& item) { return std::find(list.begin(), list.end(), item) != list.end(); }

Strings destinations(const oci::Config& spec) {
  Strings out;
  for (const auto& m : spec.mounts) out.push_back(m.destination);
  return out;
}

Strings namespaces(const oci::Config& spec) {
  Strings out;
  for (const auto& ns : spec.linux.namespaces) out.push_back(ns.type);
  return out;
}

std::string sysctl(const oci::Config& spec, const std::string& key) {
  for (const auto& [k, v] : spec.linux.sysctl)
    if (k == key) return v;
  return "<unset>";
}

}  // namespace

// ---- entrypoint and cmd (docker's merge)

TEST(merge_image_cmd_when_none_given) {
  ContainerConfig c = merge_config(base_image(), options_with());
  CHECK(c.cmd == Strings{"sh"});
  CHECK(!c.entrypoint);
}

TEST(merge_command_replaces_cmd_and_keeps_entrypoint) {
  ImageConfig image = base_image();
  image.entrypoint = {"/bin/echo", "ep"};
  image.cmd = {"c1"};
  ContainerConfig c = merge_config(image, options_with({"x", "y"}));
  CHECK(c.entrypoint == (Strings{"/bin/echo", "ep"}));
  CHECK(c.cmd == (Strings{"x", "y"}));
  CHECK(spec_of(options_with({"x", "y"}), sub_facts(), image).process.args == (Strings{"/bin/echo", "ep", "x", "y"}));
  CHECK(spec_of(options_with(), sub_facts(), image).process.args == (Strings{"/bin/echo", "ep", "c1"}));
}

TEST(merge_entrypoint_clears_image_cmd) {
  RunOptions o = options_with();
  o.config.entrypoint = Strings{"cat"};
  ContainerConfig c = merge_config(base_image(), o);
  CHECK(c.entrypoint == Strings{"cat"});
  CHECK(!c.cmd);
  o.config.cmd = Strings{"z"};
  CHECK(spec_of(o).process.args == (Strings{"cat", "z"}));
}

TEST(merge_empty_entrypoint_is_none_and_clears_cmd) {
  ImageConfig image = base_image();
  image.entrypoint = {"/bin/echo"};
  RunOptions o = options_with();
  o.config.entrypoint = Strings{};
  CHECK_THROWS(merge_config(image, o), "No command specified");
  o.config.entrypoint = Strings{""};  // how the flag parser may write --entrypoint ""
  CHECK_THROWS(merge_config(image, o), "No command specified");
  o.config.cmd = Strings{"echo", "hi"};
  ContainerConfig c = merge_config(image, o);
  CHECK(!c.entrypoint);
  CHECK(c.cmd == (Strings{"echo", "hi"}));
}

TEST(merge_no_command_anywhere) {
  ImageConfig image = base_image();
  image.cmd.clear();
  CHECK_THROWS(merge_config(image, options_with()), "No command specified");
}

// ---- the rest of the merge

TEST(merge_env_flags_first_then_image) {
  RunOptions o = options_with();
  o.config.env = {"FOO=file", "Q=q", "FOO=x", "BAR"};
  ContainerConfig c = merge_config(base_image(), o);
  CHECK(c.env == (Strings{"FOO=x", "Q=q", "BAR", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
  CHECK(merge_config(base_image(), options_with()).env == base_image().env);
}

TEST(merge_user_workdir_from_image_unless_given) {
  ImageConfig image = base_image();
  image.user = "alice";
  image.working_dir = "/tmp";
  ContainerConfig c = merge_config(image, options_with());
  CHECK_EQ(c.user, std::string("alice"));
  CHECK_EQ(c.working_dir, std::string("/tmp"));
  RunOptions o = options_with();
  o.config.user = "bob";
  o.config.working_dir = "/w";
  c = merge_config(image, o);
  CHECK_EQ(c.user, std::string("bob"));
  CHECK_EQ(c.working_dir, std::string("/w"));
}

TEST(merge_relative_workdir_refused) {
  RunOptions o = options_with();
  o.config.working_dir = "rel";
  CHECK_THROWS(merge_config(base_image(), o),
               "the working directory 'rel' is invalid, it needs to be an absolute path");
}

TEST(merge_labels_volumes_ports_stop_signal_healthcheck) {
  ImageConfig image = base_image();
  image.labels = {{"a", "img"}, {"b", "img"}};
  image.volumes = {"/vol1"};
  image.exposed_ports = {"80/tcp"};
  image.stop_signal = "SIGUSR1";
  image.healthcheck_json = R"({"Test":["CMD","true"]})";
  RunOptions o = options_with();
  o.config.labels = {{"b", "run"}, {"c", "run"}};
  o.config.volumes = {"/vol2"};
  ContainerConfig c = merge_config(image, o);
  CHECK(c.labels == (KeyValues{{"b", "run"}, {"c", "run"}, {"a", "img"}}));
  CHECK(c.volumes == (Strings{"/vol2", "/vol1"}));
  CHECK(c.exposed_ports == Strings{"80/tcp"});
  CHECK_EQ(c.stop_signal, std::string("SIGUSR1"));
  CHECK_EQ(c.healthcheck_json, image.healthcheck_json);
  o.config.stop_signal = "SIGTERM";
  CHECK_EQ(merge_config(image, o).stop_signal, std::string("SIGTERM"));
}

TEST(merge_keeps_tty_and_stdin_flags) {
  RunOptions o = options_with();
  o.config.tty = o.config.open_stdin = o.config.attach_stdin = o.config.stdin_once = true;
  ContainerConfig c = merge_config(base_image(), o);
  CHECK(c.tty && c.open_stdin && c.attach_stdin && c.stdin_once);
}

// ---- the process

TEST(process_env_defaults_in_docker_order) {
  RunOptions o = options_with();
  o.config.env = {"ZED=1"};
  CHECK(spec_of(o).process.env == (Strings{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                           "HOSTNAME=0123456789ab", "ZED=1", "FOO=from-image", "BAR=from-image"}));
}

TEST(process_env_path_added_only_when_absent) {
  ImageConfig image = base_image();
  image.env = {"FOO=1"};
  CHECK_EQ(spec_of(options_with(), sub_facts(), image).process.env[0], std::string(kDefaultPathEnv));
  RunOptions o = options_with();
  o.config.env = {"PATH=/p"};
  CHECK_EQ(spec_of(o).process.env[0], std::string("PATH=/p"));
}

TEST(process_env_term_with_tty_and_overrides) {
  RunOptions o = options_with();
  o.config.tty = true;
  CHECK(has(spec_of(o).process.env, "TERM=xterm"));
  CHECK(!has(spec_of(options_with()).process.env, "TERM=xterm"));
  o.config.env = {"TERM=", "HOSTNAME=h"};
  Strings env = spec_of(o).process.env;
  CHECK_EQ(env[1], std::string("HOSTNAME=h"));
  CHECK_EQ(env[2], std::string("TERM="));
}

TEST(process_env_bare_name_removes_even_defaults) {
  RunOptions o = options_with();
  o.config.env = {"HOSTNAME", "FOO"};
  Strings env = spec_of(o).process.env;
  CHECK(std::none_of(env.begin(), env.end(), [](const auto& e) { return e.compare(0, 8, "HOSTNAME") == 0; }));
  CHECK(std::none_of(env.begin(), env.end(), [](const auto& e) { return e.compare(0, 3, "FOO") == 0; }));
}

TEST(process_env_empty_home_left_to_passwd) {
  RunOptions o = options_with();
  o.config.env = {"HOME="};
  Strings env = spec_of(o).process.env;
  CHECK(std::none_of(env.begin(), env.end(), [](const auto& e) { return e.compare(0, 5, "HOME=") == 0; }));
  // Config.Env still says what was asked (docker's inspect shows "HOME=").
  CHECK(has(merge_config(base_image(), o).env, "HOME="));
  o.config.env = {"HOME=/data"};
  CHECK(has(spec_of(o).process.env, "HOME=/data"));
}

TEST(process_user_forms) {
  auto user_of = [](const std::string& u) {
    RunOptions o = options_with();
    o.config.user = u;
    return spec_of(o);
  };
  oci::Config s = user_of("");
  CHECK_EQ(s.process.user.uid, 0u);
  CHECK_EQ(*s.annotation(oci::kUserAnnotation), std::string("0"));
  s = user_of("1000");
  CHECK_EQ(s.process.user.uid, 1000u);
  CHECK_EQ(s.process.user.gid, 0u);
  CHECK_EQ(*s.annotation(oci::kUserAnnotation), std::string("1000"));
  s = user_of("1000:1001");
  CHECK_EQ(s.process.user.uid, 1000u);
  CHECK_EQ(s.process.user.gid, 1001u);
  s = user_of("alice");
  CHECK_EQ(s.process.user.uid, 0u);
  CHECK_EQ(*s.annotation(oci::kUserAnnotation), std::string("alice"));
  s = user_of("alice:50");
  CHECK_EQ(s.process.user.gid, 50u);
  s = user_of("99999999999");  // not a uid: a name for the runtime to look up
  CHECK_EQ(s.process.user.uid, 0u);
}

TEST(process_group_add_numeric) {
  RunOptions o = options_with();
  o.host.group_add = {"10", "50"};
  CHECK(spec_of(o).process.user.additional_gids == (std::vector<uint32_t>{10, 50}));
  o.host.group_add = {"staff"};
  CHECK_THROWS(spec_of(o), "--group-add staff: only numeric groups are supported yet");
}

TEST(process_cwd) {
  CHECK_EQ(spec_of(options_with()).process.cwd, std::string("/"));
  ImageConfig image = base_image();
  image.working_dir = "/tmp";
  CHECK_EQ(spec_of(options_with(), sub_facts(), image).process.cwd, std::string("/tmp"));
}

TEST(process_terminal_and_console_size) {
  HostFacts f = sub_facts();
  f.console_size = oci::ConsoleSize{24, 80};
  oci::Config s = spec_of(options_with(), f);
  CHECK(!s.process.terminal);
  CHECK(!s.process.console_size);
  RunOptions o = options_with();
  o.config.tty = true;
  s = spec_of(o, f);
  CHECK(s.process.terminal);
  CHECK_EQ(s.process.console_size->height, 24u);
  CHECK_EQ(s.process.console_size->width, 80u);
}

TEST(process_no_rlimits_no_oom_by_default) {
  oci::Config s = spec_of(options_with());
  CHECK(s.process.rlimits.empty());
  CHECK(!s.process.oom_score_adj);
  CHECK(!s.process.no_new_privileges);
  RunOptions o = options_with();
  o.host.oom_score_adj = 100;
  CHECK_EQ(*spec_of(o).process.oom_score_adj, 100);
  o.host.oom_score_adj = 2000;
  CHECK_THROWS(spec_of(o), "Invalid value 2000, range for oom score adj is [-1000, 1000]");
}

// ---- capabilities

TEST(caps_default_fourteen_for_root) {
  oci::Capabilities c = *spec_of(options_with()).process.capabilities;
  CHECK_EQ(c.bounding.size(), 14u);
  CHECK_EQ(c.bounding[0], std::string("CAP_CHOWN"));
  CHECK_EQ(c.bounding[13], std::string("CAP_AUDIT_WRITE"));
  CHECK(c.effective == c.bounding);
  CHECK(c.permitted == c.bounding);
  CHECK(c.inheritable.empty());
  CHECK(c.ambient.empty());
}

TEST(caps_numeric_non_root_gets_bounding_only) {
  RunOptions o = options_with();
  o.config.user = "1000";
  oci::Capabilities c = *spec_of(o).process.capabilities;
  CHECK_EQ(c.bounding.size(), 14u);
  CHECK(c.effective.empty() && c.permitted.empty());
  o.config.user = "0:1000";
  CHECK_EQ(spec_of(o).process.capabilities->effective.size(), 14u);
}

TEST(caps_add_drop_any_case_with_or_without_prefix) {
  RunOptions o = options_with();
  o.host.cap_add = {"net_admin", "CAP_SYS_ADMIN", "Kill"};
  o.host.cap_drop = {"chown"};
  Strings b = spec_of(o).process.capabilities->bounding;
  CHECK_EQ(b.size(), 15u);
  CHECK(!has(b, "CAP_CHOWN"));
  CHECK_EQ(b[b.size() - 2], std::string("CAP_NET_ADMIN"));
  CHECK_EQ(b.back(), std::string("CAP_SYS_ADMIN"));
  CHECK_EQ(std::count(b.begin(), b.end(), "CAP_KILL"), 1);
}

TEST(caps_drop_all_keeps_only_added) {
  RunOptions o = options_with();
  o.host.cap_drop = {"all"};
  o.host.cap_add = {"kill"};
  CHECK(spec_of(o).process.capabilities->bounding == Strings{"CAP_KILL"});
  o.host.cap_add = {};
  CHECK(spec_of(o).process.capabilities->bounding.empty());
}

TEST(caps_add_all_minus_dropped) {
  RunOptions o = options_with();
  o.host.cap_add = {"ALL"};
  o.host.cap_drop = {"mknod"};
  Strings b = spec_of(o).process.capabilities->bounding;
  CHECK_EQ(b.size(), all_capabilities().size() - 1);
  CHECK(!has(b, "CAP_MKNOD"));
  CHECK(has(b, "CAP_CHECKPOINT_RESTORE"));
}

TEST(caps_privileged_gets_all) {
  RunOptions o = options_with();
  o.host.privileged = true;
  o.host.cap_drop = {"chown"};  // docker: privileged wins
  CHECK(spec_of(o).process.capabilities->bounding == all_capabilities());
  CHECK_EQ(all_capabilities().size(), 41u);
}

TEST(caps_unknown_name_docker_message) {
  RunOptions o = options_with();
  o.host.cap_add = {"foo"};
  o.host.cap_drop = {"bar"};
  CHECK_THROWS(spec_of(o), "invalid CapAdd: unknown capability: \"CAP_FOO\"");
  o.host.cap_add = {};
  CHECK_THROWS(spec_of(o), "invalid CapDrop: unknown capability: \"CAP_BAR\"");
}

// ---- security options

TEST(security_opt_no_new_privileges_forms) {
  auto nnp = [](const Strings& opts) {
    RunOptions o = options_with();
    o.host.security_opt = opts;
    return spec_of(o).process.no_new_privileges;
  };
  CHECK(nnp({"no-new-privileges"}));
  CHECK(nnp({"no-new-privileges:true"}));
  CHECK(nnp({"no-new-privileges=1"}));
  CHECK(!nnp({"no-new-privileges", "no-new-privileges=false"}));
  CHECK(!nnp({"label=disable", "apparmor=unconfined", "seccomp=unconfined", "label:type:x"}));
}

TEST(security_opt_errors) {
  RunOptions o = options_with();
  o.host.security_opt = {"bogus"};
  CHECK_THROWS(spec_of(o), "Invalid --security-opt: \"bogus\"");
  o.host.security_opt = {"foo=bar"};
  CHECK_THROWS(spec_of(o), "invalid --security-opt 2: \"foo=bar\"");
  o.host.security_opt = {"no-new-privileges:maybe"};
  CHECK_THROWS(spec_of(o), "invalid --security-opt 2: \"no-new-privileges:maybe\"");
  o.host.security_opt = {"seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"};
  CHECK_THROWS(spec_of(o), "only \"unconfined\" is supported yet");
}

// ---- root, hostname

TEST(root_path_and_readonly) {
  oci::Config s = spec_of(options_with());
  CHECK_EQ(s.root.path, std::string("/s/c/rootfs"));
  CHECK(!s.root.readonly);
  RunOptions o = options_with();
  o.host.readonly_rootfs = true;
  CHECK(spec_of(o).root.readonly);
}

TEST(hostname_rules) {
  CHECK_EQ(spec_of(options_with()).hostname, std::string("0123456789ab"));
  RunOptions o = options_with();
  o.config.hostname = "hh";
  o.config.domainname = "dd";
  oci::Config s = spec_of(o);
  CHECK_EQ(s.hostname, std::string("hh"));
  CHECK_EQ(s.domainname, std::string("dd"));
  CHECK(has(s.process.env, "HOSTNAME=hh"));
  RunOptions host = options_with();
  host.host.network_mode = "host";
  CHECK_EQ(spec_of(host).hostname, std::string("hosty"));
  CHECK(has(spec_of(host).process.env, "HOSTNAME=hosty"));
  CHECK_EQ(container_hostname(merge_config(base_image(), host), host.host, sub_facts()), std::string("hosty"));
  host.config.hostname = "foo";  // docker allows it: the container keeps its own UTS namespace
  CHECK_EQ(spec_of(host).hostname, std::string("foo"));
}

TEST(uts_host_no_namespace_no_hostname) {
  RunOptions o = options_with();
  o.host.uts_mode = "host";
  oci::Config s = spec_of(o);
  CHECK(!s.linux.has_namespace("uts"));
  CHECK(s.hostname.empty());
  CHECK(has(s.process.env, "HOSTNAME=0123456789ab"));  // docker's env still names the id
  // the record's Config.Hostname is filled: building from it again works
  ContainerConfig recorded = merge_config(base_image(), o);
  recorded.hostname = container_hostname(recorded, o.host, sub_facts());
  CHECK(build_spec(recorded, o.host, sub_facts()).hostname.empty());
  o.config.hostname = "foo";
  CHECK_THROWS(spec_of(o), "conflicting options: hostname and the UTS mode");
  o.config.hostname = "";
  o.config.domainname = "dd";
  CHECK_THROWS(spec_of(o), "conflicting options: domainname and the UTS mode");
  o.config.domainname = "";
  o.host.uts_mode = "weird";
  CHECK_THROWS(spec_of(o), "--uts: invalid UTS mode");
}

// ---- mounts

TEST(overlay_first_lower_top_first) {
  oci::Config s = spec_of(options_with());
  const oci::Mount& m = s.mounts[0];
  CHECK_EQ(m.destination, std::string("/"));
  CHECK_EQ(m.type, std::string("overlay"));
  CHECK_EQ(m.source, std::string("overlay"));
  CHECK(m.options == (Strings{"lowerdir=/s/layers/top:/s/layers/mid:/s/layers/base", "upperdir=/s/c/upper",
                              "workdir=/s/c/work", "userxattr"}));
  RunOptions o = options_with();
  HostFacts f = sub_facts();
  f.volatile_upper = true;
  CHECK_EQ(spec_of(o, f).mounts[0].options.back(), std::string("volatile"));
}

TEST(overlay_escapes_option_syntax) {
  HostFacts f = sub_facts();
  f.layer_dirs = {"/a:b", "/c,d", "/e\\f"};
  f.upper_dir = "/u:1,2";
  Strings options = spec_of(options_with(), f).mounts[0].options;
  CHECK_EQ(options[0], std::string("lowerdir=/e\\\\f:/c\\,d:/a\\:b"));
  CHECK_EQ(options[1], std::string("upperdir=/u\\:1\\,2"));
}

TEST(default_mounts_in_docker_order) {
  oci::Config s = spec_of(options_with());
  CHECK(destinations(s) ==
        (Strings{"/", "/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"}));
  CHECK(mount_at(s, "/proc")->type == "proc");
  CHECK(mount_at(s, "/proc")->options == (Strings{"nosuid", "noexec", "nodev"}));
  CHECK(mount_at(s, "/dev")->type == "tmpfs");
  CHECK(mount_at(s, "/dev")->options == (Strings{"nosuid", "strictatime", "mode=755", "size=65536k"}));
  CHECK(mount_at(s, "/dev/pts")->options ==
        (Strings{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}));
  CHECK(mount_at(s, "/sys")->type == "sysfs");
  CHECK(mount_at(s, "/sys")->options == (Strings{"nosuid", "noexec", "nodev", "ro"}));
  CHECK(mount_at(s, "/sys/fs/cgroup")->type == "cgroup");
  CHECK(mount_at(s, "/dev/mqueue")->type == "mqueue");
  const oci::Mount* shm = mount_at(s, "/dev/shm");
  CHECK_EQ(shm->type, std::string("tmpfs"));
  CHECK_EQ(shm->source, std::string("shm"));
  CHECK(shm->options == (Strings{"nosuid", "noexec", "nodev", "mode=1777", "size=67108864"}));
  CHECK(s.linux.devices.empty());  // the runtime's default devices
}

TEST(devpts_gid5_only_when_mapped) {
  auto pts_has_gid5 = [](uint32_t subgids) {
    HostFacts f = sub_facts();
    f.subgid_count = subgids;
    return has(mount_at(spec_of(options_with(), f), "/dev/pts")->options, "gid=5");
  };
  CHECK(!pts_has_gid5(0));
  CHECK(!pts_has_gid5(4));
  CHECK(pts_has_gid5(5));
}

TEST(shm_size_and_zero_default) {
  RunOptions o = options_with();
  o.host.shm_size = 1 << 30;
  CHECK(has(mount_at(spec_of(o), "/dev/shm")->options, "size=1073741824"));
  o.host.shm_size = 0;
  CHECK(has(mount_at(spec_of(o), "/dev/shm")->options, "size=67108864"));
  o.host.shm_size = -1;
  CHECK_THROWS(spec_of(o), "SHM size can not be less than 0");
}

TEST(privileged_sys_writable) {
  RunOptions o = options_with();
  o.host.privileged = true;
  CHECK(!has(mount_at(spec_of(o), "/sys")->options, "ro"));
}

TEST(own_mounts_after_defaults_by_depth) {
  HostFacts f = sub_facts();
  f.mounts = {{"/c/hosts", "/etc/hosts", {"rbind", "rprivate"}},
              {"/v/etc", "/etc", {"rbind"}},
              {"/c/hostname", "/etc/hostname", {"rbind", "rprivate"}},
              {"", "/run", {"noexec", "nosuid", "nodev", "rprivate"}, "tmpfs"}};
  oci::Config s = spec_of(options_with(), f);
  Strings d = destinations(s);
  CHECK(Strings(d.begin() + 8, d.end()) == (Strings{"/etc", "/run", "/etc/hosts", "/etc/hostname"}));
  CHECK_EQ(mount_at(s, "/run")->type, std::string("tmpfs"));
  CHECK(mount_at(s, "/etc/hosts")->options == (Strings{"rbind", "rprivate"}));
}

TEST(own_mount_replaces_default) {
  HostFacts f = sub_facts();
  f.mounts = {{"/big", "/dev/shm", {"rbind"}}};
  oci::Config s = spec_of(options_with(), f);
  Strings d = destinations(s);
  CHECK_EQ(std::count(d.begin(), d.end(), "/dev/shm"), 1);
  CHECK_EQ(mount_at(s, "/dev/shm")->source, std::string("/big"));
  f.mounts = {{"/mydev", "/dev", {"rbind"}}};
  s = spec_of(options_with(), f);
  CHECK(destinations(s) == (Strings{"/", "/proc", "/sys", "/sys/fs/cgroup", "/dev"}));
}

// ---- namespaces

TEST(namespaces_default) {
  oci::Config s = spec_of(options_with());
  CHECK(namespaces(s) == (Strings{"user", "mount", "network", "uts", "pid", "ipc"}));
  for (const auto& ns : s.linux.namespaces) CHECK(ns.path.empty());
}

TEST(id_mappings_with_and_without_range) {
  oci::Config s = spec_of(options_with());
  CHECK_EQ(s.linux.uid_mappings.size(), 2u);
  CHECK_EQ(s.linux.uid_mappings[0].container_id, 0u);
  CHECK_EQ(s.linux.uid_mappings[0].host_id, 1000u);
  CHECK_EQ(s.linux.uid_mappings[0].size, 1u);
  CHECK_EQ(s.linux.uid_mappings[1].container_id, 1u);
  CHECK_EQ(s.linux.uid_mappings[1].host_id, 100000u);
  CHECK_EQ(s.linux.uid_mappings[1].size, 65536u);
  CHECK_EQ(s.linux.gid_mappings.size(), 2u);
  s = spec_of(options_with(), solo_facts());
  CHECK_EQ(s.linux.uid_mappings.size(), 1u);
  CHECK_EQ(s.linux.gid_mappings.size(), 1u);
  CHECK_EQ(s.linux.gid_mappings[0].host_id, 1000u);
}

TEST(network_host_rules) {
  RunOptions o = options_with();
  o.host.network_mode = "host";
  oci::Config s = spec_of(o);
  CHECK(!s.linux.has_namespace("network"));
  const oci::Mount* sys = mount_at(s, "/sys");
  CHECK_EQ(sys->type, std::string("bind"));
  CHECK_EQ(sys->source, std::string("/sys"));
  CHECK(sys->options == (Strings{"rbind", "nosuid", "noexec", "nodev", "ro"}));
  CHECK(s.linux.sysctl.empty());
}

TEST(network_modes) {
  RunOptions o = options_with();
  for (const char* mode : {"", "default", "bridge", "none"}) {
    o.host.network_mode = mode;
    CHECK(spec_of(o).linux.has_namespace("network"));
  }
  // The monitor points it at the other container's, which it finds then.
  o.host.network_mode = "container:other";
  CHECK(spec_of(o).linux.has_namespace("network"));
  // Any other name is a user network's, which run has found by then.
  o.host.network_mode = "mynet";
  CHECK(spec_of(o).linux.has_namespace("network"));
}

TEST(pid_host_binds_proc) {
  RunOptions o = options_with();
  o.host.pid_mode = "host";
  oci::Config s = spec_of(o);
  CHECK(!s.linux.has_namespace("pid"));
  CHECK_EQ(mount_at(s, "/proc")->type, std::string("bind"));
  CHECK(mount_at(s, "/proc")->options == (Strings{"rbind", "nosuid", "noexec", "nodev"}));
  o.host.pid_mode = "container:x";
  CHECK_THROWS(spec_of(o), "not supported yet");
  o.host.pid_mode = "weird";
  CHECK_THROWS(spec_of(o), "--pid: invalid PID mode");
}

TEST(ipc_modes) {
  RunOptions o = options_with();
  o.host.ipc_mode = "host";
  oci::Config s = spec_of(o);
  CHECK(!s.linux.has_namespace("ipc"));
  CHECK(!mount_at(s, "/dev/mqueue"));
  CHECK_EQ(mount_at(s, "/dev/shm")->type, std::string("bind"));
  CHECK_EQ(mount_at(s, "/dev/shm")->source, std::string("/dev/shm"));
  o.host.ipc_mode = "none";
  s = spec_of(o);
  CHECK(s.linux.has_namespace("ipc"));
  CHECK(!mount_at(s, "/dev/shm"));
  o.host.ipc_mode = "shareable";
  CHECK(mount_at(spec_of(o), "/dev/shm")->type == "tmpfs");
  o.host.ipc_mode = "container:x";
  CHECK_THROWS(spec_of(o), "--ipc container:x: sharing another container's namespace is not supported yet");
  o.host.ipc_mode = "weird";
  CHECK_THROWS(spec_of(o), "Invalid IPC mode: weird");
}

TEST(cgroupns_follows_host_version) {
  CHECK(!spec_of(options_with()).linux.has_namespace("cgroup"));  // docker 20.10 on cgroup v1
  HostFacts f = sub_facts();
  f.cgroup2 = true;
  CHECK(spec_of(options_with(), f).linux.has_namespace("cgroup"));
  RunOptions o = options_with();
  o.host.cgroupns_mode = "private";
  CHECK(spec_of(o).linux.has_namespace("cgroup"));
  o.host.cgroupns_mode = "weird";
  CHECK_THROWS(spec_of(o), "--cgroupns: invalid CGROUP mode");
  CHECK_EQ(with_daemon_defaults(HostConfig(), sub_facts()).cgroupns_mode, std::string("host"));
  CHECK_EQ(with_daemon_defaults(HostConfig(), f).cgroupns_mode, std::string("private"));
}

TEST(userns_modes) {
  RunOptions o = options_with();
  o.host.userns_mode = "host";
  CHECK(spec_of(o).linux.has_namespace("user"));
  o.host.userns_mode = "keep-id";
  CHECK_THROWS(spec_of(o), "--userns: invalid USER mode");
}

// ---- path lists

TEST(masked_and_readonly_paths) {
  oci::Config s = spec_of(options_with());
  CHECK_EQ(s.linux.masked_paths.size(), 11u);
  CHECK(has(s.linux.masked_paths, "/proc/kcore"));
  CHECK(has(s.linux.masked_paths, "/sys/firmware"));
  CHECK(s.linux.readonly_paths == (Strings{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  RunOptions o = options_with();
  o.host.privileged = true;
  s = spec_of(o);
  CHECK(s.linux.masked_paths.empty() && s.linux.readonly_paths.empty());
  o.host.privileged = false;
  o.host.security_opt = {"systempaths=unconfined"};
  s = spec_of(o);
  CHECK(s.linux.masked_paths.empty() && s.linux.readonly_paths.empty());
  o.host.security_opt = {};
  o.host.masked_paths = Strings{"/proc/x"};
  CHECK(spec_of(o).linux.masked_paths == Strings{"/proc/x"});
}

TEST(daemon_defaults_record_the_lists) {
  HostConfig h = with_daemon_defaults(HostConfig(), sub_facts());
  CHECK_EQ(h.masked_paths->size(), 11u);
  CHECK_EQ(h.readonly_paths->size(), 5u);
  HostConfig p;
  p.privileged = true;
  CHECK(!with_daemon_defaults(p, sub_facts()).masked_paths);
}

// ---- sysctls

TEST(sysctl_defaults_for_own_network) {
  oci::Config s = spec_of(options_with());
  CHECK_EQ(sysctl(s, "net.ipv4.ip_unprivileged_port_start"), std::string("0"));
  CHECK_EQ(sysctl(s, "net.ipv4.ping_group_range"), std::string("0 65536"));
  CHECK_EQ(sysctl(spec_of(options_with(), solo_facts()), "net.ipv4.ping_group_range"), std::string("0 0"));
}

TEST(sysctl_given_and_overriding_defaults) {
  RunOptions o = options_with();
  o.host.sysctls = {{"net.ipv4.ip_forward", "1"}, {"kernel.msgmax", "1000"}, {"fs.mqueue.msg_max", "10"},
                    {"net.ipv4.ip_unprivileged_port_start", "1024"}, {"kernel.shm_rmid_forced", "1"}};
  oci::Config s = spec_of(o);
  CHECK_EQ(sysctl(s, "net.ipv4.ip_forward"), std::string("1"));
  CHECK_EQ(sysctl(s, "kernel.msgmax"), std::string("1000"));
  CHECK_EQ(sysctl(s, "net.ipv4.ip_unprivileged_port_start"), std::string("1024"));
  CHECK_EQ(s.linux.sysctl.size(), 6u);
  CHECK(std::is_sorted(s.linux.sysctl.begin(), s.linux.sysctl.end()));
}

TEST(sysctl_docker_validation) {
  RunOptions o = options_with();
  o.host.sysctls = {{"kernel.hostname", "x"}};
  CHECK_THROWS(spec_of(o),
               "invalid argument \"kernel.hostname=x\" for \"--sysctl\" flag: sysctl 'kernel.hostname=x' is not whitelisted");
  o.host.sysctls = {{"net.ipv4.ip_forward", "1"}};
  o.host.network_mode = "host";
  CHECK_THROWS(spec_of(o), "sysctl \"net.ipv4.ip_forward\" is not allowed in the hosts network namespace");
  o.host.network_mode = "default";
  o.host.sysctls = {{"kernel.shmmax", "1"}};
  o.host.ipc_mode = "host";
  CHECK_THROWS(spec_of(o), "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace");
}

// ---- refused

// ---- --init

TEST(init_runs_the_command_under_docker_init_bound_read_only) {
  RunOptions o = options_with({"sleep", "1"});
  o.host.init = true;
  oci::Config spec = spec_of(o);
  CHECK(spec.process.args == (Strings{"/sbin/docker-init", "--", "sleep", "1"}));
  const oci::Mount* m = mount_at(spec, "/sbin/docker-init");
  CHECK(m != nullptr);
  // Not a path: only provide_init gives it one (a copy of hutch's binary).
  CHECK_EQ(m->source, std::string("hutch:docker-init"));
  CHECK(m->options == (Strings{"bind", "ro"}));
  o.host.init = false;
  CHECK(spec_of(o).process.args == (Strings{"sleep", "1"}));
  CHECK(mount_at(spec_of(o), "/sbin/docker-init") == nullptr);
}

// ---- what the merge reads from an image config

TEST(image_config_fields_for_the_merge) {
  ImageConfig image = parse_image_config(
      R"({"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":["c"],"Entrypoint":["e"],
          "User":"u","WorkingDir":"/w","Volumes":{"/v":{}},"ExposedPorts":{"80/tcp":{}},
          "Labels":{"k":"v"},"StopSignal":"SIGINT","Healthcheck":{"Test":["NONE"]},"ArgsEscaped":true},
          "rootfs":{"type":"layers","diff_ids":[]}})");
  CHECK(image.volumes == Strings{"/v"});
  CHECK(image.exposed_ports == Strings{"80/tcp"});
  CHECK(image.labels == (KeyValues{{"k", "v"}}));
  CHECK_EQ(image.stop_signal, std::string("SIGINT"));
  CHECK_EQ(image.healthcheck_json, std::string(R"({"Test":["NONE"]})"));
  ContainerConfig c = merge_config(image, options_with());
  CHECK(c.args_escaped);
  CHECK(c.entrypoint == Strings{"e"});
  CHECK_EQ(c.healthcheck_json, image.healthcheck_json);
  RunOptions o = options_with({"x"});
  CHECK(!merge_config(image, o).args_escaped);  // it describes the image's Cmd only
}
