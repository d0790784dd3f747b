# Attaching: the foreground run is a client of the container's monitor, as
# docker's CLI is of its daemon: its log is kept, the detach keys leave the
# container running, attach and start -a return to it, -a picks the streams.

setup_store() { fresh_store; load base.tar; }
ptyrun() { python3 "$TESTDIR/ptyrun.py" "$@"; }


test_foreground_run_keeps_the_log() {
    setup_store
    run hutch run --name fg "$IMG" sh -c 'echo out-line; echo err-line >&2; exit 3'
    assert_status 3
    assert_eq "out-line" "$out" "stdout"
    assert_eq "err-line" "$err" "stderr"
    run hutch logs fg
    assert_ok
    assert_eq "out-line" "$out" "logs stdout"
    assert_eq "err-line" "$err" "logs stderr"
    run hutch inspect -f '{{.State.Status}} {{.State.ExitCode}}' fg
    assert_eq "exited 3" "$out"
    [ -z "$(pgrep -f -- "--root $HUTCH_ROOT __")" ] || fail "a monitor outlived its container"
}

test_detach_keys_leave_it_running_and_attach_returns() {
    setup_store
    run ptyrun --wait '# ' --input 'echo first-$((2+3))\n' --wait 'first-5' --input '\x10\x11' \
        -- "$HUTCH" run -it --name dk "$IMG" sh
    assert_ok
    assert_eq "termios: restored" "$err"
    wait_inspect dk '{{.State.Status}}' running
    # The log has what the terminal showed.
    run hutch logs dk
    assert_contains "$out" "first-5"
    run ptyrun --input '\n' --wait '# ' --input 'echo back-$((40+2))\n' --wait 'back-42' --input 'exit 5\n' \
        -- "$HUTCH" attach dk
    assert_status 5
    assert_contains "$out" "back-42"
    wait_inspect dk '{{.State.Status}} {{.State.ExitCode}}' "exited 5"
}

test_detach_keys_of_attach_and_custom_keys() {
    setup_store
    hutch run -dit --name ck "$IMG" sh >/dev/null || fail "run -dit"
    # ctrl-x then y: a typed ctrl-x followed by anything else reaches the shell.
    run ptyrun --input '\n' --wait '# ' --input '\x18y' -- "$HUTCH" attach --detach-keys ctrl-x,y ck
    # docker's attach says so, and fails, when it detaches.
    assert_status 1
    assert_contains "$out" "read escape sequence"
    wait_inspect ck '{{.State.Status}}' running
    run ptyrun --input '\n' --wait '# ' --input '\x10\x11' -- "$HUTCH" attach ck
    assert_status 1
    wait_inspect ck '{{.State.Status}}' running
    hutch rm -f ck >/dev/null
}

test_bad_detach_keys_are_refused() {
    setup_store
    run hutch run --detach-keys 'ctrl-' "$IMG" true
    assert_status 125
    assert_contains "$err" "Invalid detach keys (ctrl-) provided"
    run hutch ps -a -q
    assert_eq "" "$out" "nothing made"
}

test_attach_to_a_stopped_container() {
    setup_store
    hutch create --name st "$IMG" true >/dev/null
    run hutch attach st
    assert_status 1
    assert_contains "$err" "You cannot attach to a stopped container, start it first"
    run hutch attach no-such-one
    assert_status 1
    assert_contains "$err" "No such container: no-such-one"
}

test_attach_sees_new_output_and_leaves_it_running() {
    setup_store
    hutch run -d --name tick "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done' >/dev/null
    sleep 0.5
    # --sig-proxy=false: timeout's TERM ends attach, not the container.
    run timeout 1 "$HUTCH" attach --sig-proxy=false tick
    assert_status 124
    assert_contains "$out" "tick-"
    assert_not_contains "$out" "tick-1
" "attach replays nothing"
    wait_inspect tick '{{.State.Status}}' running
    hutch rm -f tick >/dev/null
}

test_attach_streams_with_a() {
    setup_store
    run hutch run -a stdout --rm "$IMG" sh -c 'echo out-line; echo err-line >&2'
    assert_ok
    assert_eq "out-line" "$out"
    assert_eq "" "$err"
    run hutch run -a STDERR --rm "$IMG" sh -c 'echo out-line; echo err-line >&2'
    assert_ok
    assert_eq "" "$out"
    assert_eq "err-line" "$err"
    run hutch run -a stdout -d "$IMG" true
    assert_status 1
    assert_contains "$err" "Conflicting options: -a and -d"
    run hutch run -a bogus "$IMG" true
    assert_status 125
    assert_contains "$err" 'valid streams are STDIN, STDOUT and STDERR'
    run hutch run --name ai -a stdout -a stdin -i "$IMG" true
    assert_ok
    run hutch inspect -f '{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} {{.Config.StdinOnce}}' ai
    assert_eq "true true false true" "$out"
}

test_start_attached_gives_the_exit_status() {
    setup_store
    hutch create --name sa "$IMG" sh -c 'echo hello-$((6*7)); exit 3' >/dev/null
    run hutch start -a sa
    assert_status 3
    assert_eq "hello-42" "$out"
    run hutch start -a sa
    assert_status 3
    run hutch start -a sa sa
    assert_status 1
    assert_contains "$err" "you cannot start and attach multiple containers at once"
    hutch create -i --name si "$IMG" sh -c 'read line; echo got-$line' >/dev/null
    run sh -c "echo piped | '$HUTCH' start -ai si"
    assert_ok
    assert_eq "got-piped" "$out"
}

test_detached_stdin_is_kept_for_attach() {
    setup_store
    hutch run -d -i --name di "$IMG" sh -c 'read a; echo one-$a; read b; echo two-$b' >/dev/null
    run hutch inspect -f '{{.Config.OpenStdin}} {{.Config.AttachStdin}} {{.Config.StdinOnce}}' di
    assert_eq "true false false" "$out"
    # The first client's end of input does not close the container's stdin.
    printf 'x\n' | "$HUTCH" attach --sig-proxy=false di >"$WORK/first" &
    local first=$!
    sleep 1
    kill "$first" 2>/dev/null
    wait "$first" 2>/dev/null
    run sh -c "echo y | '$HUTCH' attach di"
    assert_ok
    assert_contains "$out" "two-y"
    run hutch logs di
    assert_eq "one-x
two-y" "$out"
}

test_sig_proxy_false_leaves_the_container() {
    setup_store
    spawn "$WORK/log" "$HUTCH" run --sig-proxy=false --name sp "$IMG" sh -c 'echo up; exec sleep 100'
    local pid=$spawned
    wait_for "$WORK/log" up
    kill -TERM "$pid"
    wait_status "$pid" 5
    assert_eq 143 "$?" "hutch's status"
    wait_inspect sp '{{.State.Status}}' running
    hutch rm -f sp >/dev/null
}

test_sig_proxy_sends_the_signal_in() {
    setup_store
    spawn "$WORK/log" "$HUTCH" run --name px "$IMG" sh -c 'trap "echo got-term; exit 7" TERM; echo up; while :; do sleep 0.1; done'
    local pid=$spawned
    wait_for "$WORK/log" up
    kill -TERM "$pid"
    wait_status "$pid" 5
    assert_eq 7 "$?" "the container's status"
    assert_line "$(cat "$WORK/log")" got-term
}

test_foreground_restart_policy_applies() {
    setup_store
    run hutch run --name rp --restart on-failure:2 "$IMG" sh -c 'echo try; exit 3'
    assert_status 3
    assert_eq "try" "$out"
    wait_inspect rp '{{.State.Status}} {{.RestartCount}}' "exited 2"
    run hutch logs rp
    assert_eq "try
try
try" "$out"
}

test_killed_foreground_client_with_tty_kills_the_container() {
    setup_store
    spawn "$WORK/log" python3 "$TESTDIR/ptyrun.py" --wait '# ' --input 'echo ready\n' --sleep 30 -- "$HUTCH" run -it --name kt "$IMG" sh
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(hutch inspect -f '{{.State.Status}}' kt 2>/dev/null)" = running ] && break
        sleep 0.05
    done
    local client
    client=$(pgrep -P "$spawned") || fail "no client"   # ptyrun's child is hutch
    kill -9 "$client"
    wait_inspect kt '{{.State.Status}} {{.State.ExitCode}}' "exited 137"
}

test_pause_freezes_unpause_thaws_stop_ends_it() {
    setup_store
    hutch run -d --name pz "$IMG" sh -c 'trap "echo got-term; exit 7" TERM; while :; do echo tick; sleep 0.05; done' >/dev/null
    sleep 0.3
    run hutch pause pz
    assert_ok
    assert_eq "pz" "$out"
    run hutch inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' pz
    assert_eq "paused true true" "$out"
    run hutch ps
    assert_contains "$out" "(Paused)"
    local before after
    before=$(hutch logs pz | wc -l)
    sleep 0.6
    after=$(hutch logs pz | wc -l)
    assert_eq "$before" "$after" "log lines while paused"
    run hutch pause pz
    assert_status 1
    assert_contains "$err" "is already paused"
    run hutch exec pz true
    assert_status 1
    assert_contains "$err" "Container pz is paused, unpause the container before exec"
    run hutch attach pz
    assert_status 1
    assert_contains "$err" "You cannot attach to a paused container, unpause it first"
    run hutch unpause pz
    assert_ok
    assert_eq "pz" "$out"
    sleep 0.3
    [ "$(hutch logs pz | wc -l)" -gt "$after" ] || fail "no output after unpause"
    run hutch unpause pz
    assert_status 1
    assert_contains "$err" "is not paused"
    # stop thaws a paused container: its TERM trap runs.
    hutch pause pz >/dev/null
    run hutch stop -t 5 pz
    assert_ok
    run hutch inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}' pz
    assert_eq "exited 7 false" "$out"
    run hutch pause pz
    assert_status 1
    assert_contains "$err" "is not running"
}
