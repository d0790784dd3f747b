# Broken and malicious archives: `hutch load` must fail with 1 (as docker) and one line
# "hutch: ..." on stderr, create no image and write nothing outside the store.

ESCAPES=(/tmp/hutch-escape-dotdot /tmp/hutch-escape-abs /tmp/hutch-escape-symlink)

# bad_load ARCHIVE [stdin]: load ARCHIVE into a store that holds multi.tar
# (which shares only L1 with base: a loader may skip layers it already has)
bad_load() {
    assert_absent "${ESCAPES[@]}"   # left over by an earlier run?
    fresh_store
    load multi.tar
    run hutch images
    local images=$out snap
    snap=$(snapshot "$WORK" "$HUTCH_ROOT")
    if [ "${2:-}" = stdin ]; then
        run hutch load <"$FIXTURES/$1"
    else
        run hutch load -i "$FIXTURES/$1"
    fi
    assert_error 1
    local loaded=$out
    assert_eq "$snap" "$(snapshot "$WORK" "$HUTCH_ROOT")" "files under \$WORK outside the store"
    assert_absent "${ESCAPES[@]}"
    run hutch images
    assert_ok
    assert_eq "$images" "$out" "hutch images after the failed load"
    assert_not_contains "$loaded" "Loaded image" "stdout of the failed load"
    # the store still works
    run hutch run --rm hutch-test/two cat /two
    assert_eq "two" "$out"
}

test_bad_truncated() { bad_load bad-truncated.tar; }
test_bad_truncated_stdin() { bad_load bad-truncated.tar stdin; }
test_bad_gzip() { bad_load bad-gzip.tar; }
test_bad_digest() { bad_load bad-digest.tar; }
test_bad_digest_stdin() { bad_load bad-digest.tar stdin; }
test_bad_dotdot() { bad_load bad-dotdot.tar; }
test_bad_absolute() { bad_load bad-absolute.tar; }
test_bad_symlink() { bad_load bad-symlink.tar; }
test_bad_hardlink() { bad_load bad-hardlink.tar; }
test_bad_manifest() { bad_load bad-manifest.tar; }

test_bad_not_a_tar() {
    fresh_store
    head -c 4096 /dev/urandom >"$WORK/noise.tar"
    run hutch load -i "$WORK/noise.tar"
    assert_error 1
    run hutch images -q
    assert_eq "" "$out"
}

test_bad_empty_input() {
    fresh_store
    run hutch load </dev/null
    assert_error 1
    : >"$WORK/empty.tar"
    run hutch load -i "$WORK/empty.tar"
    assert_error 1
}

test_bad_missing_file() {
    fresh_store
    run hutch load -i "$WORK/does-not-exist.tar"
    assert_error 1
    assert_contains "$err" "does-not-exist.tar"
}

test_bad_load_leaves_no_staging() {
    fresh_store
    load multi.tar
    local a
    for a in bad-truncated.tar bad-gzip.tar bad-dotdot.tar bad-symlink.tar bad-manifest.tar; do
        run hutch load -i "$FIXTURES/$a"
        assert_error 1
    done
    assert_eq "" "$(find "$HUTCH_ROOT/tmp" -mindepth 1 -maxdepth 1 2>/dev/null)" \
        "entries left in \$HUTCH_ROOT/tmp after failed loads"
}

test_bad_digest_then_good_load() {
    # the broken layer must not be kept under the good layer's digest
    fresh_store
    run hutch load -i "$FIXTURES/bad-digest.tar"
    assert_error 1
    load base.tar
    run hutch run --rm "$IMG" cat /etc/motd
    assert_eq "layer3" "$out"
}
