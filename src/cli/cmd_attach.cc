// attach: the user's terminal to a running container's monitor, as another
// client beside whatever else is attached; the container keeps running when
// the client goes.
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/container_lookup.h"
#include "container/attach_client.h"
#include "container/attach_protocol.h"
#include "store/containers.h"
#include "base/error.h"

namespace hutch {

namespace {

struct AttachOptions {
  std::string detach_keys;
  bool no_stdin = false;
  bool sig_proxy = true;
};

int attach(AttachOptions& options, const Args& args) {
  std::string keys = parse_detach_keys(options.detach_keys);
  Store store = open_store();
  ContainerStore containers(store);
  ContainerRecord c = find_container(containers, args.positional[0]);
  std::string status = c.status();
  if (status == "paused") fail_status(1, "You cannot attach to a paused container, unpause it first");
  if (status == "restarting") fail_status(1, "You cannot attach to a restarting container, wait until it is running");
  if (status != "running") fail_status(1, "You cannot attach to a stopped container, start it first");
  bool in = !options.no_stdin && c.config.open_stdin;
  if (in && c.config.tty && !isatty(0)) fail_status(1, "the input device is not a TTY");
  Fd socket = connect_attach_socket(store.container_dir(c.id));
  if (!socket) fail_status(1, "You cannot attach to a stopped container, start it first");
  AttachHello hello;
  hello.in = in;
  hello.out = hello.err = true;
  if (!send_all(socket.get(), encode_frame(Frame::kHello, hello.encode())))
    fail_status(1, "You cannot attach to a stopped container, start it first");
  AttachSession session;
  session.relay_stdin = in;
  session.tty = c.config.tty;
  // docker's attach proxies only to a container without a terminal (which
  // has ^C for that).
  session.sig_proxy = options.sig_proxy && !c.config.tty;
  session.detach_keys = keys;
  session.redraw = true;
  if (AttachEnd end = attach_session(socket.get(), session); !end.detached) return end.code;
  // docker's attach says so, and fails, when the user detaches.
  fprintf(stderr, "read escape sequence\n");
  return 1;
}

}  // namespace

Command attach_command() {
  using F = Flag<AttachOptions>;
  return make_command<AttachOptions>(
      {.name = "attach",
       .args = "[OPTIONS] CONTAINER",
       .summary = "Attach local standard input, output, and error streams to a running container",
       .description = "Connects to the container's monitor: what the container writes from now on appears here, "
                      "and with -i (when it was run with -i) what is typed goes to it. The detach keys (ctrl-p "
                      "ctrl-q unless --detach-keys says otherwise; with a terminal only) leave it running. The "
                      "status is the container's exit code once it ends.",
       .min_args = 1,
       .max_args = 1,
       .keeps_runner_status = true},
      {
          F::string("detach-keys", 0, &AttachOptions::detach_keys, "Override the key sequence for detaching a container"),
          F::boolean("no-stdin", 0, &AttachOptions::no_stdin, "Do not attach STDIN"),
          F::boolean("sig-proxy", 0, &AttachOptions::sig_proxy, "Proxy all received signals to the process"),
      },
      attach);
}

}  // namespace hutch
