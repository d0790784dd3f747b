#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "base/error.h"
#include "base/file.h"
#include "cli/commands.h"
#include "registry/credentials.h"
#include "registry/registry.h"

namespace hutch {

namespace {

// "https://index.docker.io/v1/", "http://localhost:5000/" and "docker.io" all
// name a registry the way references do.
std::string registry_of(std::string server) {
  if (server.empty()) return "docker.io";
  for (const char* scheme : {"https://", "http://"})
    if (server.compare(0, strlen(scheme), scheme) == 0) server.erase(0, strlen(scheme));
  if (size_t slash = server.find('/'); slash != std::string::npos) server.resize(slash);
  if (server == "index.docker.io" || server == "registry-1.docker.io" || server == "registry.hub.docker.com")
    return "docker.io";
  if (server.empty()) fail("invalid registry address");
  return server;
}

std::string read_line(bool echo) {
  struct termios saved;
  bool restore = !echo && tcgetattr(0, &saved) == 0;
  if (restore) {
    struct termios quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(0, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    tcsetattr(0, TCSANOW, &saved);
    fputc('\n', stdout);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

struct LoginOptions {
  std::optional<std::string> password;
  bool password_stdin = false;
  std::string username;
};

int login(LoginOptions& options, const Args& args) {
  std::string registry = registry_of(args.positional.empty() ? "" : args.positional[0]);
  Credentials c{options.username, options.password.value_or("")};
  if (options.password_stdin) {
    if (options.password) fail("--password and --password-stdin are mutually exclusive");
    if (c.username.empty()) fail("Must provide --username with --password-stdin");
    c.password = read_fd(0);
    while (!c.password.empty() && (c.password.back() == '\n' || c.password.back() == '\r')) c.password.pop_back();
  } else if (options.password) {
    fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  }
  if (c.username.empty() || c.password.empty()) {
    if (!isatty(0)) fail("Cannot perform an interactive login from a non TTY device");
    if (c.username.empty()) {
      printf("Username: ");
      fflush(stdout);
      c.username = read_line(true);
    }
    if (c.password.empty()) {
      printf("Password: ");
      fflush(stdout);
      c.password = read_line(false);
    }
  }
  if (c.username.empty()) fail("Non-null Username Required");
  if (c.password.empty()) fail("Non-null Password Required");

  Registry reg(registry, "");
  reg.set_credentials(c);
  HttpClient http;
  reg.check_login(http);
  store_credentials(registry, c);
  printf("Login Succeeded\n");
  return 0;
}

int logout(NoOptions&, const Args& args) {
  std::string registry = registry_of(args.positional.empty() ? "" : args.positional[0]);
  if (!erase_credentials(registry)) {
    printf("Not logged in to %s\n", auth_key(registry).c_str());
    return 0;
  }
  printf("Removing login credentials for %s\n", auth_key(registry).c_str());
  return 0;
}

}  // namespace

Command login_command() {
  using F = Flag<LoginOptions>;
  return make_command<LoginOptions>(
      {.name = "login",
       .args = "[OPTIONS] [SERVER]",
       .summary = "Log in to a registry",
       .description =
           "Checks the credentials against the registry (default: Docker Hub) and stores them in hutch's auth "
           "file, $REGISTRY_AUTH_FILE or $XDG_CONFIG_HOME/hutch/auth.json (mode 0600), in docker's format. "
           "Without --username or --password, asks for them on the terminal.",
       .max_args = 1},
      {
          F::optional_string("password", 'p', &LoginOptions::password, "Password"),
          F::boolean("password-stdin", 0, &LoginOptions::password_stdin, "Take the password from stdin"),
          F::string("username", 'u', &LoginOptions::username, "Username"),
      },
      login);
}

Command logout_command() {
  return make_command<NoOptions>(
      {.name = "logout",
       .args = "[SERVER]",
       .summary = "Log out from a registry",
       .description = "Removes the credentials for the registry (default: Docker Hub) from hutch's auth file. "
                      "Credentials in docker's ~/.docker/config.json are left alone.",
       .max_args = 1},
      {}, logout);
}

}  // namespace hutch
