# hutch run: environment (-e, --env-file, precedence), users (-u), hostname (-h).

IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ---- environment
test_env_defaults() {
    run hutch run --rm "$IMG" env
    assert_ok
    assert_line "$out" "PATH=$IMAGE_PATH"
    assert_line "$out" "FOO=from-image"
    assert_line "$out" "BAR=from-image"
    assert_line "$out" "HOME=/root"
    assert_match "$out" $'(^|\n)HOSTNAME=[^\n]+'
}

test_env_host_not_leaked() {
    export LEAKCHECK=host-value
    run hutch run --rm "$IMG" env
    assert_ok
    local v
    for v in LEAKCHECK HUTCH FIXTURES WORK STORE HUTCH_ROOT LANG USER LOGNAME; do
        assert_not_contains $'\n'"$out" $'\n'"$v=" "container environment"
    done
}

test_env_e_overrides_image() {
    run hutch run --rm -e FOO=cli "$IMG" env
    assert_line "$out" "FOO=cli"
    assert_line "$out" "BAR=from-image"
    assert_no_line "$out" "FOO=from-image"
}

test_env_flag_forms() {
    run hutch run --rm --env=A=1 --env B=2 -eC=3 -e D=4 -e 'E=x=y' -e 'F=a b' -e G= "$IMG" env
    assert_ok
    local l
    for l in A=1 B=2 C=3 D=4 E=x=y 'F=a b' G=; do assert_line "$out" "$l"; done
}

test_env_file_overrides_image() {
    printf 'FOO=from-file\nNEW=file\n' >"$WORK/env.list"
    run hutch run --rm --env-file "$WORK/env.list" "$IMG" env
    assert_ok
    assert_line "$out" "FOO=from-file"
    assert_line "$out" "NEW=file"
    assert_line "$out" "BAR=from-image"
}

test_env_e_beats_env_file() {
    printf 'FOO=from-file\nBAR=from-file\n' >"$WORK/env.list"
    # -e first on the command line: still applied after the file
    run hutch run --rm -e FOO=from-e --env-file "$WORK/env.list" "$IMG" env
    assert_ok
    assert_line "$out" "FOO=from-e"
    assert_line "$out" "BAR=from-file"
}

test_env_file_format() {
    export PASSED_THROUGH=howdy
    unset NOT_SET_ON_HOST
    cat >"$WORK/env.list" <<'EOF'
# a comment
TEST_FOO=BAR

_TEST_BAR=FOO
TEST_APP_42=magic
SPACED=a b c
QUOTED="kept"
EMPTY=
PASSED_THROUGH
NOT_SET_ON_HOST
EOF
    run hutch run --rm --env-file "$WORK/env.list" "$IMG" env
    assert_ok
    local l
    for l in TEST_FOO=BAR _TEST_BAR=FOO TEST_APP_42=magic 'SPACED=a b c' 'QUOTED="kept"' EMPTY= \
        PASSED_THROUGH=howdy; do
        assert_line "$out" "$l"
    done
    assert_not_contains $'\n'"$out" $'\nNOT_SET_ON_HOST'
    assert_not_contains "$out" "# a comment"
}

test_env_file_missing_125() {
    run hutch run --rm --env-file "$WORK/no-such.list" "$IMG" true
    assert_error 125
}

test_env_file_repeated() {
    printf 'ONE=1\nSAME=first\n' >"$WORK/a.list"
    printf 'TWO=2\nSAME=second\n' >"$WORK/b.list"
    run hutch run --rm --env-file "$WORK/a.list" --env-file "$WORK/b.list" "$IMG" env
    assert_line "$out" "ONE=1"
    assert_line "$out" "TWO=2"
    assert_line "$out" "SAME=second"
}

test_env_copy_from_host() {
    export MYVAR=howdy
    run hutch run --rm -e MYVAR "$IMG" env
    assert_ok
    assert_line "$out" "MYVAR=howdy"
}

test_env_unset_host_var_dropped() {
    unset MYVAR2 FOO
    run hutch run --rm -e MYVAR2 -e FOO "$IMG" env
    assert_ok
    assert_not_contains $'\n'"$out" $'\nMYVAR2' "container environment"
    assert_not_contains $'\n'"$out" $'\nFOO=' "container environment (-e FOO, FOO unset: removed)"
    assert_line "$out" "BAR=from-image"
}

test_env_path_override() {
    run hutch run --rm -e PATH=/bin "$IMG" env
    assert_line "$out" "PATH=/bin"
}

test_env_home_override() {
    run hutch run --rm -e HOME=/data "$IMG" sh -c 'echo $HOME'
    assert_eq "/data" "$out"
}

# docker's order: PATH and HOSTNAME first, then the flags' variables, then
# the image's; HOME (from passwd) last.
test_env_order_as_docker() {
    run hutch run --rm -e X=1 -e FOO=cli "$IMG" env
    assert_ok
    assert_eq "PATH=$IMAGE_PATH"$'\nHOSTNAME=\nX=1\nFOO=cli\nBAR=from-image\nHOME=/root' \
        "$(sed 's/^HOSTNAME=.*/HOSTNAME=/' <<<"$out")"
}

# An empty HOME counts as none: docker sets the user's from /etc/passwd.
test_env_home_empty_takes_passwd() {
    run hutch run --rm -e HOME= "$IMG" sh -c 'echo "[$HOME]"'
    assert_ok
    assert_eq "[/root]" "$out"
    has_subids || return 0
    run hutch run --rm -u alice -e HOME= "$IMG" sh -c 'echo "[$HOME]"'
    assert_ok
    assert_eq "[/home/alice]" "$out"
}

# ---- users
test_user_default_root() {
    run hutch run --rm "$IMG" id
    assert_ok
    assert_match "$out" '^uid=0\(root\) gid=0\(root\)'
}

test_user_explicit_root() {
    run hutch run --rm -u root "$IMG" id -u
    assert_eq "0" "$out"
    run hutch run --rm -u 0:0 "$IMG" id
    assert_match "$out" '^uid=0\(root\) gid=0\(root\)'
}

# the documented error for users that need subordinate ids: one line that
# names the user or group (by name or number) that cannot exist
assert_needs_subids() {   # NAME-OR-ID...
    assert_error 125
    assert_eq "" "$out"
    local w
    for w; do [[ "$err" =~ (^|[^0-9a-z])$w([^0-9a-z]|$) ]] && return 0; done
    fail "the error names none of: $*" "$(_last)"
}

test_user_alice() {
    run hutch run --rm -u alice "$IMG" id
    if has_subids; then
        assert_ok
        assert_match "$out" '^uid=1000\(alice\) gid=1000\(alice\)'
        assert_contains "$out" "10(wheel)"
        assert_contains "$out" "50(staff)"
    else
        assert_needs_subids alice 1000
    fi
}

test_user_uid_colon_gid() {
    run hutch run --rm -u 1001:50 "$IMG" id
    if has_subids; then
        assert_ok
        assert_match "$out" '^uid=1001\(bob\) gid=50\(staff\)'
    else
        assert_needs_subids 1001 bob 50 staff
    fi
}

test_user_name_colon_group() {
    run hutch run --rm --user=bob:wheel "$IMG" id
    if has_subids; then
        assert_ok
        assert_match "$out" '^uid=1001\(bob\) gid=10\(wheel\)'
    else
        assert_needs_subids bob 1001 wheel 10
    fi
}

test_user_uid_not_in_passwd() {
    run hutch run --rm -u 4242 "$IMG" sh -c 'id -u; id -g; echo $HOME'
    if has_subids; then
        assert_ok
        assert_eq $'4242\n0\n/' "$out"
    else
        assert_needs_subids 4242
    fi
}

test_user_unknown_name_125() {
    run hutch run --rm -u no-such-user "$IMG" id
    assert_error 125
    assert_contains "$err" "no-such-user"
}

test_user_unknown_group_125() {
    run hutch run --rm -u root:no-such-group "$IMG" id
    assert_error 125
    assert_contains "$err" "no-such-group"
}

test_user_home_from_passwd() {
    run hutch run --rm -u alice "$IMG" sh -c 'echo $HOME; pwd'
    if has_subids; then
        assert_ok
        assert_eq $'/home/alice\n/' "$out"
    else
        assert_needs_subids alice 1000
    fi
}

test_user_file_permissions() {
    has_subids || skip "needs subordinate ids (covered by test_user_alice)"
    run hutch run --rm -u alice "$IMG" cat /home/alice/owned
    assert_ok
    assert_eq "alice" "$out"
    run hutch run --rm -u bob "$IMG" cat /home/alice/owned
    assert_status 1
    run hutch run --rm -u alice "$IMG" sh -c 'touch /etc/x'
    assert_status 1
    run hutch run --rm -u alice "$IMG" sh -c 'echo a >/tmp/f && cat /tmp/f && stat -c %u /tmp/f'
    assert_ok
    assert_eq $'a\n1000' "$out"
}

test_user_workdir_created_for_user() {
    run hutch run --rm -u alice -w /home/alice/new "$IMG" pwd
    if has_subids; then
        assert_ok
        assert_eq "/home/alice/new" "$out"
    else
        assert_needs_subids alice 1000
    fi
}

test_file_owners() {
    run hutch run --rm "$IMG" stat -c '%u:%g %n' /home/alice /home/alice/owned /home/bob /bin/suid
    assert_ok
    if has_subids; then
        assert_eq $'1000:1000 /home/alice\n1000:1000 /home/alice/owned\n1001:1001 /home/bob\n0:0 /bin/suid' "$out"
    else
        assert_eq $'0:0 /home/alice\n0:0 /home/alice/owned\n0:0 /home/bob\n0:0 /bin/suid' "$out"
    fi
}

test_id_mapping() {
    run hutch run --rm "$IMG" cat /proc/self/uid_map /proc/self/gid_map
    assert_ok
    local me
    me=$(id -u)
    assert_match "$out" "^ +0 +$me +1"$'\n' "uid 0 maps to the calling user"
    local total
    total=$(awk '{ n += $3 } END { print n }' <<<"$out")
    if has_subids; then
        [ "$total" -ge $((2 * 65536)) ] || fail "uid+gid maps cover only $total ids" "$out"
    else
        assert_eq 2 "$total" "ids mapped (one uid, one gid)"
    fi
}

# ---- hostname
test_hostname_flag() {
    run hutch run --rm -h myhost "$IMG" sh -c 'hostname; echo $HOSTNAME; cat /etc/hostname'
    assert_ok
    assert_eq $'myhost\nmyhost\nmyhost' "$out"
    run hutch run --rm --hostname=other.example "$IMG" hostname
    assert_eq "other.example" "$out"
}

test_hostname_in_hosts() {
    run hutch run --rm -h myhost "$IMG" cat /etc/hosts
    assert_ok
    assert_match "$(grep -wF myhost <<<"$out")" '^[0-9a-f.:]+[[:space:]]' "the /etc/hosts line for myhost"
    assert_match "$(grep -E '^127\.0\.0\.1[[:space:]]' <<<"$out")" '[[:space:]]localhost([[:space:]]|$)' \
        "the /etc/hosts line for 127.0.0.1"
}

test_hostname_default_is_container_id() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" sh -c 'hostname; echo $HOSTNAME; cat /etc/hostname'
    assert_ok
    local h=$out
    run hutch ps -a -q
    assert_ok
    assert_match "$out" '^[0-9a-f]{12}$' "hutch ps -a -q"
    assert_eq "$out"$'\n'"$out"$'\n'"$out" "$h" "hostname, \$HOSTNAME, /etc/hostname"
    run hutch rm "$n"
    assert_ok
}

test_hostname_differs_per_container() {
    local a b
    run hutch run --rm "$IMG" hostname
    a=$out
    run hutch run --rm "$IMG" hostname
    b=$out
    [ "$a" != "$b" ] || fail "two containers have the same hostname $a"
    assert_match "$a" '^[0-9a-f]{12}$'
}

test_resolv_conf_exists() {
    run hutch run --rm "$IMG" test -f /etc/resolv.conf
    assert_ok
    run hutch run --rm --network host "$IMG" test -f /etc/resolv.conf
    assert_ok
}

test_etc_files_writable_by_root() {
    run hutch run --rm "$IMG" sh -c 'echo "1.2.3.4 extra" >>/etc/hosts && grep -c extra /etc/hosts'
    assert_ok
    assert_eq "1" "$out"
}

# The mount points of /etc's three files come from one layer above the image
# (docker's init layer): the container's own layer stays empty, /etc keeps
# the image's look, and an image whose /etc is a link keeps its link.
test_etc_mount_points_leave_the_image_alone() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" stat -c '%a %u %g' /etc
    assert_ok
    assert_eq "755 0 0" "$out"
    [ -z "$(ls -A "$HUTCH_ROOT/containers/"*/upper)" ] || fail "the container's upper layer is not empty" \
        "$(ls -laR "$HUTCH_ROOT/containers/"*/upper)"
    run hutch rm "$n"
    assert_ok
    python3 "$TESTDIR/hostile_images.py" layered "$WORK/etclink.tar" hutch-test/etclink:latest \
        d:real-etc f:real-etc/passwd:root:x:0:0:root:/root:/bin/sh l:etc:/real-etc || fail "building etclink"
    load "$WORK/etclink.tar"
    run hutch run --rm -h linked hutch-test/etclink sh -c 'readlink /etc; cat /real-etc/hostname'
    assert_ok
    assert_eq $'/real-etc\nlinked' "$out"
}
