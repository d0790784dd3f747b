# Store safety: concurrent runs share layer unpacking, interrupted loads leave
# nothing broken behind.

count_unpacks() {   # FILE...: "N sha256:..." per unpacked layer
    cat "$@" | grep -o 'unpacking layer sha256:[0-9a-f]\{64\}' | awk '{ print $3 }' |
        sort | uniq -c | awk '{ print $1, $2 }'
}

test_concurrent_runs_unpack_each_layer_once() {
    fresh_store
    load many.tar
    userns_rm "$HUTCH_ROOT/layers"
    assert_absent "$HUTCH_ROOT/layers"
    local i pids=()
    for i in $(seq 1 16); do
        "$HUTCH" --log-level debug run --rm hutch-test/many cat /layers/119 \
            >"$WORK/out.$i" 2>"$WORK/log.$i" &
        pids+=($!)
    done
    local bad=""
    for i in $(seq 1 16); do
        wait "${pids[$((i - 1))]}" || bad+=" $i(status $?)"
    done
    [ -z "$bad" ] || fail "runs failed:$bad" "$(tail -n 5 "$WORK"/log.*)"
    for i in $(seq 1 16); do
        assert_eq "119" "$(cat "$WORK/out.$i")" "output of run $i"
    done
    local expect d
    expect=$(for d in $MANY_DIFFIDS; do echo "1 $d"; done | sort -u)
    assert_eq "$expect" "$(count_unpacks "$WORK"/log.* | sort -u)" \
        "unpack count per layer over 16 concurrent runs"
    "$HUTCH" --log-level debug run --rm hutch-test/many true 2>"$WORK/log.after" ||
        fail "run after the concurrent runs failed" "$(cat "$WORK/log.after")"
    assert_eq "" "$(count_unpacks "$WORK/log.after")" "layers unpacked again"
}

test_concurrent_loads() {
    fresh_store
    local i pids=()
    for i in $(seq 1 6); do
        "$HUTCH" load -i "$FIXTURES/base.tar" >"$WORK/out.$i" 2>"$WORK/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 6); do
        wait "${pids[$((i - 1))]}" || fail "load $i failed" "$(cat "$WORK/err.$i")"
        assert_eq $'Loaded image: hutch-test/base:latest\nLoaded image: hutch-test/base:v1' \
            "$(cat "$WORK/out.$i")" "output of load $i"
    done
    run hutch images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")"
    run hutch run --rm "$IMG" cat /etc/motd
    assert_eq "layer3" "$out"
}

test_concurrent_named_runs() {
    fresh_store
    load base.tar
    local i pids=() n
    n=$(name)
    for i in $(seq 1 8); do
        "$HUTCH" run --name "$n-$i" "$IMG" sh -c "exit $i" >/dev/null 2>"$WORK/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 8); do
        wait "${pids[$((i - 1))]}"
        assert_eq "$i" "$?" "status of run $i ($(cat "$WORK/err.$i"))"
    done
    run hutch ps -a
    assert_ok
    for i in $(seq 1 8); do
        assert_match "$(grep -E " $n-$i\$" <<<"$out")" " Exited \\($i\\) " "ps -a line of $n-$i"
    done
    run hutch ps -a -q
    assert_eq 8 "$(sort -u <<<"$out" | grep -c '')" "distinct container ids"
}

test_killed_load_then_reload() {
    fresh_store
    local delay
    for delay in 0.05 0.02 0.12 0.3 0.08 0.5; do
        spawn "$WORK/killed.log" "$HUTCH" load -i "$FIXTURES/many.tar"
        sleep "$delay"
        kill -KILL "$spawned" 2>/dev/null
        wait "$spawned"
        # whatever state the store is in, it must answer
        run hutch images
        assert_ok
    done
    sleep 0.5   # let helpers of the killed loads notice
    run hutch load -i "$FIXTURES/many.tar"
    assert_ok
    assert_eq "Loaded image: hutch-test/many:latest" "$out"
    run hutch run --rm hutch-test/many sh -c 'ls /layers | wc -l; cat /layers/1 /layers/119 /etc/passwd | wc -l'
    assert_ok
    assert_eq $'119\n7' "$out"
    assert_eq "" "$(find "$HUTCH_ROOT/tmp" -mindepth 1 -maxdepth 1 2>/dev/null)" \
        "stale entries in \$HUTCH_ROOT/tmp after a successful load"
}

test_killed_load_image_usable_or_absent() {
    fresh_store
    local delay
    for delay in 0.1 0.25 0.4; do
        spawn "$WORK/killed.log" "$HUTCH" load -i "$FIXTURES/many.tar"
        sleep "$delay"
        kill -KILL "$spawned" 2>/dev/null
        wait "$spawned"
        # listed means complete: by ID, and by tag when tagged
        run hutch images
        assert_ok
        local listing=$out id
        run hutch images -q
        for id in $(sort -u <<<"$out"); do
            run hutch run --rm "$id" cat /layers/119
            assert_eq "119" "$out" "image $id listed after a killed load (hutch images: $listing)"
        done
        if [[ "$listing" == *hutch-test/many* ]]; then
            run hutch run --rm hutch-test/many cat /layers/119
            assert_eq "119" "$out" "image listed as hutch-test/many after a killed load ($listing)"
        fi
    done
}

test_killed_run_during_unpack() {
    fresh_store
    load many.tar
    local delay
    for delay in 0.05 0.15 0.3; do
        userns_rm "$HUTCH_ROOT/layers"
        spawn "$WORK/killed.log" "$HUTCH" run --rm hutch-test/many true
        sleep "$delay"
        kill -KILL "$spawned" 2>/dev/null
        wait "$spawned"
    done
    sleep 0.5
    run hutch run --rm hutch-test/many sh -c 'ls /layers | wc -l'
    assert_ok
    assert_eq "119" "$out"
}

test_store_usable_by_many_images_at_once() {
    fresh_store
    load base.tar
    load multi.tar
    local pids=() i refs=("$IMG" hutch-test/one hutch-test/two hutch-test/base:v1)
    for i in 0 1 2 3; do
        "$HUTCH" run --rm "${refs[$i]}" sh -c 'cat /etc/passwd | wc -l' >"$WORK/out.$i" 2>&1 &
        pids+=($!)
    done
    for i in 0 1 2 3; do
        wait "${pids[$i]}" || fail "run of ${refs[$i]} failed" "$(cat "$WORK/out.$i")"
        assert_eq "5" "$(tr -d ' ' <"$WORK/out.$i")" "output for ${refs[$i]}"
    done
}
