# hutch cp: docker's path rules both ways, tar streams, -a and -L, running
# and stopped containers, and hostile trees: links in the container that
# point out of it, archives with "..", links then writes through them, and
# links a copy planted on the host.

# The container's listing of PATH as "uid:gid mode name" lines (from export,
# which shows owners as the container sees them).
owners_in() {   # CONTAINER PATH-PREFIX (no leading /)
    hutch export "$1" | tar -tv --numeric-owner 2>/dev/null |
        awk -v p="$2" '$6 == p || index($6, p "/") == 1 { split($2, o, "/"); print o[1] ":" o[2], $1, $6 }'
}

# A tar built by python: ENTRY... as "f:NAME:DATA", "d:NAME", "l:NAME:TARGET",
# "h:NAME:TARGET", all owned by 1000:1000 (alice in the base image).
make_tar() {   # OUT ENTRY...
    python3 - "$@" <<'EOF'
import io, sys, tarfile
out, entries = sys.argv[1], sys.argv[2:]
uid = gid = 1000
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for e in entries:
        kind, _, rest = e.partition(":")
        name, _, data = rest.partition(":")
        i = tarfile.TarInfo(name)
        i.uid, i.gid, i.mtime, i.mode = uid, gid, 1700000000, 0o644
        if kind == "f":
            i.size = len(data.encode())
            t.addfile(i, io.BytesIO(data.encode()))
            continue
        if kind == "d":
            i.type, i.mode = tarfile.DIRTYPE, 0o755
        elif kind == "l":
            i.type, i.linkname = tarfile.SYMTYPE, data
        elif kind == "h":
            i.type, i.linkname = tarfile.LNKTYPE, data
        t.addfile(i)
EOF
}

stopped() {   # NAME SCRIPT: a container that ran SCRIPT and exited
    run hutch run --name "$1" "$IMG" sh -c "$2"
    assert_ok
}

test_cp_out_of_a_stopped_container_follows_dockers_rules() {
    fresh_store
    load base.tar
    stopped ct 'mkdir -p /d/sub; echo one >/d/a; echo two >/d/sub/b'
    # A file: to a new name, into a directory, onto a file.
    run hutch cp ct:/etc/motd motd
    assert_ok
    assert_eq "" "$out"
    assert_eq "layer3" "$(cat motd)"
    assert_eq "$(id -u):$(id -g)" "$(stat -c %u:%g motd)" "owner of a copied-out file"
    mkdir into
    run hutch cp ct:etc/motd into
    assert_ok
    assert_eq "layer3" "$(cat into/motd)"
    echo old >onto
    run hutch cp ct:/etc/motd onto
    assert_ok
    assert_eq "layer3" "$(cat onto)"
    # A directory: as a new one, into an existing one, its contents with /.
    run hutch cp ct:/d newdir
    assert_ok
    assert_eq "one two" "$(cat newdir/a) $(cat newdir/sub/b)"
    run hutch cp ct:/d/ into
    assert_ok
    assert_eq "two" "$(cat into/d/sub/b)"
    mkdir contents
    run hutch cp ct:/d/. contents
    assert_ok
    assert_eq "a sub" "$(ls contents | tr '\n' ' ' | sed 's/ $//')"
    # The errors.
    run hutch cp ct:/etc/motd missing-dir/
    assert_status 1
    assert_eq "hutch: no such directory" "$err"
    run hutch cp ct:/d onto
    assert_status 1
    assert_eq "hutch: cannot copy directory" "$err"
    run hutch cp ct:/nope here
    assert_status 1
    assert_eq "hutch: Error: No such container:path: ct:/nope" "$err"
    assert_absent here
    run hutch cp nosuch:/etc/motd here
    assert_status 1
    assert_eq "hutch: Error: No such container:path: nosuch:/etc/motd" "$err"
    run hutch cp motd nosuch:/tmp/x
    assert_status 1
    assert_eq "hutch: Error: No such container:path: nosuch:/tmp" "$err"
    run hutch cp ct:/etc/motd ct:/tmp
    assert_status 1
    assert_eq "hutch: copying between containers is not supported" "$err"
    run hutch cp motd onto
    assert_status 1
    assert_eq "hutch: must specify at least one container source" "$err"
    run hutch cp ct:/etc/motd
    assert_status 1
}

test_cp_into_a_stopped_container_and_owners() {
    fresh_store
    load base.tar
    stopped ct true
    mkdir -p src/sub
    echo hello >src/f
    echo deep >src/sub/g
    chmod 644 src/f src/sub/g
    run hutch cp src/f ct:/tmp/
    assert_ok
    run hutch cp src ct:/srcdir
    assert_ok
    run hutch cp src/. ct:/home/alice
    assert_ok
    # Owned by the container's root without -a, whoever owns them here.
    run owners_in ct tmp/f
    assert_eq "0:0 -rw-r--r-- tmp/f" "$out"
    run owners_in ct srcdir
    assert_line "$out" "0:0 -rw-r--r-- srcdir/sub/g"
    run owners_in ct home/alice/f
    assert_eq "0:0 -rw-r--r-- home/alice/f" "$out"
    # From a tar on stdin, with -a the archive's owners (1000 is alice).
    make_tar in.tar d:t f:t/x:data
    run hutch cp -a - ct:/tmp <in.tar
    assert_ok
    run owners_in ct tmp/t
    assert_line "$out" "1000:1000 -rw-r--r-- tmp/t/x"
    run hutch cp - ct:/tmp <in.tar
    assert_ok
    run owners_in ct tmp/t/x
    assert_eq "0:0 -rw-r--r-- tmp/t/x" "$out"
    run hutch cp - ct:/etc/motd <in.tar
    assert_status 1
    assert_eq 'hutch: destination "ct:/etc/motd" must be a directory' "$err"
    run hutch cp src/f ct:/nodir/
    assert_status 1
    run hutch cp src/f ct:/nodir/deeper/f
    assert_status 1
    assert_eq "hutch: Error: No such container:path: ct:/nodir/deeper" "$err"
    # What went in comes back out.
    run hutch cp ct:/srcdir/sub/g back
    assert_ok
    assert_eq deep "$(cat back)"
}

test_cp_archive_mode_maps_owners_out() {
    fresh_store
    load base.tar
    stopped ct true
    run hutch cp -a ct:/home/alice/owned kept
    assert_ok
    run hutch cp ct:/home/alice/owned mine
    assert_ok
    assert_eq "$(id -u)" "$(stat -c %u mine)" "without -a"
    assert_eq "alice" "$(cat mine)"
    if has_subids; then
        # alice (1000) is the 1000th id of the range: 0 is you, 1.. the range
        # (and her 0640 file is no longer yours to read).
        local start
        start=$(awk -F: -v u="$(id -un)" -v n="$(id -u)" '$1 == u || $1 == n { print $2; exit }' /etc/subuid)
        assert_eq "$((start + 999))" "$(stat -c %u kept)" "with -a"
        userns_rm kept
    else
        # Nothing but you to map alice to.
        assert_eq "$(id -u)" "$(stat -c %u kept)" "with -a, single uid"
    fi
}

test_cp_tar_streams_out() {
    fresh_store
    load base.tar
    stopped ct 'mkdir -p /d/sub; echo one >/d/a; ln -s a /d/l'
    run sh -c "\"\$HUTCH\" cp ct:/d - | tar -t | LC_ALL=C sort"
    assert_ok
    assert_eq "$(printf 'd/\nd/a\nd/l\nd/sub/')" "$out"
    run sh -c "\"\$HUTCH\" cp ct:/d/. - | tar -t | LC_ALL=C sort"
    assert_ok
    assert_eq "$(printf './\n./a\n./l\n./sub/')" "$out"
    run sh -c "\"\$HUTCH\" cp ct:/etc/motd - | tar -xO"
    assert_ok
    assert_eq "layer3" "$out"
}

test_cp_links_in_the_container_never_lead_out() {
    fresh_store
    load base.tar
    mkdir -p "$WORK/hostdir"
    stopped ct "ln -s / /tmp/evil; ln -s /etc/passwd /tmp/pw; ln -s ../../../../../../etc/os-release /tmp/rel
        ln -s $WORK/hostdir /tmp/out; mkdir -p /tmp/dir; ln -s /tmp/dir /tmp/dirlink"
    # Through a link to /: the container's passwd (alice is in it), not the host's.
    run hutch cp ct:/tmp/evil/etc/passwd pw-through
    assert_ok
    grep -q '^alice:' pw-through || fail "not the container's passwd" "$(cat pw-through)"
    # A link to /etc/passwd is copied as the link.
    run hutch cp ct:/tmp/pw pw-link
    assert_ok
    [ -L pw-link ] || fail "pw-link is not a symlink" "$(ls -la pw-link)"
    assert_eq "/etc/passwd" "$(readlink pw-link)"
    # -L follows it, inside the container.
    run hutch cp -L ct:/tmp/pw pw-followed
    assert_ok
    [ ! -L pw-followed ] || fail "-L copied the link"
    grep -q '^alice:' pw-followed || fail "-L: not the container's passwd"
    # ../ beyond the container's root stays at its root: it has no os-release.
    run hutch cp -L ct:/tmp/rel rel
    assert_status 1
    assert_eq "hutch: Error: No such container:path: ct:/etc/os-release" "$err"
    assert_absent rel
    # Into the container through a link to a host path: the container's path.
    echo x >f
    run hutch cp f ct:/tmp/out/
    assert_status 1
    assert_eq "" "$(ls -A "$WORK/hostdir")" "host directory written through a container link"
    # A destination link to a directory inside is followed, as docker does.
    run hutch cp f ct:/tmp/dirlink
    assert_ok
    run owners_in ct tmp/dir/f
    assert_eq "0:0 -rw-r--r-- tmp/dir/f" "$out"
}

test_cp_hostile_archives_on_stdin_are_refused() {
    fresh_store
    load base.tar
    stopped ct true
    mkdir -p "$WORK/victim"
    make_tar dotdot.tar "f:../../../../../../../../../../..$WORK/victim/dotdot:x"
    run hutch cp - ct:/tmp <dotdot.tar
    assert_status 1
    assert_contains "$err" "contains '..'"
    make_tar linkthen.tar "l:evil:$WORK/victim" "f:evil/planted:x"
    run hutch cp - ct:/tmp <linkthen.tar
    assert_status 1
    assert_contains "$err" "symlink"
    make_tar hard.tar "h:hl:../../../../../../etc/passwd"
    run hutch cp - ct:/tmp <hard.tar
    assert_status 1
    assert_contains "$err" "contains '..'"
    assert_eq "" "$(ls -A "$WORK/victim")" "written outside the container"
    # An absolute name is relative to the destination, as docker reads it.
    make_tar abs.tar "f:/abs-file:in"
    run hutch cp - ct:/tmp <abs.tar
    assert_ok
    run owners_in ct tmp/abs-file
    assert_eq "0:0 -rw-r--r-- tmp/abs-file" "$out"
}

test_cp_never_writes_through_links_planted_on_the_host() {
    fresh_store
    load base.tar
    mkdir -p "$WORK/victim"
    echo orig >"$WORK/victim-file"
    stopped c1 "mkdir /d; ln -s $WORK/victim /d/link; ln -s $WORK/victim-file /d/flink"
    stopped c2 "mkdir -p /d/link; echo evil >/d/link/planted; echo evil >/d/flink"
    run hutch cp c1:/d out
    assert_ok
    [ -L out/link ] || fail "out/link should be the container's link"
    # The second tree puts a directory where the link is, and a file where a
    # link to a host file is: neither is written through.
    run hutch cp c2:/d/. out
    assert_status 1
    assert_contains "$err" 'cannot overwrite non-directory'
    assert_absent "$WORK/victim/planted"
    assert_eq "orig" "$(cat "$WORK/victim-file")"
    rm out/link
    run hutch cp c2:/d/. out
    assert_ok
    assert_eq "evil" "$(cat out/flink)"
    [ ! -L out/flink ] || fail "out/flink is still a link"
    assert_eq "orig" "$(cat "$WORK/victim-file")"
    assert_absent "$WORK/victim/planted"
}

test_cp_with_a_running_container_sees_its_mounts() {
    fresh_store
    load base.tar
    mkdir vol
    echo from-host >vol/h
    run hutch run -d --name rr -v "$WORK/vol:/vol" --tmpfs /scratch "$IMG" sh -c 'echo tmp >/scratch/t; exec sleep 60'
    assert_ok
    local i
    for i in $(seq 50); do hutch exec rr test -e /scratch/t && break; sleep 0.1; done
    run hutch cp rr:/scratch/t t
    assert_ok
    assert_eq "tmp" "$(cat t)"
    run hutch cp rr:/vol/h h
    assert_ok
    assert_eq "from-host" "$(cat h)"
    echo in >f
    run hutch cp f rr:/vol/
    assert_ok
    assert_eq "in" "$(cat vol/f)"
    run hutch cp f rr:/scratch/f
    assert_ok
    run hutch exec rr cat /scratch/f
    assert_ok
    assert_eq "in" "$out"
    run hutch exec rr stat -c %u:%g /scratch/f
    assert_eq "0:0" "$out"
    make_tar in.tar d:t f:t/x:data
    run hutch cp -a - rr:/tmp <in.tar
    assert_ok
    run hutch exec rr stat -c %u:%g /tmp/t/x
    if has_subids; then
        assert_eq "1000:1000" "$out"
    else
        assert_eq "0:0" "$out"
    fi
    run hutch exec rr sh -c 'ln -s / /tmp/evil'
    run hutch cp rr:/tmp/evil/etc/passwd pw
    assert_ok
    grep -q '^alice:' pw || fail "not the container's passwd"
    run hutch rm -f rr
    assert_ok
}

test_cp_into_a_stopped_container_sees_its_volumes() {
    fresh_store
    load base.tar
    mkdir vol
    run hutch run --name ct -v "$WORK/vol:/vol" -v "$WORK/vol:/ro:ro" "$IMG" true
    assert_ok
    echo in >f
    run hutch cp f ct:/vol/
    assert_ok
    assert_eq "in" "$(cat vol/f)"
    run hutch cp ct:/ro/f back
    assert_ok
    assert_eq "in" "$(cat back)"
    run hutch cp f ct:/ro/g
    assert_status 1
    assert_eq "hutch: mounted volume is marked read-only" "$err"
    assert_absent vol/g
}
