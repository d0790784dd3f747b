// Config and HostConfig as docker 20.10's `docker inspect` prints them (the
// expected strings are docker's own output, with hutch's differences named),
// read back, and old container records mapped.
#include <stdlib.h>
#include <unistd.h>

#include "base/error.h"
#include "base/file.h"
#include "container/spec_builder.h"
#include "store/container_config_json.h"
#include "store/containers.h"
#include "test.h"

using namespace hutch;

namespace {

using Strings = std::vector<std::string>;

std::string config_json(const ContainerConfig& c) {
  JsonWriter w;
  write_container_config(w, c);
  return w.str();
}

std::string host_json(const HostConfig& h) {
  JsonWriter w;
  write_host_config(w, h);
  return w.str();
}

Strings keys_of(const std::string& json) {
  Strings out;
  JsonValue parsed = parse_json(json, "test");
  for (const auto& [k, _] : parsed.members()) out.push_back(k);
  return out;
}

const char* kImagePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace

TEST(config_json_as_docker_prints_it) {
  // docker run -d hutch-test/base sleep 1000
  ContainerConfig c;
  c.hostname = "76b7b99c5a48";
  c.attach_stdout = c.attach_stderr = false;
  c.env = {kImagePath, "FOO=from-image", "BAR=from-image"};
  c.cmd = Strings{"sleep", "1000"};
  c.image = "hutch-test/base";
  CHECK_EQ(config_json(c),
           std::string("{\"Hostname\":\"76b7b99c5a48\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
                       "\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"
                       "\"StdinOnce\":false,\"Env\":[\"") +
               kImagePath +
               "\",\"FOO=from-image\",\"BAR=from-image\"],\"Cmd\":[\"sleep\",\"1000\"],\"Image\":\"hutch-test/base\","
               "\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}}");
}

TEST(config_json_every_field_set) {
  // docker create --label b=run --label c=run -v /vol2 -w /w -u bob --stop-signal SIGTERM
  //   --hostname hh --domainname dd -it hutch-test/ep (ENTRYPOINT, CMD, LABEL, VOLUME, EXPOSE)
  ContainerConfig c;
  c.hostname = "hh";
  c.domainname = "dd";
  c.user = "bob";
  c.attach_stdin = c.tty = c.open_stdin = c.stdin_once = true;
  c.exposed_ports = {"80/tcp", "53/udp"};
  c.env = {kImagePath};
  c.cmd = Strings{"c1"};
  c.image = "hutch-test/ep";
  c.volumes = {"/vol2", "/vol1"};
  c.working_dir = "/w";
  c.entrypoint = Strings{"/bin/echo", "ep"};
  c.labels = {{"b", "run"}, {"c", "run"}, {"a", "img"}};
  c.stop_signal = "SIGTERM";
  CHECK_EQ(config_json(c),
           std::string("{\"Hostname\":\"hh\",\"Domainname\":\"dd\",\"User\":\"bob\",\"AttachStdin\":true,"
                       "\"AttachStdout\":true,\"AttachStderr\":true,\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}},"
                       "\"Tty\":true,\"OpenStdin\":true,\"StdinOnce\":true,\"Env\":[\"") +
               kImagePath +
               "\"],\"Cmd\":[\"c1\"],\"Image\":\"hutch-test/ep\",\"Volumes\":{\"/vol1\":{},\"/vol2\":{}},"
               "\"WorkingDir\":\"/w\",\"Entrypoint\":[\"/bin/echo\",\"ep\"],\"OnBuild\":null,"
               "\"Labels\":{\"a\":\"img\",\"b\":\"run\",\"c\":\"run\"},\"StopSignal\":\"SIGTERM\"}");
}

TEST(config_json_healthcheck_and_args_escaped_in_place) {
  ContainerConfig c;
  c.healthcheck_json = R"({"Test":["CMD","true"]})";
  c.args_escaped = true;
  Strings keys = keys_of(config_json(c));
  CHECK(Strings(keys.begin() + 10, keys.begin() + 14) == (Strings{"Cmd", "Healthcheck", "ArgsEscaped", "Image"}));
}

TEST(config_json_round_trip) {
  ContainerConfig c;
  c.hostname = "h";
  c.domainname = "d";
  c.user = "1000:1000";
  c.attach_stdin = true;
  c.attach_stderr = false;
  c.tty = c.open_stdin = c.stdin_once = true;
  c.env = {"A=1", "HOME=", "BARE"};
  c.cmd = Strings{"a", ""};
  c.healthcheck_json = R"({"Test":["CMD","true"],"Interval":1000})";
  c.args_escaped = true;
  c.image = "img:tag";
  c.volumes = {"/a", "/b"};
  c.working_dir = "/w";
  c.entrypoint = Strings{"e"};
  c.labels = {{"k", "v"}, {"l", "\"quoted\"\n"}};
  c.stop_signal = "SIGINT";
  c.exposed_ports = {"1/tcp", "2/udp"};
  std::string json = config_json(c);
  ContainerConfig back = parse_container_config(parse_json(json, "test"));
  CHECK_EQ(config_json(back), json);
  CHECK(back.cmd == c.cmd);
  CHECK(back.labels == c.labels);
  CHECK_EQ(back.healthcheck_json, c.healthcheck_json);
  // null stays null
  ContainerConfig none = parse_container_config(parse_json(config_json(ContainerConfig()), "test"));
  CHECK(!none.cmd && !none.entrypoint);
}

TEST(host_config_as_docker_prints_it) {
  HostConfig h = with_daemon_defaults(HostConfig(), HostFacts());
  std::string docker =
      "{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}},"
      "\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},"
      "\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"CapAdd\":null,\"CapDrop\":null,"
      "\"CgroupnsMode\":\"host\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,"
      "\"IpcMode\":\"private\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
      "\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\","
      "\"ShmSize\":67108864,\"Runtime\":\"hutch\",\"ConsoleSize\":[0,0],\"Isolation\":\"\",\"CpuShares\":0,"
      "\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],"
      "\"BlkioDeviceReadBps\":null,\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null,"
      "\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,"
      "\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,"
      "\"DeviceRequests\":null,\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0,\"MemorySwap\":0,"
      "\"MemorySwappiness\":null,\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null,\"CpuCount\":0,"
      "\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,"
      "\"MaskedPaths\":[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\","
      "\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\",\"/sys/firmware\","
      "\"/sys/devices/virtual/powercap\"],"
      "\"ReadonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]}";
  // hutch's differences from docker's: Runtime "hutch", and newer docker's
  // /sys/devices/virtual/powercap.
  CHECK_EQ(host_json(h), docker);
}

TEST(host_config_optional_fields_in_docker_order) {
  // docker's key order with every omitempty field present
  HostConfig h;
  h.tmpfs = {{"/run", "size=1m"}};
  h.sysctls = {{"net.core.somaxconn", "100"}, {"kernel.sem", "1"}};
  h.mounts = {MountSpec{.type = "bind", .source = "/tmp", .target = "/x", .read_only = true}};
  h.init = true;
  h.privileged = true;
  Strings keys = keys_of(host_json(h));
  auto at = [&](const std::string& k) { return std::find(keys.begin(), keys.end(), k) - keys.begin(); };
  CHECK_EQ(at("Tmpfs"), at("SecurityOpt") + 1);
  CHECK_EQ(at("UTSMode"), at("Tmpfs") + 1);
  CHECK_EQ(at("Sysctls"), at("ShmSize") + 1);
  CHECK_EQ(at("Runtime"), at("Sysctls") + 1);
  CHECK_EQ(at("Mounts"), at("IOMaximumBandwidth") + 1);
  CHECK_EQ(at("MaskedPaths"), at("Mounts") + 1);
  CHECK_EQ(at("Init"), at("ReadonlyPaths") + 1);
  CHECK_EQ((size_t)at("Init"), keys.size() - 1);
  std::string json = host_json(h);
  CHECK(json.find("\"Sysctls\":{\"kernel.sem\":\"1\",\"net.core.somaxconn\":\"100\"}") != std::string::npos);
  CHECK(json.find("\"MaskedPaths\":null,\"ReadonlyPaths\":null") != std::string::npos);  // privileged
}

TEST(host_config_mounts_as_docker_prints_them) {
  // --mount type=bind,src=/tmp,dst=/x,readonly,bind-propagation=rshared
  // --mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=0700
  // --mount type=volume,src=vv,dst=/v,volume-nocopy,volume-opt=...,volume-label=l=1,volume-driver=local
  HostConfig h;
  MountSpec bind{.type = "bind", .source = "/tmp", .target = "/x", .read_only = true};
  bind.bind_propagation = "rshared";
  MountSpec tmpfs{.type = "tmpfs", .target = "/t"};
  tmpfs.tmpfs_size = 1048576;
  tmpfs.tmpfs_mode = 0700;
  MountSpec volume{.type = "volume", .source = "vv", .target = "/v"};
  volume.volume_nocopy = true;
  volume.volume_labels = {{"l", "1"}};
  volume.volume_driver = "local";
  volume.volume_driver_options = {{"type", "tmpfs"}, {"device", "tmpfs"}};
  h.mounts = {bind, tmpfs, volume};
  std::string expected =
      "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/tmp\",\"Target\":\"/x\",\"ReadOnly\":true,"
      "\"BindOptions\":{\"Propagation\":\"rshared\"}},{\"Type\":\"tmpfs\",\"Target\":\"/t\","
      "\"TmpfsOptions\":{\"SizeBytes\":1048576,\"Mode\":448}},{\"Type\":\"volume\",\"Source\":\"vv\",\"Target\":\"/v\","
      "\"VolumeOptions\":{\"NoCopy\":true,\"Labels\":{\"l\":\"1\"},\"DriverConfig\":{\"Name\":\"local\","
      "\"Options\":{\"device\":\"tmpfs\",\"type\":\"tmpfs\"}}}}]";
  CHECK(host_json(h).find(expected) != std::string::npos);
}

TEST(host_config_round_trip) {
  HostConfig h;
  h.binds = {"/tmp:/y:ro,Z"};
  h.network_mode = "host";
  h.auto_remove = true;
  h.volumes_from = {"c2"};
  h.cap_add = {"kill"};
  h.cap_drop = {"ALL"};
  h.dns = {"1.1.1.1"};
  h.dns_options = {"ndots:1"};
  h.dns_search = {"example.com"};
  h.extra_hosts = {"a:1.2.3.4"};
  h.group_add = {"10"};
  h.ipc_mode = "host";
  h.pid_mode = "host";
  h.uts_mode = "host";
  h.userns_mode = "host";
  h.cgroupns_mode = "private";
  h.privileged = true;
  h.readonly_rootfs = true;
  h.security_opt = {"no-new-privileges"};
  h.tmpfs = {{"/run", "size=1m"}};
  h.shm_size = 1 << 30;
  h.sysctls = {{"kernel.sem", "1"}};
  MountSpec m{.type = "volume", .source = "vv", .target = "/v"};
  m.volume_nocopy = true;
  m.volume_driver = "local";
  h.mounts = {m};
  h.oom_score_adj = -5;
  h.init = false;
  h.masked_paths = Strings{};
  h.readonly_paths = Strings{"/proc/sys"};
  std::string json = host_json(h);
  HostConfig back = parse_host_config(parse_json(json, "test"));
  CHECK_EQ(host_json(back), json);
  CHECK(back.masked_paths && back.masked_paths->empty());
  CHECK_EQ(*back.oom_score_adj, -5);
  CHECK(back.mounts[0].volume_nocopy);
}

// Records written before Config and HostConfig were kept whole.
TEST(container_record_old_forms_still_read) {
  char dir[] = "/tmp/hutch-unit-store-XXXXXX";
  CHECK(mkdtemp(dir));
  Store store(dir);
  ContainerStore containers(store);
  std::string digest = "sha256:" + std::string(64, 'a');
  auto write_record = [&](const std::string& id, const std::string& extra) {
    mkdir_p(store.container_dir(id), 0700);
    write_file_atomic(store.container_dir(id) + "/container.json",
                      "{\"Id\":\"" + id + "\",\"Name\":\"n" + id.substr(0, 1) + "\",\"Image\":\"img\",\"ImageID\":\"" +
                          digest + "\",\"Command\":[\"sh\",\"-c\",\"x\"],\"Created\":\"t\",\"State\":\"exited\"," +
                          "\"ExitCode\":0,\"StartedAt\":\"\",\"FinishedAt\":\"\",\"MonitorPid\":0,\"MonitorStart\":0," +
                          "\"InitPid\":0,\"AutoRemove\":false" + extra + "}");
  };
  std::string with_config = std::string(64, '1'), without = std::string(64, '2');
  write_record(with_config, ",\"Config\":{\"Entrypoint\":[],\"Cmd\":[\"sh\",\"-c\",\"x\"],\"Env\":[\"A=1\"],"
                            "\"WorkingDir\":\"/w\",\"User\":\"alice\"}");
  write_record(without, "");
  ContainerRecord old = *containers.load(with_config);
  CHECK(!old.config_from_image);
  CHECK(!old.config.entrypoint);
  CHECK(old.config.cmd == (Strings{"sh", "-c", "x"}));
  CHECK(old.config.env == Strings{"A=1"});
  CHECK_EQ(old.config.working_dir, std::string("/w"));
  CHECK_EQ(old.config.user, std::string("alice"));
  CHECK_EQ(old.config.image, std::string("img"));
  CHECK(!old.host_config.auto_remove);
  ContainerRecord older = *containers.load(without);
  CHECK(older.config_from_image);
  CHECK_EQ(older.config.image, std::string("img"));

  // and what is written now reads back whole
  old.config.labels = {{"k", "v"}};
  old.host_config.auto_remove = true;
  old.host_config.cap_add = {"kill"};
  containers.save(old);
  ContainerRecord again = *containers.load(with_config);
  CHECK(again.config.labels == old.config.labels);
  CHECK(again.host_config.auto_remove);
  CHECK(again.host_config.cap_add == Strings{"kill"});
  CHECK(again.config.cmd == old.config.cmd);
  remove_tree(dir);
}
