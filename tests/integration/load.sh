# hutch load (docker-archive plain/gzip/zstd, multi-image, OCI, stdin, skopeo's
# output), hutch images, image references, and when layers get unpacked.

BASE_LOADED=$'Loaded image: hutch-test/base:latest\nLoaded image: hutch-test/base:v1'

# the image's content as seen from a container
assert_base_content() {   # REF
    run hutch run --rm "$1" sh -c 'cat /etc/motd; ls -A /opq; test -e /data/gone || echo gone-ok'
    assert_ok
    assert_eq $'layer3\nnew\ngone-ok' "$out" "content of $1"
}

# count_unpacks FILE...: "N sha256:..." for each layer unpacked in these logs
count_unpacks() {
    cat "$@" | grep -o 'unpacking layer sha256:[0-9a-f]\{64\}' | awk '{ print $3 }' |
        sort | uniq -c | awk '{ print $1, $2 }'
}

test_load_file() {
    fresh_store
    run hutch load -i "$FIXTURES/base.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
    assert_base_content "$IMG"
}

test_load_input_long_flag() {
    fresh_store
    run hutch load --input "$FIXTURES/base.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
    run hutch load --input="$FIXTURES/base.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
}

test_load_stdin() {
    fresh_store
    run hutch load <"$FIXTURES/base.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
    assert_base_content hutch-test/base:v1
}

test_load_stdin_pipe() {
    fresh_store
    cat "$FIXTURES/base.tar" | hutch load >"$WORK/out" 2>"$WORK/err"
    local st=$?
    assert_eq "0 $BASE_LOADED" "$st $(cat "$WORK/out")" "status and stdout" 
}

test_load_twice() {
    fresh_store
    load base.tar
    run hutch load -i "$FIXTURES/base.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
    run hutch images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")"
}

test_load_gzip_layers() {
    fresh_store
    run hutch load -i "$FIXTURES/base-gzip.tar"
    assert_ok
    assert_eq "Loaded image: hutch-test/base:gzip" "$out"
    assert_base_content hutch-test/base:gzip
}

test_load_zstd_layers() {
    fresh_store
    run hutch load -i "$FIXTURES/base-zstd.tar"
    assert_ok
    assert_eq "Loaded image: hutch-test/base:zstd" "$out"
    assert_base_content hutch-test/base:zstd
}

test_load_oci_archive() {
    fresh_store
    run hutch load -i "$FIXTURES/oci.tar"
    assert_ok
    assert_eq "Loaded image: hutch-test/oci:latest" "$out"
    assert_base_content hutch-test/oci:latest
    run hutch images -q
    assert_eq "$(short_id "$BASE_ID")" "$out" "image ID (config digest)"
}

test_load_multi_image_archive() {
    fresh_store
    run hutch load -i "$FIXTURES/multi.tar"
    assert_ok
    assert_eq $'Loaded image: hutch-test/one:extra\nLoaded image: hutch-test/one:latest\nLoaded image: hutch-test/two:latest' \
        "$(sort <<<"$out")"
    run hutch run --rm hutch-test/two cat /two
    assert_eq "two" "$out"
    run hutch run --rm hutch-test/one:extra sh -c 'echo $IMAGE; test -e /two'
    assert_status 1
    assert_eq "one" "$out"
    run hutch run --rm hutch-test/one sh -c 'echo $IMAGE'
    assert_eq "one" "$out"
}

test_load_untagged() {
    fresh_store
    run hutch load -i "$FIXTURES/untagged.tar"
    assert_ok
    assert_eq "Loaded image ID: $UNTAGGED_ID" "$out"
    run hutch images
    assert_match "$out" $'\n<none> +<none> +'"$(short_id "$UNTAGGED_ID")"' '
    run hutch run --rm "$(short_id "$UNTAGGED_ID")" sh -c 'echo $IMAGE'
    assert_ok
    assert_eq "untagged" "$out"
}

test_load_many_layers() {
    fresh_store
    run hutch load -i "$FIXTURES/many.tar"
    assert_ok
    assert_eq "Loaded image: hutch-test/many:latest" "$out"
    run hutch run --rm hutch-test/many sh -c 'ls /layers | wc -l; cat /layers/1 /layers/119'
    assert_ok
    assert_eq $'119\n1\n119' "$out"
}

# Converts a fixture with the real skopeo, loads the result and checks the
# image: load_via_skopeo FIXTURE TRANSPORT TAG [SKOPEO OPTIONS...]
load_via_skopeo() {
    local fixture=$1 transport=$2 tag=$3
    shift 3
    command -v skopeo >/dev/null || skip "skopeo not installed"
    fresh_store
    run skopeo copy "$@" "docker-archive:$FIXTURES/$fixture" "$transport:$WORK/converted.tar:$tag"
    assert_ok
    run hutch load -i "$WORK/converted.tar"
    assert_ok
    assert_eq "Loaded image: $tag" "$out"
    assert_base_content "$tag"
}

test_load_skopeo_oci_archive() { load_via_skopeo base.tar oci-archive hutch-test/sk:1; }

test_load_skopeo_docker_archive() { load_via_skopeo base.tar docker-archive hutch-test/sk:2; }

test_load_skopeo_gzip_oci() {
    load_via_skopeo base-zstd.tar oci-archive hutch-test/sk:3 --dest-compress-format gzip --dest-compress
}

# ---- hutch images
test_images_table() {
    fresh_store
    load base.tar
    run hutch images
    assert_ok
    local id
    id=$(short_id "$BASE_ID")
    assert_match "$(head -n 1 <<<"$out")" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' "header"
    assert_eq 3 "$(grep -c '' <<<"$out")" "number of lines"
    assert_match "$out" $'\nhutch-test/base +latest +'"$id"' +[^ ]'
    assert_match "$out" $'\nhutch-test/base +v1 +'"$id"' +[^ ]'
    assert_not_contains "$out" "docker.io"
}

test_images_quiet() {
    fresh_store
    load base.tar
    load multi.tar
    run hutch images -q
    assert_ok
    local ids
    ids=$(printf '%s\n' "$(short_id "$BASE_ID")" "$(short_id "$ONE_ID")" "$(short_id "$TWO_ID")" | sort)
    assert_eq "$ids" "$(sort -u <<<"$out")"
    assert_eq "" "$(grep -vxE '[0-9a-f]{12}' <<<"$out")" "lines that are not 12-char IDs"
    run hutch images --quiet
    assert_eq "$ids" "$(sort -u <<<"$out")"
}

test_images_empty_store() {
    fresh_store
    run hutch images
    assert_ok
    assert_match "$out" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$'
    run hutch images -q
    assert_ok
    assert_eq "" "$out"
}

test_image_reference_forms() {
    local ref
    for ref in hutch-test/base hutch-test/base:latest hutch-test/base:v1 \
        docker.io/hutch-test/base:latest "$(short_id "$BASE_ID")" "$BASE_ID"; do
        run hutch run --rm "$ref" cat /etc/motd
        assert_ok
        assert_eq "layer3" "$out" "hutch run $ref"
    done
}

test_unknown_tag_of_known_repo() {
    run hutch run --rm --pull never hutch-test/base:nope true
    assert_error 125
    assert_contains "$err" "No such image: hutch-test/base:nope"
}

# ---- unpacking: once per layer, again after $HUTCH_ROOT/layers is deleted
test_layers_unpacked_once() {
    fresh_store
    hutch --log-level debug load -i "$FIXTURES/base.tar" >/dev/null 2>"$WORK/log1" || fail "load failed" "$(cat "$WORK/log1")"
    hutch --log-level debug run --rm "$IMG" true 2>"$WORK/log2" || fail "run 1 failed" "$(cat "$WORK/log2")"
    hutch --log-level debug run --rm "$IMG" true 2>"$WORK/log3" || fail "run 2 failed" "$(cat "$WORK/log3")"
    local d expect=""
    for d in $BASE_DIFFIDS; do expect+="1 $d"$'\n'; done
    assert_eq "$(sort <<<"${expect%$'\n'}")" "$(count_unpacks "$WORK"/log? | sort -k2)" \
        "unpacking counts over load + 2 runs"
    assert_eq "" "$(count_unpacks "$WORK/log3")" "unpacks on the third command"
}

test_layers_dir_removed_unpacks_again() {
    fresh_store
    load base.tar
    run hutch run --rm "$IMG" true
    assert_ok
    [ -d "$HUTCH_ROOT/layers" ] || fail "no $HUTCH_ROOT/layers" "$(find "$HUTCH_ROOT" -maxdepth 2)"
    userns_rm "$HUTCH_ROOT/layers"
    hutch --log-level debug run --rm "$IMG" cat /etc/motd >"$WORK/out" 2>"$WORK/log" ||
        fail "run after removing layers failed" "$(cat "$WORK/log")"
    assert_eq "layer3" "$(cat "$WORK/out")"
    assert_eq 3 "$(count_unpacks "$WORK/log" | grep -c '^1 ')" "layers unpacked once each"
}

test_shared_layers_unpacked_once() {
    fresh_store
    hutch --log-level debug load -i "$FIXTURES/base.tar" >/dev/null 2>"$WORK/log1"
    hutch --log-level debug load -i "$FIXTURES/base-gzip.tar" >/dev/null 2>"$WORK/log2"
    hutch --log-level debug run --rm hutch-test/base:gzip true 2>"$WORK/log3" ||
        fail "run failed" "$(cat "$WORK/log3")"
    assert_eq 3 "$(count_unpacks "$WORK"/log? | grep -c '^1 ')" "layers unpacked exactly once"
    assert_eq "" "$(count_unpacks "$WORK/log2" "$WORK/log3")" "unpacks for the gzip copy"
}
