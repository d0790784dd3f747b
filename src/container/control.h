// What the container commands do to a container that may be running: stop,
// kill, wait. Each acts on the container's init through its runtime state (a
// pidfd plus start time, so a reused pid is never signalled) and learns the
// outcome from its monitor, the process that records it.
#pragma once
#include <optional>
#include <string>

#include "store/containers.h"
#include "store/store.h"

namespace hutch {

// The signal stop sends: the container's StopSignal, else SIGTERM.
int stop_signal_of(const ContainerRecord& record);

// docker stop: marks the container stopped by the user (no policy restarts
// it), sends the signal, and after timeout_s seconds (-1: never) SIGKILL to
// every process; returns once its monitor has recorded the end. A container
// that is not running is left as it is.
void stop_container(const Store& store, const ContainerRecord& record, int signal, int timeout_s);

// docker kill: the signal to the init, and (as docker 20.10 does for any
// signal) no restart by the policy after it. Throws docker's "is not running".
void signal_container(const Store& store, const ContainerRecord& record, int signal);

// docker pause / unpause: the container's monitor freezes (thaws) every
// process of it. Throws docker's messages: already paused, not paused, not
// running.
void pause_container(const Store& store, const ContainerRecord& record);
void unpause_container(const Store& store, const ContainerRecord& record);

// network connect / disconnect of a running container on a user network:
// its monitor has the keeper give it an interface on the network (ethN) or
// take its interface there away, and records it.
void connect_running_container(const Store& store, const ContainerRecord& record, const std::string& network,
                               const EndpointConfig& endpoint);
void disconnect_running_container(const Store& store, const ContainerRecord& record, const std::string& network);

// Blocks until the container is not running (its current run ended: a policy
// may restart it) and returns its exit code.
int wait_container(const Store& store, const std::string& id);

}  // namespace hutch
