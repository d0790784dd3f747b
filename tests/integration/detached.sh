# Detached containers: run -d and its monitor, logs, stop, kill, start,
# restart, wait, restart policies. Each test has its own store and stops what
# it started (lib.sh kills the monitors a failed test left).

setup_store() { fresh_store; load base.tar; }

# the monitor of container ID (its pid), or nothing
monitor_of() { pgrep -f -- "__monitor $1" || true; }


test_run_detach_prints_the_id_and_logs_both_streams() {
    setup_store
    run hutch run -d --name d1 "$IMG" sh -c 'echo out-line; echo err-line >&2; exec sleep 30'
    assert_ok
    assert_match "$out" '^[0-9a-f]{64}$' "run -d output"
    local id=$out
    [ -n "$(monitor_of "$id")" ] || fail "no monitor runs for $id"
    run hutch ps
    assert_contains "$out" "Up "
    assert_contains "$out" " d1"
    wait_for_log() { for _ in $(seq 100); do [ -n "$(hutch logs d1 2>&1)" ] && return; sleep 0.05; done; }
    wait_for_log
    run hutch logs d1
    assert_ok
    assert_eq "out-line" "$out" "logs stdout"
    assert_eq "err-line" "$err" "logs stderr"
    run hutch logs -t d1
    assert_match "$out" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z out-line$' "logs -t"
    # docker's json-file format, at the path inspect names
    run hutch inspect -f '{{.LogPath}} {{.HostConfig.LogConfig.Type}} {{.State.Status}} {{.State.Running}}' d1
    assert_eq "$HUTCH_ROOT/containers/$id/$id-json.log json-file running true" "$out"
    assert_match "$(head -n1 "$HUTCH_ROOT/containers/$id/$id-json.log")" '^\{"log":"out-line\\n","stream":"stdout","time":"[0-9T:.-]+Z"\}$'
    [ "$(hutch inspect -f '{{.State.Pid}}' d1)" -gt 0 ] || fail "State.Pid of a running container"
    run hutch stop -t 1 d1
    assert_ok
    assert_eq "d1" "$out" "stop prints the name given"
    run hutch inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' d1
    # sleep as PID 1 ignores TERM (no handler): killed after the timeout, as docker does.
    assert_eq "exited 137 false" "$out"
    [ -z "$(monitor_of "$id")" ] || fail "the monitor outlived its container"
    run hutch rm d1
    assert_ok
}

test_run_detach_failure_statuses_leave_nothing_running() {
    setup_store
    run hutch run -d --name nf "$IMG" no-such-command
    assert_status 127
    assert_contains "$err" "no-such-command"
    run hutch run -d --name dir "$IMG" /etc
    assert_status 126
    run hutch ps -a --no-trunc
    assert_contains "$out" "Created"
    run hutch inspect -f '{{.State.Status}} {{.State.ExitCode}}' nf
    assert_eq "created 127" "$out"
    [ -n "$(hutch inspect -f '{{.State.Error}}' nf)" ] || fail "State.Error of a failed start is empty"
    [ -z "$(pgrep -f -- "--root $HUTCH_ROOT __monitor")" ] || fail "a monitor runs for a container that never started"
    # A container that ran once stays exited when a later start fails.
    hutch run --name selfdel "$IMG" sh -c 'rm /bin/sh' || fail "run"
    run hutch start selfdel
    assert_status 1
    run hutch inspect -f '{{.State.Status}} {{.State.ExitCode}}' selfdel
    assert_eq "exited 127" "$out"
    hutch rm selfdel >/dev/null
    run hutch run -d --rm "$IMG" no-such-command
    assert_status 127
    run hutch ps -a -q
    assert_eq "$(printf '%s\n' "$(hutch inspect -f '{{.Id}}' dir | cut -c1-12)" "$(hutch inspect -f '{{.Id}}' nf | cut -c1-12)" | sort)" \
        "$(printf '%s\n' "$out" | sort)" "a failed --rm container is removed"
    run hutch run -d --rm --restart always "$IMG" true
    assert_status 125
    assert_contains "$err" "Conflicting options: --restart and --rm"
    run hutch run -d --restart sometimes "$IMG" true
    assert_status 125
    run hutch run -d --log-driver syslog "$IMG" true
    assert_status 125
    assert_contains "$err" "logger: no log driver named 'syslog' is registered"
    run hutch run -d --log-opt max-bytes=1 "$IMG" true
    assert_status 125
    assert_contains "$err" "unknown log opt 'max-bytes' for json-file log driver"
}

test_stop_waits_for_a_trap_and_kills_what_ignores_term() {
    setup_store
    hutch run -d --name trapper "$IMG" sh -c 'trap "echo got-term; exit 7" TERM; while true; do sleep 0.1; done' >/dev/null || fail "run -d"
    hutch run -d --name stubborn "$IMG" sh -c 'trap "" TERM; while true; do sleep 0.1; done' >/dev/null || fail "run -d"
    hutch run -d --name usr1 --stop-signal USR1 --stop-timeout 1 "$IMG" sh -c 'trap "exit 9" USR1; while true; do sleep 0.1; done' >/dev/null || fail "run -d"
    sleep 0.5
    run hutch stop trapper
    assert_ok
    run hutch inspect -f '{{.State.ExitCode}}' trapper
    assert_eq "7" "$out" "a trapped TERM's exit status"
    run hutch logs trapper
    assert_eq "got-term" "$out"
    local start=$SECONDS
    run hutch stop -t 1 stubborn
    assert_ok
    [ $((SECONDS - start)) -lt 5 ] || fail "stop -t 1 took $((SECONDS - start)) s"
    run hutch inspect -f '{{.State.ExitCode}}' stubborn
    assert_eq "137" "$out" "killed after the timeout"
    run hutch stop usr1
    assert_ok
    run hutch inspect -f '{{.State.ExitCode}} {{.Config.StopSignal}} {{.Config.StopTimeout}}' usr1
    assert_eq "9 USR1 1" "$out" "the container's stop signal"
    # Stopping what is stopped is no error; a name that does not exist is.
    run hutch stop trapper nosuch
    assert_status 1
    assert_eq "trapper" "$out"
    assert_contains "$err" "No such container: nosuch"
}

test_a_killed_monitor_takes_its_container_and_rm_leftovers_go() {
    setup_store
    local id rmid
    id=$(hutch run -d --name victim "$IMG" sleep 60.$$) || fail "run -d"
    rmid=$(hutch run -d --rm "$IMG" sleep 61.$$) || fail "run -d --rm"
    kill -9 "$(monitor_of "$id")" "$(monitor_of "$rmid")"
    for _ in $(seq 100); do [ -z "$(pids_of "sleep 60.$$")$(pids_of "sleep 61.$$")" ] && break; sleep 0.05; done
    [ -z "$(pids_of "sleep 60.$$")$(pids_of "sleep 61.$$")" ] || fail "the container outlived its monitor"
    run hutch ps -a
    assert_contains "$out" "Exited (137)"
    assert_not_contains "$out" "${rmid:0:12}" "an abandoned --rm container"
    run hutch inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}' victim
    assert_eq "exited 137 0" "$out"
    # It can be started again: the record and the directory are whole.
    run hutch start victim
    assert_ok
    assert_eq "victim" "$out"
    wait_inspect victim '{{.State.Status}}' running
    run hutch rm -f victim
    assert_ok
    [ -z "$(pids_of "sleep 60.$$")" ] || fail "rm -f left the container running"
}

test_restart_policies_count_and_stop_ends_them() {
    setup_store
    hutch run -d --name flaky --restart on-failure:3 "$IMG" sh -c 'echo attempt; exit 3' >/dev/null || fail "run -d"
    wait_inspect flaky '{{.State.Status}} {{.RestartCount}}' "exited 3"
    run hutch inspect -f '{{.State.ExitCode}} {{json .HostConfig.RestartPolicy}}' flaky
    assert_eq '3 {"Name":"on-failure","MaximumRetryCount":3}' "$out"
    run hutch logs flaky
    assert_eq "$(printf 'attempt\nattempt\nattempt\nattempt')" "$out" "one line per run"
    # always: restarted after a clean exit too, until stop.
    hutch run -d --name forever --restart always "$IMG" sh -c 'sleep 0.2; exit 0' >/dev/null || fail "run -d"
    for _ in $(seq 100); do [ "$(hutch inspect -f '{{.RestartCount}}' forever)" -ge 2 ] && break; sleep 0.05; done
    [ "$(hutch inspect -f '{{.RestartCount}}' forever)" -ge 2 ] || fail "always did not restart"
    run hutch stop forever
    assert_ok
    sleep 0.5
    run hutch inspect -f '{{.State.Status}} {{.State.Restarting}}' forever
    assert_eq "exited false" "$out" "stop ends the restarting"
    [ -z "$(monitor_of "$(hutch inspect -f '{{.Id}}' forever)")" ] || fail "the monitor of a stopped container lives on"
    # kill ends it too, whatever the signal, as docker 20.10's does.
    hutch run -d --name killed --restart always "$IMG" sleep 30.$$ >/dev/null || fail "run -d"
    run hutch kill killed
    assert_ok
    assert_eq "killed" "$out"
    wait_inspect killed '{{.State.Status}} {{.State.ExitCode}}' "exited 137"
    sleep 0.3
    run hutch inspect -f '{{.State.Status}} {{.RestartCount}}' killed
    assert_eq "exited 0" "$out" "kill is not restarted"
    hutch run -d --name usr2 --restart always "$IMG" sh -c 'trap "exit 4" USR2; while true; do sleep 0.1; done' >/dev/null || fail "run -d"
    sleep 0.3
    hutch kill -s USR2 usr2 >/dev/null || fail "kill -s USR2"
    wait_inspect usr2 '{{.State.Status}} {{.State.ExitCode}}' "exited 4"
    sleep 0.3
    run hutch inspect -f '{{.State.Status}} {{.RestartCount}}' usr2
    assert_eq "exited 0" "$out" "kill -s USR2 is not restarted either"
}

test_wait_kill_and_rm_as_docker_has_them() {
    setup_store
    hutch run -d --name w1 "$IMG" sh -c 'sleep 0.5; exit 3' >/dev/null || fail "run -d"
    hutch run -d --name w2 "$IMG" sh -c 'sleep 1; exit 5' >/dev/null || fail "run -d"
    run hutch wait w1 w2
    assert_ok
    assert_eq "$(printf '3\n5')" "$out"
    hutch run -d --name sig "$IMG" sh -c 'trap "exit 4" USR1; while true; do sleep 0.1; done' >/dev/null || fail "run -d"
    sleep 0.3
    run hutch kill -s USR1 sig
    assert_ok
    run hutch wait sig
    assert_eq "4" "$out"
    run hutch kill sig
    assert_status 1
    assert_contains "$err" "is not running"
    run hutch kill -s NOSUCH sig
    assert_status 1
    assert_contains "$err" "Invalid signal: NOSUCH"
    run hutch run -d --stop-signal NOSUCH "$IMG" true
    assert_status 125
    assert_contains "$err" "Invalid signal: NOSUCH"
    hutch run -d --name busy "$IMG" sleep 30.$$ >/dev/null || fail "run -d"
    run hutch rm busy
    assert_status 1
    assert_contains "$err" "container is running"
    run hutch rm -f busy
    assert_ok
    [ -z "$(pids_of "sleep 30.$$")" ] || fail "rm -f left the container running"
}

test_logs_follow_tail_since_and_the_other_drivers() {
    setup_store
    hutch run -d --name lines "$IMG" sh -c 'for i in 1 2 3 4; do echo l$i; sleep 0.2; done' >/dev/null || fail "run -d"
    run timeout 10 "$HUTCH" logs -f lines
    assert_ok
    assert_eq "$(printf 'l1\nl2\nl3\nl4')" "$out" "logs -f ends with the container"
    run hutch logs --tail 2 lines
    assert_eq "$(printf 'l3\nl4')" "$out"
    run hutch logs -n 0 lines
    assert_eq "" "$out"
    run hutch logs --since 1h lines
    assert_eq 4 "$(printf '%s\n' "$out" | wc -l)"
    run hutch logs --until 2000-01-01T00:00:00Z lines
    assert_eq "" "$out"
    run hutch logs --since yesterdayish lines
    assert_status 1
    assert_contains "$err" 'failed to parse value as time or duration: "yesterdayish"'
    # local keeps the bytes as they were, json-file makes them valid UTF-8.
    hutch run -d --name raw --log-driver local "$IMG" sh -c 'printf "a\377b\n"; printf "no-newline"' >/dev/null || fail "run -d"
    hutch wait raw >/dev/null
    run hutch logs raw
    assert_eq "$(printf 'a\377b\nno-newline')" "$out" "local driver round trip"
    run hutch inspect -f '{{.LogPath}}' raw
    assert_eq "$HUTCH_ROOT/containers/$(hutch inspect -f '{{.Id}}' raw)/local-logs/container.log" "$out"
    hutch run -d --name none --log-driver none "$IMG" echo x >/dev/null || fail "run -d"
    hutch wait none >/dev/null
    run hutch logs none
    assert_status 1
    assert_contains "$err" "configured logging driver does not support reading"
    # Rotation: max-file files of about max-size, read back whole in order.
    local id
    id=$(hutch run -d --log-opt max-size=1k --log-opt max-file=3 "$IMG" sh -c 'i=0; while [ $i -lt 40 ]; do echo line$i; i=$((i+1)); done') || fail "run -d"
    hutch wait "$id" >/dev/null
    ls "$HUTCH_ROOT/containers/$id/$id-json.log.1" >/dev/null || fail "no rotated log"
    run hutch logs "$id"
    assert_eq "$(seq 0 39 | sed 's/^/line/' | tail -n "$(printf '%s\n' "$out" | wc -l)")" "$out" "rotated logs in order"
    hutch run -d --log-opt max-size=200 --log-opt max-file=2 --log-opt compress=true --name gz "$IMG" sh -c 'i=0; while [ $i -lt 20 ]; do echo line$i; i=$((i+1)); done' >/dev/null
    hutch wait gz >/dev/null
    ls "$HUTCH_ROOT/containers/$(hutch inspect -f '{{.Id}}' gz)/"*.gz >/dev/null || fail "compress=true left no .gz"
    run hutch logs gz
    assert_contains "$out" "line19"
}

test_cidfile_start_and_restart() {
    setup_store
    run hutch run -d --cidfile "$WORK/cid" --name again "$IMG" sh -c 'echo ran; sleep 30'
    assert_ok
    assert_eq "$out" "$(cat "$WORK/cid")" "--cidfile holds the id"
    run hutch run -d --cidfile "$WORK/cid" "$IMG" true
    assert_status 125
    assert_contains "$err" "container ID file found"
    run hutch run -d --cidfile "$WORK/cid2" "$IMG" no-such-command
    assert_status 127
    run hutch restart -t 0 again
    assert_ok
    assert_eq "again" "$out"
    wait_inspect again '{{.State.Status}}' running
    for _ in $(seq 100); do [ "$(hutch logs again | wc -l)" = 2 ] && break; sleep 0.05; done
    run hutch logs again
    assert_eq "$(printf 'ran\nran')" "$out" "the log goes on across starts"
    run hutch start again
    assert_ok
    run hutch stop -t 0 again
    assert_ok
    run hutch start again
    assert_ok
    wait_inspect again '{{.State.Status}}' running
    hutch rm -f again >/dev/null
}

test_fifty_detached_containers_at_once() {
    setup_store
    local i
    for i in $(seq 50); do
        hutch run -d --name "many$i" "$IMG" sleep 40.$$ >"$WORK/id$i" 2>&1 &
    done
    wait
    for i in $(seq 50); do
        grep -qE '^[0-9a-f]{64}$' "$WORK/id$i" || fail "run -d $i: $(cat "$WORK/id$i")"
    done
    run hutch ps -q
    assert_eq 50 "$(printf '%s\n' "$out" | grep -c .)" "containers listed"
    run hutch stop -t 0 $(seq -f 'many%g' 50)
    assert_ok
    assert_eq 50 "$(printf '%s\n' "$out" | grep -c .)"
    run hutch ps -q
    assert_eq "" "$out"
    [ -z "$(pids_of "sleep 40.$$")" ] || fail "stop left containers running"
    [ -z "$(pgrep -f -- "--root $HUTCH_ROOT __monitor")" ] || fail "monitors linger"
}

test_exec_joins_a_container_another_hutch_started() {
    setup_store
    hutch run -d --name ex -e FOO=bar -w /tmp "$IMG" sleep 30.$$ >/dev/null || fail "run -d"
    run hutch exec ex sh -c 'echo "$FOO $(pwd)"; tr "\0" " " </proc/1/cmdline'
    assert_ok
    assert_eq "$(printf 'bar /tmp\nsleep 30.%s ' "$$")" "$out" "the container's env, workdir and PID namespace"
    run hutch exec -e FOO=baz -w / ex sh -c 'echo "$FOO $(pwd)"'
    assert_eq "baz /" "$out"
    run hutch exec ex sh -c 'exit 7'
    assert_status 7
    run hutch exec ex no-such-command
    assert_status 127
    run hutch exec ex /etc
    assert_status 126
    run hutch exec -t ex tty
    assert_ok
    assert_match "$out" '^/dev/pts/[0-9]+'
    run hutch exec -d ex sh -c 'echo detached >/tmp/marker'
    assert_ok
    for _ in $(seq 100); do [ "$(hutch exec ex cat /tmp/marker 2>/dev/null)" = detached ] && break; sleep 0.05; done
    run hutch exec ex cat /tmp/marker
    assert_eq "detached" "$out" "exec -d ran"
    if has_subids; then
        run hutch exec -u 1000:1000 ex id
        assert_match "$out" '^uid=1000\(alice\) gid=1000\(alice\) '
        [ "$(hutch exec -u alice ex id -u)" = 1000 ] || fail "exec -u NAME"
    fi
    run hutch exec -u nobody-here ex true
    assert_error 126
    hutch stop -t 0 ex >/dev/null
    run hutch exec ex true
    assert_status 1
    assert_contains "$err" "is not running"
    run hutch exec nosuch true
    assert_status 1
    assert_contains "$err" "No such container: nosuch"
}

test_create_rename_prune_and_system_boot() {
    setup_store
    run hutch create --name made "$IMG" sh -c 'echo from-create'
    assert_ok
    assert_match "$out" '^[0-9a-f]{64}$'
    run hutch create -d "$IMG" true
    assert_status 125
    run hutch ps -a
    assert_contains "$out" "Created"
    run hutch start made
    assert_ok
    hutch wait made >/dev/null
    run hutch logs made
    assert_eq "from-create" "$out"
    run hutch rename made renamed
    assert_ok
    run hutch inspect -f '{{.Name}}' renamed
    assert_eq "/renamed" "$out"
    run hutch inspect made
    assert_status 1
    hutch create --name other "$IMG" true >/dev/null
    run hutch rename renamed other
    assert_status 1
    assert_contains "$err" 'The container name "/other" is already in use'
    # After a "reboot" (every monitor killed): always comes back, and
    # unless-stopped unless it was stopped; no comes back never.
    local a u s n
    a=$(hutch run -d --restart always "$IMG" sleep 50.$$) || fail "run -d"
    u=$(hutch run -d --restart unless-stopped "$IMG" sleep 51.$$) || fail "run -d"
    s=$(hutch run -d --name stopped --restart unless-stopped "$IMG" sleep 52.$$) || fail "run -d"
    n=$(hutch run -d "$IMG" sleep 53.$$) || fail "run -d"
    hutch stop -t 0 stopped >/dev/null
    kill -9 $(pgrep -f -- "--root $HUTCH_ROOT __monitor")
    for _ in $(seq 100); do [ -z "$(pgrep -f -- "--root $HUTCH_ROOT __monitor")" ] && break; sleep 0.05; done
    run hutch system boot
    assert_ok
    assert_eq 2 "$(printf '%s\n' "$out" | grep -c .)" "containers started at boot"
    run hutch inspect -f '{{.State.Status}}' "$a" "$u" "$s" "$n"
    assert_eq "$(printf 'running\nrunning\nexited\nexited')" "$out"
    run hutch rm -f "$a" "$u"
    assert_ok
    run hutch container prune -f
    assert_ok
    assert_contains "$out" "Deleted Containers:"
    assert_contains "$out" "$s"
    assert_contains "$out" "Total reclaimed space:"
    run hutch ps -a -q
    assert_eq "" "$out"
}

test_a_start_joins_the_user_namespace_of_a_running_container() {
    setup_store
    run hutch run -d --name anchor "$IMG" sleep 60
    assert_ok
    local pid first
    pid=$(hutch inspect -f '{{.State.Pid}}' anchor)
    first=$(readlink "/proc/$pid/ns/user")
    run hutch run --rm "$IMG" readlink /proc/self/ns/user
    assert_ok
    if has_subids; then
        # With a range, a start joins the running container's namespace
        # (no newuidmap/newgidmap), and its maps are the same.
        assert_eq "$first" "$out" "a second container's user namespace"
        run hutch run --rm -u 1000:1000 "$IMG" id
        assert_ok
        assert_contains "$out" "uid=1000(alice) gid=1000(alice)"
    else
        # A single-uid namespace is cheap to make: each container has its own.
        [ "$first" != "$out" ] || fail "a single-uid container joined another's user namespace"
    fi
    run hutch run -d --name second "$IMG" sleep 60
    assert_ok
    hutch rm -f anchor >/dev/null || fail "rm -f anchor"
    # The anchor is gone: the next start joins a container still running, or
    # makes a namespace of its own; a stale or forged anchor file never matters.
    run hutch run --rm "$IMG" true
    assert_ok
    for f in "$HUTCH_ROOT"/userns/*; do
        [ -e "$f" ] || continue
        echo "$$ 1" >"$f"
    done
    run hutch run --rm "$IMG" sh -c 'echo ok >/tmp/f; cat /tmp/f'
    assert_ok
    assert_eq "ok" "$out"
    hutch rm -f second >/dev/null || fail "rm -f second"
    run hutch run --rm "$IMG" true
    assert_ok
}
