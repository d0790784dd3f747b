# Containers as objects: --name, --rm, hutch ps, hutch rm.  Each test uses its
# own store so that the containers it sees are only its own.

setup_store() { fresh_store; load base.tar; }

PS_HEADER='^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'

test_rm_flag_leaves_nothing() {
    setup_store
    # The first run may create store files once; recycled/ holds the
    # directories of clean --rm containers (the test below).
    run hutch run --rm "$IMG" true
    assert_ok
    local before
    before=$(find "$HUTCH_ROOT" -path "$HUTCH_ROOT/layers" -prune -o -path "$HUTCH_ROOT/recycled" -prune -o -printf '%p %y\n' | sort)
    run hutch run --rm --name "$(name)" "$IMG" sh -c 'echo x >/new-file; exit 3'
    assert_status 3
    run hutch ps -a -q
    assert_ok
    assert_eq "" "$out" "hutch ps -a -q after --rm"
    assert_eq "$before" "$(find "$HUTCH_ROOT" -path "$HUTCH_ROOT/layers" -prune -o -path "$HUTCH_ROOT/recycled" -prune -o -printf '%p %y\n' | sort)" \
        "store contents before and after run --rm"
}

# A --rm container that wrote nothing leaves its directory for the next one
# (ContainerStore::recycle): what one container did must never reach another.
test_rm_flag_recycles_only_what_nothing_touched() {
    setup_store
    run hutch run --rm "$IMG" true
    assert_ok
    [ "$(ls "$HUTCH_ROOT/recycled" | wc -l)" = 1 ] || fail "a clean --rm container was not kept for reuse"
    # It writes a file, changes / and /etc/hosts: the next container sees none of it.
    run hutch run --rm "$IMG" sh -c 'echo x >/new-file; echo junk >>/etc/hosts; chmod 700 /; chmod 600 /etc/hosts; echo y >/etc/hostname'
    assert_ok
    run hutch run --rm "$IMG" sh -c 'ls /new-file 2>&1; echo "modes $(stat -c "%a" / /etc/hosts | tr "\n" " ")"; echo "junk $(grep -c junk /etc/hosts)"; cat /etc/hostname; hostname'
    assert_contains "$out" "No such file"
    # Exact lines: a random hostname may well contain "700".
    assert_contains "$out" "modes 755 644 "
    assert_contains "$out" "junk 0"
    local lines
    lines=$(printf '%s\n' "$out" | tail -n 2 | sort -u | wc -l)
    [ "$lines" = 1 ] || fail "/etc/hostname is not the container's own name" "$out"
    # The recycled directory keeps nothing of a record: ps and names are clean.
    run hutch run --rm --name "$(name)" "$IMG" true
    assert_ok
    run hutch ps -a -q
    assert_eq "" "$out" "ps -a -q after reused --rm runs"
    # Side by side they take what there is and make the rest; the pool stays small.
    local pids=() i
    for i in $(seq 12); do hutch run --rm "$IMG" true & pids+=($!); done
    for i in "${pids[@]}"; do wait "$i" || fail "a concurrent --rm run failed"; done
    [ "$(ls "$HUTCH_ROOT/recycled" | wc -l)" -le 8 ] || fail "more than 8 recycled directories"
    run hutch run --name keeper "$IMG" cat /etc/hostname
    assert_ok
    assert_eq "$(hutch inspect -f '{{.Config.Hostname}}' keeper)" "$out"
}

test_ps_lists_exited_container() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" sh -c 'exit 3'
    assert_status 3
    run hutch ps -a
    assert_ok
    assert_match "$(head -n 1 <<<"$out")" "$PS_HEADER" "ps -a header"
    assert_eq 2 "$(grep -c '' <<<"$out")" "lines of ps -a"
    local line
    line=$(sed -n 2p <<<"$out")
    assert_match "$line" '^[0-9a-f]{12} +hutch-test/base(:latest)? +' "ps -a line"
    assert_match "$line" ' Exited \(3\) ' "ps -a status"
    assert_match "$line" " $n\$" "ps -a name"
}

test_ps_hides_exited_without_a() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    assert_ok
    run hutch ps
    assert_ok
    assert_match "$out" "$PS_HEADER" "ps header"
    assert_not_contains "$out" "$n" "hutch ps"
}

test_ps_quiet() {
    setup_store
    run hutch run --name "$(name)" "$IMG" true
    run hutch run --name "$(name)" "$IMG" true
    run hutch ps -a -q
    assert_ok
    assert_eq 2 "$(grep -cxE '[0-9a-f]{12}' <<<"$out")" "12-char ids"
    assert_eq 2 "$(sort -u <<<"$out" | grep -c '')" "distinct ids"
    run hutch ps --all --quiet
    assert_eq 2 "$(grep -cxE '[0-9a-f]{12}' <<<"$out")" "12-char ids (long flags)"
}

test_ps_shows_running_container() {
    setup_store
    local n
    n=$(name)
    spawn "$WORK/log" "$HUTCH" run --name "$n" "$IMG" sh -c 'echo ready; sleep 2; exit 4'
    local pid=$spawned
    wait_for "$WORK/log" ready
    run hutch ps
    assert_ok
    local line
    line=$(grep -F "$n" <<<"$out")
    assert_match "$line" ' Up ' "hutch ps line of a running container"
    wait_status "$pid" 15
    assert_eq 4 "$?" "status of hutch run"
    run hutch ps -a
    assert_match "$(grep -F "$n" <<<"$out")" ' Exited \(4\) '
}

test_rm_by_name() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    run hutch rm "$n"
    assert_ok
    assert_eq "$n" "$out" "output of hutch rm"
    run hutch ps -a -q
    assert_eq "" "$out"
}

test_rm_by_id() {
    setup_store
    run hutch run --name "$(name)" "$IMG" true
    run hutch ps -a -q
    local id=$out
    run hutch rm "$id"
    assert_ok
    assert_eq "$id" "$out" "output of hutch rm"
    run hutch ps -a -q
    assert_eq "" "$out"
}

test_rm_several() {
    setup_store
    local a b
    a=$(name)
    b=$(name)
    run hutch run --name "$a" "$IMG" true
    run hutch run --name "$b" "$IMG" true
    run hutch rm "$a" "$b"
    assert_ok
    assert_eq "$a"$'\n'"$b" "$out"
    run hutch ps -a -q
    assert_eq "" "$out"
}

test_rm_unknown() {
    setup_store
    run hutch rm no-such-container
    [ "$status" != 0 ] || fail "rm of an unknown container succeeded"
    assert_contains "$err" "no-such-container"
}

test_rm_running_needs_force() {
    setup_store
    local n
    n=$(name)
    spawn "$WORK/log" "$HUTCH" run --name "$n" "$IMG" sh -c 'echo ready; exec sleep 30'
    local pid=$spawned
    wait_for "$WORK/log" ready
    run hutch rm "$n"
    [ "$status" != 0 ] || fail "rm of a running container without -f succeeded"
    run hutch rm -f "$n"
    assert_ok
    wait_status "$pid" 15
    assert_eq 137 "$?" "status of hutch run after rm -f"
    run hutch ps -a -q
    assert_eq "" "$out"
}

test_name_duplicate_125() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    assert_ok
    run hutch run --name "$n" "$IMG" echo should-not-run
    assert_error 125
    assert_contains "$err" "$n"
    assert_eq "" "$out"
    run hutch ps -a -q
    assert_eq 1 "$(grep -c '' <<<"$out")" "containers"
}

test_name_duplicate_of_running_125() {
    setup_store
    local n
    n=$(name)
    spawn "$WORK/log" "$HUTCH" run --rm --name "$n" "$IMG" sh -c 'echo ready; sleep 2'
    wait_for "$WORK/log" ready
    run hutch run --rm --name "$n" "$IMG" true
    assert_error 125
    wait_status "$spawned" 15
}

test_name_reusable_after_rm() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    run hutch rm "$n"
    assert_ok
    run hutch run --name "$n" "$IMG" echo again
    assert_ok
    assert_eq "again" "$out"
}

test_name_reusable_with_rm_flag() {
    local n
    n=$(name)
    run hutch run --rm --name "$n" "$IMG" true
    assert_ok
    run hutch run --rm --name "$n" "$IMG" true
    assert_ok
}

test_name_invalid_125() {
    setup_store
    run hutch run --rm --name 'bad name!' "$IMG" true
    assert_error 125
    run hutch run --rm --name '/slash/in/name' "$IMG" true
    assert_error 125
}
