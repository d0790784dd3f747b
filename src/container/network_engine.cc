#include "container/network_engine.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "container/bundled_pasta.h"
#include "container/etc_files.h"
#include "runtime/id_maps.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"
#include "base/log.h"
#include "base/printable.h"
#include "base/unix_socket.h"

extern char** environ;

namespace hutch {

namespace {

// How long pasta may take to configure the namespace before the start fails.
constexpr int kReadyTimeoutMs = 10000;

// The engine gets /dev/null, the log on 1 and 2, its ready FIFO on 3 and
// the directory of its API socket on 4.
[[noreturn]] void exec_engine(const std::vector<std::string>& argv, int memfd, pid_t monitor, int ready_fd,
                              int log_fd, int dir_fd) {
  // With the monitor gone, the engine would serve a namespace no one owns.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != monitor) _exit(127);
  // Out of the way of the numbers they go to first.
  int from[] = {log_fd, ready_fd, dir_fd};
  for (int& fd : from)
    if ((fd = fcntl(fd, F_DUPFD, 10)) < 0) _exit(127);
  int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, 0) < 0 || dup2(from[0], 1) < 0 || dup2(from[0], 2) < 0 || dup2(from[1], 3) < 0 ||
      dup2(from[2], 4) < 0)
    _exit(127);
  // The monitor's signal mask and ignored SIGPIPE are no business of the engine's.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The built-in pasta runs from its memfd (close-on-exec: execveat reads it
  // first), any other engine from its path.
  if (memfd >= 0)
    syscall(SYS_execveat, memfd, "", args.data(), environ, AT_EMPTY_PATH);
  else
    execv(args[0], args.data());
  _exit(127);
}

// pasta writes its pid file once the namespace's interface is configured:
// the file is the ready FIFO.
std::vector<std::string> pasta_argv(const NetworkPlan& plan, pid_t init, const std::string& pid_file) {
  std::vector<std::string> argv = {
      plan.bundled ? "pasta" : plan.program, "--foreground", "--quiet", "--config-net", "--pid", pid_file,
      "--address", plan.address, "--netmask", std::to_string(plan.prefix_length), "--gateway", plan.gateway,
      "--ns-mac-addr", plan.mac_address,
      // docker's name; pasta would copy the host's (ens3, enp0s1, ...).
      "--ns-ifname", "eth0",
      // docker's default bridge has no IPv6.
      "--ipv4-only",
      // Nothing of the namespace is reached from it through the host's
      // loopback, as pasta would by default.
      "--tcp-ns", "none", "--udp-ns", "none"};
  if (plan.dns_relay) argv.insert(argv.end(), {"--dns-forward", plan.dns_address});
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
  return argv;
}

constexpr const char* kSlirpSocket = "slirp4netns.sock";

std::vector<std::string> slirp_argv(const NetworkPlan& plan, pid_t init) {
  // It joins init's user namespace itself; "1" on fd 3 says it is ready.
  std::vector<std::string> argv = {plan.program,
                                   "--configure",
                                   "--mtu=65520",
                                   "--ready-fd=3",
                                   "--cidr=172.17.0.0/16",
                                   "--macaddress=" + plan.mac_address,
                                   std::string("--api-socket=/proc/self/fd/4/") + kSlirpSocket};
  if (!plan.gateway_reaches_host) argv.push_back("--disable-host-loopback");
  argv.insert(argv.end(), {std::to_string(init), "eth0"});
  return argv;
}

// slirp4netns publishes a port when its API is asked (one request a
// connection, one JSON reply).
void slirp_publish(const std::string& dir, const HostPortRequest& p) {
  Fd api = connect_unix_socket(dir, kSlirpSocket, SOCK_STREAM);
  if (!api) fail("slirp4netns's API socket is not there");
  std::string request = format(
      "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", \"host_addr\": \"%s\", "
      "\"host_port\": %d, \"guest_port\": %d}}",
      p.protocol.c_str(), p.host_ip.empty() ? "0.0.0.0" : p.host_ip.c_str(), p.host_port, p.container_port);
  if (::write(api.get(), request.data(), request.size()) != (ssize_t)request.size()) fail_errno("slirp4netns's API");
  shutdown(api.get(), SHUT_WR);
  std::string reply;
  char buf[512];
  for (ssize_t n; (n = ::read(api.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("slirp4netns's API");
    reply.append(buf, n);
  }
  if (reply.find("\"return\"") == std::string::npos)
    fail("slirp4netns cannot publish %s port %d: %s", p.protocol.c_str(), p.host_port, printable(reply).c_str());
}

// The engine says it is ready through a FIFO beside its log, the same for
// every pasta and slirp4netns: pasta opens it as its pid file (older ones from
// inside the container's user namespace, which may not reach this process's
// /proc; newer ones only after closing every descriptor they inherited), and
// slirp4netns writes "1" to the write end it inherits. The FIFO stays for
// the next start. This end is held open too, so the reader never sees an
// EOF before the engine has opened it.
struct ReadyFifo {
  std::string path;
  Fd read, write;
};

ReadyFifo open_ready_fifo(const std::string& path) {
  ReadyFifo fifo{path, {}, {}};
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && !S_ISFIFO(st.st_mode)) ::unlink(path.c_str());
  if (mkfifo(path.c_str(), 0600) < 0 && errno != EEXIST) fail_errno("mkfifo %s", path.c_str());
  fifo.read.reset(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo.read) fail_errno("open %s", path.c_str());
  fifo.write.reset(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo.write) fail_errno("open %s", path.c_str());
  return fifo;
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
  // podman's names choose the engine; docker's take pasta, or slirp4netns
  // where only it is installed.
  const std::string& mode = host.network_mode;
  bool pasta = mode != "slirp4netns" && choose_pasta(plan);
  if (!pasta && mode != "pasta" && !(plan.program = find_program("slirp4netns")).empty()) {
    plan.engine = EngineKind::kSlirp4netns;
    plan.address = "172.17.0.100";
    plan.gateway = "172.17.0.2";
    plan.dns_address = "172.17.0.3";
    plan.mac_address = "02:42:ac:11:00:64";
  }
  return plan;
}

bool choose_pasta(NetworkPlan& plan) {
  const char* chosen = getenv("HUTCH_PASTA");
  if (chosen && *chosen) {
    plan.program = chosen;
  } else if (bundled_pasta_available()) {
    plan.program = kBundledPastaName;
    plan.bundled = true;
  } else {
    plan.program = find_program("pasta");
  }
  if (plan.program.empty()) return false;
  plan.engine = EngineKind::kPasta;
  return true;
}

NetworkEngine::NetworkEngine(const NetworkPlan& plan, pid_t init, const std::string& log_path) {
  const std::string& program = plan.program;
  Fd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log) fail_errno("open %s", log_path.c_str());
  std::string dir = log_path.substr(0, log_path.rfind('/'));
  Fd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) fail_errno("open %s", dir.c_str());
  std::string stem = log_path.size() > 4 && log_path.ends_with(".log") ? log_path.substr(0, log_path.size() - 4)
                                                                         : log_path;
  ReadyFifo ready = open_ready_fifo(stem + ".ready");
  log_debug("network engine: %s", program.c_str());
  Fd memfd;
  if (plan.bundled) memfd = bundled_pasta_memfd();
  bool slirp = plan.engine == EngineKind::kSlirp4netns;
  std::vector<std::string> argv = slirp ? slirp_argv(plan, init) : pasta_argv(plan, init, ready.path);
  pid_t monitor = getpid();
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) exec_engine(argv, memfd.get(), monitor, ready.write.get(), log.get(), dir_fd.get());
  child_ = Child(pid);
  // With the FIFO's write end held here, an engine that dies is seen through
  // a pidfd, or by asking every few milliseconds on kernels before 5.3.
  Fd exited((int)syscall(SYS_pidfd_open, pid, 0));
  int64_t deadline = monotonic_ms() + kReadyTimeoutMs;
  std::string said;
  for (;;) {
    int64_t left = deadline - monotonic_ms();
    if (left <= 0)
      fail("network engine %s did not configure the container's network in %d s", program.c_str(),
           kReadyTimeoutMs / 1000);
    struct pollfd p[2] = {{ready.read.get(), POLLIN, 0}, {exited.get(), POLLIN, 0}};
    int n = poll(p, exited ? 2 : 1, exited ? (int)left : std::min<int>((int)left, 5));
    if (n < 0 && errno == EINTR) continue;
    if (p[0].revents & POLLIN) {
      char buf[64];
      ssize_t got = ::read(ready.read.get(), buf, sizeof buf);
      if (got > 0) said.append(buf, got);
      // pasta's pid file ends with a newline; slirp4netns writes "1".
      if (said.find(slirp ? '1' : '\n') != std::string::npos) {
        if (slirp)
          for (const auto& port : plan.ports) slirp_publish(dir, port);
        return;
      }
      continue;
    }
    siginfo_t info = {};
    bool dead = exited ? p[1].revents != 0
                       : waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
    if (dead) break;
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
