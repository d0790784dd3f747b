// docker's mount syntaxes: each expected message is what docker 20.10's
// daemon or docker 28's CLI printed for the same input (after "Error
// response from daemon: " or "docker: ").
#include "container/mount_options.h"

#include "base/csv.h"
#include "base/error.h"
#include "base/file.h"
#include "base/mount_flags.h"
#include "test.h"

using namespace hutch;

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

}  // namespace

TEST(csv_record_as_go_reads_it) {
  CHECK_EQ(joined(read_csv_record("a,b,c")), "a|b|c");
  CHECK_EQ(joined(read_csv_record("type=bind,\"src=/a,b\",dst=/x")), "type=bind|src=/a,b|dst=/x");
  CHECK_EQ(joined(read_csv_record("\"a\"\"b\",c")), "a\"b|c");
  CHECK_EQ(joined(read_csv_record("a,")), "a|");
  CHECK_EQ(joined(read_csv_record("\n\na,b\nc,d")), "a|b");  // empty lines skipped, one record read
  CHECK_EQ(joined(read_csv_record("a,b\r\n")), "a|b");
  CHECK_EQ(joined(read_csv_record("\"a\nb\",c")), "a\nb|c");
  CHECK_THROWS(read_csv_record(""), "EOF");
  CHECK_THROWS(read_csv_record("type=bind,src=\"/tmp/vol-h/d\",dst=/x"),
               "parse error on line 1, column 15: bare \" in non-quoted-field");
  CHECK_THROWS(read_csv_record("type=bind,\"src=/tmp/vol-h/d\",dst=/x,\"foo"),
               "parse error on line 1, column 41: extraneous or missing \" in quoted-field");
  CHECK_THROWS(read_csv_record("type=bind,\"src=/tmp/vol-h/d\"x,dst=/x"),
               "parse error on line 1, column 28: extraneous or missing \" in quoted-field");
}

TEST(clean_path_is_gos) {
  CHECK_EQ(clean_path("/x/./y/"), "/x/y");
  CHECK_EQ(clean_path("/x/../y"), "/y");
  CHECK_EQ(clean_path("//a//b"), "/a/b");
  CHECK_EQ(clean_path("/.."), "/");
  CHECK_EQ(clean_path("a/../.."), "..");
  CHECK_EQ(clean_path(""), ".");
}

TEST(volume_flag_sorted_as_docker_cli) {
  ContainerConfig config;
  HostConfig host;
  add_volume_flag("/data", "/cwd", config, host);
  add_volume_flag("/data", "/cwd", config, host);  // the same value counts once
  add_volume_flag("x", "/cwd", config, host);      // a short spec is a target
  add_volume_flag("/h:/c:ro", "/cwd", config, host);
  add_volume_flag("/h:/c:ro", "/cwd", config, host);
  add_volume_flag("name:/n", "/cwd", config, host);
  add_volume_flag("./rel:/r", "/cwd", config, host);
  add_volume_flag("..:/up:rw", "/cwd/sub", config, host);
  add_volume_flag("./d/../d:/x:ro", "/cwd", config, host);
  add_volume_flag("~/x:/y", "/cwd", config, host);  // a file path, but not made absolute
  CHECK_EQ(joined(config.volumes), "/data|x");
  CHECK_EQ(joined(host.binds), "/h:/c:ro|name:/n|/cwd/rel:/r|/cwd:/up:rw|/cwd/d:/x:ro|~/x:/y");
  CHECK_THROWS(add_volume_flag("", "/", config, host), "invalid empty volume spec");
  CHECK_THROWS(add_volume_flag("/a:/b:ro:rw", "/", config, host), "invalid spec: /a:/b:ro:rw: too many colons");
  CHECK_THROWS(add_volume_flag("/x:", "/", config, host), "invalid spec: /x:: empty section between colons");
  CHECK_THROWS(add_volume_flag(":/x", "/", config, host), "invalid spec: :/x: empty section between colons");
}

TEST(bind_parsed_as_docker_daemon) {
  PlannedMount b = parse_bind("/tmp/vol-h//d/:/x/./y/:ro,Z");
  CHECK(b.kind == MountKind::kBind);
  CHECK_EQ(b.source, "/tmp/vol-h/d");
  CHECK_EQ(b.destination, "/x/y");
  CHECK(b.read_only);
  CHECK(b.create_source);
  CHECK_EQ(b.propagation, "rprivate");
  CHECK_EQ(b.mode, "ro,Z");
  CHECK_EQ(parse_bind("/h:/c:rslave").propagation, "rslave");
  CHECK(!parse_bind("/h:/c:z,cached").read_only);

  PlannedMount v = parse_bind("ab:/y:rw,nocopy,z,cached");
  CHECK(v.kind == MountKind::kVolume);
  CHECK_EQ(v.volume_name, "ab");
  CHECK(v.nocopy);
  CHECK(!v.anonymous);
  CHECK(!v.create_source);

  CHECK_THROWS(parse_bind("/tmp/vol-h/d:/x:ro,rw"), "invalid mode: ro,rw");
  CHECK_THROWS(parse_bind("/tmp/vol-h/d:/x:shared,slave"), "invalid mode: shared,slave");
  CHECK_THROWS(parse_bind("/tmp/vol-h/d:/x:bogus"), "invalid mode: bogus");
  CHECK_THROWS(parse_bind("ab:/y:cached,delegated"), "invalid mode: cached,delegated");
  CHECK_THROWS(parse_bind("/x:ro"), "invalid volume specification: '/x:ro'");
  CHECK_THROWS(parse_bind("/a:/b:ro:rw"), "invalid volume specification: '/a:/b:ro:rw'");
  CHECK_THROWS(parse_bind("/tmp/vol-h/d:/x:nocopy"),
               "invalid volume specification: '/tmp/vol-h/d:/x:nocopy': invalid mount config for type \"bind\": "
               "field VolumeOptions must not be specified");
  CHECK_THROWS(parse_bind("ab:/y:shared"),
               "invalid volume specification: 'ab:/y:shared': invalid mount config for type \"volume\": field "
               "BindOptions must not be specified");
  CHECK_THROWS(parse_bind("/tmp/vol-h/d:x"),
               "invalid volume specification: '/tmp/vol-h/d:x': invalid mount config for type \"bind\": invalid "
               "mount path: 'x' mount path must be absolute");
  CHECK_THROWS(parse_bind("/tmp/vol-h/d:/"),
               "invalid volume specification: '/tmp/vol-h/d:/': invalid mount config for type \"bind\": invalid "
               "specification: destination can't be '/'");
  CHECK_THROWS(parse_bind("vv2:/"),
               "invalid volume specification: 'vv2:/': invalid mount config for type \"volume\": invalid "
               "specification: destination can't be '/'");
  CHECK_THROWS(parse_bind("rel/dir:/x"),
               "create rel/dir: \"rel/dir\" includes invalid characters for a local volume name, only "
               "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute "
               "path");
  CHECK_THROWS(parse_bind("a:/x/../"), "destination can't be '/'");
}

TEST(mount_flag_parsed_as_docker_cli) {
  MountSpec m = parse_mount_flag("type=bind,source=/h,target=/x,readonly,bind-propagation=RSLAVE", "/cwd");
  CHECK_EQ(m.type, "bind");
  CHECK_EQ(m.source, "/h");
  CHECK_EQ(m.target, "/x");
  CHECK(m.read_only);
  CHECK_EQ(m.bind_propagation, "rslave");
  m = parse_mount_flag("TYPE=BIND,SRC=.,dst=/x,ro=0,bind-nonrecursive", "/cwd");
  CHECK_EQ(m.type, "bind");
  CHECK_EQ(m.source, "/cwd");
  CHECK(!m.read_only);
  CHECK(m.bind_nonrecursive);
  CHECK_EQ(parse_mount_flag("type=bind,src=./d/,dst=/x", "/cwd").source, "/cwd/d");
  CHECK_EQ(parse_mount_flag("type=bind,src=../d,dst=/x", "/cwd/sub").source, "/cwd/d");
  CHECK_EQ(parse_mount_flag("type=volume,src=.rel,dst=/x", "/cwd").source, "/cwd/.rel");
  CHECK_EQ(parse_mount_flag("type=bind,src=d,dst=/x", "/cwd").source, "d");  // refused later, by the daemon's rule

  m = parse_mount_flag("dst=/x,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-label=a=b,volume-label=c,"
                       "volume-driver=local,volume-nocopy=true",
                       "/");
  CHECK_EQ(m.type, "volume");  // the default
  CHECK(m.volume_nocopy);
  CHECK_EQ(m.volume_driver_options.size(), (size_t)2);
  CHECK_EQ(m.volume_driver_options[0].second, "tmpfs");
  CHECK_EQ(m.volume_labels.size(), (size_t)2);
  CHECK_EQ(m.volume_labels[1].first, "c");
  CHECK_EQ(m.volume_labels[1].second, "");

  m = parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=1.5m,tmpfs-mode=0700", "/");
  CHECK_EQ(m.tmpfs_size, (int64_t)1536 * 1024);
  CHECK_EQ(m.tmpfs_mode, (uint32_t)0700);
  CHECK_EQ(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=1MiB", "/").tmpfs_size, (int64_t)1 << 20);
  CHECK_EQ(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=1 g", "/").tmpfs_size, (int64_t)1 << 30);
  CHECK_EQ(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=10", "/").tmpfs_size, (int64_t)10);
  CHECK_EQ(parse_mount_flag("type=bind,src=/h,dst=/x\n,ro", "/").read_only, false);  // one record only

  const std::string p = "invalid argument ";
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,foo=bar", "/"),
               p + "\"type=bind,src=/h,dst=/x,foo=bar\" for \"--mount\" flag: unexpected key 'foo' in 'foo=bar'");
  CHECK_THROWS(parse_mount_flag("type=bind, src=/h,dst=/x", "/"), "unexpected key ' src' in ' src=/h'");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,foo", "/"), "invalid field 'foo' must be a key=value pair");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,", "/"), "invalid field '' must be a key=value pair");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,readonly=maybe", "/"), "invalid value for readonly: maybe");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,readonly=", "/"), "invalid value for readonly: ");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,bind-nonrecursive=maybe", "/"),
               "invalid value for bind-nonrecursive: maybe");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h", "/"), "for \"--mount\" flag: target is required");
  CHECK_THROWS(parse_mount_flag("type=tmpfs,target=", "/"), "target is required");
  CHECK_THROWS(parse_mount_flag("type=,dst=/x", "/"), "type is required");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,volume-nocopy", "/"),
               "cannot mix 'volume-*' options with mount type 'bind'");
  CHECK_THROWS(parse_mount_flag("type=volume,src=v,dst=/x,bind-propagation=shared", "/"),
               "cannot mix 'bind-*' options with mount type 'volume'");
  CHECK_THROWS(parse_mount_flag("type=bind,src=/h,dst=/x,tmpfs-mode=1", "/"),
               "cannot mix 'tmpfs-*' options with mount type 'bind'");
  CHECK_THROWS(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=abc", "/"), "invalid value for tmpfs-size: abc");
  CHECK_THROWS(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=-1", "/"), "invalid value for tmpfs-size: -1");
  CHECK_THROWS(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-size=1.2.3", "/"), "invalid value for tmpfs-size: 1.2.3");
  CHECK_THROWS(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-mode=999", "/"), "invalid value for tmpfs-mode: 999");
  CHECK_THROWS(parse_mount_flag("type=tmpfs,dst=/t,tmpfs-mode=0o755", "/"), "invalid value for tmpfs-mode: 0o755");
  CHECK_THROWS(parse_mount_flag("", "/"), "invalid argument \"\" for \"--mount\" flag: EOF");
  CHECK_THROWS(parse_mount_flag("type=bind,src=\"/h\",dst=/x", "/"),
               "invalid argument \"type=bind,src=\\\"/h\\\",dst=/x\" for \"--mount\" flag: parse error on line 1, "
               "column 15: bare \" in non-quoted-field");
}

TEST(mount_spec_checked_as_docker_daemon) {
  auto spec = [](const std::string& flag) { return parse_mount_spec(parse_mount_flag(flag, "/")); };
  PlannedMount b = spec("type=bind,src=/h/,dst=/x/,bind-nonrecursive,bind-propagation=rshared");
  CHECK(b.kind == MountKind::kBind);
  CHECK_EQ(b.source, "/h");
  CHECK_EQ(b.destination, "/x");
  CHECK(!b.recursive);
  CHECK(!b.create_source);  // --mount: a missing source is an error, not created
  CHECK_EQ(b.propagation, "rshared");
  PlannedMount v = spec("type=volume,dst=/v,volume-nocopy,volume-label=a=1,volume-opt=type=tmpfs");
  CHECK(v.anonymous);
  CHECK(v.nocopy);
  CHECK_EQ(v.volume_labels["a"], "1");
  CHECK_EQ(v.volume_options["type"], "tmpfs");
  PlannedMount t = spec("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=0700,readonly");
  CHECK(t.kind == MountKind::kTmpfs);
  CHECK_EQ(joined(t.tmpfs_options), "noexec|nosuid|nodev|ro|mode=700|size=1m");
  CHECK(t.read_only);
  CHECK_EQ(joined(spec("type=tmpfs,dst=/t,tmpfs-size=1536").tmpfs_options), "noexec|nosuid|nodev|size=1536");
  CHECK_EQ(joined(spec("type=tmpfs,dst=/t,tmpfs-size=1g").tmpfs_options), "noexec|nosuid|nodev|size=1g");

  CHECK_THROWS(spec("type=bogus,dst=/x"), "invalid mount config for type \"bogus\": mount type unknown");
  CHECK_THROWS(spec("type=bind,dst=/x"), "invalid mount config for type \"bind\": field Source must not be empty");
  CHECK_THROWS(spec("type=bind,src=relative,dst=/x"),
               "invalid mount config for type \"bind\": invalid mount path: 'relative' mount path must be absolute");
  CHECK_THROWS(spec("type=bind,src=/h,dst=/x,bind-propagation=bogus"),
               "invalid mount config for type \"bind\": invalid propagation mode: bogus");
  CHECK_THROWS(spec("type=volume,src=vv3,dst=x"),
               "invalid mount config for type \"volume\": invalid mount path: 'x' mount path must be absolute");
  CHECK_THROWS(spec("type=volume,src=vv3,dst=/"),
               "invalid mount config for type \"volume\": invalid specification: destination can't be '/'");
  CHECK_THROWS(spec("type=volume,dst=/x,ro"),
               "invalid mount config for type \"volume\": must not set ReadOnly mode when using anonymous volumes");
  CHECK_THROWS(spec("type=tmpfs,dst=/t,src=foo"), "invalid mount config for type \"tmpfs\": field Source must not be specified");
  CHECK_THROWS(spec("src=/tmp/vol-h/d,dst=/x"), "create /tmp/vol-h/d: \"/tmp/vol-h/d\" includes invalid characters");
}

TEST(tmpfs_parsed_with_docker_defaults) {
  CHECK(parse_tmpfs_flag("/run") == std::make_pair(std::string("/run"), std::string("")));
  CHECK(parse_tmpfs_flag("/t:a:b") == std::make_pair(std::string("/t"), std::string("a:b")));
  PlannedMount t = parse_tmpfs("/t/", "");
  CHECK_EQ(t.destination, "/t");
  CHECK_EQ(joined(t.tmpfs_options), "noexec|nosuid|nodev");
  CHECK_EQ(t.propagation, "rprivate");
  CHECK(!t.read_only);
  // Later words win over the defaults and over earlier words of their kind.
  CHECK_EQ(joined(parse_tmpfs("/t", "size=1m,mode=700,exec,uid=5").tmpfs_options),
           "nosuid|nodev|size=1m|mode=700|exec|uid=5");
  CHECK_EQ(joined(parse_tmpfs("/t", "rw,suid,dev").tmpfs_options), "noexec|rw|suid|dev");
  CHECK_EQ(joined(parse_tmpfs("/t", "exec,noexec").tmpfs_options), "nosuid|nodev|noexec");
  CHECK_EQ(joined(parse_tmpfs("/t", "size=1m,size=2m").tmpfs_options), "noexec|nosuid|nodev|size=2m");
  CHECK_EQ(joined(parse_tmpfs("/t", "noatime,sync,nr_inodes=50,private,defaults").tmpfs_options),
           "noexec|nosuid|nodev|noatime|sync|nr_inodes=50");
  CHECK_EQ(parse_tmpfs("/t", "shared").propagation, "shared");
  CHECK(parse_tmpfs("/t", "ro").read_only);
  CHECK_THROWS(parse_tmpfs("/t", "bogus"), "invalid tmpfs option [\"bogus\"]");
  CHECK_THROWS(parse_tmpfs("/t", "bogus=1"), "invalid tmpfs option [\"bogus\" \"1\"]");
  CHECK_THROWS(parse_tmpfs("/t", "a:b"), "invalid tmpfs option [\"a:b\"]");
  CHECK_THROWS(parse_tmpfs("/t", ","), "invalid tmpfs option [\"\"]");
  CHECK_THROWS(parse_tmpfs("/t", "rbind"), "invalid tmpfs option [\"rbind\"]");
  CHECK_THROWS(parse_tmpfs("t", ""), "invalid mount path: 't' mount path must be absolute");
  CHECK_THROWS(parse_tmpfs("/", ""), "invalid specification: destination can't be '/'");
}

TEST(volumes_from_spec) {
  VolumesFrom f = parse_volumes_from("src1");
  CHECK_EQ(f.container, "src1");
  CHECK(!f.read_only);
  CHECK(parse_volumes_from("src1:ro").read_only);
  CHECK(!parse_volumes_from("src1:rw").read_only);
  CHECK(parse_volumes_from("src1:ro,z").read_only);
  CHECK_EQ(parse_volumes_from(":ro").container, "");
  CHECK_THROWS(parse_volumes_from(""), "volumes-from specification cannot be an empty string");
  CHECK_THROWS(parse_volumes_from("src1:bogus"), "invalid mode: bogus");
  CHECK_THROWS(parse_volumes_from("src1:ro:rw"), "invalid mode: ro:rw");
  CHECK_THROWS(parse_volumes_from("src1:ro,rw"), "invalid mode: ro,rw");
  CHECK_THROWS(parse_volumes_from("src1:shared"), "invalid mode: shared");
  CHECK_THROWS(parse_volumes_from("src1:nocopy"), "invalid mode: nocopy");
}
