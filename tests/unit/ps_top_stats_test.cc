// ps's rows and status texts, top's ps output parsing, stats' readings and
// units, and the template methods ps rows have.
#include <unistd.h>

#include "base/error.h"
#include "base/human.h"
#include "base/process.h"
#include "base/json_reader.h"
#include "cli/container_list.h"
#include "cli/go_template.h"
#include "container/stats.h"
#include "container/top.h"
#include "test.h"

using namespace hutch;

namespace {

// A record whose supervisor is this test process, so status() reads it as live.
ContainerRecord live(const std::string& state) {
  ContainerRecord c;
  c.id = std::string(64, 'a');
  c.name = "web";
  c.state = state;
  c.monitor_pid = getpid();
  c.monitor_start = process_start_time(getpid());
  c.started_at = rfc3339(1000);
  c.finished_at = rfc3339(1000);
  c.created = rfc3339(900);
  return c;
}

}  // namespace

TEST(ps_status_shows_pause_and_health_as_docker) {
  ContainerRecord c = live("running");
  CHECK_EQ(container_status_text(c, 1003), std::string("Up 3 seconds"));
  c.health.status = "starting";
  CHECK_EQ(container_status_text(c, 1003), std::string("Up 3 seconds (health: starting)"));
  c.health.status = "healthy";
  CHECK_EQ(container_status_text(c, 1003), std::string("Up 3 seconds (healthy)"));
  c.health.status = "unhealthy";
  CHECK_EQ(container_status_text(c, 1003), std::string("Up 3 seconds (unhealthy)"));
  c.paused = true;  // docker shows the pause, not the health, then
  CHECK_EQ(container_status_text(c, 1003), std::string("Up 3 seconds (Paused)"));
  ContainerRecord r = live("restarting");
  r.exit_code = 1;
  CHECK_EQ(container_status_text(r, 1004), std::string("Restarting (1) 4 seconds ago"));
  ContainerRecord e = live("exited");
  e.exit_code = 3;
  CHECK_EQ(container_status_text(e, 1000 + 7200), std::string("Exited (3) 2 hours ago"));
  ContainerRecord n = live("created");
  CHECK_EQ(container_status_text(n, 1003), std::string("Created"));
  // A supervisor that is gone took the container with it.
  ContainerRecord dead = live("running");
  dead.monitor_start += 1;
  CHECK_EQ(container_status_text(dead, 1003).substr(0, 12), std::string("Exited (137)"));
}

TEST(ps_command_quotes_arguments_with_spaces_and_cuts_at_20) {
  ContainerRecord c;
  c.command = {"echo", "hello world"};
  CHECK_EQ(container_command_text(c, true), std::string("\"echo 'hello world'\""));
  c.command = {"sh", "-c", "echo this is a rather long command line"};
  CHECK_EQ(container_command_text(c, true), std::string("\"sh -c 'echo this is\u2026\""));
  CHECK_EQ(container_command_text(c, false), std::string("\"sh -c 'echo this is a rather long command line'\""));
  c.command = {"printf", "\x1b[2J"};
  CHECK_EQ(container_command_text(c, true), std::string("\"printf \\x1b[2J\""));
}

TEST(ps_rows_have_docker_fields_and_a_label_method) {
  ContainerSummary s;
  s.record = live("running");
  s.record.image = "busybox@sha256:" + std::string(64, 'b');
  s.record.config.labels = {{"b", "c"}, {"a", ""}};
  MountPoint volume;
  volume.type = "volume";
  volume.name = "averyveryverylongvolumename";
  volume.destination = "/data";
  s.record.mounts = {volume};
  s.size_rw = 0;
  s.size_root_fs = 1980000;
  JsonValue row = container_row(s, true, 1003);
  TemplateOptions options;
  options.string_methods = container_row_methods(s.record);
  auto run = [&](const std::string& t) { return GoTemplate(t).execute(row, options); };
  CHECK_EQ(run("{{.ID}}|{{.Image}}|{{.Labels}}|{{.Label \"a\"}}|{{.Label \"b\"}}|{{.Label \"zzz\"}}"),
           std::string("aaaaaaaaaaaa|busybox|a=,b=c||c|"));
  CHECK_EQ(run("{{.Mounts}}|{{.LocalVolumes}}|{{.Networks}}|{{.State}}|{{.Size}}"),
           std::string("averyveryveryl\u2026|1|bridge|running|0B (virtual 1.98MB)"));
  CHECK_THROWS(run("{{.Label}}"), "wrong number of args for Label: want 1 got 0");
  // Not a member: {{json .}} lists the fields only.
  std::string json = run("{{json .}}");
  CHECK(json.find("\"Label\"") == std::string::npos);
  CHECK(json.find("\"Status\":\"Up 3 seconds\"") != std::string::npos);
  // The header has no such method: docker's header stops there.
  TemplateOptions header;
  header.partial_on_error = true;
  header.header_functions = true;
  CHECK_EQ(GoTemplate("{{.Names}}\t{{.Label \"a\"}}").execute(container_header(), header), std::string("NAMES\t"));
}

TEST(top_keeps_the_containers_rows_and_joins_the_command) {
  std::string out =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n"
      "1000        4242       1  0 10:01 ?        00:00:00 sleep 600\n"
      "1000        4243    4242  0 10:01 ?        00:00:00 sh -c echo  two  spaces\n";
  ProcessTable t = parse_ps_output(out, {4242, 4243});
  CHECK_EQ(t.titles.size(), (size_t)8);
  CHECK_EQ(t.processes.size(), (size_t)2);
  CHECK_EQ(t.processes[0][1], std::string("4242"));
  CHECK_EQ(t.processes[0][7], std::string("sleep 600"));
  CHECK_EQ(t.processes[1][7], std::string("sh -c echo two spaces"));
  // Thread lines (PID "-") follow their process only when it is the container's.
  std::string threads = "PID TID CMD\n1 - init\n- 5 init\n4242 - sleep\n- 4242 sleep\n";
  ProcessTable m = parse_ps_output(threads, {4242});
  CHECK_EQ(m.processes.size(), (size_t)2);
  CHECK_EQ(m.processes[1][1], std::string("4242"));
  CHECK_THROWS(parse_ps_output("COMMAND\nsleep\n", {1}), "Couldn't find PID field in ps output");
  CHECK_THROWS(container_top({1}, "-o user=PID"), "specifying \"user=PID\" is not allowed");
}

TEST(stats_units_and_readings) {
  CHECK_EQ(binary_size(316 * 1024.0), std::string("316KiB"));
  CHECK_EQ(binary_size(23.54 * 1024 * 1024 * 1024), std::string("23.54GiB"));
  CHECK_EQ(binary_size(64 * 1024.0 * 1024), std::string("64MiB"));
  CHECK_EQ(binary_size(0), std::string("0B"));
  CHECK_EQ(human_size(1080), std::string("1.08kB"));
  CHECK_EQ(stat_field("anon 10\ninactive_file 4096\nfile 1\n", "inactive_file"), (uint64_t)4096);
  CHECK_EQ(stat_field("total_inactive_file 5\ninactive_file 4096\n", "inactive_file"), (uint64_t)4096);
  CHECK_EQ(stat_field("VmRSS:\t    1384 kB\n", "VmRSS:"), (uint64_t)1384);
  StatsSample a, b;
  a.cpu_ns = 0, a.system_ns = 0;
  b.cpu_ns = 500, b.system_ns = 2000, b.online_cpus = 2;
  CHECK_EQ(cpu_percent(a, b), 50.0);
  CHECK_EQ(cpu_percent(b, b), 0.0);
  // This process, as a container of one: its own figures from /proc.
  StatsSample self = sample_stats({getpid()}, getpid(), false);
  CHECK_EQ(self.source, std::string("proc"));
  CHECK(self.memory > 0);
  CHECK(self.pids >= 1);
  CHECK(self.memory_limit >= self.memory);
}
