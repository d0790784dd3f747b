// The user's side of an attached container (run in the foreground, attach,
// start -a): our stdin to the container, its output to our stdout and
// stderr, our signals and terminal size to it, until it exits or the user
// types the detach keys.
#pragma once
#include <string>

namespace hutch {

struct AttachSession {
  bool relay_stdin = false;
  bool tty = false;        // the container has a terminal: ours goes raw
  // Signals we get go to the container's init; otherwise a signal ends us
  // and leaves the container running.
  bool sig_proxy = true;
  std::string detach_keys;  // the bytes that detach (empty: none)
  // The container's program redraws its screen for us (attach): the first
  // resize is made a change, which a same-size one is not.
  bool redraw = false;
  // Nothing of the container's output is wanted (run -a stdin): detach once
  // our input has all gone in.
  bool detach_at_input_end = false;
};

struct AttachEnd {
  bool detached = false;
  int code = 0;             // the container's exit code
  bool restarting = false;  // its policy runs it again: the monitor lives on
};

// Until the container exits (or the user detaches). Throws when the monitor
// goes away without saying how the container ended.
AttachEnd attach_session(int socket, const AttachSession& session);

constexpr const char* kDefaultDetachKeys = "ctrl-p,ctrl-q";
// docker's --detach-keys: "ctrl-p,ctrl-q", letters, ctrl-@..ctrl-_ ("" is
// the default); throws docker's message for anything else.
std::string parse_detach_keys(const std::string& spec);

}  // namespace hutch
