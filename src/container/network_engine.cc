#include "container/network_engine.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "container/etc_files.h"
#include "runtime/id_maps.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/printable.h"

namespace hutch {

namespace {

// How long pasta may take to configure the namespace before the start fails.
constexpr int kReadyTimeoutMs = 10000;

[[noreturn]] void exec_engine(const std::vector<std::string>& argv, pid_t monitor, int ready_fd, int log_fd) {
  // With the monitor gone, the engine would serve a namespace no one owns.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != monitor) _exit(127);
  int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0 || dup2(ready_fd, 3) < 0) _exit(127);
  // The monitor's signal mask and ignored SIGPIPE are no business of pasta's.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// The engine's last words, for the error that says why it did not start.
std::string last_line_of(const std::string& path) {
  std::string text = read_file_if_exists(path).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

}  // namespace

NetworkPlan network_plan(const HostConfig& host) {
  NetworkPlan plan;
  for (const auto& entry : host.extra_hosts)
    if (split_extra_host(entry).second == kHostGateway) plan.gateway_reaches_host = true;
  plan.dns_relay = host_resolvers().needs_relay;
  return plan;
}

std::string find_network_engine() { return find_program("pasta"); }

NetworkEngine::NetworkEngine(const std::string& program, const NetworkPlan& plan, pid_t init,
                             const std::string& log_path) {
  Fd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log) fail_errno("open %s", log_path.c_str());
  Pipe ready = Pipe::create();
  // pasta writes its pid file once the namespace's interface is configured:
  // the pipe's other end, reached through /proc, is that file.
  std::vector<std::string> argv = {
      program, "--foreground", "--quiet", "--config-net", "--pid", "/proc/self/fd/3",
      "--address", plan.address, "--netmask", std::to_string(plan.prefix_length), "--gateway", plan.gateway,
      "--ns-mac-addr", plan.mac_address,
      // docker's default bridge has no IPv6.
      "--ipv4-only",
      // Nothing of the namespace is reached from it through the host's
      // loopback, as pasta would by default.
      "--tcp-ns", "none", "--udp-ns", "none"};
  if (plan.dns_relay) argv.insert(argv.end(), {"--dns-forward", plan.gateway});
  // Published ports come from -p and -P alone; none of pasta's automatic ones.
  bool tcp = false, udp = false;
  for (const auto& p : plan.ports) {
    std::string spec = (p.host_ip.empty() ? "" : p.host_ip + "/") + std::to_string(p.host_port) + ":" +
                       std::to_string(p.container_port);
    argv.insert(argv.end(), {p.protocol == "udp" ? "--udp-ports" : "--tcp-ports", spec});
    (p.protocol == "udp" ? udp : tcp) = true;
  }
  if (!tcp) argv.insert(argv.end(), {"--tcp-ports", "none"});
  if (!udp) argv.insert(argv.end(), {"--udp-ports", "none"});
  // The host's loopback services stay out of the container's reach unless
  // host-gateway asked for them, as with rootless docker.
  if (!plan.gateway_reaches_host) argv.push_back("--no-map-gw");
  argv.push_back(std::to_string(init));
  pid_t monitor = getpid();
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) exec_engine(argv, monitor, ready.write.get(), log.get());
  child_ = Child(pid);
  ready.write.reset();
  std::string said;
  for (;;) {
    struct pollfd p = {ready.read.get(), POLLIN, 0};
    int n = poll(&p, 1, kReadyTimeoutMs);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) fail("network engine %s did not configure the container's network in %d s", program.c_str(),
                     kReadyTimeoutMs / 1000);
    char buf[64];
    ssize_t got = ::read(ready.read.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got > 0) said.append(buf, got);
    if (said.find('\n') != std::string::npos) return;
    if (got <= 0) break;
  }
  int status = child_.wait();
  std::string why = last_line_of(log_path);
  if (why.empty()) why = format("exit status %d", exit_code_of(status));
  fail("network engine %s failed: %s", program.c_str(), printable(why).c_str());
}

void NetworkEngine::stop() {
  if (child_.pid() > 0) kill(child_.pid(), SIGKILL);
}

}  // namespace hutch
