# `run -it` at a real terminal (tests/ptyrun.py plays the person at it): window
# size changes, ^C and ^Z reach the container's foreground job, and closing the
# terminal hangs the container up. The scripts behave the same under docker.

ptyrun() { python3 "$TESTDIR/ptyrun.py" "$@"; }

# A job that says it runs, without the typed line (echoed) saying so too.
JOB='sh -c "echo sleep""ing; exec sleep 100"\n'

test_tty_resize_then_typing_still_works() {
    # A resize once froze -it: nothing typed afterwards arrived.
    run ptyrun --rows 24 --cols 80 \
        --wait '# ' --input 'stty size\n' --wait '24 80' \
        --resize 30x100 --input 'stty size\n' --wait '30 100' \
        --input 'echo typed-$((6*7))\n' --wait 'typed-42' --input 'exit 3\n' \
        -- "$HUTCH" run --rm -it "$IMG" sh
    assert_status 3
    assert_eq "termios: restored" "$err"
}

test_tty_several_resizes_in_a_row() {
    run ptyrun --wait '# ' \
        --resize 30x100 --resize 41x121 --resize 52x142 --input 'stty size\n' --wait '52 142' \
        --resize 20x60 --input 'stty size\n' --wait '20 60' --input 'exit 4\n' \
        -- "$HUTCH" run --rm -it "$IMG" sh
    assert_status 4
    assert_eq "termios: restored" "$err"
}

test_tty_resize_signals_the_container() {
    # The container's foreground process gets SIGWINCH with the new size set.
    run ptyrun --wait ready --resize 33x99 --wait 'winch 33 99' --input '\x03' \
        -- "$HUTCH" run --rm -it "$IMG" \
        sh -c 'trap "echo winch \$(stty size)" WINCH; trap "exit 6" INT; echo ready; while :; do sleep 0.1; done'
    assert_status 6
    assert_line "$out" "winch 33 99"
}

test_tty_ctrl_c_interrupts_the_foreground_job() {
    # ^C goes to the job the container's shell runs, not to hutch: the shell lives.
    run ptyrun --wait '# ' --input "$JOB" --wait sleeping --input '\x03' \
        --input 'echo status-$?\n' --wait 'status-130' --input 'exit 0\n' \
        -- "$HUTCH" run --rm -it "$IMG" sh
    assert_ok
    assert_line "$out" "status-130"
    assert_eq "termios: restored" "$err"
}

test_tty_ctrl_z_stops_a_job() {
    # Job control in the container's shell: ^Z, fg, ^C; ^Z again, kill %1.
    # fg prints the job before it hands it the terminal: a ^C sent at once
    # can still reach the shell, which then keeps the job (as it would for a
    # user who typed that fast), hence the pauses.
    run ptyrun --wait '# ' --input "$JOB" --wait sleeping --input '\x1a' \
        --wait 'Stopped' --wait 'exec sleep 100"' --input 'fg\n' --wait 'exec sleep 100"' \
        --sleep 0.5 --input '\x03' --input 'echo status-$?\n' --wait 'status-130' \
        --input 'sleep 200\n' --sleep 0.5 --input '\x1a' --wait 'Stopped' \
        --input 'kill -9 %1; sleep 0.2; jobs; echo jobs-$((2+3))\n' --wait 'jobs-5' --input 'exit 0\n' \
        -- "$HUTCH" run --rm -it "$IMG" sh
    assert_ok
    # (the terminal echoes ^Z as "^Z" in front of the shell's line, and may echo
    # what is typed next before the shell ends its line)
    assert_match "$out" '\[1\]\+ +Stopped +sh -c "echo sleep""ing; exec sleep 100"'
    assert_match "$out" '\[1\]\+ +Stopped +sleep 200'
    assert_match "$out" $'\n\\[1\\]\\+ +Killed +sleep 200\n'
    assert_line "$out" "status-130"
    assert_eq "termios: restored" "$err"
}

# closed_terminal CMD...: run CMD -it at a terminal that is closed once it
# printed "sleeping"; hutch must exit (ptyrun waits for it) and leave nothing.
closed_terminal() {
    run ptyrun --timeout 30 --wait sleeping --sleep 0.3 --close -- "$HUTCH" run --rm -it "$IMG" "$@"
    assert_contains "$err" "termios: hung up"
    assert_not_contains "$err" "timed out"
}

test_tty_closed_terminal_hup_trapped() {
    # A container that traps SIGHUP gets it, and its exit status is hutch's.
    closed_terminal sh -c "trap 'exit 71' HUP; echo sleeping; while :; do sleep 0.1; done"
    assert_status 71
}

test_tty_closed_terminal_hups_the_foreground_job() {
    # Every process of the terminal's foreground job gets SIGHUP, as in an
    # ordinary session; PID 1 (without a handler, so unharmed) goes on and exits.
    local secs=$((86000 + RANDOM))
    closed_terminal sh -c "echo sleeping; sleep $secs; exit 9"
    assert_status 9
    wait_gone "sleep $secs" 10
}

test_tty_closed_terminal_interactive_shell() {
    # The shell's job is hung up, then the shell finds its terminal gone: busybox
    # ash exits 2 when reading its terminal fails, or dies of the hangup's
    # SIGHUP (129) when that reaches it first (the monitor closes the
    # container's terminal while the shell is between reads). No grace period
    # is needed.
    local secs=$((86000 + RANDOM)) start=$SECONDS
    run ptyrun --timeout 30 --wait '# ' --input "sleep $secs\n" --sleep 0.5 --close \
        -- "$HUTCH" run --rm -it "$IMG" sh
    assert_contains "$err" "termios: hung up"
    assert_not_contains "$err" "timed out"
    [ "$status" = 2 ] || [ "$status" = 129 ] || fail "status $status, expected 2 or 129"
    ((SECONDS - start < 8)) || fail "hutch took $((SECONDS - start)) s to end after the terminal closed"
    wait_gone "sleep $secs" 10
}

test_tty_closed_terminal_pid1_ignores_hup() {
    # PID 1 without a handler ignores SIGHUP (the kernel protects a namespace's
    # init), so after docker stop's 10 s hutch kills it.
    local secs=$((86000 + RANDOM)) start=$SECONDS
    closed_terminal sh -c "echo sleeping; exec sleep $secs"
    assert_status 137
    ((SECONDS - start >= 9)) || fail "killed after $((SECONDS - start)) s, before the grace period"
    wait_gone "sleep $secs" 10
}
