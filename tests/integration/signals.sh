# Signals sent to the hutch process reach the container; killing hutch kills it.

# signal_test SIGNAL CODE [RUN OPTIONS...]: the container traps SIGNAL and
# exits with CODE; send SIGNAL to hutch and expect CODE as hutch's status.
signal_test() {
    local sig=$1 code=$2
    shift 2
    spawn "$WORK/log" "$HUTCH" run --rm "$@" "$IMG" \
        sh -c "trap 'echo got-$sig; exit $code' $sig; echo ready; while :; do sleep 0.1; done"
    local pid=$spawned
    wait_for "$WORK/log" ready
    kill -s "$sig" "$pid"
    wait_status "$pid" 15
    local st=$?
    assert_eq "$code" "$st" "status of hutch after SIG$sig"
    assert_line "$(cat "$WORK/log")" "got-$sig"
}

test_signal_term() { signal_test TERM 42; }
test_signal_int() { signal_test INT 44; }
test_signal_usr1() { signal_test USR1 43; }
test_signal_hup() { signal_test HUP 45; }
test_signal_term_interactive() { signal_test TERM 46 -i; }

test_signal_usr2_twice() {
    spawn "$WORK/log" "$HUTCH" run --rm "$IMG" \
        sh -c 'n=0; trap "n=\$((n+1)); echo usr2-\$n; [ \$n = 2 ] && exit 47" USR2; echo ready; while :; do sleep 0.1; done'
    local pid=$spawned
    wait_for "$WORK/log" ready
    kill -USR2 "$pid"
    wait_for "$WORK/log" usr2-1
    kill -USR2 "$pid"
    wait_status "$pid" 15
    assert_eq 47 "$?" "status after two SIGUSR2"
}

test_signal_term_untrapped_pid1() {
    # PID 1 without a handler ignores SIGTERM (as in docker): hutch keeps waiting
    spawn "$WORK/log" "$HUTCH" run --rm "$IMG" sh -c 'echo ready; sleep 1.5; echo done'
    local pid=$spawned
    wait_for "$WORK/log" ready
    kill -TERM "$pid"
    wait_status "$pid" 15
    assert_eq 0 "$?" "status"
    assert_line "$(cat "$WORK/log")" "done"
}

test_sigkill_hutch_kills_container() {
    fresh_store
    load base.tar
    local n secs
    n=$(name)
    secs=$((86000 + RANDOM))
    spawn "$WORK/log" "$HUTCH" run --name "$n" "$IMG" sh -c "echo ready; exec sleep $secs"
    local pid=$spawned
    wait_for "$WORK/log" ready
    [ -n "$(pids_of "sleep $secs")" ] || fail "cannot see the container's 'sleep $secs' from the host"
    kill -KILL "$pid"
    wait "$pid"
    wait_gone "sleep $secs" 10
    # Its monitor records the end just after the container's last process.
    wait_inspect "$n" '{{.State.Status}}' exited
    run hutch ps -a
    assert_ok
    local line
    line=$(grep -F "$n" <<<"$out")
    assert_not_contains "$line" " Up " "ps -a line of the killed container"
    run hutch rm -f "$n"
    assert_ok
    run hutch ps -a -q
    assert_eq "" "$out" "containers left"
    run hutch run --rm --name "$n" "$IMG" echo again
    assert_ok
    assert_eq "again" "$out"
}

test_sigkill_hutch_rm_flag() {
    local secs
    secs=$((86000 + RANDOM))
    spawn "$WORK/log" "$HUTCH" run --rm "$IMG" sh -c "echo ready; exec sleep $secs"
    local pid=$spawned
    wait_for "$WORK/log" ready
    kill -KILL "$pid"
    wait "$pid"
    wait_gone "sleep $secs" 10
    run hutch run --rm "$IMG" true
    assert_ok
}

test_sigkill_hutch_with_tty() {
    local secs
    secs=$((86000 + RANDOM))
    spawn "$WORK/log" python3 "$TESTDIR/ptyrun.py" -- "$HUTCH" run --rm -it "$IMG" sh -c "echo ready; exec sleep $secs"
    wait_for "$WORK/log" ready
    local hpid
    hpid=$(pgrep -P "$spawned")   # ptyrun's child is hutch
    [ -n "$hpid" ] || fail "cannot find the hutch process"
    kill -KILL "$hpid"
    wait_gone "sleep $secs" 10
}
