# Images whose /etc/passwd or /etc/group is hostile: the files hutch reads from
# the container's tree before exec are looked up inside it, read only when
# regular and at most 16 MiB; anything else is refused with one line and 125,
# promptly. A foreground run answers INT and TERM during its set-up.

# derive TAG SPEC...: an archive $WORK/TAG.tar of busybox's layer plus one
# layer of these entries (tests/hostile_images.py layered), loaded as
# hutch-test/TAG:latest.
derive() {
    local tag=$1
    shift
    python3 "$TESTDIR/hostile_images.py" layered "$WORK/$tag.tar" "hutch-test/$tag:latest" "$@" ||
        fail "building $tag"
    load "$WORK/$tag.tar"
}

# refused TAG FILE [RUN ARGS...]: the run fails at once, 125 and one line naming FILE.
refused() {
    local tag=$1 file=$2
    shift 2
    run timeout 20 "$HUTCH" run --rm "$@" "hutch-test/$tag" true
    [ "$status" != 124 ] || fail "hutch run still busy after 20 s" "$(_last)"
    assert_error 125
    assert_contains "$err" "$file"
}

# The store still loads and runs the benign image, and nothing outside the
# store changed.
store_still_works() {
    assert_eq "$1" "$(snapshot "$WORK" "$HUTCH_ROOT")" "files outside the store"
    load base.tar
    run "$HUTCH" run --rm "$IMG" echo still-works
    assert_ok
    assert_eq still-works "$out"
    run "$HUTCH" ps -a -q
    assert_eq "" "$out" "containers left behind"
}

# Each kind of file that is not a small regular file, as passwd and as group.
hostile_kinds_test() {
    local file=$1
    fresh_store
    derive zero-"${file#/etc/}" "l:${file#/}:/dev/zero"
    derive zerorel-"${file#/etc/}" "l:${file#/}:../dev/zero"
    derive fifo-"${file#/etc/}" "p:${file#/}"
    derive dir-"${file#/etc/}" "d:${file#/}" "f:${file#/}/x:x"
    derive huge-"${file#/etc/}" "z:${file#/}:$((16 * 1024 * 1024 + 1))"
    derive loop-"${file#/etc/}" "l:${file#/}:${file#/etc/}"
    local before
    before=$(snapshot "$WORK" "$HUTCH_ROOT")
    local t0=$SECONDS
    refused zero-"${file#/etc/}" "$file"
    assert_contains "$err" "character device"
    refused zerorel-"${file#/etc/}" "$file"
    refused fifo-"${file#/etc/}" "$file"
    assert_contains "$err" "FIFO"
    refused dir-"${file#/etc/}" "$file"
    assert_contains "$err" "directory"
    refused huge-"${file#/etc/}" "$file"
    assert_contains "$err" "16 MiB"
    refused loop-"${file#/etc/}" "$file"
    [ $((SECONDS - t0)) -le 30 ] || fail "six refusals took $((SECONDS - t0)) s"
    # Without --rm the never-started container is kept, as docker keeps it.
    run "$HUTCH" run "hutch-test/fifo-${file#/etc/}" true
    assert_error 125
    run "$HUTCH" ps -a -q
    [ -n "$out" ] || fail "no Created container recorded" "$(_last)"
    run "$HUTCH" rm "$out"
    assert_ok
    store_still_works "$before"
}

test_hostile_passwd() { hostile_kinds_test /etc/passwd; }
test_hostile_group() { hostile_kinds_test /etc/group; }

# A file exactly at the limit is still read.
test_passwd_at_limit() {
    fresh_store
    derive limit "z:etc/passwd:$((16 * 1024 * 1024))"
    run timeout 20 "$HUTCH" run --rm hutch-test/limit sh -c 'echo $HOME'
    assert_ok
    assert_eq / "$out"
}

# Links out of the tree resolve inside it: the host's file they name is never read.
test_passwd_link_out_of_root() {
    fresh_store
    mkdir -p "$WORK/outside"
    printf 'root:x:0:0:root:/host-root-home:/bin/sh\nevil:x:0:0::/evil-home:/bin/sh\n' >"$WORK/outside/passwd"
    printf 'root:x:0:\nevilgroup:x:0:\n' >"$WORK/outside/group"
    derive abs "l:etc/passwd:$WORK/outside/passwd" "l:etc/group:$WORK/outside/group"
    derive rel "l:etc/passwd:../../../../../../../../..$WORK/outside/passwd" \
        "l:etc/group:../../../../../../../../..$WORK/outside/group"
    derive magic "l:etc/passwd:/proc/self/root$WORK/outside/passwd" "l:etc/group:/proc/1/cwd/../../..$WORK/outside/group"
    local before
    before=$(snapshot "$WORK" "$HUTCH_ROOT")
    local tag
    for tag in abs rel; do
        run timeout 20 "$HUTCH" run --rm "hutch-test/$tag" sh -c 'echo $HOME'
        assert_ok
        assert_eq / "$out" "HOME from a passwd outside the container ($tag)"
        run timeout 20 "$HUTCH" run --rm -u evil "hutch-test/$tag" true
        assert_error 125
        assert_contains "$err" "unable to find user evil"
        run timeout 20 "$HUTCH" run --rm -u 0:evilgroup "hutch-test/$tag" true
        assert_error 125
        assert_contains "$err" "unable to find group evilgroup"
    done
    # /proc's magic links name objects directly: refused, or (old kernels)
    # resolved as text inside the tree; the host's file is never read.
    run timeout 20 "$HUTCH" run --rm hutch-test/magic sh -c 'echo $HOME'
    assert_not_contains "$out$err" "home"
    [ "$status" = 0 ] || assert_error 125
    run timeout 20 "$HUTCH" run --rm -u evil hutch-test/magic true
    assert_error 125
    store_still_works "$before"
}

# Links that stay inside the tree keep working, relative or absolute, and are
# resolved against the container's root, not the host's.
test_passwd_link_inside_root() {
    fresh_store
    derive inside \
        "f:usr/share/base-passwd/passwd:root:x:0:0:root:/root-via-link:/bin/sh\ncarol:x:1234:1234:Carol:/home/carol:/bin/sh" \
        "f:usr/share/base-passwd/group:root:x:0:\ncarol:x:1234:\nextra:x:2345:carol" \
        "l:etc/passwd:../usr/share/base-passwd/passwd" "l:etc/group:/usr/share/base-passwd/group"
    run "$HUTCH" run --rm hutch-test/inside sh -c 'echo $HOME'
    assert_ok
    assert_eq /root-via-link "$out"
    if has_subids; then
        run "$HUTCH" run --rm -u carol hutch-test/inside sh -c 'echo $(id -u):$(id -g):$(id -G):$HOME'
        assert_ok
        assert_eq "1234:1234:1234 2345:/home/carol" "$out"
    else
        run "$HUTCH" run --rm -u carol hutch-test/inside true
        assert_error 125
        assert_contains "$err" "1234 is not mapped"
    fi
}

# interrupt_unpack SIGNAL: a run busy unpacking a big layer stops at SIGNAL,
# leaves no process and no container, and the image can then be removed.
interrupt_unpack_test() {
    local sig=$1 code=$2
    fresh_store
    derive big "n:many:20000"
    : >"$WORK/log"
    # load unpacked it already: drop the unpacked copies so that run unpacks again.
    userns_rm "$HUTCH_ROOT/layers"
    local before
    before=$(snapshot "$WORK" "$HUTCH_ROOT")
    spawn "$WORK/log" "$HUTCH" run --rm --name interrupted hutch-test/big echo started
    local pid=$spawned i
    # Set-up is under way once a staging directory exists.
    for ((i = 0; i < 400; i++)); do
        compgen -G "$HUTCH_ROOT/tmp/*.lock" >/dev/null && break
        alive "$pid" || break
        sleep 0.05
    done
    alive "$pid" || fail "hutch finished before it could be interrupted" "$(cat "$WORK/log")"
    local t0=$SECONDS
    kill -s "$sig" "$pid"
    wait_status "$pid" 5
    assert_eq "$code" "$?" "status of hutch after SIG$sig"
    [ $((SECONDS - t0)) -le 5 ] || fail "took $((SECONDS - t0)) s to stop"
    assert_not_contains "$(cat "$WORK/log")" started
    [ -z "$(pgrep -P "$pid")" ] || fail "children left" "$(pgrep -a -P "$pid")"
    run "$HUTCH" ps -a -q
    assert_ok
    assert_eq "" "$out" "containers after the interruption"
    run "$HUTCH" rmi hutch-test/big
    assert_ok
    store_still_works "$before"
    run find "$HUTCH_ROOT/tmp" -mindepth 1
    assert_eq "" "$out" "staging left in the store"
}

test_interrupt_unpack_int() { interrupt_unpack_test INT 130; }
test_interrupt_unpack_term() { interrupt_unpack_test TERM 143; }

# kill -9 of a --rm run leaves its record behind; the next command collects it,
# so it blocks neither rmi nor shows in ps (docker removes a --rm container when
# it ends, and it ended with its hutch).
test_killed_rm_run_is_collected() {
    fresh_store
    derive victim "f:victim:x"
    spawn "$WORK/log" "$HUTCH" run --rm --name victim hutch-test/victim sh -c 'echo ready; exec sleep 86399'
    local pid=$spawned
    wait_for "$WORK/log" ready
    kill -KILL "$pid"
    wait "$pid"
    wait_gone "sleep 86399" 10
    # The container is gone; its monitor may still be recording its end (and
    # stopping its network engine). Once that is over, nothing may list it.
    local i
    for ((i = 0; i < 200; i++)); do
        pgrep -f -- "--root $HUTCH_ROOT __attached-monitor" >/dev/null || break
        sleep 0.05
    done
    run "$HUTCH" ps -a -q
    assert_ok
    assert_eq "" "$out" "a --rm container whose hutch was killed"
    run "$HUTCH" rmi hutch-test/victim
    assert_ok
    # The name is free again.
    derive victim "f:victim:x"
    run "$HUTCH" run --rm --name victim hutch-test/victim true
    assert_ok
}

# interrupt_start_test SIGNAL CODE: a run whose init is still busy before exec
# (searching a PATH of 900,000 directories) stops at SIGNAL: the init is
# killed, the never-started container is not kept (no --rm here), and the
# image can then be removed.
interrupt_start_test() {
    local sig=$1 code=$2
    fresh_store
    derive slowpath "P:900000"
    : >"$WORK/log"
    local before
    before=$(snapshot "$WORK" "$HUTCH_ROOT")
    spawn "$WORK/log" "$HUTCH" run --name never-started hutch-test/slowpath no-such-command
    local pid=$spawned i init=
    # The init is at work once the record exists and hutch has a child.
    for ((i = 0; i < 400; i++)); do
        init=$(pgrep -P "$pid" || true)
        [ -n "$init" ] && compgen -G "$HUTCH_ROOT/containers/*" >/dev/null && break
        alive "$pid" || break
        sleep 0.02
    done
    alive "$pid" || fail "hutch finished before it could be interrupted" "$(cat "$WORK/log")"
    [ -n "$init" ] || fail "no init process seen"
    local t0=$SECONDS
    kill -s "$sig" "$pid"
    wait_status "$pid" 5
    assert_eq "$code" "$?" "status of hutch after SIG$sig"
    [ $((SECONDS - t0)) -le 3 ] || fail "took $((SECONDS - t0)) s to stop"
    assert_eq "" "$(cat "$WORK/log")" "hutch's output"
    ! alive "$init" || fail "the init $init is still running"
    run "$HUTCH" ps -a -q
    assert_ok
    assert_eq "" "$out" "containers after the interruption"
    run "$HUTCH" rmi hutch-test/slowpath
    assert_ok
    store_still_works "$before"
}

test_interrupt_start_int() { interrupt_start_test INT 130; }
test_interrupt_start_term() { interrupt_start_test TERM 143; }
