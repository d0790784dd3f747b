# A real client of `hutch runtime`: rootless podman (through conmon) with
# hutch-runtime as its OCI runtime, on its own storage.

podman_with_hutch() {
    command -v podman >/dev/null || skip "podman not installed"
    has_subids || skip "rootless podman cannot store files owned by uid 1000 without a subordinate id range"
    export XDG_RUNTIME_DIR=$WORK/xdg
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    ln -s "$HUTCH" "$WORK/hutch-runtime"
    PODMAN_RUNROOT=$(mktemp -d /tmp/hutch-podman.XXXXXX)
    PODMAN=(podman --root "$WORK/podman" --runroot "$PODMAN_RUNROOT" --storage-driver vfs
        --cgroup-manager cgroupfs --events-backend file --runtime "$WORK/hutch-runtime")
    trap 'podman_done; _cleanup_bg; userns_rm "$PODMAN_RUNROOT"' EXIT
    run "${PODMAN[@]}" load -i "$FIXTURES/base.tar"
    assert_ok
}

podman_done() {
    local pid
    "${PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
    pid=$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null) && BG_PIDS+=("$pid")
    return 0
}

test_podman_run_rm() {
    podman_with_hutch
    run "${PODMAN[@]}" run --rm "$IMG" sh -c 'echo in $(hostname); exit 3'
    assert_status 3
    assert_match "$out" '^in [0-9a-f]{12}$'
    run "${PODMAN[@]}" run --rm "$IMG" true
    assert_ok
}

test_podman_detached_exec_stop_logs_rm() {
    podman_with_hutch
    run "${PODMAN[@]}" run -d --name p1 "$IMG" sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
    assert_ok
    run "${PODMAN[@]}" exec p1 sh -c 'echo $((6 * 7))'
    assert_ok
    assert_eq 42 "$out"
    run "${PODMAN[@]}" exec p1 sh -c 'exit 5'
    assert_status 5
    run "${PODMAN[@]}" stop -t 5 p1
    assert_ok
    run "${PODMAN[@]}" logs p1
    assert_ok
    assert_contains "$out" "started"
    assert_contains "$out" "bye"
    run "${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' p1
    assert_eq 0 "$out"
    run "${PODMAN[@]}" rm p1
    assert_ok
}
