# hutch run: exit statuses, argument handling, PID 1, the default command.

test_exit_status_zero() {
    run hutch run --rm "$IMG" true
    assert_ok
    assert_eq "" "$out"
}

test_exit_status_passthrough() {
    run hutch run --rm "$IMG" sh -c 'exit 3'
    assert_status 3
    run hutch run --rm "$IMG" false
    assert_status 1
    run hutch run --rm "$IMG" sh -c 'exit 255'
    assert_status 255
}

test_command_missing_path_127() {
    run hutch run --rm "$IMG" /nonexistent
    assert_status 127
    assert_eq "" "$out"
}

test_command_not_in_path_127() {
    run hutch run --rm "$IMG" no-such-command-hutch
    assert_status 127
}

test_command_is_directory_126() {
    run hutch run --rm "$IMG" /etc
    assert_status 126
}

test_command_not_executable_126() {
    run hutch run --rm "$IMG" /etc/motd
    assert_status 126
}

test_unknown_image_125() {
    run timeout 50 "$HUTCH" run --rm --pull never hutch-test/does-not-exist:latest true
    assert_error 125
    # by default docker says it is not here, tries the registry, and fails
    # (Docker Hub cannot be reached from the test machines)
    run timeout 50 "$HUTCH" run --rm hutch-test/does-not-exist:latest true
    assert_status 125
    assert_eq "Unable to find image 'hutch-test/does-not-exist:latest' locally" "$(head -n 1 <<<"$err")"
    assert_match "$(tail -n 1 <<<"$err")" "^hutch: .*registry-1.docker.io"
}

test_pid_1() {
    run hutch run --rm "$IMG" sh -c 'echo $$'
    assert_ok
    assert_eq "1" "$out"
}

test_proc_shows_only_container() {
    run hutch run --rm "$IMG" ls /proc
    assert_ok
    assert_eq "1" "$(grep -xE '[0-9]+' <<<"$out")" "numeric entries of /proc"
}

test_ps_in_container() {
    run hutch run --rm "$IMG" sh -c 'sleep 5 & sleep 0.5; ps -o pid,comm; kill $!'
    assert_ok
    assert_eq "ps sh sleep" "$(awk 'NR > 1 { print $2 }' <<<"$out" | sort | xargs)" "processes seen by ps"
    assert_eq "1" "$(awk '$2 == "sh" { print $1 }' <<<"$out")" "pid of sh"
}

test_options_end_at_image() {
    run hutch run --rm "$IMG" sh -c 'echo "$@"' argv0 --rm -e X=1 -w /x --name n
    assert_ok
    assert_eq "--rm -e X=1 -w /x --name n" "$out"
}

test_command_args_reach_command() {
    run hutch run --rm "$IMG" ls -l /data/link
    assert_ok
    assert_contains "$out" "/data/link -> hl-a"
}

test_args_with_spaces_and_quotes() {
    run hutch run --rm "$IMG" printf '[%s]\n' 'a b' '' "it's" '$HOME' '*'
    assert_ok
    assert_eq $'[a b]\n[]\n[it\'s]\n[$HOME]\n[*]' "$out"
}

test_default_cmd_is_sh() {
    run hutch run --rm "$IMG"
    assert_ok
    assert_eq "" "$out"
    printf 'echo from-default-cmd $0\n' >"$WORK/in"
    run hutch run --rm -i "$IMG" <"$WORK/in"
    assert_ok
    assert_eq "from-default-cmd sh" "$out"
}

test_entrypoint() {
    run hutch run --rm --entrypoint echo "$IMG" hi
    assert_ok
    assert_eq "hi" "$out"
    run hutch run --rm --entrypoint=echo "$IMG" hi there
    assert_eq "hi there" "$out"
}

test_entrypoint_clears_image_cmd() {
    run hutch run --rm --entrypoint echo "$IMG"
    assert_ok
    assert_eq "" "$out"
}

test_entrypoint_missing_127() {
    run hutch run --rm --entrypoint /no/such "$IMG"
    assert_status 127
}

test_stdout_and_stderr_separate() {
    run hutch run --rm "$IMG" sh -c 'echo to-out; echo to-err >&2; echo more-out'
    assert_ok
    assert_eq $'to-out\nmore-out' "$out"
    assert_eq "to-err" "$err"
}

test_large_output() {
    hutch run --rm "$IMG" dd if=/dev/zero bs=4096 count=1024 2>/dev/null >"$WORK/big" ||
        fail "run failed"
    assert_eq 4194304 "$(stat -c %s "$WORK/big")" "bytes of output"
}

test_output_to_closed_pipe() {
    # `head` closes the pipe early: the container gets SIGPIPE/EPIPE, hutch must not hang
    local first
    first=$(timeout 20 "$HUTCH" run --rm "$IMG" yes | head -n 1)
    assert_eq "y" "$first"
}

test_rootfs_changes_not_shared() {
    run hutch run --rm "$IMG" sh -c 'echo x >/data/new; rm /etc/motd; cat /data/new'
    assert_ok
    assert_eq "x" "$out"
    run hutch run --rm "$IMG" sh -c 'cat /etc/motd; test -e /data/new || echo absent'
    assert_eq $'layer3\nabsent' "$out"
}

test_workdir_default_root() {
    run hutch run --rm "$IMG" pwd
    assert_eq "/" "$out"
}

test_workdir_created() {
    run hutch run --rm -w /new/dir "$IMG" sh -c 'pwd; stat -c %F .'
    assert_ok
    assert_eq $'/new/dir\ndirectory' "$out"
}

test_workdir_flag_forms() {
    run hutch run --rm --workdir=/a/b "$IMG" pwd
    assert_eq "/a/b" "$out"
    run hutch run --rm --workdir /c "$IMG" pwd
    assert_eq "/c" "$out"
    run hutch run --rm -w/d "$IMG" pwd
    assert_eq "/d" "$out"
    run hutch run --rm -w /etc "$IMG" pwd
    assert_eq "/etc" "$out"
}

test_workdir_is_file_125() {
    run hutch run --rm -w /etc/motd "$IMG" pwd
    assert_error 125
    assert_eq "" "$out"
}

test_workdir_relative_125() {
    run hutch run --rm -w relative/dir "$IMG" pwd
    assert_error 125
}
