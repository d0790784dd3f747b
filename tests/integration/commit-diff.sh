# hutch diff and hutch commit: a container's writable layer against its
# image, as docker's A/C/D list and as a new layer (whiteouts, opaque
# directories, owners, hard links), the new image's config and history, and
# pausing a running container meanwhile.

tool() { python3 "$TESTDIR/archive_tool.py" "$@"; }

# config_of REF PATH: one value of an image's config, as JSON (via save)
config_of() {
    hutch save -o "$WORK/cfg.tar" "$1" || fail "save $1 failed"
    tool get "$WORK/cfg.tar" - "$2"
}

# Adds, changes and deletes files, deletes a directory, replaces one with a
# file, and makes /opq opaque (rm -rf then mkdir: overlay marks it so).
CHANGES='echo added >/added; echo changed >/etc/motd; rm /data/hl-a; rm -rf /home/bob
    rm -rf /opq; mkdir /opq; echo x >/opq/x; mkdir -p /new/dir; echo deep >/new/dir/file
    rm -rf /root; echo file >/root; ln /added /new/link'

EXPECTED_DIFF='A /added
C /data
D /data/hl-a
C /etc
C /etc/motd
C /home
D /home/bob
A /new
A /new/dir
A /new/dir/file
A /new/link
C /opq
D /opq/new
A /opq/x
C /root'

changed_container() {   # NAME
    run hutch run --name "$1" "$IMG" sh -c "$CHANGES"
    assert_ok
}

test_diff_lists_changes() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    changed_container "$n"
    run hutch diff "$n"
    assert_ok
    assert_eq "$EXPECTED_DIFF" "$out"
    run hutch container diff "$n"
    assert_ok
    assert_eq "$EXPECTED_DIFF" "$out" "container diff"
}

test_diff_fresh_container_is_empty() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    # hutch creates /etc/hosts, /etc/hostname and /etc/resolv.conf as mount
    # points (the image has none): not the container's changes.
    run hutch run --name "$n" "$IMG" sh -c 'cat /etc/hostname >/dev/null; ls /proc/self >/dev/null'
    assert_ok
    run hutch diff "$n"
    assert_ok
    assert_eq "" "$out"
}

test_commit_roundtrip() {
    fresh_store
    load base.tar
    local n id
    n=$(name)
    changed_container "$n"
    run hutch commit "$n" hutch-test/committed:1
    assert_ok
    id=$out
    assert_match "$id" '^sha256:[0-9a-f]{64}$' "commit output"
    run hutch images -q hutch-test/committed:1
    assert_eq "$(short_id "$id")" "$out"
    run hutch run --rm hutch-test/committed:1 sh -c '
        cat /added /etc/motd /opq/x /new/dir/file /root; ls -A /opq /data; test -e /home/bob || echo bob-gone
        test -e /data/gone || echo gone-ok; [ "$(stat -c %i /added)" = "$(stat -c %i /new/link)" ] && echo linked'
    assert_ok
    assert_eq "added
changed
x
deep
file
/data:
fifo
hl-b
link
xattr

/opq:
x
bob-gone
gone-ok
linked" "$out"
    # the committed image's container sees no change against its own image
    local m
    m=$(name)
    run hutch run --name "$m" hutch-test/committed:1 true
    run hutch diff "$m"
    assert_eq "" "$out" "diff of a container of the committed image"
}

test_commit_layer_entries() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    changed_container "$n"
    run hutch commit "$n" hutch-test/committed:2
    assert_ok
    run hutch save -o "$WORK/s.tar" hutch-test/committed:2
    assert_ok
    run tool check-docker "$WORK/s.tar"
    assert_eq "ok 1" "$out"
    run tool last-layer "$WORK/s.tar" hutch-test/committed:2
    assert_ok
    assert_eq "added f 0644 0:0 6
data d 0755 0:0 0
data/.wh.hl-a f 0600 0:0 0
etc d 0755 0:0 0
etc/motd f 0644 0:0 8
home d 0755 0:0 0
home/.wh.bob f 0600 0:0 0
new d 0755 0:0 0
new/dir d 0755 0:0 0
new/dir/file f 0644 0:0 5
new/link h 0644 0:0 0 -> added
opq d 0755 0:0 0
opq/.wh..wh..opq f 0755 0:0 0
opq/x f 0644 0:0 2
root f 0644 0:0 5" "$out"
}

test_commit_same_changes_same_layer() {
    fresh_store
    load base.tar
    local n a b
    n=$(name)
    changed_container "$n"
    run hutch commit "$n" hutch-test/twice:a
    assert_ok
    run hutch commit "$n" hutch-test/twice:b
    assert_ok
    a=$(config_of hutch-test/twice:a rootfs.diff_ids)
    b=$(config_of hutch-test/twice:b rootfs.diff_ids)
    assert_eq "$a" "$b" "diff_ids of two commits of one container"
}

test_commit_owners() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    # alice's file changed: its owner comes from the layer below (with a
    # single-uid mapping, from the recorded owner); the new file is chowned
    # where uid 1000 exists.
    run hutch run --name "$n" "$IMG" sh -c 'echo more >>/home/alice/owned; echo n >/home/alice/new
        chown 1000:1000 /home/alice/new 2>/dev/null; true'
    assert_ok
    run hutch commit "$n" hutch-test/owners
    assert_ok
    run hutch save -o "$WORK/s.tar" hutch-test/owners
    run tool last-layer "$WORK/s.tar" hutch-test/owners:latest
    assert_line "$out" "home/alice d 0755 1000:1000 0"
    assert_line "$out" "home/alice/owned f 0640 1000:1000 11"
    if has_subids; then
        assert_line "$out" "home/alice/new f 0644 1000:1000 2"
        run hutch run --rm hutch-test/owners stat -c '%u:%g %a %n' /home/alice/owned /home/alice/new
        assert_eq $'1000:1000 640 /home/alice/owned\n1000:1000 644 /home/alice/new' "$out"
    else
        assert_line "$out" "home/alice/new f 0644 0:0 2"
    fi
}

test_commit_config_and_history() {
    fresh_store
    load base.tar
    local n cid
    n=$(name)
    run hutch run --name "$n" -e EXTRA=1 -w /tmp "$IMG" sh -c 'echo hi >/greeting; cat /greeting'
    assert_ok
    cid=$(hutch ps -a -q --no-trunc)
    run hutch commit -a "A. U. Thor <a@example.com>" -m "the message" -c 'ENV ADDED=2' "$n" hutch-test/cfg
    assert_ok
    # the container's command, environment and working directory carry over
    run hutch run --rm hutch-test/cfg
    assert_ok
    assert_eq "hi" "$out"
    run hutch run --rm hutch-test/cfg sh -c 'echo $EXTRA $ADDED $FOO; pwd'
    assert_eq $'1 2 from-image\n/tmp' "$out"
    run config_of hutch-test/cfg history.-1
    assert_match "$out" '^\{"author": "A. U. Thor <a@example.com>", "comment": "the message", "created": "[0-9T:.-]+Z", "created_by": "sh -c echo hi >/greeting; cat /greeting"\}$'
    run config_of hutch-test/cfg author
    assert_eq '"A. U. Thor <a@example.com>"' "$out"
    run config_of hutch-test/cfg container
    assert_eq "\"$cid\"" "$out"
    run config_of hutch-test/cfg config.Cmd
    assert_eq '["sh", "-c", "echo hi >/greeting; cat /greeting"]' "$out"
    run config_of hutch-test/cfg config.Env
    # docker's order: the container's own variables first, then the image's
    assert_eq '["EXTRA=1", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "FOO=from-image", "BAR=from-image", "ADDED=2"]' "$out"
    run config_of hutch-test/cfg history
    assert_eq 4 "$(grep -o '"created":' <<<"$out" | grep -c '')" "history entries (3 of the base, 1 new)"
}

test_commit_change_overrides_command() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" sh -c 'echo from-cmd'
    run hutch commit -c 'CMD ["cat", "/etc/motd"]' -c 'ENTRYPOINT []' "$n" hutch-test/cmd
    assert_ok
    run hutch run --rm hutch-test/cmd
    assert_ok
    assert_eq "layer3" "$out"
    run hutch commit --change 'ENTRYPOINT ["echo", "ep"]' "$n" hutch-test/ep
    assert_ok
    run hutch run --rm hutch-test/ep
    assert_eq "ep" "$out" "ENTRYPOINT without CMD drops the container's command"
}

test_commit_nothing_changed() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    run hutch commit "$n" hutch-test/same
    assert_ok
    run config_of hutch-test/same rootfs.diff_ids
    assert_eq "[\"$(sed 's/ /", "/g' <<<"$BASE_DIFFIDS")\"]" "$out" "no layer added"
    run config_of hutch-test/same history.-1.empty_layer
    assert_eq "true" "$out"
    run hutch run --rm hutch-test/same cat /etc/motd
    assert_eq "layer3" "$out"
}

test_commit_of_committed_image() {
    fresh_store
    load base.tar
    local a b
    a=$(name)
    run hutch run --name "$a" "$IMG" sh -c 'echo one >/one'
    run hutch commit "$a" hutch-test/chain:1
    assert_ok
    b=$(name)
    run hutch run --name "$b" hutch-test/chain:1 sh -c 'echo two >/two; rm /one'
    run hutch diff "$b"
    assert_eq $'D /one\nA /two' "$out"
    run hutch commit "$b" hutch-test/chain:2
    assert_ok
    run hutch run --rm hutch-test/chain:2 sh -c 'cat /two; test -e /one || echo one-gone'
    assert_eq $'two\none-gone' "$out"
    hutch save hutch-test/chain:2 >"$WORK/c.tar" || fail "save failed"
    run tool check-docker "$WORK/c.tar"
    assert_eq "ok 1" "$out"
    run tool get "$WORK/c.tar" - rootfs.diff_ids
    assert_eq 5 "$(grep -o sha256: <<<"$out" | grep -c '')" "layers of the second commit"
}

# The container's busy loop (its PID 1, a child of the hutch run process
# given), as the host sees it, once /ready is written.
busy_pid() {   # HUTCH_PID: its child is the container's monitor, whose child is the container
    local i p m
    for ((i = 0; i < 400; i++)); do
        p=
        for m in $(pgrep -P "$1"); do p=$(pgrep -P "$m" -f '^sh -c dd if=/dev/zero' | head -n 1); [ -n "$p" ] && break; done
        if [ -n "$p" ] && compgen -G "$HUTCH_ROOT/containers/*/upper/ready" >/dev/null; then
            echo "$p"
            return 0
        fi
        sleep 0.05
    done
    return 1
}

proc_state() { local s; read -r s <"/proc/$1/stat" 2>/dev/null && s=${s##*) } && echo "${s%% *}"; }

test_commit_pauses_running_container() {
    fresh_store
    load base.tar
    local n pid seen
    n=$(name)
    spawn "$WORK/run.out" "$HUTCH" run --name "$n" "$IMG" sh -c \
        'dd if=/dev/zero of=/big bs=1M count=48 2>/dev/null; echo ready >/ready; while :; do :; done'
    pid=$(busy_pid "$spawned") || fail "the container's loop did not start" "$(cat "$WORK/run.out")"
    spawn "$WORK/commit.out" "$HUTCH" commit "$n" hutch-test/paused
    local commit=$spawned
    # The loop never stops by itself: a 't' (traced, stopped) state is the pause.
    seen=""
    while alive "$commit"; do
        [ "$(proc_state "$pid")" = t ] && seen=paused
    done
    wait_status "$commit" || fail "commit failed" "$(cat "$WORK/commit.out")"
    assert_eq paused "$seen" "state of the container's process during commit"
    sleep 0.2
    assert_eq R "$(proc_state "$pid")" "state of the container's process after commit"
    run hutch run --rm hutch-test/paused sh -c 'cat /ready; stat -c %s /big'
    assert_eq $'ready\n50331648' "$out"
    run hutch commit --pause=false "$n" hutch-test/unpaused
    assert_ok
    assert_eq R "$(proc_state "$pid")" "state after commit --pause=false"
    run hutch rm -f "$n"
    assert_ok
}

test_commit_killed_while_paused_resumes_container() {
    fresh_store
    load base.tar
    local n pid i state=""
    n=$(name)
    spawn "$WORK/run.out" "$HUTCH" run --name "$n" "$IMG" sh -c \
        'dd if=/dev/zero of=/big bs=1M count=96 2>/dev/null; echo ready >/ready; while :; do :; done'
    pid=$(busy_pid "$spawned") || fail "the container's loop did not start" "$(cat "$WORK/run.out")"
    spawn "$WORK/commit.out" "$HUTCH" commit "$n"
    local commit=$spawned
    for ((i = 0; i < 20000; i++)); do
        state=$(proc_state "$pid")
        [ "$state" = t ] && break
        alive "$commit" || break
    done
    [ "$state" = t ] || skip "the commit finished before it could be killed while paused"
    kill -9 "$commit"
    for ((i = 0; i < 100; i++)); do
        state=$(proc_state "$pid")
        [ "$state" = R ] && break
        sleep 0.01
    done
    assert_eq R "$state" "state of the container's process once the paused commit was killed"
    run hutch rm -f "$n"
    assert_ok
}

test_commit_bad_input() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" sh -c 'echo x >/x'
    run hutch commit hutch-no-such-container
    assert_error 1
    assert_eq "hutch: No such container: hutch-no-such-container" "$err"
    run hutch commit -c 'RUN echo hi' "$n" hutch-test/bad
    assert_error 1
    assert_eq "hutch: run is not a valid change command" "$err"
    run hutch commit -c 'HEALTHCHECK --interval=soon CMD true' "$n"
    assert_error 1
    run hutch commit -c 'ONBUILD ONBUILD RUN x' "$n"
    assert_error 1
    assert_contains "$err" "Chaining ONBUILD"
    run hutch commit "$n" "hutch-test/bad@sha256:$(printf '0%.0s' {1..64})"
    assert_error 1
    assert_eq "hutch: refusing to create a tag with a digest reference" "$err"
    run hutch commit "$n" hutch-test/x:1 extra
    assert_status 1
    run hutch images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")" "images after refused commits"
    run hutch diff hutch-no-such-container
    assert_error 1
    assert_eq "hutch: No such container: hutch-no-such-container" "$err"
}

test_container_commit_alias() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" sh -c 'echo x >/x'
    run hutch container commit -m via-alias "$n" hutch-test/alias
    assert_ok
    run hutch run --rm hutch-test/alias cat /x
    assert_eq "x" "$out"
}

test_committed_image_read_by_skopeo() {
    command -v skopeo >/dev/null || skip "skopeo not installed"
    fresh_store
    load base.tar
    local n
    n=$(name)
    changed_container "$n"
    run hutch commit "$n" hutch-test/sk
    assert_ok
    run hutch save -o "$WORK/s.tar" hutch-test/sk
    assert_ok
    local ours
    ours=$(tool get "$WORK/s.tar" - rootfs.diff_ids)
    run skopeo copy "docker-archive:$WORK/s.tar" "oci:$WORK/oci:sk"
    assert_ok
    run skopeo inspect --config "oci:$WORK/oci:sk"
    assert_ok
    local d
    for d in $(grep -o 'sha256:[0-9a-f]*' <<<"$ours"); do assert_contains "$out" "\"$d\"" "diff_ids skopeo copied"; done
    run skopeo inspect "oci:$WORK/oci:sk"
    assert_ok
    assert_eq 4 "$(grep -c '"sha256:' <<<"$(sed -n '/"Layers"/,/]/p' <<<"$out")")" "layers skopeo sees"
}
