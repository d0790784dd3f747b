# Edge cases around hutch run: odd store paths, the caller's environment,
# argument and environment sizes, invalid values.

# run the many-layer image from a store at PATH
many_from_store() {   # PATH
    export HUTCH_ROOT=$1
    mkdir -p "$HUTCH_ROOT"
    load many.tar
    run hutch run --rm hutch-test/many sh -c 'ls /layers | wc -l'
    assert_ok
    assert_eq "119" "$out" "layers seen from a store at $1"
}

test_store_path_with_space() {
    many_from_store "$WORK/a store"
}

test_store_path_with_colon_and_comma() {
    # overlay's mount options use ':' and ',' as separators
    many_from_store "$WORK/we:ird,dir"
}

test_store_path_long() {
    # 120 lower layers under a long path would not fit in one page of mount options
    local p="$WORK" i
    for i in $(seq 1 8); do p+="/a-rather-long-directory-name-number-$i"; done
    many_from_store "$p"
}

test_store_path_is_symlink() {
    mkdir -p "$WORK/real-store"
    ln -s real-store "$WORK/link-store"
    export HUTCH_ROOT="$WORK/link-store"
    load base.tar
    run hutch run --rm "$IMG" cat /etc/motd
    assert_eq "layer3" "$out"
}

test_store_relative_root() {
    run hutch --root rel-store load -i "$FIXTURES/base.tar"
    assert_ok
    cd /
    run hutch --root "$WORK/rel-store" run --rm "$IMG" cat /etc/motd
    assert_eq "layer3" "$out"
}

test_cwd_deleted() {
    mkdir "$WORK/gone"
    cd "$WORK/gone" || fail "cd"
    rmdir "$WORK/gone"
    run hutch run --rm "$IMG" pwd
    assert_ok
    assert_eq "/" "$out"
}

test_cwd_unreadable() {
    mkdir -p "$WORK/locked"
    cd "$WORK/locked" || fail "cd"
    chmod 000 "$WORK/locked"
    run hutch run --rm "$IMG" true
    chmod 755 "$WORK/locked"
    assert_ok
}

test_no_home_variable() {
    run env -u HOME "$HUTCH" run --rm "$IMG" sh -c 'echo $HOME'
    assert_ok
    assert_eq "/root" "$out"
}

test_many_arguments() {
    local args
    mapfile -t args < <(seq 1 20000)
    run hutch run --rm "$IMG" sh -c 'echo $#; echo ${20000}' sh "${args[@]}"
    assert_ok
    assert_eq $'20000\n20000' "$out"
}

test_long_argument() {
    local long
    long=$(head -c 100000 /dev/zero | tr '\0' x)
    run hutch run --rm "$IMG" sh -c 'echo ${#1}' sh "$long"
    assert_ok
    assert_eq "100000" "$out"
}

test_many_env_vars() {
    local args=() i
    for i in $(seq 1 500); do args+=(-e "V$i=value-$i"); done
    run hutch run --rm "${args[@]}" "$IMG" sh -c 'env | grep -c "^V[0-9]*=value-"; echo $V500'
    assert_ok
    assert_eq $'500\nvalue-500' "$out"
}

test_env_invalid_125() {
    run hutch run --rm -e =novalue "$IMG" true
    assert_error 125
}

test_env_value_with_newline() {
    run hutch run --rm -e $'ML=line1\nline2' "$IMG" sh -c 'printf "%s|" "$ML"'
    assert_ok
    assert_eq $'line1\nline2|' "$out"
}

test_stdin_closed() {
    run hutch run --rm -i "$IMG" cat <&-
    assert_ok
    assert_eq "" "$out"
    run hutch run --rm "$IMG" echo fine <&-
    assert_ok
    assert_eq "fine" "$out"
}

test_stdout_stderr_closed() {
    "$HUTCH" run --rm "$IMG" sh -c 'echo fine; echo err >&2' 2>&- >"$WORK/o"
    assert_eq "0 fine" "$? $(cat "$WORK/o")" "status and stdout with stderr closed"
    "$HUTCH" run --rm "$IMG" sh -c 'echo out; echo fine >&2' >&- 2>"$WORK/e"
    local st=$?
    assert_eq "fine" "$(cat "$WORK/e")" "stderr with stdout closed (status $st)"
}

test_network_host_hostname() {
    # as docker: --network host shares the host's name unless -h is given
    run hutch run --rm --network host "$IMG" hostname
    assert_ok
    assert_eq "$(hostname)" "$out"
    run hutch run --rm --network host -h mine "$IMG" hostname
    assert_eq "mine" "$out"
}

test_workdir_through_symlink() {
    run hutch run --rm -w /data/link "$IMG" pwd
    assert_error 125
}

test_image_env_not_duplicated() {
    run hutch run --rm -e FOO=x -e FOO=y "$IMG" env
    assert_ok
    assert_eq "FOO=y" "$(grep '^FOO=' <<<"$out")"
    assert_eq 1 "$(grep -c '^PATH=' <<<"$out")" "PATH lines"
    assert_eq 1 "$(grep -c '^HOSTNAME=' <<<"$out")" "HOSTNAME lines"
    assert_eq 1 "$(grep -c '^HOME=' <<<"$out")" "HOME lines"
}

test_relative_hutch_root() {
    mkdir -p "$WORK/sub"
    cd "$WORK/sub" || fail "cd"
    export HUTCH_ROOT=../envrel-store
    load base.tar
    cd "$WORK" || fail "cd"
    run hutch --root envrel-store images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")" "images in the store named by a relative HUTCH_ROOT"
}
