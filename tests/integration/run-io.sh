# hutch run: stdin (-i), terminals (-t), and their combinations.

ptyrun() { python3 "$TESTDIR/ptyrun.py" "$@"; }

# ---- stdin
test_stdin_forwarded_with_i() {
    printf 'hi\n' >"$WORK/in"
    run hutch run --rm -i "$IMG" cat <"$WORK/in"
    assert_ok
    assert_eq "hi" "$out"
}

test_stdin_pipe_with_interactive() {
    local got
    got=$(printf 'a\nb\nc\n' | "$HUTCH" run --rm --interactive "$IMG" wc -l)
    assert_eq "3" "$(tr -d ' ' <<<"$got")"
}

test_stdin_large_binary() {
    head -c 3000000 /dev/urandom >"$WORK/blob"
    run hutch run --rm -i "$IMG" sha256sum <"$WORK/blob"
    assert_ok
    assert_eq "$(sha256sum <"$WORK/blob" | cut -d' ' -f1)" "${out%% *}" "sha256 of 3 MB through stdin"
}

test_stdin_not_forwarded_without_i() {
    printf 'hi\n' >"$WORK/in"
    run hutch run --rm "$IMG" cat <"$WORK/in"
    assert_ok
    assert_eq "" "$out"
}

test_stdin_without_i_does_not_block() {
    # stdin is a pipe that never ends: without -i the container must not wait on it
    mkfifo "$WORK/fifo"
    exec 8<>"$WORK/fifo"
    run timeout 20 "$HUTCH" run --rm "$IMG" cat <"$WORK/fifo"
    exec 8<&-
    assert_ok
    assert_eq "" "$out"
}

test_stdin_eof_ends_cat() {
    run hutch run --rm -i "$IMG" cat </dev/null
    assert_ok
    assert_eq "" "$out"
}

test_not_a_tty_without_t() {
    run hutch run --rm "$IMG" tty
    assert_status 1
    assert_eq "not a tty" "$out"
}

# ---- terminals
test_tty_is_pts0() {
    run ptyrun -- "$HUTCH" run --rm -it "$IMG" tty
    assert_ok
    assert_eq "/dev/pts/0" "$out"
}

test_tty_window_size() {
    run ptyrun --rows 33 --cols 101 -- "$HUTCH" run --rm -it "$IMG" stty size
    assert_ok
    assert_eq "33 101" "$out"
    run ptyrun --rows 50 --cols 200 -- "$HUTCH" run --rm -t -i "$IMG" stty size
    assert_eq "50 200" "$out"
}

test_tty_mode_restored() {
    run ptyrun -- "$HUTCH" run --rm -it "$IMG" true
    assert_ok
    assert_eq "termios: restored" "$err"
}

test_tty_exit_status() {
    run ptyrun -- "$HUTCH" run --rm -it "$IMG" sh -c 'exit 7'
    assert_status 7
    assert_eq "termios: restored" "$err"
}

test_tty_interactive_shell() {
    run ptyrun --wait '# ' --input 'echo "a""b"; exit 5\n' -- "$HUTCH" run --rm -it "$IMG" sh
    assert_status 5
    assert_line "$out" "ab"
    assert_eq "termios: restored" "$err"
}

test_tty_stdout_and_stderr_on_terminal() {
    run ptyrun -- "$HUTCH" run --rm -it "$IMG" sh -c 'echo to-out; echo to-err >&2; ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2'
    assert_ok
    assert_line "$out" "to-out"
    assert_line "$out" "to-err"
    assert_eq 3 "$(grep -c -- '-> /dev/pts/0$' <<<"$out")" "fds 0-2 on /dev/pts/0"
}

test_tty_without_terminal_caller() {
    # -t alone, stdin not a terminal: the container still gets a terminal
    run hutch run --rm -t "$IMG" sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'
    assert_ok
    assert_eq $'/dev/pts/0\nall-ttys' "$(tr -d '\r' <<<"$out")"
}

test_tty_has_controlling_terminal() {
    run ptyrun -- "$HUTCH" run --rm -it "$IMG" sh -c 'echo x >/dev/tty'
    assert_ok
    assert_line "$out" "x"
}

test_tty_ctrl_c_reaches_container() {
    # ^C typed on the terminal goes to the container (raw mode), not to hutch
    run ptyrun --wait 'ready' --input '\x03' -- "$HUTCH" run --rm -it "$IMG" \
        sh -c 'trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done'
    assert_status 9
    assert_contains "$out" "got-int"
}

test_no_fd_leak_with_tty() {
    run ptyrun -- "$HUTCH" run --rm -it "$IMG" ls /proc/self/fd
    assert_ok
    assert_eq "0 1 2 3" "$(xargs <<<"$out")" "ls /proc/self/fd"
}
