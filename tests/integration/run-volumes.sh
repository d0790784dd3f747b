# run -v, --mount, --tmpfs, --read-only, --volumes-from with real files.

test_bind_host_sees_what_the_container_writes() {
    mkdir "$WORK/data"
    echo from-host >"$WORK/data/in"
    run hutch run --rm -v "$WORK/data:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out'
    assert_ok
    assert_eq from-host "$out"
    assert_eq from-container "$(cat "$WORK/data/out")"
}

test_bind_read_only_gives_erofs() {
    mkdir "$WORK/data"
    run hutch run --rm -v "$WORK/data:/data:ro" "$IMG" sh -c 'touch /data/x 2>&1; echo $?'
    assert_ok
    assert_contains "$out" "Read-only file system"
    assert_absent "$WORK/data/x"
    run hutch run --rm --mount "type=bind,src=$WORK/data,dst=/data,readonly" "$IMG" sh -c 'touch /data/x'
    assert_status 1
}

test_bind_single_file() {
    echo one >"$WORK/f"
    run hutch run --rm -v "$WORK/f:/etc/motd" "$IMG" cat /etc/motd
    assert_ok
    assert_eq one "$out"
}

test_bind_missing_host_dir_created_but_mount_refused() {
    run hutch run --rm -v "$WORK/new/dir:/data" "$IMG" true
    assert_ok
    [ -d "$WORK/new/dir" ] || fail "-v did not create the missing host directory"
    run hutch run --rm --mount "type=bind,src=$WORK/nope,dst=/data" "$IMG" true
    assert_status 125
    assert_contains "$err" "bind source path does not exist"
}

test_named_volume_outlives_its_container_and_copies_up() {
    v=vol-$$
    run hutch run --rm -v "$v:/etc" "$IMG" sh -c 'test -f /etc/passwd && echo kept >/etc/mark'
    assert_ok
    run hutch run --rm -v "$v:/data" "$IMG" cat /data/mark
    assert_ok
    assert_eq kept "$out"
    run hutch volume ls -q
    assert_line "$out" "$v"
    run hutch volume rm "$v"
    assert_ok
}

test_rm_removes_anonymous_volumes() {
    before=$(hutch volume ls -q | sort)
    run hutch run --rm -v /scratch "$IMG" sh -c 'echo x >/scratch/f'
    assert_ok
    assert_eq "$before" "$(hutch volume ls -q | sort)"
}

test_read_only_root_with_tmpfs_run() {
    run hutch run --rm --read-only --tmpfs /run "$IMG" sh -c 'echo ok >/run/x && cat /run/x; touch /etc/x 2>/dev/null || echo refused'
    assert_ok
    assert_eq $'ok\nrefused' "$out"
}

test_tmpfs_size_shows_in_df() {
    run hutch run --rm --tmpfs /big:size=16m "$IMG" df -k /big
    assert_ok
    assert_match "$out" '16384'
    run hutch run --rm --mount type=tmpfs,dst=/t,tmpfs-size=8m "$IMG" df -k /t
    assert_ok
    assert_match "$out" '8192'
}

test_target_path_is_cleaned() {
    mkdir "$WORK/data"
    run hutch run --rm -v "$WORK/data:/var/run/../../tmp/here" "$IMG" sh -c 'echo x >/tmp/here/f'
    assert_ok
    assert_eq x "$(cat "$WORK/data/f")"
}

test_volume_errors_like_docker() {
    run hutch run --rm -v "$WORK:/" "$IMG" true
    assert_status 125
    assert_contains "$err" "destination can't be '/'"
    run hutch run --rm -v "$WORK:/a" -v "$WORK:/a" "$IMG" true
    assert_ok
    mkdir "$WORK/b"
    run hutch run --rm -v "$WORK:/a" -v "$WORK/b:/a" "$IMG" true
    assert_status 125
    assert_contains "$err" "Duplicate mount point"
}

test_volumes_from() {
    mkdir "$WORK/data"
    c=$(name)
    run hutch run --name "$c" -v "$WORK/data:/shared" "$IMG" true
    assert_ok
    run hutch run --rm --volumes-from "$c:ro" "$IMG" sh -c 'touch /shared/x'
    assert_status 1
    run hutch run --rm --volumes-from "$c" "$IMG" sh -c 'echo y >/shared/y'
    assert_ok
    assert_eq y "$(cat "$WORK/data/y")"
}
