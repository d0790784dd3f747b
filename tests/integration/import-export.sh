# hutch export (a container's merged filesystem as a tar) and hutch import (a
# rootfs tarball as a one-layer image): round trips, compression, -c changes,
# owners under both id mappings, bad input.

tool() { python3 "$TESTDIR/archive_tool.py" "$@"; }

# config_of REF PATH: one value of an image's config, as JSON (via save)
config_of() {
    hutch save -o "$WORK/cfg.tar" "$1" || fail "save $1 failed"
    tool get "$WORK/cfg.tar" - "$2"
}

# A container that changed its filesystem: added, changed, deleted, an owner.
make_changed_container() {   # NAME
    run hutch run --name "$1" "$IMG" sh -c '
        echo added >/added; echo changed >/etc/motd; rm /data/gone 2>/dev/null; rm /data/hl-a
        echo mine >/home/alice/mine; chown 1000:1000 /home/alice/mine 2>/dev/null; true'
    assert_ok
}

test_export_lists_merged_filesystem() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    make_changed_container "$n"
    run hutch export -o "$WORK/e.tar" "$n"
    assert_ok
    assert_eq "" "$out" "stdout with -o"
    tool list "$WORK/e.tar" >"$WORK/list" || fail "cannot read the export" "$(cat "$WORK/list")"
    local l
    l=$(cat "$WORK/list")
    assert_line "$l" "added f 0644 0:0 6"
    assert_line "$l" "etc/motd f 0644 0:0 8"
    assert_line "$l" "opq/new f 0644 0:0 4"
    assert_line "$l" "home/alice/owned f 0640 1000:1000 6"
    assert_line "$l" "home/bob d 0755 1001:1001 0"
    assert_line "$l" "bin/suid f 4755 0:0 20"
    assert_line "$l" "data/xattr f 0644 0:0 6 xattr=user.hutch:test"
    assert_line "$l" "data/link l 0777 0:0 0 -> hl-a"
    assert_line "$l" "data/fifo p 0644 0:0 0"
    assert_line "$l" "bin/sh l 0777 0:0 0 -> busybox"
    # what the layers hide stays hidden: deleted, whited out, under an opaque dir
    assert_no_line "$l" "opq/old f 0644 0:0 0"
    assert_eq "" "$(grep -E '^(data/gone|data/hl-a|opq/old) ' <<<"$l")" "hidden entries"
    assert_line "$l" "data/hl-b f 0644 0:0 3"
    # nothing of overlay's or hutch's own bookkeeping
    assert_not_contains "$l" "overlay"
    assert_not_contains "$l" "override_stat"
    assert_not_contains "$l" ".wh."
}

test_export_keeps_hard_links() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    assert_ok
    run hutch export -o "$WORK/e.tar" "$n"
    assert_ok
    run tool list "$WORK/e.tar"
    assert_line "$out" "data/hl-a f 0644 0:0 3"
    assert_line "$out" "data/hl-b h 0644 0:0 0 -> data/hl-a"
}

test_export_owner_set_in_container() {
    has_subids || skip "chown to uid 1000 needs a subordinate id range (single-uid owners: test_export_lists_merged_filesystem)"
    fresh_store
    load base.tar
    local n
    n=$(name)
    make_changed_container "$n"
    hutch export "$n" >"$WORK/e.tar" || fail "export failed"
    run tool list "$WORK/e.tar"
    assert_line "$out" "home/alice/mine f 0644 1000:1000 5"
}

test_export_import_run() {
    fresh_store
    load base.tar
    local n id
    n=$(name)
    make_changed_container "$n"
    hutch export "$n" | hutch import - hutch-test/imported:1 >"$WORK/out" 2>"$WORK/err"
    assert_eq "0 0" "${PIPESTATUS[*]}" "statuses of export | import ($(cat "$WORK/err"))"
    id=$(cat "$WORK/out")
    assert_match "$id" '^sha256:[0-9a-f]{64}$' "import output"
    run hutch run --rm hutch-test/imported:1 sh -c 'cat /added /etc/motd; ls /data; stat -c "%u:%g %a" /home/alice/owned; stat -c %i /opq/new >/dev/null && echo opq-new'
    assert_ok
    local owner="1000:1000 640"
    has_subids || owner="0:0 640"   # single-uid: only root exists in the container
    assert_eq "added
changed
fifo
hl-b
link
xattr
$owner
opq-new" "$out"
    run hutch images -q hutch-test/imported:1
    assert_eq "$(short_id "$id")" "$out"
}

test_import_layer_matches_diff_id() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    hutch export -o "$WORK/e.tar" "$n" || fail "export failed"
    run hutch import "$WORK/e.tar" hutch-test/imported:2
    assert_ok
    run hutch save -o "$WORK/s.tar" hutch-test/imported:2
    assert_ok
    run tool check-docker "$WORK/s.tar"
    assert_eq "ok 1" "$out"
    # the owners recorded in the layer are the container's, under both mappings
    run tool last-layer "$WORK/s.tar" hutch-test/imported:2
    assert_line "$out" "home/alice/owned f 0640 1000:1000 6"
    assert_line "$out" "data/hl-b h 0644 0:0 0 -> data/hl-a"
}

test_import_compressed_inputs() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    hutch export -o "$WORK/e.tar" "$n" || fail "export failed"
    gzip -c "$WORK/e.tar" >"$WORK/e.tar.gz"
    zstd -q -c "$WORK/e.tar" >"$WORK/e.tar.zst"
    xz -c "$WORK/e.tar" >"$WORK/e.tar.xz"
    local f ids=()
    for f in e.tar e.tar.gz e.tar.zst e.tar.xz; do
        run hutch import "$WORK/$f" "hutch-test/c:${f//./-}"
        assert_ok
        run config_of "hutch-test/c:${f//./-}" rootfs.diff_ids
        ids+=("$out")
        run hutch run --rm "hutch-test/c:${f//./-}" cat /etc/motd
        assert_eq "layer3" "$out" "content imported from $f"
    done
    assert_eq 1 "$(printf '%s\n' "${ids[@]}" | sort -u | grep -c '')" "diff_ids of the four imports: ${ids[*]}"
}

test_import_stdin_and_history() {
    fresh_store
    tool make "$WORK/r.tar" d:bin f:bin/hello:hi >/dev/null || fail "make tar failed"
    run hutch import - hutch-test/stdin <"$WORK/r.tar"
    assert_ok
    run config_of hutch-test/stdin history
    assert_match "$out" '^\[\{"comment": "Imported from -", "created": "[0-9T:.-]+Z"\}\]$'
    run hutch import -m "my message" "$WORK/r.tar" hutch-test/msg
    assert_ok
    run config_of hutch-test/msg history.0.comment
    assert_eq '"my message"' "$out"
    run config_of hutch-test/msg comment
    assert_eq '"my message"' "$out"
    run config_of hutch-test/msg architecture
    assert_eq '"amd64"' "$out"
}

test_import_changes() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    hutch export -o "$WORK/e.tar" "$n" || fail "export failed"
    run hutch import \
        -c 'ENV A=1 B="two words"' -c 'ENV C ${A}-$B' \
        -c 'WORKDIR /home' -c 'WORKDIR alice' \
        -c 'USER alice' \
        -c 'EXPOSE 80 53/udp 8000-8001' \
        -c 'LABEL a=b "c d"=e' \
        -c 'VOLUME ["/data", "/v"]' \
        -c 'ONBUILD RUN echo hi' \
        -c 'STOPSIGNAL SIGINT' \
        -c 'HEALTHCHECK --interval=30s --retries=3 CMD true' \
        -c 'CMD ["sh", "-c", "echo $A $B $C; pwd; id -un"]' \
        "$WORK/e.tar" hutch-test/changed
    assert_ok
    run hutch run --rm hutch-test/changed
    if has_subids; then
        assert_ok
        assert_eq $'1 two words 1-two words\n/home/alice\nalice' "$out"
    else
        assert_error 125   # only root exists in a single-uid container
    fi
    run hutch run --rm -u root hutch-test/changed
    assert_ok
    assert_eq $'1 two words 1-two words\n/home/alice\nroot' "$out"
    run config_of hutch-test/changed config
    assert_eq '{"Cmd": ["sh", "-c", "echo $A $B $C; pwd; id -un"], "Env": ["A=1", "B=two words", "C=1-two words"], "ExposedPorts": {"53/udp": {}, "80/tcp": {}, "8000/tcp": {}, "8001/tcp": {}}, "Healthcheck": {"Interval": 30000000000, "Retries": 3, "Test": ["CMD-SHELL", "true"]}, "Labels": {"a": "b", "c d": "e"}, "OnBuild": ["RUN echo hi"], "StopSignal": "SIGINT", "User": "alice", "Volumes": {"/data": {}, "/v": {}}, "WorkingDir": "/home/alice"}' "$out"
}

test_import_entrypoint_forms() {
    fresh_store
    tool make "$WORK/r.tar" d:bin >/dev/null || fail "make tar failed"
    run hutch import -c 'CMD ["a"]' -c 'ENTRYPOINT echo x' "$WORK/r.tar" hutch-test/ep1
    assert_ok
    run config_of hutch-test/ep1 config
    assert_eq '{"Cmd": ["a"], "Entrypoint": ["/bin/sh", "-c", "echo x"]}' "$out" "CMD before ENTRYPOINT is kept"
    run hutch import -c 'ENTRYPOINT ["/bin/x"]' "$WORK/r.tar" hutch-test/ep2
    assert_ok
    run config_of hutch-test/ep2 config
    assert_eq '{"Cmd": null, "Entrypoint": ["/bin/x"]}' "$out"
    run hutch import -c 'cmd echo lower case' "$WORK/r.tar" hutch-test/ep3
    assert_ok
    run config_of hutch-test/ep3 config.Cmd
    assert_eq '["/bin/sh", "-c", "echo lower case"]' "$out"
}

test_import_platform() {
    fresh_store
    tool make "$WORK/r.tar" d:bin >/dev/null || fail "make tar failed"
    run hutch import --platform linux/arm64/v8 "$WORK/r.tar" hutch-test/arm
    assert_ok
    run config_of hutch-test/arm architecture
    assert_eq '"arm64"' "$out"
    run config_of hutch-test/arm variant
    assert_eq '"v8"' "$out"
    run hutch import --platform windows/amd64 "$WORK/r.tar"
    assert_error 1
    assert_contains "$err" "hutch runs linux images only"
}

test_import_absolute_and_dot_names() {
    fresh_store
    tool make "$WORK/r.tar" d:/bin f:/bin/abs:abs f:./bin/dot:dot d:./ h:./bin/link:/bin/abs >/dev/null ||
        fail "make tar failed"
    run hutch import "$WORK/r.tar" hutch-test/names
    assert_ok
    run hutch save -o "$WORK/s.tar" hutch-test/names
    assert_ok
    run tool last-layer "$WORK/s.tar" hutch-test/names:latest
    assert_eq $'bin d 0755 0:0 0\nbin/abs f 0644 0:0 3\nbin/dot f 0644 0:0 3\nbin/link h 0644 0:0 0 -> bin/abs' "$out"
}

test_import_rejects_dotdot() {
    fresh_store
    tool make "$WORK/r.tar" d:bin f:bin/../../escape:x >/dev/null || fail "make tar failed"
    run hutch import "$WORK/r.tar" hutch-test/bad
    assert_error 1
    assert_contains "$err" "leads outside the root"
    run hutch images -q
    assert_eq "" "$out" "images after a refused import"
    assert_eq "" "$(find "$HUTCH_ROOT/blobs/sha256" "$HUTCH_ROOT/images" "$HUTCH_ROOT/tmp" -mindepth 1)" \
        "blobs, records or staging left"
}

test_import_bad_input() {
    fresh_store
    run hutch import "$WORK/nope.tar"
    assert_error 1
    assert_eq "hutch: open $WORK/nope.tar: No such file or directory" "$err"
    head -c 5000 /dev/urandom >"$WORK/junk"
    run hutch import "$WORK/junk"
    assert_error 1
    assert_contains "$err" "not a valid tarball"
    run hutch import http://example.com/rootfs.tar
    assert_error 1
    assert_contains "$err" "importing from a URL is not supported"
    tool make "$WORK/r.tar" d:bin >/dev/null
    run hutch import -c 'RUN echo hi' "$WORK/r.tar"
    assert_error 1
    assert_eq "hutch: run is not a valid change command" "$err"
    run hutch import -c 'ENV' "$WORK/r.tar"
    assert_error 1
    run hutch import -c 'EXPOSE 99999' "$WORK/r.tar"
    assert_error 1
    run hutch import -c 'ENV A="unterminated' "$WORK/r.tar"
    assert_error 1
    run hutch import "$WORK/r.tar" 'Bad:Name'
    assert_error 1
    assert_contains "$err" "invalid reference format"
    run hutch images -q
    assert_eq "" "$out" "images after refused imports"
}

test_export_unknown_container() {
    run hutch export -o "$WORK/x.tar" hutch-no-such-container
    assert_error 1
    assert_eq "hutch: No such container: hutch-no-such-container" "$err"
    assert_absent "$WORK/x.tar"
}

test_export_refuses_terminal() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    run python3 "$TESTDIR/ptyrun.py" -- "$HUTCH" export "$n"
    assert_status 1
    assert_contains "$out" "hutch: cowardly refusing to save to a terminal. Use the -o flag or redirect"
}

test_container_export_and_image_import_aliases() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    run hutch container export -o "$WORK/e.tar" "$n"
    assert_ok
    run hutch image import "$WORK/e.tar" hutch-test/alias
    assert_ok
    run hutch run --rm hutch-test/alias cat /etc/motd
    assert_eq "layer3" "$out"
}
