# The container's filesystem: layer fidelity (whiteouts, opaque dirs, links,
# modes), /dev, /proc, /sys and the masked and read-only paths.

# ---- layers
test_whiteout_removes_file() {
    run hutch run --rm "$IMG" ls -A /data
    assert_ok
    assert_eq $'fifo\nhl-a\nhl-b\nlink\nxattr' "$out" "ls -A /data"
    run hutch run --rm "$IMG" cat /data/gone
    assert_status 1
}

test_opaque_directory() {
    run hutch run --rm "$IMG" ls -A /opq
    assert_ok
    assert_eq "new" "$out" "ls -A /opq"
}

test_whiteout_files_not_visible() {
    run hutch run --rm "$IMG" find / -xdev -name '.wh.*'
    assert_eq "" "$out" "whiteout markers visible"
}

test_hardlinks() {
    run hutch run --rm "$IMG" stat -c '%i %h' /data/hl-a /data/hl-b
    assert_ok
    local a b
    a=$(sed -n 1p <<<"$out")
    b=$(sed -n 2p <<<"$out")
    assert_eq "$a" "$b" "inode and link count of hl-a and hl-b"
    assert_match "$a" ' 2$' "link count"
    run hutch run --rm "$IMG" cat /data/hl-b
    assert_eq "hl" "$out"
}

test_symlink() {
    run hutch run --rm "$IMG" sh -c 'readlink /data/link; cat /data/link; readlink /bin/sh'
    assert_ok
    assert_eq $'hl-a\nhl\nbusybox' "$out"
}

test_fifo() {
    run hutch run --rm "$IMG" stat -c %F /data/fifo
    assert_ok
    assert_eq "fifo" "$out"
}

test_modes() {
    run hutch run --rm "$IMG" stat -c '%a %n' /root /tmp /home/alice/owned /bin/suid /bin/busybox /etc/passwd
    assert_ok
    assert_eq $'700 /root\n1777 /tmp\n640 /home/alice/owned\n4755 /bin/suid\n755 /bin/busybox\n644 /etc/passwd' "$out"
}

test_file_contents() {
    run hutch run --rm "$IMG" sh -c 'cat /etc/motd /opq/new; grep -c "" /etc/passwd /etc/group'
    assert_ok
    assert_eq $'layer3\nnew\n/etc/passwd:5\n/etc/group:6' "$out"
    run hutch run --rm "$IMG" sha256sum /bin/busybox
    assert_eq "$(sha256sum </bin/busybox | cut -d' ' -f1)  /bin/busybox" "$out"
}

test_mtimes_preserved() {
    run hutch run --rm "$IMG" stat -c %Y /etc/passwd /etc/motd /data/hl-a
    assert_ok
    assert_eq $'1700000000\n1700000000\n1700000000' "$out"
}

test_xattr_kept_in_layer() {
    local f
    f=$(find "$STORE/layers" -path '*/data/xattr' -type f 2>/dev/null | head -n 1)
    [ -n "$f" ] || fail "no data/xattr file under $STORE/layers" "$(find "$STORE" -maxdepth 3 2>&1 | head -n 30)"
    run python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.hutch").decode())' "$f"
    assert_ok
    assert_eq "test" "$out" "user.hutch xattr of $f"
}

test_layers_not_changed_by_container() {
    run hutch run --rm "$IMG" sh -c 'echo changed >/etc/motd; echo x >>/data/hl-a; chmod 600 /etc/passwd'
    assert_ok
    run hutch run --rm "$IMG" sh -c 'cat /etc/motd /data/hl-b; stat -c %a /etc/passwd'
    assert_eq $'layer3\nhl\n644' "$out"
}

# ---- /dev
test_dev_nodes() {
    run hutch run --rm "$IMG" sh -c 'for d in null zero full random urandom tty; do test -c /dev/$d || echo "missing $d"; done
        for d in pts shm mqueue; do test -d /dev/$d || echo "missing $d"; done; echo done'
    assert_ok
    assert_eq "done" "$out"
}

test_dev_nothing_else() {
    run hutch run --rm "$IMG" ls -A /dev
    assert_ok
    local extra
    extra=$(grep -vxE 'console|core|fd|full|mqueue|null|ptmx|pts|random|shm|stderr|stdin|stdout|tty|urandom|zero' <<<"$out")
    assert_eq "" "$extra" "unexpected entries in /dev"
}

test_dev_devices_work() {
    run hutch run --rm "$IMG" sh -c 'echo x >/dev/null && head -c 5 /dev/zero | wc -c && head -c 7 /dev/urandom | wc -c && head -c 3 /dev/random | wc -c'
    assert_ok
    assert_eq $'5\n7\n3' "$(tr -d ' ' <<<"$out")"
    run hutch run --rm "$IMG" sh -c 'echo x >/dev/full'
    assert_status 1
}

test_dev_fd_links() {
    run hutch run --rm "$IMG" sh -c 'for f in /dev/fd /dev/stdin /dev/stdout /dev/stderr; do readlink $f; done'
    assert_ok
    assert_eq $'/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2' "$out"
}

test_dev_shm_tmpfs_64m() {
    run hutch run --rm "$IMG" sh -c 'df -k /dev/shm | awk "NR == 2 { print \$2 }"; awk "\$2 == \"/dev/shm\" { print \$3 }" /proc/mounts'
    assert_ok
    assert_eq $'65536\ntmpfs' "$out"
    run hutch run --rm "$IMG" sh -c 'echo x >/dev/shm/f && cat /dev/shm/f'
    assert_eq "x" "$out"
}

test_dev_pts_mounted() {
    run hutch run --rm "$IMG" awk '$2 == "/dev/pts" { print $3 }' /proc/mounts
    assert_eq "devpts" "$out"
}

# ---- /proc and /sys
test_proc_is_containers() {
    run hutch run --rm "$IMG" readlink /proc/self
    assert_ok
    assert_eq "1" "$out"
    run hutch run --rm "$IMG" awk '$2 == "/proc" { print $3 }' /proc/mounts
    assert_eq "proc" "$out"
}

test_sys_read_only() {
    run hutch run --rm "$IMG" touch /sys/x
    [ "$status" != 0 ] || fail "touch /sys/x succeeded"
    run hutch run --rm "$IMG" awk '$2 == "/sys" { print $4 }' /proc/mounts
    assert_match "$out" '^ro(,|$)' "mount options of /sys"
}

test_proc_sys_read_only() {
    run hutch run --rm "$IMG" sh -c 'awk "\$2 == \"/proc/sys\" { print \$4 }" /proc/mounts'
    assert_match "$out" '^ro(,|$)' "mount options of /proc/sys"
    run hutch run --rm "$IMG" sh -c 'echo 1 >/proc/sys/kernel/domainname'
    [ "$status" != 0 ] || fail "writing /proc/sys succeeded"
}

test_proc_read_only_paths() {
    local p
    for p in /proc/bus /proc/fs /proc/irq /proc/sysrq-trigger; do
        [ -e "$p" ] || continue
        run hutch run --rm "$IMG" awk -v p="$p" '$2 == p { print $4 }' /proc/mounts
        assert_match "$out" '^ro(,|$)' "mount options of $p"
    done
}

test_masked_files_empty() {
    local p
    for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats \
        /proc/timer_stats; do
        [ -e "$p" ] || continue
        run hutch run --rm "$IMG" cat "$p"
        assert_ok
        assert_eq "" "$out" "content of masked $p"
    done
    run hutch run --rm "$IMG" cat /proc/kcore
    assert_eq "" "$out"
}

test_masked_dirs_empty() {
    local p
    for p in /proc/acpi /proc/scsi /proc/asound /sys/firmware; do
        [ -e "$p" ] || continue
        run hutch run --rm "$IMG" ls -A "$p"
        assert_ok
        assert_eq "" "$out" "content of masked $p"
    done
}

# ---- capabilities, privileges, file descriptors
test_capabilities_root() {
    run hutch run --rm "$IMG" grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status
    assert_ok
    assert_eq $'CapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000' "$out"
}

test_capabilities_alice() {
    run hutch run --rm -u alice "$IMG" grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status
    if has_subids; then
        assert_ok
        assert_eq $'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t00000000a80425fb' "$out"
    else
        assert_error 125
    fi
}

test_cannot_mount() {
    run hutch run --rm "$IMG" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt'
    [ "$status" != 0 ] || fail "mount succeeded without CAP_SYS_ADMIN"
}

test_no_fd_leak() {
    run hutch run --rm "$IMG" ls /proc/self/fd
    assert_ok
    assert_eq $'0\n1\n2\n3' "$out" "ls /proc/self/fd"
}

test_no_fd_leak_interactive() {
    run hutch run --rm -i "$IMG" ls /proc/self/fd </dev/null
    assert_ok
    assert_eq $'0\n1\n2\n3' "$out" "ls /proc/self/fd"
}

test_no_fd_leak_from_caller() {
    # an fd the caller left open (not close-on-exec) must not reach the container
    exec 7<"$FIXTURES/ids.sh"
    run hutch run --rm "$IMG" ls /proc/self/fd
    exec 7<&-
    assert_eq $'0\n1\n2\n3' "$out" "ls /proc/self/fd"
}

test_rlimit_nofile_sane() {
    run hutch run --rm "$IMG" sh -c 'ulimit -n'
    assert_ok
    [ "$out" -ge 1024 ] 2>/dev/null || fail "ulimit -n is '$out'"
}
