# Sizes: sparse files keep their holes (import, unpack, export, commit, save),
# and a full disk during load, import, commit, pull or run gives one line,
# exit 1 (125 from run), and leaves nothing of the failed image in the store.
. "$TESTDIR/lib-registry.sh"

GIB=1073741824

# A layer tar (GNU tar, PAX format) with one sparse file FILE of SIZE bytes:
# "head" at its start, "tail" at its end, a hole between.
sparse_layer() {   # TAR FILE SIZE
    local d=$WORK/sparse-src.$RANDOM
    mkdir -p "$d"
    truncate -s "$3" "$d/$2"
    printf head | dd of="$d/$2" conv=notrunc status=none
    printf tail | dd of="$d/$2" bs=1 seek=$(($3 - 4)) conv=notrunc status=none
    tar --sparse --format=posix --owner=0 --group=0 -C "$d" -cf "$1" "$2" || fail "tar --sparse failed"
    rm -rf "$d"
}

# Apparent size, content at both ends, and blocks used of FILE in a container of IMAGE.
sparse_probe() {   # IMAGE FILE
    run hutch run --rm "$1" sh -c "stat -c %s $2; head -c 4 $2; echo; tail -c 4 $2; echo; stat -c %b $2"
}

assert_sparse_probe() {   # SIZE: after sparse_probe: size, head, tail, and at most 64 blocks used
    assert_ok
    local lines
    mapfile -t lines <<<"$out"
    assert_eq "$1 head tail" "${lines[0]} ${lines[1]} ${lines[2]}" "size and ends of the sparse file"
    [ "${lines[3]}" -le 64 ] || fail "the sparse file takes ${lines[3]} blocks: its hole was filled" "$(_last)"
}

assert_small() {   # PATH MAX_KB WHAT: disk usage of PATH is at most MAX_KB
    local kb
    kb=$(du -sk "$1" | cut -f1)
    [ "$kb" -le "$2" ] || fail "$3 takes ${kb} KB on disk (at most $2 KB expected)" "$(ls -lsR "$1" 2>&1 | sort -nr | head)"
}

# The benign image still loads and runs from the current store.
assert_store_works() {
    run hutch images
    assert_ok
    load base.tar
    run hutch run --rm "$IMG" echo still-works
    assert_ok
    assert_eq still-works "$out"
}

test_import_of_a_2gib_sparse_file_stays_small() {
    fresh_store
    # a rootfs of busybox (the static one the fixtures are made of) and a
    # 2 GiB file that is nothing but a hole
    mkdir -p "$WORK/src/bin"
    cp /bin/busybox "$WORK/src/bin/busybox"
    ln -s busybox "$WORK/src/bin/sh"
    truncate -s $((2 * GIB)) "$WORK/src/big"
    tar --sparse --format=posix --owner=0 --group=0 -C "$WORK/src" -cf "$WORK/rootfs.tar" bin big
    tar --sparse --format=posix --owner=0 --group=0 -C "$WORK/src" -czf "$WORK/only.tgz" big
    local tiny
    tiny=$(stat -c %s "$WORK/only.tgz")
    [ "$tiny" -lt 1024 ] || fail "the sparse tarball is $tiny bytes"
    run hutch import "$WORK/only.tgz" t/only:1
    assert_ok
    run hutch import "$WORK/rootfs.tar" t/sparse:1
    assert_ok
    assert_small "$HUTCH_ROOT" 20000 "the store after importing a 2 GiB sparse file"
    run hutch run --rm t/sparse:1 sh -c 'stat -c "%s %b" /big'
    assert_ok
    assert_eq "$((2 * GIB)) 0" "$out" "size and blocks of /big"
    assert_store_works
}

test_load_unpacks_a_sparse_layer_member() {
    fresh_store
    sparse_layer "$WORK/layer.tar" hole $GIB
    local t
    t=$(stat -c %s "$WORK/layer.tar")
    [ "$t" -lt 65536 ] || fail "GNU tar made a $t-byte layer: not sparse"
    python3 "$TESTDIR/layered_image.py" "$FIXTURES/base.tar" "$WORK/img.tar" t/sparse-layer:1 "$WORK/layer.tar" ||
        fail "cannot build the image"
    load "$WORK/img.tar"
    assert_small "$HUTCH_ROOT" 20000 "the store after loading a layer with a 1 GiB sparse file"
    sparse_probe t/sparse-layer:1 /hole
    assert_sparse_probe $GIB
    assert_store_works
}

# A container whose /sp is a 1 GiB sparse file, made inside the container.
make_sparse_container() {   # NAME
    run hutch run --name "$1" "$IMG" sh -c '
        printf head >/sp
        printf tail | dd of=/sp bs=1 seek=1073741820 conv=notrunc 2>/dev/null
        stat -c %s /sp'
    assert_ok
    assert_eq $GIB "$out" "size of /sp made in the container"
}

test_export_of_a_sparse_file_is_small_and_round_trips() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    make_sparse_container "$n"
    run hutch export -o "$WORK/e.tar" "$n"
    assert_ok
    assert_small "$WORK/e.tar" 8192 "the export of a container with a 1 GiB sparse file"
    # GNU tar reads the sparse member back: the whole content, ends included
    local got
    got=$(tar -xOf "$WORK/e.tar" sp | tr -d '\0')
    assert_eq headtail "$got" "the sparse member as GNU tar reads it"
    [ "$(tar -xOf "$WORK/e.tar" sp | wc -c)" = $GIB ] || fail "GNU tar reads the member at the wrong size"
    run hutch import "$WORK/e.tar" t/reimported:1
    assert_ok
    sparse_probe t/reimported:1 /sp
    assert_sparse_probe $GIB
    assert_small "$HUTCH_ROOT" 20000 "the store after re-importing the export"
}

test_commit_and_save_of_a_sparse_file_are_small_and_round_trip() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    make_sparse_container "$n"
    run hutch commit "$n" t/committed:1
    assert_ok
    assert_small "$HUTCH_ROOT" 20000 "the store after committing a 1 GiB sparse file"
    sparse_probe t/committed:1 /sp
    assert_sparse_probe $GIB
    run hutch save -o "$WORK/s.tar" t/committed:1
    assert_ok
    assert_small "$WORK/s.tar" 8192 "the save of an image with a 1 GiB sparse file"
    # the layer's diff_id is the sha256 of the tar bytes written (sparse entry and all)
    run python3 "$TESTDIR/archive_tool.py" check-docker "$WORK/s.tar"
    assert_eq "ok 1" "$out"
    export HUTCH_ROOT=$WORK/store2
    mkdir -p "$HUTCH_ROOT"
    load "$WORK/s.tar"
    sparse_probe t/committed:1 /sp
    assert_sparse_probe $GIB
    assert_small "$HUTCH_ROOT" 20000 "a store that loaded the save"
    run hutch save --format oci-archive -o "$WORK/o.tar" t/committed:1
    assert_ok
    assert_small "$WORK/o.tar" 8192 "the OCI save"
}

# ---------------------------------------------------------------- a full disk
# A store on the user's small (24 MiB) tmpfs, with base.tar loaded.
small_store() {
    [ -n "${SMALL:-}" ] || skip "no small filesystem (tests/run.sh makes one when run as root)"
    userns_rm "$SMALL"/* 2>/dev/null
    export HUTCH_ROOT=$SMALL/store
    mkdir -p "$HUTCH_ROOT"
    load base.tar
}

# base plus a layer of 40 MB of random data: more than the small store holds.
big_image() {   # OUT.tar
    mkdir -p "$WORK/big"
    head -c 40000000 /dev/urandom >"$WORK/big/random"
    tar --owner=0 --group=0 -C "$WORK/big" -cf "$WORK/big-layer.tar" random
    python3 "$TESTDIR/layered_image.py" "$FIXTURES/base.tar" "$1" t/big:1 "$WORK/big-layer.tar" ||
        fail "cannot build the big image"
}

# What the store holds: everything but containers' own files.
store_content() { snapshot "$HUTCH_ROOT" "$HUTCH_ROOT/containers"; }

# After a failure on a full disk of load, import, commit or pull: the one line
# (status 1, as docker's), and the store as it was.
assert_full_disk_failure() {   # WHAT BEFORE: WHAT is the start of the message
    assert_error 1
    assert_match "$err" "^hutch: $1.*: No space left on device$"
    assert_eq "$2" "$(store_content)" "the store after the failure (nothing of the big image, no staging)"
    assert_eq "" "$(ls -A "$HUTCH_ROOT/tmp")" "staging left"
}

test_full_disk_during_load() {
    small_store
    big_image "$WORK/big.tar"
    local before
    before=$(store_content)
    run hutch load -i "$WORK/big.tar"
    assert_full_disk_failure "load: write " "$before"
    assert_store_works
}

test_full_disk_during_import() {
    small_store
    big_image "$WORK/big.tar"
    local before
    before=$(store_content)
    run hutch import "$WORK/big-layer.tar" t/big:1
    assert_full_disk_failure "import: write layer" "$before"
    assert_store_works
}

test_full_disk_during_commit() {
    small_store
    local n before
    n=$(name)
    # 9 MB fit in the container; the layer commit writes (9 MB) and unpacks do not
    run hutch run --name "$n" "$IMG" sh -c 'head -c 9000000 /dev/urandom >/f'
    assert_ok
    before=$(store_content)
    run hutch commit "$n" t/big:1
    assert_full_disk_failure "" "$before"
    run hutch rm "$n"
    assert_ok
    assert_store_works
}

test_full_disk_in_the_container_is_the_containers_business() {
    small_store
    local n
    n=$(name)
    # the container fills the disk: its own write fails, its status is its own
    run hutch run --name "$n" "$IMG" sh -c 'head -c 40000000 /dev/urandom >/f; echo "status $?"; exit 3'
    assert_status 3
    assert_eq "status 1" "$out"
    run hutch rm "$n"
    assert_ok
    assert_store_works
}

test_full_disk_during_pull_and_run() {
    small_store
    big_image "$WORK/big.tar"
    registry_start plain
    registry_push "$WORK/big.tar" t/big:1
    local before
    before=$(store_content)
    run hutch pull -q "$REGISTRY/t/big:1"
    assert_full_disk_failure "" "$before"
    # run pulls the missing image, unpacking as it arrives: the same refusal
    run hutch run --rm "$REGISTRY/t/big:1" true
    assert_status 125
    assert_match "$(tail -n 1 <<<"$err")" "^hutch: .*No space left on device$"
    assert_eq "$before" "$(store_content)" "the store after the failed run"
    assert_store_works
}
