# Helpers for tests/integration/*.sh, sourced by tests/run.sh for each test.
#
# Each test function runs in its own bash process, as an unprivileged user, with:
#   HUTCH     the binary under test        FIXTURES  the built images (make-images.py)
#   STORE     a shared store with base.tar loaded (also the default HUTCH_ROOT)
#   WORK      an empty directory for this test only (the current directory)
# Assertions stop the test at the first failure (exit 1) and print what differed,
# so never call them inside $(...) or a pipeline.  `skip "why"` exits 77.

IMG=hutch-test/base:latest
# shellcheck disable=SC1091
. "$FIXTURES/ids.sh"
BG_PIDS=()
trap _cleanup_bg EXIT

hutch() { "$HUTCH" "$@"; }

fail() {
    printf 'FAILED: %s\n' "$1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@"
    exit 1
}

skip() { printf 'SKIP: %s\n' "$*"; exit 77; }

# run CMD...: run a command, keeping its stdout in $out, stderr in $err and
# status in $status (stdin is inherited; redirect it on the call if needed).
run() {
    last_cmd="$*"
    "$@" >"$WORK/.run.out" 2>"$WORK/.run.err"
    status=$?
    out=$(cat "$WORK/.run.out")
    err=$(cat "$WORK/.run.err")
    return 0
}

_last() {
    printf -- '--- command: %s\n--- status: %s\n--- stdout:\n%s\n--- stderr:\n%s\n' \
        "${last_cmd:0:2000}" "${status:-}" "${out:-}" "${err:-}"
}

assert_eq() {   # EXPECTED ACTUAL [WHAT]
    [ "$1" == "$2" ] && return 0
    fail "${3:-values differ} (- expected, + actual)" \
        "$(diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | tail -n +3)" "$(_last)"
}

assert_status() {   # EXPECTED: compares with $status of the last run
    [ "${status:-}" == "$1" ] && return 0
    fail "exit status: expected $1, got ${status:-}" "$(_last)"
}

assert_ok() { assert_status 0; }

assert_contains() {   # HAYSTACK NEEDLE [WHAT]
    [[ "$1" == *"$2"* ]] && return 0
    fail "${3:-output} does not contain '$2'" "--- actual:" "$1" "$(_last)"
}

assert_not_contains() {   # HAYSTACK NEEDLE [WHAT]
    [[ "$1" != *"$2"* ]] && return 0
    fail "${3:-output} contains '$2' but should not" "--- actual:" "$1" "$(_last)"
}

assert_match() {   # HAYSTACK ERE [WHAT]
    [[ "$1" =~ $2 ]] && return 0
    fail "${3:-output} does not match /$2/" "--- actual:" "$1" "$(_last)"
}

assert_line() {   # HAYSTACK LINE: LINE is one of the lines of HAYSTACK
    grep -qxF -- "$2" <<<"$1" && return 0
    fail "no line '$2'" "--- actual:" "$1" "$(_last)"
}

assert_no_line() {   # HAYSTACK LINE
    grep -qxF -- "$2" <<<"$1" || return 0
    fail "unexpected line '$2'" "--- actual:" "$1" "$(_last)"
}

# The status docker's CLI exits with when CMD... fails for its own reasons:
# 125 for `hutch run` (as for docker's run, create, start and exec), 1 for every
# other command. (Flag errors are 125 everywhere.)
failure_status() {   # CMD...: the words of a hutch command line, e.g. "$@" of run
    while [ $# -gt 0 ] && [ "$1" != hutch ] && [ "$1" != "$HUTCH" ]; do shift; done
    [ $# -gt 0 ] && shift
    while [[ ${1:-} == -* ]]; do shift; done
    case "${1:-} ${2:-}" in
        "run "* | "container run") echo 125 ;;
        *) echo 1 ;;
    esac
}

# The docker-like failure: status 125 and exactly one stderr line "hutch: ...".
assert_error() {   # [STATUS]
    assert_status "${1:-125}"
    local n
    n=$(printf '%s' "$err" | grep -c '')
    [ "$n" == 1 ] || fail "expected exactly one line on stderr, got $n" "$(_last)"
    [[ "$err" == "hutch: "* ]] || fail "stderr does not start with 'hutch: '" "$(_last)"
}

assert_absent() {   # PATH...
    local p
    for p; do
        [ -e "$p" ] || [ -L "$p" ] || continue
        fail "$p exists but should not" "$(ls -la "$p" 2>&1)"
    done
}

# ---- stores and images
fresh_store() {   # use an empty store under $WORK for the rest of the test
    export HUTCH_ROOT="$WORK/store"
    mkdir -p "$HUTCH_ROOT"
}

load() {   # ARCHIVE (a name in $FIXTURES or a path): load it or fail
    local f=$1
    [[ "$f" == /* ]] || f="$FIXTURES/$f"
    run hutch load -i "$f"
    assert_ok
}

short_id() { local id=${1#sha256:}; printf '%s' "${id:0:12}"; }

name() {   # a fresh container name (works inside $(...) too)
    local n
    n=$(($(cat "$WORK/.names" 2>/dev/null || echo 0) + 1))
    echo "$n" >"$WORK/.names"
    printf 'hutch-t%s-%s' "$$" "$n"
}

# Does this user have subordinate id ranges (so that uids other than 0 exist)?
has_subids() {
    local u
    u=$(id -un)
    command -v newuidmap >/dev/null && command -v newgidmap >/dev/null || return 1
    grep -qE "^($u|$(id -u)):" /etc/subuid 2>/dev/null &&
        grep -qE "^($u|$(id -u)):" /etc/subgid 2>/dev/null
}

# Remove a tree that may hold files owned by subordinate ids.
userns_rm() {
    rm -rf "$@" 2>/dev/null && return 0
    unshare --map-root-user --map-auto rm -rf "$@" 2>/dev/null && return 0
    unshare --map-root-user rm -rf "$@"
}

# A sorted listing of everything under DIR except paths under EXCLUDE.
snapshot() {   # DIR [EXCLUDE]
    find "$1" ${2:+-path "$2" -prune -o} -printf '%p %y\n' 2>/dev/null | sort
}

# ---- background processes
# spawn OUTFILE CMD...: start CMD in the background with default signal
# dispositions (bash would ignore SIGINT/SIGQUIT), stdout+stderr to OUTFILE.
# Its pid is in $spawned and killed at the end of the test if still alive.
spawn() {
    local outfile=$1
    shift
    python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@" >"$outfile" 2>&1 </dev/null &
    spawned=$!
    BG_PIDS+=("$spawned")
}

_cleanup_bg() {
    local p
    for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    # Containers a test left (it failed before stopping them, or detached from
    # them): their monitors are in sessions of their own, and the containers
    # die with a kill of the monitor.
    if [ -n "${HUTCH_ROOT:-}" ] && [ -d "$HUTCH_ROOT/containers" ]; then
        for p in $(pgrep -f -- "--root $HUTCH_ROOT __(attached-)?monitor" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    fi
    return 0
}

# wait_for FILE LINE [SECONDS]: wait until FILE has the line LINE; fails at
# once if the last spawned process ended without writing it.
wait_for() {
    local i
    for ((i = 0; i < ${3:-20} * 20; i++)); do
        grep -qxF -- "$2" "$1" 2>/dev/null && return 0
        if [ -n "${spawned:-}" ] && ! alive "$spawned"; then
            grep -qxF -- "$2" "$1" 2>/dev/null && return 0
            wait "$spawned"
            fail "process $spawned exited (status $?) before writing '$2'" "--- $1:" "$(cat "$1" 2>&1)"
        fi
        sleep 0.05
    done
    fail "timed out waiting for '$2' in $1" "--- $1:" "$(cat "$1" 2>&1)"
}

# alive PID: the process exists and is not a zombie
alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# wait_status PID [SECONDS]: wait for a spawned child; its status is the return
# value (the test fails if it is still running after SECONDS).
wait_status() {
    local i
    for ((i = 0; i < ${2:-20} * 20; i++)); do
        alive "$1" || break
        sleep 0.05
    done
    alive "$1" && fail "process $1 still running after ${2:-20}s" "$(ps -o pid,args -p "$1")"
    wait "$1"
}

# wait_inspect C FORMAT WANT: until `inspect -f FORMAT C` prints WANT (up to 10 s)
wait_inspect() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(hutch inspect -f "$2" "$1" 2>/dev/null)" = "$3" ] && return 0
        sleep 0.05
    done
    run hutch inspect -f "$2" "$1"
    fail "inspect -f '$2' $1: expected '$3', got '$out'"
}

# pids of the processes whose whole command line is CMDLINE
pids_of() { pgrep -x -f -- "$1" || true; }

# wait_gone CMDLINE [SECONDS]: wait until no process has this command line
wait_gone() {
    local i
    for ((i = 0; i < ${2:-10} * 20; i++)); do
        [ -z "$(pids_of "$1")" ] && return 0
        sleep 0.05
    done
    fail "'$1' still running after ${2:-10}s" "$(ps -o pid,uid,args -p "$(pids_of "$1" | xargs | tr ' ' ,)")"
}

# --- networks: ports, the host's address, servers on the host ---

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("0.0.0.0", 0))
print(s.getsockname()[1])'
}

# The host's own non-loopback IPv4 address (what a container reaches through
# its default route), or a skip.
host_address() {
    local a
    a=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
    [ -n "$a" ] || skip "the host has no non-loopback IPv4 address"
    printf '%s\n' "$a"
}

# http_server ADDRESS PORT: a server of the host's serving $WORK/www, with
# its requests logged to $WORK/http.log.
http_server() {
    mkdir -p "$WORK/www"
    echo "token-$$" >"$WORK/www/token"
    spawn "$WORK/http.log" python3 -u -m http.server --bind "$1" --directory "$WORK/www" "$2"
    local i
    for ((i = 0; i < 100; i++)); do
        python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)' "$1" "$2" \
            2>/dev/null && return 0
        sleep 0.05
    done
    fail "the host's HTTP server did not start" "$(cat "$WORK/http.log")"
}

# wait_http URL: the published port answers (the server in the container may
# still be starting).
wait_http() {
    local i
    for ((i = 0; i < 100; i++)); do
        curl -sf --max-time 2 "$1" >/dev/null && return 0
        sleep 0.05
    done
    run curl -sS --max-time 2 "$1"
    fail "$1 did not answer" "$(_last)"
}

# The image has no UDP server: what reaches the container's namespace shows
# in its UDP counters (a datagram for a port nothing listens on is NoPorts).
udp_noports() {   # CONTAINER
    hutch exec "$1" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $3 }' /proc/net/snmp
}

# assert_udp_reaches CONTAINER PORT: datagrams sent to the host's PORT reach
# the container's namespace (as NoPorts, where nothing listens).
assert_udp_reaches() {
    local c=$1 port=$2 before after i
    before=$(udp_noports "$c")
    for ((i = 0; i < 3; i++)); do
        python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"over-udp", ("127.0.0.1", int(sys.argv[1])))' "$port"
    done
    for ((i = 0; i < 50; i++)); do
        after=$(udp_noports "$c")
        [ "$after" -gt "$before" ] && break
        sleep 0.1
    done
    [ "$after" -gt "$before" ] || fail "no datagram reached the container (NoPorts $before -> $after)"
}
