# hutch volume create|ls|inspect|rm|prune and system df's volumes: docker's
# output, filters, formats and exit statuses (1 when a command fails, 125 for
# usage), in-use refusal, and removal of files owned by subordinate ids.
#
# A container that uses a volume is made two ways: a record edited by hand
# (what `hutch run -v` will write: "VolumeNames" and "AnonymousVolumes" in
# container.json), which works today, and `hutch run -v`, whose tests skip
# until run takes -v.

ANON_PROMPT=$'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] '
ALL_PROMPT=$'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] '

# Adds volume names to a container's record, as run -v will: use_volumes
# CONTAINER NAME... (names prefixed with + are also its anonymous volumes).
use_volumes() {
    local id
    id=$(hutch inspect -f '{{.Id}}' "$1") || fail "no container $1"
    shift
    python3 - "$HUTCH_ROOT/containers/$id/container.json" "$@" <<'EOF' || fail "cannot edit the record of $id"
import json, sys
path, names = sys.argv[1], sys.argv[2:]
with open(path) as f:
    record = json.load(f)
for n in names:
    record.setdefault("VolumeNames", []).append(n.lstrip("+"))
    if n.startswith("+"):
        record.setdefault("AnonymousVolumes", []).append(n[1:])
with open(path + ".tmp", "w") as f:
    json.dump(record, f)
import os
os.rename(path + ".tmp", path)
EOF
}

run_takes_volumes() { hutch run --help 2>/dev/null | grep -q -- '--volume'; }

test_volume_create_and_names() {
    fresh_store
    run hutch volume create ab
    assert_ok
    assert_eq "ab" "$out"
    [ -d "$HUTCH_ROOT/volumes/ab/_data" ] || fail "no _data for ab" "$(ls -laR "$HUTCH_ROOT/volumes")"
    run hutch volume create --label k=v ab
    assert_ok
    assert_eq "ab" "$out" "creating an existing volume"
    run hutch volume inspect -f '{{json .Labels}}' ab
    assert_eq "{}" "$out" "the first labels stay"
    run hutch volume create
    assert_ok
    assert_match "$out" '^[0-9a-f]{64}$'
    local anon=$out
    run hutch volume inspect -f '{{json .Labels}}' "$anon"
    assert_eq '{"com.docker.volume.anonymous":""}' "$out"
    run hutch volume create a
    assert_error 1
    assert_eq "hutch: create a: volume name is too short, names should be at least two alphanumeric characters" "$err"
    local chars='includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'
    run hutch volume create 'a b'
    assert_error 1
    assert_eq "hutch: create a b: \"a b\" $chars" "$err"
    run hutch volume create ../x
    assert_error 1
    assert_eq "hutch: create ../x: \"../x\" $chars" "$err"
    run hutch volume create -d nope nv
    assert_error 1
    assert_eq 'hutch: create nv: error looking up volume plugin nope: plugin "nope" not found' "$err"
    run hutch volume create x y
    assert_status 1
    run hutch volume create -a
    assert_status 125
    run hutch volume ls -q
    assert_eq "$(printf '%s\n' "$anon" ab | LC_ALL=C sort)" "$out" "sorted by name"
}

test_volume_create_options() {
    fresh_store
    run hutch volume create -o type=tmpfs -o device=tmpfs -o o=size=10m,uid=1000 tv
    assert_ok
    run hutch volume inspect -f '{{.Options}}' tv
    assert_eq "map[device:tmpfs o:size=10m,uid=1000 type:tmpfs]" "$out"
    run hutch volume create -o type=none -o o=bind -o "device=$WORK" bv
    assert_ok
    run hutch volume create -o foo=bar o1
    assert_error 1
    assert_eq 'hutch: create o1: invalid option: "foo"' "$err"
    run hutch volume create -o type=tmpfs o2
    assert_error 1
    assert_eq 'hutch: create o2: missing required option: "device"' "$err"
    run hutch volume create -o size=1m o3
    assert_error 1
    assert_eq 'hutch: create o3: quota size requested but no quota support' "$err"
    run hutch volume create -o type=ext4 -o device=/dev/vda o4
    assert_error 1
    assert_contains "$err" "create o4: volume option type=ext4 is not supported rootless"
    run hutch volume create -o type=tmpfs -o device=tmpfs -o o=bogus o5
    assert_error 1
    assert_eq 'hutch: create o5: invalid tmpfs option ["bogus"]' "$err"
    run hutch volume create -o type=none -o o=bind -o device=relative o6
    assert_error 1
    assert_contains "$err" "device=relative: the directory of a bind must be an absolute path"
    run hutch volume ls -q
    assert_eq $'bv\ntv' "$out" "nothing of the refused ones"
    assert_absent "$HUTCH_ROOT"/volumes/o[1-6]
}

test_volume_ls_formats() {
    fresh_store
    hutch volume create ab >/dev/null
    hutch volume create --label k=v --label k2 tv >/dev/null
    run hutch volume ls
    assert_ok
    assert_eq $'DRIVER    VOLUME NAME\nlocal     ab\nlocal     tv' "$out"
    run hutch volume list -q
    assert_eq $'ab\ntv' "$out"
    run hutch volume ls --format 'table {{.Name}}\t{{.Labels}}\t{{.Scope}}'
    assert_eq $'VOLUME NAME   LABELS    SCOPE\nab                      local\ntv            k=v,k2=   local' "$out"
    run hutch volume ls --format '{{.Name}}|{{.Driver}}|{{.Mountpoint}}|{{.Links}}|{{.Size}}'
    assert_eq "ab|local|$HUTCH_ROOT/volumes/ab/_data|N/A|N/A"$'\n'"tv|local|$HUTCH_ROOT/volumes/tv/_data|N/A|N/A" "$out"
    run hutch volume ls -q --format '{{.Driver}}'
    assert_eq $'local\nlocal' "$out" "a custom format wins over -q, as in docker"
    run hutch volume ls --format json -f name=ab
    assert_eq '{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"","Links":"N/A","Mountpoint":"'"$HUTCH_ROOT"'/volumes/ab/_data","Name":"ab","Scope":"local","Size":"N/A","Status":"N/A"}' "$out"
    run hutch volume ls --format '{{.Name'
    assert_status 1
    assert_contains "$err" "template parsing error"
}

test_volume_ls_filters() {
    fresh_store
    hutch volume create ab >/dev/null
    hutch volume create --label k=v --label k2 tv >/dev/null
    hutch volume create used >/dev/null
    load base.tar
    run hutch run --name user "$IMG" true
    assert_ok
    use_volumes user used
    run hutch volume ls -q -f dangling=true
    assert_eq $'ab\ntv' "$out"
    run hutch volume ls -q -f dangling=0
    assert_eq "used" "$out"
    run hutch volume ls -q -f dangling=TRUE -f dangling=false
    assert_eq $'ab\ntv' "$out" "a true among the values wins"
    run hutch volume ls -q -f 'name=^t'
    assert_eq "tv" "$out" "name is a regular expression"
    run hutch volume ls -q -f name=b -f name=se
    assert_eq $'ab\nused' "$out" "values of one key: any"
    run hutch volume ls -q -f label=k=v
    assert_eq "tv" "$out"
    run hutch volume ls -q -f label=k2= -f name=a
    assert_eq "" "$out" "keys: all"
    run hutch volume ls -q -f driver=local
    assert_eq $'ab\ntv\nused' "$out"
    run hutch volume ls -q -f driver=loc
    assert_eq "" "$out"
    run hutch volume ls -f dangling=yes
    assert_error 1
    assert_eq "hutch: Invalid filter 'dangling=[yes]'" "$err"
    run hutch volume ls -f label!=k
    assert_error 1
    assert_eq "hutch: Invalid filter 'label!'" "$err"
    run hutch volume ls -f nonsense
    assert_status 125
    assert_contains "$err" 'invalid argument "nonsense" for "-f, --filter" flag: bad format of filter (expected name=value)'
}

test_volume_inspect() {
    fresh_store
    hutch volume create --label k=v -o type=tmpfs -o device=tmpfs tv >/dev/null
    run hutch volume inspect tv
    assert_ok
    local created
    created=$(hutch volume inspect -f '{{.CreatedAt}}' tv)
    assert_match "$created" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$'
    assert_eq '[
    {
        "CreatedAt": "'"$created"'",
        "Driver": "local",
        "Labels": {
            "k": "v"
        },
        "Mountpoint": "'"$HUTCH_ROOT"'/volumes/tv/_data",
        "Name": "tv",
        "Options": {
            "device": "tmpfs",
            "type": "tmpfs"
        },
        "Scope": "local"
    }
]' "$out"
    run hutch volume inspect -f '{{.Name}} {{.Labels}} {{.Scope}}' tv
    assert_eq "tv map[k:v] local" "$out"
    run hutch volume inspect nosuch
    assert_status 1
    assert_eq "[]" "$out"
    assert_eq "hutch: get nosuch: no such volume" "$err"
    run hutch volume inspect -f '{{.Name}}' nosuch tv
    assert_status 1
    assert_eq "tv" "$out"
    assert_eq "hutch: get nosuch: no such volume" "$err"
}

test_volume_rm() {
    fresh_store
    hutch volume create ab >/dev/null
    hutch volume create cd >/dev/null
    run hutch volume rm ab
    assert_ok
    assert_eq "ab" "$out"
    assert_absent "$HUTCH_ROOT/volumes/ab"
    run hutch volume rm nosuch cd
    assert_status 1
    assert_eq "cd" "$out"
    assert_eq "hutch: get nosuch: no such volume" "$err"
    run hutch volume remove -f nosuch
    assert_ok
    assert_eq "nosuch" "$out"
    run hutch volume rm
    assert_status 1
    run hutch volume ls -q
    assert_eq "" "$out"
}

# In use while a container's record names it, whatever the container's state.
test_volume_in_use_by_record() {
    fresh_store
    hutch volume create held >/dev/null
    local anon
    anon=$(hutch volume create)
    load base.tar
    run hutch run --name user "$IMG" true
    assert_ok
    use_volumes user held "+$anon"
    local id
    id=$(hutch inspect -f '{{.Id}}' user)
    run hutch volume rm held
    assert_error 1
    assert_eq "hutch: remove held: volume is in use - [$id]" "$err"
    run hutch volume rm -f held
    assert_error 1
    assert_eq "hutch: remove held: volume is in use - [$id]" "$err" "--force does not override it"
    run hutch volume prune -f -a
    assert_ok
    assert_eq "Total reclaimed space: 0B" "$out"
    run hutch system df --format '{{.Type}} {{.TotalCount}} {{.Active}}'
    assert_line "$out" "Local Volumes 2 2"
    # rm -v removes its anonymous volumes, not the named one.
    run hutch rm -v user
    assert_ok
    run hutch volume ls -q
    assert_eq "held" "$out"
    run hutch volume rm held
    assert_ok
}

test_volume_in_use_by_run() {
    run_takes_volumes || skip "hutch run does not take -v yet"
    fresh_store
    load base.tar
    run hutch run --name user -v held:/data "$IMG" sh -c 'echo hi > /data/f'
    assert_ok
    run hutch volume rm held
    assert_error 1
    assert_contains "$err" "remove held: volume is in use - ["
    run hutch rm user
    assert_ok
    run hutch volume rm held
    assert_ok
}

test_volume_prune() {
    fresh_store
    local anon
    anon=$(hutch volume create)
    hutch volume create named >/dev/null
    hutch volume create --label keep=1 kept >/dev/null
    hutch volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
    printf '0123456789' >"$HUTCH_ROOT/volumes/$anon/_data/ten"
    printf '12345' >"$HUTCH_ROOT/volumes/named/_data/five"
    run hutch volume prune <<<"n"
    assert_ok
    assert_eq "$ANON_PROMPT" "$out" "declined: docker 27+ ends with status 0"
    run hutch volume prune </dev/null
    assert_ok
    assert_eq "$ANON_PROMPT" "$out"
    run hutch volume prune <<<"y"
    assert_ok
    assert_eq "${ANON_PROMPT}Deleted Volumes:"$'\n'"$anon"$'\n\n'"Total reclaimed space: 10B" "$out"
    run hutch volume prune -f
    assert_ok
    assert_eq "Total reclaimed space: 0B" "$out"
    run hutch volume prune -a <<<"no"
    assert_eq "$ALL_PROMPT" "$out"
    run hutch volume prune -a -f --filter label!=keep
    assert_ok
    assert_eq $'Deleted Volumes:\nnamed\n\nTotal reclaimed space: 5B' "$out"
    run hutch volume prune -f --filter all=true --filter label=keep
    assert_ok
    assert_eq $'Deleted Volumes:\nkept\n\nTotal reclaimed space: 0B' "$out"
    run hutch volume prune -f --filter until=1h
    assert_error 1
    assert_eq "hutch: Invalid filter 'until'" "$err"
    run hutch volume ls -q
    assert_eq "tv" "$out" "a volume with options is never pruned, as in docker"
}

test_system_df_volumes() {
    fresh_store
    hutch volume create ab >/dev/null
    hutch volume create cd >/dev/null
    hutch volume create -o type=tmpfs -o device=tmpfs tv >/dev/null
    head -c 2000 /dev/zero >"$HUTCH_ROOT/volumes/ab/_data/f"
    load base.tar
    run hutch run --name user "$IMG" true
    assert_ok
    use_volumes user cd
    run hutch system df --format '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}'
    assert_ok
    assert_line "$out" "Local Volumes|2|1|2kB|2kB (100%)"
    run hutch system df -v
    assert_ok
    assert_contains "$out" $'Local Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\nab            0         2kB\ncd            1         0B\n'
    run hutch system df -v --format '{{range .Volumes}}{{.Name}}={{.Links}} {{end}}'
    assert_eq "ab=0 cd=1 " "$out"
}

# Volume files may belong to the user's subordinate ids, as a container's
# processes write them: removal goes through the user namespace.
test_volume_rm_subordinate_files() {
    has_subids || skip "no subordinate ids"
    fresh_store
    hutch volume create owned >/dev/null
    hutch volume create pruned >/dev/null
    local d
    for d in owned pruned; do
        unshare --map-root-user --map-auto sh -c '
            mkdir "$1/sub" && echo x >"$1/sub/f" && chown -R 1000:1000 "$1/sub" && chmod 700 "$1/sub"' \
            sh "$HUTCH_ROOT/volumes/$d/_data" || fail "cannot make subordinate-owned files"
    done
    rm -rf "$HUTCH_ROOT/volumes/owned/_data/sub" 2>/dev/null
    [ -d "$HUTCH_ROOT/volumes/owned/_data/sub" ] || fail "the test files are removable without the namespace"
    run hutch volume rm owned
    assert_ok
    assert_absent "$HUTCH_ROOT/volumes/owned"
    run hutch volume prune -a -f
    assert_ok
    assert_contains "$out" $'Deleted Volumes:\npruned\n'
    assert_eq "" "$(ls -A "$HUTCH_ROOT/tmp" | grep -v '\.lock$')" "nothing left in staging"
}

# A volume is created in staging and renamed, and removed by renaming it into
# tmp/ first: what a kill -9 leaves is never listed, and is collected later.
test_volume_leftovers_are_collected() {
    fresh_store
    hutch volume create ab >/dev/null
    # What a kill during a create or a remove would leave.
    mkdir -p "$HUTCH_ROOT/tmp/0123456789abcdef/volume0/_data" "$HUTCH_ROOT/tmp/rm-0011223344556677/_data"
    echo x >"$HUTCH_ROOT/tmp/rm-0011223344556677/_data/f"
    run hutch volume ls -q
    assert_eq "ab" "$out"
    run hutch volume rm ab
    assert_ok
    assert_absent "$HUTCH_ROOT/tmp/0123456789abcdef" "$HUTCH_ROOT/tmp/rm-0011223344556677"
}
