# hutch save: docker-archive and oci-archive, read back by hutch load, skopeo
# and podman; layer digests against the config; names, tags, output handling.

tool() { python3 "$TESTDIR/archive_tool.py" "$@"; }

# other_store CMD...: run CMD with a second, empty store
other_store() { HUTCH_ROOT="$WORK/store2" "$@"; }

BASE_LOADED=$'Loaded image: hutch-test/base:latest\nLoaded image: hutch-test/base:v1'

assert_base_content() {   # REF [STORE]
    HUTCH_ROOT=${2:-$HUTCH_ROOT} run hutch run --rm "$1" sh -c 'cat /etc/motd; ls -A /opq; test -e /data/gone || echo gone-ok; stat -c %i /data/hl-a /data/hl-b | uniq | wc -l'
    assert_ok
    assert_eq $'layer3\nnew\ngone-ok\n1' "$out" "content of $1"
}

test_save_load_roundtrip() {
    fresh_store
    load base.tar
    hutch save hutch-test/base >"$WORK/base.tar" 2>"$WORK/err" || fail "save failed" "$(cat "$WORK/err")"
    run other_store hutch load -i "$WORK/base.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
    run other_store hutch images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")" "image id after the round trip"
    assert_base_content hutch-test/base:v1 "$WORK/store2"
}

test_save_pipe_to_load() {
    fresh_store
    load base.tar
    hutch save hutch-test/base:v1 | other_store hutch load >"$WORK/out" 2>"$WORK/err"
    assert_eq "0 0" "${PIPESTATUS[*]}" "statuses of save | load ($(cat "$WORK/err"))"
    assert_eq "Loaded image: hutch-test/base:v1" "$(cat "$WORK/out")"
    assert_base_content hutch-test/base:v1 "$WORK/store2"
}

test_save_layers_match_diff_ids() {
    fresh_store
    local f
    for f in base.tar base-gzip.tar base-zstd.tar many.tar; do load "$f"; done
    for ref in hutch-test/base:latest hutch-test/base:gzip hutch-test/base:zstd hutch-test/many; do
        run hutch save -o "$WORK/x.tar" "$ref"
        assert_ok
        run tool check-docker "$WORK/x.tar"
        assert_eq "ok 1" "$out" "layers of $ref against its config"
    done
}

test_save_decompresses_stored_layers() {
    fresh_store
    load base-zstd.tar
    run hutch save -o "$WORK/z.tar" hutch-test/base:zstd
    assert_ok
    run tool check-docker "$WORK/z.tar"
    assert_eq "ok 1" "$out"
    run other_store hutch load -i "$WORK/z.tar"
    assert_ok
    assert_base_content hutch-test/base:zstd "$WORK/store2"
}

test_save_output_file() {
    fresh_store
    load base.tar
    run hutch save -o "$WORK/a.tar" hutch-test/base
    assert_ok
    assert_eq "" "$out" "stdout with -o"
    run hutch save --output="$WORK/b.tar" hutch-test/base
    assert_ok
    hutch save hutch-test/base >"$WORK/c.tar" || fail "save to stdout failed"
    cmp "$WORK/a.tar" "$WORK/b.tar" || fail "two saves of the same image differ"
    cmp "$WORK/a.tar" "$WORK/c.tar" || fail "save -o and save > differ"
    assert_eq "" "$(ls -A "$WORK" | grep -e '\.tmp-' || true)" "temporary files left"
}

test_save_refuses_terminal() {
    run python3 "$TESTDIR/ptyrun.py" -- "$HUTCH" save "$IMG"
    assert_status 1
    assert_contains "$out" "hutch: cowardly refusing to save to a terminal. Use the -o flag or redirect"
}

test_save_name_only_means_every_tag() {
    fresh_store
    load base.tar
    run hutch save -o "$WORK/all.tar" hutch-test/base
    assert_ok
    run tool tags "$WORK/all.tar"
    assert_eq "$BASE_ID hutch-test/base:latest,hutch-test/base:v1" "$out"
    run hutch save -o "$WORK/one.tar" hutch-test/base:v1
    assert_ok
    run tool tags "$WORK/one.tar"
    assert_eq "$BASE_ID hutch-test/base:v1" "$out"
}

test_save_several_images_and_untagged() {
    fresh_store
    load multi.tar
    load untagged.tar
    run hutch save -o "$WORK/m.tar" hutch-test/one hutch-test/two:latest "$(short_id "$UNTAGGED_ID")"
    assert_ok
    run tool check-docker "$WORK/m.tar"
    assert_eq "ok 3" "$out"
    run tool tags "$WORK/m.tar"
    assert_eq "$(printf '%s\n' "$ONE_ID hutch-test/one:extra,hutch-test/one:latest" "$TWO_ID hutch-test/two:latest" "$UNTAGGED_ID " | sort)" \
        "$(sort <<<"$out")"
    # L1 is all of one and of the untagged image, and two's base: stored once
    local layers
    layers=$(tar tf "$WORK/m.tar" | grep -c '/layer\.tar$')
    assert_eq 2 "$layers" "layer.tar entries (L1 and two's own layer)"
    run other_store hutch load -i "$WORK/m.tar"
    assert_ok
    assert_eq "$(printf '%s\n' "Loaded image ID: $UNTAGGED_ID" "Loaded image: hutch-test/one:extra" "Loaded image: hutch-test/one:latest" "Loaded image: hutch-test/two:latest" | sort)" \
        "$(sort <<<"$out")"
    HUTCH_ROOT="$WORK/store2" run hutch run --rm "$(short_id "$UNTAGGED_ID")" sh -c 'echo $IMAGE'
    assert_eq "untagged" "$out"
}

test_save_by_id_is_untagged() {
    fresh_store
    load base.tar
    run hutch save -o "$WORK/id.tar" "$BASE_ID"
    assert_ok
    run tool tags "$WORK/id.tar"
    assert_eq "$BASE_ID " "$out"
    run other_store hutch load -i "$WORK/id.tar"
    assert_eq "Loaded image ID: $BASE_ID" "$out"
}

test_save_oci_archive_roundtrip() {
    fresh_store
    load base.tar
    run hutch save --format oci-archive -o "$WORK/o.tar" hutch-test/base
    assert_ok
    run tool check-oci "$WORK/o.tar"
    assert_eq "ok 2" "$out"
    run tool refs "$WORK/o.tar"
    assert_eq $'hutch-test/base:latest\nhutch-test/base:v1' "$(awk '{ print $2 }' <<<"$out")" "ref.name annotations"
    run other_store hutch load -i "$WORK/o.tar"
    assert_ok
    assert_eq "$BASE_LOADED" "$out"
    run other_store hutch images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")" "image id after the OCI round trip"
    assert_base_content hutch-test/base "$WORK/store2"
}

test_save_oci_keeps_compressed_layers() {
    fresh_store
    load base-gzip.tar
    run hutch save --format=oci-archive -o "$WORK/o.tar" hutch-test/base:gzip
    assert_ok
    run tool check-oci "$WORK/o.tar"
    assert_eq "ok 1" "$out"
    local digest
    digest=$(tool refs "$WORK/o.tar" | awk '{ print $1 }')
    tar xOf "$WORK/o.tar" "blobs/sha256/${digest#sha256:}" >"$WORK/manifest.json"
    assert_eq 3 "$(grep -o 'application/vnd.oci.image.layer.v1.tar+gzip' "$WORK/manifest.json" | grep -c '')" \
        "gzip layer media types in $(cat "$WORK/manifest.json")"
}

test_save_read_by_skopeo() {
    command -v skopeo >/dev/null || skip "skopeo not installed"
    fresh_store
    load base-gzip.tar
    run hutch save -o "$WORK/d.tar" hutch-test/base:gzip
    assert_ok
    run skopeo inspect "docker-archive:$WORK/d.tar"
    assert_ok
    local d
    for d in $BASE_DIFFIDS; do assert_contains "$out" "\"$d\"" "skopeo inspect layers"; done
    run skopeo copy "docker-archive:$WORK/d.tar" "oci:$WORK/oci-dir:copy"
    assert_ok
    run skopeo inspect --config "oci:$WORK/oci-dir:copy"
    assert_ok
    for d in $BASE_DIFFIDS; do assert_contains "$out" "\"$d\"" "diff_ids of skopeo's copy"; done
    run hutch save --format oci-archive -o "$WORK/o.tar" hutch-test/base:gzip
    assert_ok
    run skopeo copy "oci-archive:$WORK/o.tar:hutch-test/base:gzip" "docker-archive:$WORK/back.tar:hutch-test/back:1"
    assert_ok
    run other_store hutch load -i "$WORK/back.tar"
    assert_ok
    assert_eq "Loaded image: hutch-test/back:1" "$out"
    assert_base_content hutch-test/back:1 "$WORK/store2"
}

# Rootless podman with its own storage (the run root must be a short path);
# its pause process dies with the test.
podman_private() {
    export XDG_RUNTIME_DIR=$WORK/xdg
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    PODMAN_RUNROOT=$(mktemp -d /tmp/hutch-podman.XXXXXX)
    PODMAN=(podman --root "$WORK/podman" --runroot "$PODMAN_RUNROOT" --storage-driver vfs
        --cgroup-manager cgroupfs --events-backend file)
    trap 'podman_done; _cleanup_bg; userns_rm "$PODMAN_RUNROOT"' EXIT
}

podman_done() {
    local pid
    pid=$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null) && BG_PIDS+=("$pid")
    return 0
}

test_save_read_by_podman() {
    command -v podman >/dev/null || skip "podman not installed"
    has_subids || skip "rootless podman cannot store files owned by uid 1000 without a subordinate id range"
    fresh_store
    load base-zstd.tar
    run hutch save -o "$WORK/d.tar" hutch-test/base:zstd
    assert_ok
    podman_private
    run "${PODMAN[@]}" load -i "$WORK/d.tar"
    assert_ok
    assert_contains "$out" "Loaded image: localhost/hutch-test/base:zstd"
    run "${PODMAN[@]}" image inspect --format '{{.Id}} {{range .RootFS.Layers}}{{.}} {{end}}' localhost/hutch-test/base:zstd
    assert_ok
    assert_eq "${BASE_ID#sha256:} $BASE_DIFFIDS " "$out" "podman's image id and layers"
    run hutch save --format oci-archive -o "$WORK/o.tar" hutch-test/base:zstd
    assert_ok
    run "${PODMAN[@]}" load -i "$WORK/o.tar"
    assert_ok
    assert_contains "$out" "Loaded image: docker.io/hutch-test/base:zstd"
}

test_save_unknown_image() {
    run hutch save -o "$WORK/x.tar" hutch-test/nope
    assert_error 1
    assert_eq "hutch: No such image: hutch-test/nope" "$err"
    assert_absent "$WORK/x.tar"
    run hutch save -o "$WORK/x.tar" "$IMG" hutch-test/base:nope
    assert_error 1
    assert_absent "$WORK/x.tar"
}

test_save_bad_format() {
    run hutch save --format tgz -o "$WORK/x.tar" "$IMG"
    assert_error 1
    assert_contains "$err" "unknown archive format tgz"
    assert_absent "$WORK/x.tar"
}

test_save_needs_an_image() {
    run hutch save
    assert_status 1
    assert_contains "$err" '"hutch save" requires at least 1 argument.'
}

test_save_corrupt_blob_leaves_no_file() {
    fresh_store
    load base.tar
    # Flip a byte inside the stored blob of L1 (uncompressed: blob = diff_id).
    local l1 blob
    l1=${BASE_DIFFIDS%% *}
    blob=$HUTCH_ROOT/blobs/sha256/${l1#sha256:}
    chmod u+w "$blob"
    printf 'X' | dd of="$blob" bs=1 seek=2000 conv=notrunc status=none
    run hutch save -o "$WORK/x.tar" "$IMG"
    assert_error 1
    assert_contains "$err" "does not match"
    assert_absent "$WORK/x.tar"
    assert_eq "" "$(ls -A "$WORK" | grep -e '\.tmp-' || true)" "temporary files left"
}

test_image_save_alias() {
    fresh_store
    load base.tar
    run hutch image save -o "$WORK/a.tar" hutch-test/base:v1
    assert_ok
    run tool tags "$WORK/a.tar"
    assert_eq "$BASE_ID hutch-test/base:v1" "$out"
}
