#!/bin/bash
# hutch's test runner (what `make test` calls): unit tests, then every
# tests/integration/*.sh test_* function as each test user, each in its own
# process with a timeout.  The last line is exactly "N passed, N failed"
# (", N skipped" when something was skipped); the status is 1 on any failure.
#
# As root it creates two users and runs every test as both:
#   hutch-sub   has a subordinate id range (/etc/subuid, /etc/subgid)
#   hutch-solo  has none: a single-uid mapping, only root exists in containers
# As any other user it runs the tests as that user only.
#
# Environment:  HUTCH=path      binary under test (default build/hutch)
#               TESTS=ERE       run only tests whose "file:function" matches
#               USERS="a b"     users to run as (root only)
#               TEST_TIMEOUT=s  per-test timeout (default 60)
#               KEEP=1          keep the workspace even when everything passed
#               ASAN_OPTIONS, LSAN_OPTIONS, UBSAN_OPTIONS are passed to the tests
#               SERIAL=1        run the users one after the other, not in parallel
#               LEAK_CHECK=0    do not fail tests that leave processes behind
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
HUTCH_BIN=${HUTCH:-$REPO/build/hutch}
UNIT_BIN=$REPO/build/unit-tests
TIMEOUT=${TEST_TIMEOUT:-60}
FILTER=${TESTS:-}
SUB_USER=hutch-sub
SOLO_USER=hutch-solo
passed=0 failed=0 skipped=0
SMALL_MOUNTS=()

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }

# ---------------------------------------------------------------- setup (root)
add_user() {
    id -u "$1" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/bash "$1" || exit 1
}

next_subid_start() {   # first id after every range in /etc/subuid and /etc/subgid
    awk -F: 'BEGIN { m = 200000 } NF >= 3 && $2 + $3 > m { m = $2 + $3 } END { print m }' \
        /etc/subuid /etc/subgid 2>/dev/null
}

setup_users() {
    add_user "$SUB_USER"
    add_user "$SOLO_USER"
    # The users exist only for these tests: whatever they still run (a rootless
    # podman pause process left by bench/, a killed earlier run) is not ours to
    # keep, and would fail the leak check of the first test.
    pkill -KILL -u "$SUB_USER" 2>/dev/null
    pkill -KILL -u "$SOLO_USER" 2>/dev/null
    touch /etc/subuid /etc/subgid
    sed -i "/^$SOLO_USER:/d; /^$(id -u "$SOLO_USER"):/d" /etc/subuid /etc/subgid
    local f start
    for f in /etc/subuid /etc/subgid; do
        grep -q "^$SUB_USER:" "$f" && continue
        start=$(next_subid_start)
        say "$SUB_USER:$start:65536" >>"$f"
    done
    local dev
    for dev in /dev/fuse /dev/net/tun; do
        [ -e "$dev" ] && chmod 0666 "$dev"
    done
    # ICMP echo through the network engine uses the user's ping sockets, as
    # Debian's systemd allows every group by default.
    sysctl -q -w net.ipv4.ping_group_range="0 2147483647" 2>/dev/null
}

# The tests' view of the host's resolver (root only): a DNS server of the
# tests' own on the host's loopback, named in an /etc/resolv.conf that each
# test sees in a mount namespace of its own; nothing else on the host sees it.
TEST_DNS_NAMES=(hutch-dns.test=10.11.12.13)
setup_resolver() {
    [ "$IS_ROOT" = 1 ] || return 0
    printf 'nameserver 127.0.0.1\nsearch hutch.test\noptions ndots:1\n' >"$WS/resolv.conf"
    python3 "$WS/tests/dns_server.py" 127.0.0.1 53 "${TEST_DNS_NAMES[@]}" >"$WS/logs/dns" 2>&1 &
    DNS_PID=$!
    local i
    for ((i = 0; i < 50; i++)); do
        grep -q ready "$WS/logs/dns" 2>/dev/null && { TEST_RESOLVER=$WS/resolv.conf; return 0; }
        sleep 0.1
    done
    say "note: the tests' DNS server did not start (port 53 taken?): DNS tests skip"
    kill "$DNS_PID" 2>/dev/null
    DNS_PID=
}

# Give a path to a user (no-op when not root).
give() { [ "$IS_ROOT" = 1 ] && chown -R "$1" "${@:2}"; return 0; }

setup_workspace() {
    WS=$(mktemp -d /tmp/hutch-tests.XXXX) || exit 1
    chmod 0755 "$WS"
    cp "$HUTCH_BIN" "$WS/hutch"
    chmod 0755 "$WS/hutch"
    cp -r "$REPO/tests" "$WS/tests"
    mkdir "$WS/logs"
    if ! python3 "$WS/tests/fixtures/make-images.py" "$WS/fixtures" >"$WS/logs/fixtures" 2>&1; then
        say "FAIL fixtures: make-images.py failed"
        indent <"$WS/logs/fixtures"
        failed=$((failed + 1))
        finish
    fi
    chmod -R a+rX "$WS/tests" "$WS/fixtures"
    local u
    for u in "${USER_LIST[@]}"; do
        mkdir -p "$WS/store-$u" "$WS/home-$u" "$WS/work-$u"
        give "$u" "$WS/store-$u" "$WS/home-$u" "$WS/work-$u"
        # A small filesystem of the user's own, for tests of a full disk
        # (tests see it as $SMALL; without root they skip).
        if [ "$IS_ROOT" = 1 ] && mkdir -p "$WS/small-$u" &&
            mount -t tmpfs -o "size=24m,mode=0700,uid=$(id -u "$u"),gid=$(id -g "$u")" tmpfs "$WS/small-$u"; then
            SMALL_MOUNTS+=("$WS/small-$u")
        fi
    done
}

# ---------------------------------------------------------------- running
# user_cmd USER WORKDIR: set CMD to the command prefix that runs a command as
# USER in a clean environment (no XDG_RUNTIME_DIR: tests the fallback).
user_cmd() {
    local u=$1 work=$2
    CMD=(env -i HOME="$WS/home-$u" USER="$u" LOGNAME="$u" PATH=/usr/sbin:/usr/bin:/sbin:/bin
        HUTCH="$WS/hutch" FIXTURES="$WS/fixtures" TESTDIR="$WS/tests" WORK="$work"
        STORE="$WS/store-$u" HUTCH_ROOT="$WS/store-$u" LANG=C.UTF-8)
    mountpoint -q "$WS/small-$u" 2>/dev/null && CMD+=(SMALL="$WS/small-$u")
    [ -n "${TEST_RESOLVER:-}" ] && CMD+=(TEST_DNS="${TEST_DNS_NAMES[*]}")
    local v
    for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do   # for sanitizer builds
        [ -n "${!v:-}" ] && CMD+=("$v=${!v}")
    done
    [ "$IS_ROOT" = 1 ] && CMD=(runuser -u "$u" -- "${CMD[@]}")
    if [ -n "${TEST_RESOLVER:-}" ]; then
        CMD=(unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
            "$TEST_RESOLVER" "${CMD[@]}")
    fi
    return 0
}

preload_store() {   # USER: load base.tar into the user's shared store
    local u=$1 log=$WS/logs/preload-$1
    user_cmd "$u" "$WS/work-$u"
    if "${CMD[@]}" "$WS/hutch" load -i "$WS/fixtures/base.tar" >"$log" 2>&1 </dev/null 9>&-; then
        return 0
    fi
    emit "FAIL $u setup:preload (hutch load -i base.tar into $WS/store-$u)"$'\n'"$(indent <"$log")"
    failed=$((failed + 1))
}

# pids (with their command) left behind by a test: processes of the user's uid
# or of its subordinate uids.
leftovers() {   # USER
    [ "$IS_ROOT" = 1 ] && [ "${LEAK_CHECK:-1}" = 1 ] || return 0
    local uid lo=0 n=0
    uid=$(id -u "$1")
    read -r lo n < <(awk -F: -v u="$1" -v i="$uid" '($1 == u || $1 == i) { print $2, $3; exit }' /etc/subuid)
    ps -eo pid=,uid=,stat=,args= | awk -v u="$uid" -v lo="${lo:-0}" -v n="${n:-0}" \
        '$3 !~ /^Z/ && ($2 == u || ($2 >= lo && $2 < lo + n)) { print }'
}

check_leftovers() {   # USER LOG: wait up to 3 s for the user's processes to go
    local i left
    for ((i = 0; i < 30; i++)); do
        left=$(leftovers "$1")
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    {
        say "FAILED: processes left behind after the test (killed now):"
        say "$left"
    } >>"$2"
    local pid
    for pid in $(awk '{ print $1 }' <<<"$left"); do kill -9 "$pid" 2>/dev/null; done
    return 1
}

run_test() {   # USER FILE FUNCTION
    local u=$1 file=$2 fn=$3
    seq_no=$((seq_no + 1))
    local work=$WS/work-$u/$seq_no-$fn log=$WS/logs/$seq_no-$u-$fn
    mkdir -p "$work"
    give "$u" "$work"
    local script='cd "$WORK" && . "$TESTDIR/lib.sh" && . "$TESTDIR/integration/$1" && "$2"'
    user_cmd "$u" "$work"
    timeout -k 5 "$TIMEOUT" "${CMD[@]}" bash -c "$script" _ "$file" "$fn" </dev/null >"$log" 2>&1 9>&-
    local rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then say "FAILED: timed out after ${TIMEOUT}s" >>"$log"; fi
    check_leftovers "$u" "$log" || rc=1
    local block
    case $rc in
    0)  block="ok   $u $file:$fn"; passed=$((passed + 1)) ;;
    77) block="skip $u $file:$fn: $(sed -n 's/^SKIP: //p' "$log" | tail -n 1)"
        skipped=$((skipped + 1)) ;;
    *)  block="FAIL $u $file:$fn"$'\n'"$(indent <"$log")"; failed=$((failed + 1)) ;;
    esac
    emit "$block"
}

# emit TEXT: print TEXT in one piece (user lanes run in parallel)
emit() { flock "$WS/logs" printf '%s\n' "$1"; }

run_unit_tests() {
    [ -x "$UNIT_BIN" ] || return 0
    local out rc counts
    out=$(cd "$REPO" && timeout -k 5 300 "$UNIT_BIN" 2>&1 9>&-)
    rc=$?
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
    if [ -n "$counts" ]; then
        read -r p _ f _ <<<"${counts//,/}"
        passed=$((passed + p))
        failed=$((failed + f))
        [ "$f" -gt 0 ] || [ $rc != 0 ] && indent <<<"$out"
        say "unit-tests: $counts"
        [ "$f" = 0 ] && [ $rc != 0 ] && { say "FAIL unit-tests exited $rc"; failed=$((failed + 1)); }
    else
        say "FAIL unit-tests (exit $rc, no summary line)"
        indent <<<"$out"
        failed=$((failed + 1))
    fi
}

lane() {   # USER: every selected test as USER
    local u=$1 f fn name
    preload_store "$u"
    for f in "$WS"/tests/integration/*.sh; do
        [ -e "$f" ] || continue
        name=$(basename "$f")
        for fn in $(grep -oE '^test_[A-Za-z0-9_]+' "$f"); do
            [ -n "$FILTER" ] && ! [[ "$name:$fn" =~ $FILTER ]] && continue
            run_test "$u" "$name" "$fn"
        done
    done
}

# The users' lanes run in parallel (SERIAL=1: one after the other).
run_integration_tests() {
    local u p f s lanes=()
    if [ "${SERIAL:-0}" = 1 ]; then
        for u in "${USER_LIST[@]}"; do lane "$u"; done
        return
    fi
    for u in "${USER_LIST[@]}"; do
        (
            passed=0 failed=0 skipped=0
            lane "$u"
            echo "$passed $failed $skipped" >"$WS/logs/counts-$u"
        ) &
        lanes+=($!)
    done
    # the lanes only: the tests' DNS server runs on until finish
    wait "${lanes[@]}"
    for u in "${USER_LIST[@]}"; do
        read -r p f s <"$WS/logs/counts-$u" 2>/dev/null || { p=0 f=1 s=0; say "FAIL $u: lane died"; }
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    done
}

cleanup_workspace() {
    [ -n "${WS:-}" ] && [ -d "$WS" ] || return 0
    local m
    for m in "${SMALL_MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done
    if [ "$failed" != 0 ] || [ "${KEEP:-0}" = 1 ]; then
        say "workspace kept: $WS"
        return 0
    fi
    rm -rf "$WS" 2>/dev/null ||
        unshare --map-root-user --map-auto rm -rf "$WS" 2>/dev/null ||
        unshare --map-root-user rm -rf "$WS" 2>/dev/null ||
        say "note: could not remove all of $WS"
}

finish() {
    [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2>/dev/null
    cleanup_workspace
    if [ "$skipped" != 0 ]; then
        say "$passed passed, $failed failed, $skipped skipped"
    else
        say "$passed passed, $failed failed"
    fi
    [ "$failed" = 0 ]
    exit
}

# ---------------------------------------------------------------- main
main() {
    seq_no=0
    if [ "$(id -u)" = 0 ]; then
        IS_ROOT=1
        # one run at a time: runs share the test users, and a test fails
        # (and its leftovers are killed) when the user has stray processes
        exec 9>/tmp/hutch-tests.lock
        flock -n 9 || { say "waiting for another tests/run.sh to finish"; flock 9; }
        read -r -a USER_LIST <<<"${USERS:-$SUB_USER $SOLO_USER}"
        setup_users
    else
        IS_ROOT=0
        USER_LIST=("$(id -un)")
    fi
    run_unit_tests
    if [ ! -x "$HUTCH_BIN" ]; then
        say "FAIL no hutch binary at $HUTCH_BIN"
        failed=$((failed + 1))
        finish
    fi
    setup_workspace
    setup_resolver
    run_integration_tests
    finish
}

main "$@"
