# ps's filters and formats, top, stats, update and port, against docker
# 20.10's transcripts. Each test has its own store and stops what it started.

setup_store() { fresh_store; load base.tar; }

# Sets a record's fields as the monitor would (paused, health) until pause
# and health checks exist to do it: FIELD=JSON pairs for container C.
set_record() {   # C FIELD JSON
    local id
    id=$(hutch inspect -f '{{.Id}}' "$1") || fail "inspect $1"
    python3 - "$HUTCH_ROOT/containers/$id/container.json" "$2" "$3" <<'PY' || fail "edit the record of $1"
import json, sys
path, field, value = sys.argv[1:]
record = json.load(open(path))
record[field] = json.loads(value)
json.dump(record, open(path, "w"))
PY
}

names() { run hutch ps "$@" --format '{{.Names}}'; assert_ok; }

# pa, pb running; pc exited 3; pd exited 0 having written a file; pe created.
five_containers() {
    run hutch run -d --name pa -l a -l b=c -v vol1:/data "$IMG" sleep 60
    assert_ok
    PA=$out
    run hutch run -d --name pb -l a=b "$IMG" sleep 60
    assert_ok
    run hutch run --name pc "$IMG" sh -c 'exit 3'
    assert_status 3
    run hutch run --name pd "$IMG" sh -c 'head -c 5000 /dev/zero >/f'
    assert_ok
    run hutch create --name pe -l a=x "$IMG" echo "hello world"
    assert_ok
}

stop_all() { hutch rm -f pa pb >/dev/null 2>&1 || true; }

test_ps_lists_newest_first_with_last_and_latest() {
    setup_store
    five_containers
    names
    assert_eq "$(printf 'pb\npa')" "$out" "running ones, newest first"
    names -a
    assert_eq "$(printf 'pe\npd\npc\npb\npa')" "$out" "-a"
    names -n 2
    assert_eq "$(printf 'pe\npd')" "$out" "-n 2 includes stopped ones"
    names --last 0
    assert_eq "$(printf 'pb\npa')" "$out" "-n 0 is no limit"
    run hutch ps -l -q
    assert_ok
    assert_eq "$(hutch inspect -f '{{.Id}}' pe | cut -c1-12)" "$out" "-l -q"
    run hutch ps -l
    assert_ok
    assert_match "$(head -n1 <<<"$out")" '^CONTAINER ID   IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
    assert_match "$(tail -n1 <<<"$out")" '^[0-9a-f]{12}   hutch-test/base:latest +"echo '\''hello world'\''"   [^ ].* ago +Created +pe$'
    # The default table with SIZE: the writable layer, then with the image.
    run hutch ps -a -s
    assert_ok
    assert_match "$(head -n1 <<<"$out")" '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE$'
    assert_match "$(grep ' pd ' <<<"$out")" ' pd +[0-9.]+kB \(virtual [0-9.]+[kM]B\)$' "SIZE of a container that wrote 5000 bytes"
    run hutch ps -a --format '{{.Names}} {{.Size}}' --filter name=pe
    assert_ok
    local image_size
    image_size=$(hutch images --format '{{.Size}}' "$IMG")
    assert_eq "pe 0B (virtual $image_size)" "$out" "a format showing .Size computes sizes"
    run hutch ps -a --format '{{.Names}}' -q --filter name=p[cd]
    assert_ok
    assert_eq "$(printf 'pd\npc')" "$out" "the format wins over -q"
    stop_all
}

test_ps_filters_as_docker() {
    setup_store
    five_containers
    names --filter status=exited
    assert_eq "$(printf 'pd\npc')" "$out" "a status filter implies -a"
    names -a --filter status=exited --filter status=created
    assert_eq "$(printf 'pe\npd\npc')" "$out" "status values are alternatives"
    names -a --filter status=running --filter label=a
    assert_eq "$(printf 'pb\npa')" "$out" "different keys all match"
    run hutch ps --filter status=bogus
    assert_error 1
    assert_eq "hutch: Invalid filter 'status=bogus'" "$err"
    names -a --filter exited=3
    assert_eq "pc" "$out"
    names -a --filter exited=0 --filter exited=3
    assert_eq "$(printf 'pd\npc')" "$out"
    run hutch ps -a --filter exited=x
    assert_error 1
    assert_eq 'hutch: strconv.Atoi: parsing "x": invalid syntax' "$err"
    names -a --filter label=a
    assert_eq "$(printf 'pe\npb\npa')" "$out" "label=KEY"
    names -a --filter label=a=b
    assert_eq "pb" "$out" "label=KEY=VALUE"
    names -a --filter label=a=
    assert_eq "pa" "$out" "label=KEY= matches an empty value"
    names -a --filter label=b=c --filter label=a
    assert_eq "pa" "$out" "label values must all match"
    names -a --filter 'name=^p[ab]$'
    assert_eq "$(printf 'pb\npa')" "$out" "name= is a regular expression"
    names -a --filter 'name=^/pa$'
    assert_eq "pa" "$out" "name= also matches with the leading slash"
    names -a --filter 'name=['
    assert_eq "" "$out" "an invalid expression matches nothing"
    names -a --filter "id=${PA:0:5}"
    assert_eq "pa" "$out" "id= takes a prefix"
    names -a --filter "id=^${PA:0:2}"
    assert_eq "" "$out" "id= is no regular expression"
    names -a --filter before=pd
    assert_eq "$(printf 'pc\npb\npa')" "$out" "before="
    names -a --filter since=pb
    assert_eq "$(printf 'pe\npd\npc')" "$out" "since="
    names --filter since=pb
    assert_eq "" "$out" "since= without -a lists only running ones"
    names -a --filter since=pc --filter before=pe
    assert_eq "pd" "$out" "since= and before="
    run hutch ps -a --filter before=nosuch
    assert_error 1
    assert_eq "hutch: no such container nosuch" "$err"
    names -a --filter volume=vol1
    assert_eq "pa" "$out" "volume= by name"
    names -a --filter volume=/data
    assert_eq "pa" "$out" "volume= by destination"
    names -a --filter volume=vol
    assert_eq "" "$out" "volume= takes no partial names"
    names -a --filter ancestor=hutch-test/base
    assert_eq "$(printf 'pe\npd\npc\npb\npa')" "$out" "ancestor=NAME"
    names -a --filter "ancestor=$(short_id "$BASE_ID" | cut -c1-5)"
    assert_eq "$(printf 'pe\npd\npc\npb\npa')" "$out" "ancestor=ID-PREFIX"
    names -a --filter ancestor=nosuchimage
    assert_eq "" "$out" "an unknown image matches nothing, without an error"
    # An image committed from a container descends from its image.
    run hutch commit pd child:1
    assert_ok
    run hutch run --name pf child:1 true
    assert_ok
    names -a --filter ancestor=hutch-test/base --filter 'name=p[ef]'
    assert_eq "$(printf 'pf\npe')" "$out" "ancestor= matches images built on it"
    names -a --filter ancestor=child:1
    assert_eq "pf" "$out"
    names -a --filter health=none --filter name=p[ab]
    assert_eq "$(printf 'pb\npa')" "$out" "health=none"
    names -a --filter health=healthy
    assert_eq "" "$out"
    run hutch ps --filter health=bogus
    assert_error 1
    assert_eq "hutch: Unrecognised filter value for health: bogus" "$err"
    names -a --filter network=bridge --filter name=pa
    assert_eq "pa" "$out"
    names -a --filter isolation=default --filter name=pa
    assert_eq "pa" "$out"
    names -a --filter is-task=true
    assert_eq "" "$out"
    names -a --filter publish=80
    assert_eq "" "$out" "nothing is published"
    run hutch ps --filter bogus=1
    assert_error 1
    assert_eq "hutch: Invalid filter 'bogus'" "$err"
    run hutch ps --filter bogus
    assert_status 125
    assert_eq "$(printf '%s\n%s' "hutch: invalid argument \"bogus\" for \"-f, --filter\" flag: bad format of filter (expected name=value)" "See 'hutch ps --help'.")" "$err"
    stop_all
}

test_ps_format_fields() {
    setup_store
    five_containers
    run hutch ps -a --format '{{.Names}}|{{.Labels}}|{{.Label "a"}}|{{.Label "b"}}|{{.Label "zzz"}}' --filter name=p[abe]
    assert_ok
    assert_eq "$(printf '%s\n' 'pe|a=x|x||' 'pb|a=b|b||' 'pa|a=,b=c||c|')" "$out"
    run hutch ps -a --format '{{.Names}}|{{.Command}}|{{.Ports}}|{{.Networks}}|{{.Image}}|{{.LocalVolumes}}|{{.Mounts}}|{{.State}}' --filter name=p[ace]
    assert_ok
    assert_eq "$(printf '%s\n' \
        "pe|\"echo 'hello world'\"||bridge|$IMG|0||created" \
        "pc|\"sh -c 'exit 3'\"||bridge|$IMG|0||exited" \
        "pa|\"sleep 60\"||bridge|$IMG|1|vol1|running")" "$out"
    run hutch ps --format '{{.Names}}|{{.RunningFor}}|{{.CreatedAt}}|{{.Status}}' --filter name=pa
    assert_ok
    assert_match "$out" '^pa\|([0-9]+ seconds?|Less than a second) ago\|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4} [A-Z]+\|Up ([0-9]+ seconds?|Less than a second)$'
    run hutch ps --no-trunc --format '{{.ID}}' --filter name=pa
    assert_eq "$PA" "$out" "--no-trunc"
    run hutch ps --format '{{json .}}' --filter name=pb
    assert_ok
    assert_match "$out" '^\{"Command":"\\"sleep 60\\"","CreatedAt":"[^"]+","ID":"[0-9a-f]{12}","Image":"hutch-test/base:latest","Labels":"a=b","LocalVolumes":"0","Mounts":"","Names":"pb","Networks":"bridge","Ports":"","RunningFor":"[^"]+ ago","Size":"0B \(virtual [0-9.]+[kM]B\)","State":"running","Status":"Up [^"]+"\}$'
    run hutch ps --format 'table {{.Names}}\t{{.State}}'
    assert_ok
    assert_eq "$(printf '%s\n' 'NAMES     STATE' 'pb        running' 'pa        running')" "$out"
    run hutch ps --format 'table'
    assert_ok
    assert_match "$(head -n1 <<<"$out")" '^CONTAINER ID   IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
    run hutch ps --format '{{.Nope}}'
    assert_error 1
    assert_contains "$err" 'executing "" at <.Nope>: can'\''t evaluate field Nope'
    stop_all
}

test_ps_status_shows_paused_and_health() {
    setup_store
    run hutch run -d --name h1 "$IMG" sleep 60
    assert_ok
    set_record h1 Health '{"Status": "healthy", "FailingStreak": 0, "Log": []}'
    run hutch ps --format '{{.Names}}|{{.Status}}|{{.State}}'
    assert_match "$out" '^h1\|Up ([0-9]+ seconds?|Less than a second) \(healthy\)\|running$'
    names --filter health=healthy
    assert_eq "h1" "$out"
    set_record h1 Health '{"Status": "starting", "FailingStreak": 0, "Log": []}'
    run hutch ps --format '{{.Status}}'
    assert_match "$out" '^Up ([0-9]+ seconds?|Less than a second) \(health: starting\)$'
    set_record h1 Health '{"Status": "unhealthy", "FailingStreak": 3, "Log": []}'
    run hutch ps --format '{{.Status}}'
    assert_match "$out" '^Up ([0-9]+ seconds?|Less than a second) \(unhealthy\)$'
    set_record h1 Paused true
    run hutch ps --format '{{.Status}}|{{.State}}'
    assert_match "$out" '^Up ([0-9]+ seconds?|Less than a second) \(Paused\)\|paused$'
    names --filter status=paused
    assert_eq "h1" "$out"
    names --filter status=running
    assert_eq "" "$out"
    hutch rm -f h1 >/dev/null
}

test_top_lists_the_containers_processes() {
    setup_store
    run hutch run -d --name t1 "$IMG" sh -c 'sleep 61 & exec sleep 62'
    assert_ok
    local id=$out pids
    for _ in $(seq 100); do [ "$(hutch top t1 | grep -c sleep)" = 2 ] && break; sleep 0.05; done
    run hutch top t1
    assert_ok
    assert_match "$(head -n1 <<<"$out")" '^UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD$'
    assert_eq 3 "$(grep -c '' <<<"$out")" "the header and the two processes"
    assert_match "$(sed -n 2p <<<"$out")" '^[^ ]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9:A-Za-z]+ +\? +[0-9:]+ +sleep 6[12]$'
    pids=$(awk 'NR > 1 { print $2 }' <<<"$out" | sort -n | tr '\n' ' ')
    run hutch top t1 -o pid,comm
    assert_ok
    assert_eq "$(printf 'PID                 COMMAND\n'; for p in $pids; do printf '%-20ssleep\n' "$p"; done)" \
        "$(head -n1 <<<"$out"; tail -n +2 <<<"$out" | sort -n)" "top -o pid,comm"
    run hutch top t1 aux
    assert_ok
    assert_match "$(head -n1 <<<"$out")" '^USER +PID +%CPU +%MEM +VSZ +RSS +TTY +STAT +START +TIME +COMMAND$'
    assert_eq 3 "$(grep -c '' <<<"$out")" "top aux: ps refuses -q with BSD options, so all are listed and filtered"
    run hutch top t1 -o comm
    assert_error 1
    assert_eq "hutch: Couldn't find PID field in ps output" "$err"
    run hutch top t1 -o bogus
    assert_error 1
    assert_match "$err" '^hutch: ps: error: unknown user-defined format specifier "bogus"$'
    run hutch container top nosuch
    assert_error 1
    assert_eq "hutch: No such container: nosuch" "$err"
    hutch rm -f t1 >/dev/null
    run hutch create --name t2 "$IMG" true
    run hutch top t2
    assert_error 1
    assert_eq "hutch: Container $(hutch inspect -f '{{.Id}}' t2) is not running" "$err"
}

test_stats_no_stream_formats() {
    setup_store
    run hutch run -d --name s1 "$IMG" sh -c 'head -c 3000000 /dev/zero >/big; exec sleep 60'
    assert_ok
    local id=$out
    run hutch create --name s2 "$IMG" true
    assert_ok
    for _ in $(seq 100); do [ -s "$HUTCH_ROOT/containers/$id/upper/big" ] && break; sleep 0.05; done
    run hutch stats --no-stream s1 s2
    assert_ok
    assert_match "$(head -n1 <<<"$out")" '^CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT +MEM %     NET I/O +BLOCK I/O +PIDS$' \
        "stats header"
    assert_match "$(sed -n 2p <<<"$out")" "^${id:0:12}   s1 +[0-9]+\.[0-9]{2}% +[0-9.]+(B|KiB|MiB) / [0-9.]+(MiB|GiB|TiB) +[0-9]+\.[0-9]{2}% +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +[0-9]+\$"
    assert_match "$(sed -n 3p <<<"$out")" '^[0-9a-f]{12}   s2 +0\.00% +0B / 0B +0\.00% +0B / 0B +0B / 0B +0$' "a stopped container: zeros"
    run hutch stats --no-stream --format '{{json .}}' s1
    assert_ok
    assert_match "$out" '^\{"BlockIO":"[^"]+","CPUPerc":"[0-9.]+%","Container":"s1","ID":"[0-9a-f]{12}","MemPerc":"[0-9.]+%","MemUsage":"[^"]+ / [^"]+","Name":"s1","NetIO":"[0-9.]+[kMG]?B / [0-9.]+[kMG]?B","PIDs":"[0-9]+"\}$'
    run hutch stats --no-stream --no-trunc --format '{{.ID}} {{.Container}} {{.PIDs}}' "${id:0:8}"
    assert_ok
    assert_match "$out" "^$id ${id:0:8} [1-9][0-9]*\$" "--no-trunc, the container as named"
    run hutch stats --no-stream --format 'table {{.Name}}\t{{.MemPerc}}'
    assert_ok
    assert_eq 2 "$(grep -c '' <<<"$out")" "no names: the running ones"
    assert_match "$(tail -n1 <<<"$out")" '^s1 +[0-9.]+%$'
    run hutch stats --no-stream -a --format '{{.Name}}'
    assert_eq "$(printf 's2\ns1')" "$out" "-a: stopped ones too, newest first"
    # A process that spins shows CPU time.
    run hutch exec -d s1 sh -c 'while :; do :; done'
    assert_ok
    run hutch stats --no-stream --format '{{.CPUPerc}}' s1
    assert_ok
    assert_match "$out" '^[0-9]+\.[0-9]{2}%$' "a busy container's CPU %"
    [ "$out" != "0.00%" ] || fail "a busy container shows 0.00% CPU" "$(_last)"
    run hutch stats --no-stream s1 nosuch
    assert_error 1
    assert_eq "hutch: No such container: nosuch" "$err"
    assert_eq "" "$out" "no table when a container is missing"
    hutch rm -f s1 >/dev/null
}

test_stats_streams_until_interrupted() {
    setup_store
    run hutch run -d --name s3 "$IMG" sleep 60
    assert_ok
    timeout -s INT 3.5 "$HUTCH" stats s3 >"$WORK/stream" 2>&1
    local frames
    frames=$(grep -o $'\e\[2J\e\[HCONTAINER ID' "$WORK/stream" | grep -c '')
    [ "$frames" -ge 2 ] || fail "expected 2 frames or more, got $frames" "$(cat -A "$WORK/stream")"
    hutch rm -f s3 >/dev/null
}

test_update_restart_policy() {
    setup_store
    run hutch create --name u1 "$IMG" true
    assert_ok
    run hutch run -d --name u2 "$IMG" sleep 60
    assert_ok
    run hutch update --restart on-failure:2 u1 u2
    assert_ok
    assert_eq "$(printf 'u1\nu2')" "$out" "update prints each name as given"
    run hutch inspect -f '{{json .HostConfig.RestartPolicy}}' u1 u2
    assert_eq "$(printf '%s\n' '{"Name":"on-failure","MaximumRetryCount":2}' '{"Name":"on-failure","MaximumRetryCount":2}')" "$out"
    run hutch container update --restart always u1 nosuch u2
    assert_status 1
    assert_eq "$(printf 'u1\nu2')" "$out"
    assert_eq "hutch: No such container: nosuch" "$err"
    run hutch inspect -f '{{.HostConfig.RestartPolicy.Name}}' u2
    assert_eq "always" "$out"
    run hutch update u1
    assert_error 1
    assert_eq "hutch: you must provide one or more flags when using this command" "$err"
    run hutch update --restart bogus u1
    assert_error 1
    assert_eq "hutch: invalid restart policy 'bogus'" "$err"
    run hutch update --memory 10m u1
    assert_status 125
    assert_contains "$err" "unknown flag: --memory"
    run hutch create --rm --name u3 "$IMG" true
    assert_ok
    local id3
    id3=$(hutch inspect -f '{{.Id}}' u3)
    run hutch update --restart always u3
    assert_error 1
    assert_eq "hutch: Cannot update container $id3: Restart policy cannot be updated because AutoRemove is enabled for the container" "$err"
    run hutch update --restart no u3
    assert_ok
    hutch rm -f u2 u3 >/dev/null
}

test_port_without_published_ports() {
    setup_store
    run hutch create --name pt0 "$IMG" true
    assert_ok
    run hutch port pt0
    assert_ok
    assert_eq "" "$out"
    run hutch port pt0 80
    assert_error 1
    assert_eq "hutch: Error: No public port '80/tcp' published for pt0" "$err"
    run hutch container port pt0 90/udp
    assert_error 1
    assert_eq "hutch: Error: No public port '90/udp' published for pt0" "$err"
    run hutch port pt0 abc
    assert_error 1
    assert_eq 'hutch: strconv.ParseUint: parsing "abc": invalid syntax' "$err"
    run hutch port nosuch
    assert_error 1
    assert_eq "hutch: No such container: nosuch" "$err"
    run hutch port pt0 80 81
    assert_status 1
}
