// The monitor's side of attaching: the clients attached to the container,
// the container's output going out to them, what they type coming in, and
// what they ask for (signals, resizes, detaching, pause). Driven by the
// monitor's single-threaded poll loop; nothing here blocks but send_exit.
#pragma once
#include <poll.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "container/attach_protocol.h"
#include "base/fd.h"

namespace hutch {

class AttachHub {
 public:
  // listener: the socket in the container's directory. owner: the end of the
  // foreground run's socket pair, or invalid; its hello is read here, so it
  // sees the container's first byte.
  AttachHub(Fd listener, Fd owner);

  // Where clients' input goes for this run of the container: the write end
  // of its stdin pipe (closed here when the input ends), else its terminal
  // (which also takes resizes), if any. stdin_once: the input ends when the
  // client that gave it does (docker's StdinOnce, set by run -i).
  void container_started(Fd stdin_pipe, int terminal_fd, bool stdin_once);
  // Its stdin is gone with it; clients stay until send_exit.
  void container_ended();

  // The fds to poll, appended to fds; handle() reads the results from the
  // same positions.
  void add_poll_fds(std::vector<struct pollfd>& fds);
  void handle(const std::vector<struct pollfd>& fds);

  void broadcast(Frame stream, std::string_view data);
  // A client reads slower than the container writes: the monitor stops
  // reading the container's output until it catches up.
  bool backed_up() const;
  // The exit code to every client, written out (for a few seconds at most),
  // then they are let go. restarting: the policy runs the container again
  // (the monitor lives on); else the monitor is about to exit.
  void send_exit(int code, bool restarting);

  // What clients asked for since the last call.
  std::vector<int> take_signals() { return std::exchange(signals_, {}); }
  // The owner went away without detaching (killed) or its terminal closed.
  bool owner_lost() const { return owner_lost_; }
  bool owner_hung_up() const { return owner_hung_up_; }
  void clear_owner_events() { owner_lost_ = owner_hung_up_ = false; }
  bool has_owner() const;
  bool owner_is_fresh() const { return owner_fresh_; }

  // Answers kRequest frames ("pause", "unpause"): "" or an error message.
  std::function<std::string(const std::string&)> on_request;

 private:
  struct Client {
    Fd fd;
    FrameReader reader;
    std::string out;
    AttachHello hello;
    bool greeted = false;
    bool stdin_ended = false;
    bool dropped = false;
  };
  void accept_clients();
  // False when the client is done (closed, or detached).
  bool read_from(Client& c);
  bool take_frames(Client& c, std::string_view data);
  bool flush(Client& c);
  void drain_gone(Client& c);
  void drop(Client& c, bool detached);
  void write_stdin();
  void end_stdin();

  Fd listener_;
  std::vector<Client> clients_;
  Fd stdin_pipe_;
  int terminal_fd_ = -1;
  bool stdin_once_ = false;
  bool close_stdin_ = false;  // once what is pending is written
  std::string stdin_pending_;
  std::vector<int> signals_;
  bool owner_lost_ = false;
  bool owner_hung_up_ = false;
  bool owner_fresh_ = false;
  // Positions in the poll array of the last add_poll_fds.
  int listener_at_ = -1, stdin_at_ = -1;
  std::vector<int> client_at_;
};

}  // namespace hutch
