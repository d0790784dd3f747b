# Digests from outside (image configs, manifests, OCI indexes, references,
# registries) are parsed into one validated type before anything is built from
# them: a "digest" that is really a path is refused with one line (status 125
# from run, 1 from the other commands), and nothing is created anywhere. Images
# that repeat a layer load, verify every blob, run, save and commit.

. "$TESTDIR/lib-registry.sh"

HOSTILE="$TESTDIR/hostile_images.py"
# From layers/MAPKEY/ three levels up is $WORK: a lock file made from this
# "digest" would appear there as $WORK/hutch-escaped-...lock.
ESCAPE_NAME=hutch-escaped-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ESCAPE_DIGEST="sha256:../../../$ESCAPE_NAME"
# The one the issue reproduced: the host's /etc as a layer.
ETC_DIGEST="sha256:../../../../../../../../../../../../etc/////////////////////////"

# outside_store: what exists under $WORK but outside the store, the test's
# own files (the registry's, run's captures) left out.
outside_store() {
    find "$WORK" \( -path "$HUTCH_ROOT" -o -path "$WORK/registry.*" -o -name '.run.*' \) -prune -o -printf '%p %y\n' |
        sort
}

# refused_load ARCHIVE FRAGMENT: loading fails with one line naming FRAGMENT,
# changes nothing under $WORK (outside the store) and adds no image; the same
# store then loads and runs the benign image.
refused_load() {
    HUTCH_ROOT=$(mktemp -d "$WORK/store.XXXX")
    export HUTCH_ROOT
    local snap
    snap=$(outside_store)
    run hutch load -i "$1"
    assert_error 1
    assert_contains "$err" "$2"
    assert_eq "$snap" "$(outside_store)" "files under \$WORK outside the store"
    run hutch images -q
    assert_eq "" "$out" "images after the refused load"
    store_still_works
}

store_still_works() {
    load base.tar
    run hutch run --rm "$IMG" cat /etc/motd
    assert_ok
    assert_eq "layer3" "$out"
}

test_diff_id_path_escape_refused() {
    python3 "$HOSTILE" diff-id "$WORK/escape.tar" "$ESCAPE_DIGEST"
    refused_load "$WORK/escape.tar" 'rootfs.diff_ids[1]: invalid digest'
    assert_absent "$WORK/$ESCAPE_NAME.lock" "$WORK/$ESCAPE_NAME"
}

test_diff_id_host_etc_refused() {
    python3 "$HOSTILE" diff-id "$WORK/etc.tar" "$ETC_DIGEST"
    refused_load "$WORK/etc.tar" "invalid digest"
    run hutch run --rm --pull never hostile/diffid cat /passwd
    assert_error 125
    assert_not_contains "$out" "root:"
}

test_diff_id_other_forms_refused() {
    local d
    for d in "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789" \
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" \
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/" \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"; do
        python3 "$HOSTILE" diff-id "$WORK/bad.tar" "$d"
        refused_load "$WORK/bad.tar" "invalid digest"
    done
    python3 "$HOSTILE" diff-id "$WORK/sha512.tar" "sha512:$(printf 'ab%.0s' {1..64})"
    refused_load "$WORK/sha512.tar" "unsupported digest algorithm"
}

test_oci_descriptor_paths_refused() {
    local where
    for where in index config layer; do
        python3 "$HOSTILE" oci "$WORK/oci-$where.tar" "$where" "$ESCAPE_DIGEST"
        refused_load "$WORK/oci-$where.tar" "invalid digest"
        assert_absent "$WORK/$ESCAPE_NAME.lock" "$WORK/$ESCAPE_NAME"
    done
}

test_control_characters_in_digest_not_echoed() {
    python3 "$HOSTILE" diff-id "$WORK/esc.tar" $'sha256:\e[31mred\nsecond line'
    refused_load "$WORK/esc.tar" 'invalid digest "sha256:\x1b[31mred\nsecond line"'
}

test_digest_reference_paths_refused() {
    local ref
    for ref in "busybox@sha256:../../../../etc" "busybox@$ETC_DIGEST" "busybox@sha256:%2e%2e"; do
        run hutch run --rm --pull never "$ref" true
        assert_error 125
        assert_contains "$err" "invalid reference format"
        run hutch pull "$ref"
        assert_error 1
        run hutch inspect "$ref"
        [ "$status" != 0 ] || fail "inspect $ref succeeded" "$(_last)"
        assert_contains "$err" "No such object"
    done
    run hutch rmi "sha256:../../images/x"
    [ "$status" != 0 ] || fail "rmi succeeded" "$(_last)"
    assert_contains "$err" "No such image"
}

# A registry that lies through the fault proxy: it serves a manifest and a
# config it made up, with a path where a digest belongs.
lying_registry_pull() {   # WHERE FRAGMENT
    fresh_store
    registry_start plain
    registry_push base.tar hostile/lie:v1
    local parts=$WORK/parts-$1 cfg_digest
    cfg_digest=$(python3 "$HOSTILE" registry-parts "$parts" "$1" "$ESCAPE_DIGEST")
    local manifest config
    manifest=$(jq -Rs . <"$parts/manifest.json")
    config=$(jq -Rs . <"$parts/config.json")
    fault_proxy_start \
        "{\"path\": \"/manifests/\", \"method\": [\"GET\", \"HEAD\"], \"action\": \"respond\", \"status\": 200, \"headers\": {\"Content-Type\": \"application/vnd.oci.image.manifest.v1+json\"}, \"body\": $manifest}" \
        "{\"path\": \"/blobs/$cfg_digest\", \"action\": \"respond\", \"status\": 200, \"body\": $config}"
    local snap
    snap=$(outside_store)
    run hutch pull "$FAULT_PROXY/hostile/lie:v1"
    assert_error 1
    assert_contains "$err" "$2"
    assert_eq "$snap" "$(outside_store)" "files under \$WORK outside the store"
    assert_absent "$WORK/$ESCAPE_NAME.lock"
    run hutch images -q
    assert_eq "" "$out"
    store_still_works
}

test_pull_config_descriptor_path_refused() { lying_registry_pull config "invalid digest"; }
test_pull_layer_descriptor_path_refused() { lying_registry_pull layer "invalid digest"; }
test_pull_diff_id_path_refused() { lying_registry_pull diff-id "rootfs.diff_ids[0]: invalid digest"; }

test_tampered_store_record_refused() {
    fresh_store
    load base.tar
    local rec
    rec=$(ls "$HUTCH_ROOT"/images/*.json | head -n 1)
    sed -i "s|\"diff_id\":\"sha256:[0-9a-f]*\"|\"diff_id\":\"$ESCAPE_DIGEST\"|" "$rec"
    run hutch run --rm "$IMG" true
    assert_error 125
    assert_contains "$err" "invalid digest"
    assert_absent "$WORK/$ESCAPE_NAME.lock"
}

# ---- images that repeat layers

test_repeated_layers_load_run_save_commit() {
    fresh_store
    python3 "$HOSTILE" repeated "$WORK/rep.tar" hostile/rep:latest
    load "$WORK/rep.tar"
    run hutch run --rm hostile/rep cat /data/repeated
    assert_ok
    assert_eq "repeated" "$out"
    run hutch image inspect -f '{{len .RootFS.Layers}}' hostile/rep
    assert_eq "5" "$out"
    # save: docker's layout and OCI both hold every entry, and load again
    run hutch save -o "$WORK/saved.tar" hostile/rep
    assert_ok
    run python3 "$TESTDIR/archive_tool.py" check-docker "$WORK/saved.tar"
    assert_eq "ok 1" "$out"
    run hutch save --format oci-archive -o "$WORK/saved-oci.tar" hostile/rep
    assert_ok
    run python3 "$TESTDIR/archive_tool.py" check-oci "$WORK/saved-oci.tar"
    assert_eq "ok 1" "$out"
    run hutch rmi hostile/rep
    assert_ok
    load "$WORK/saved-oci.tar"
    run hutch run --rm hostile/rep cat /data/repeated
    assert_eq "repeated" "$out"
    # commit on top of an image that repeats layers
    run hutch run --name c1 hostile/rep sh -c 'echo more >/data/more'
    assert_ok
    run hutch commit c1 hostile/rep2
    assert_ok
    run hutch run --rm hostile/rep2 cat /data/repeated /data/more
    assert_eq $'repeated\nmore' "$out"
    run hutch image inspect -f '{{len .RootFS.Layers}}' hostile/rep2
    assert_eq "6" "$out"
    run hutch rm c1
    assert_ok
}

test_repeated_layer_blobs_each_verified() {
    fresh_store
    python3 "$HOSTILE" repeated-bad-blob "$WORK/liar.tar"
    run hutch load -i "$WORK/liar.tar"
    assert_error 1
    assert_contains "$err" "digest mismatch"
    run hutch images -q
    assert_eq "" "$out"
    # the lying blob did not join the store
    local n
    n=$(find "$HUTCH_ROOT/blobs/sha256" -type f -size +0 | while read -r f; do
        [ "$(sha256sum <"$f" | cut -c1-64)" = "$(basename "$f")" ] || echo bad; done | grep -c bad)
    assert_eq "0" "$n" "blobs whose name is not their content"
    store_still_works
}
