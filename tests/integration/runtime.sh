# hutch runtime: runc's command line over hutch's runtime, on bundles made the
# way runc's users make them (`spec --rootless`, a rootfs directory).

# bundle DIR [ARGS_JSON]: a bundle with the test image's files as its rootfs
# and the process ARGS_JSON (default ["sh"]), without a terminal.
bundle() {
    local dir=$1 args=${2:-'["sh"]'} c
    mkdir -p "$dir/rootfs"
    c=$(name)
    run hutch run --name "$c" "$IMG" true
    assert_ok
    hutch export "$c" | tar -x -C "$dir/rootfs" 2>/dev/null
    hutch rm "$c" >/dev/null
    run hutch runtime spec --rootless --bundle "$dir"
    assert_ok
    python3 - "$dir/config.json" "$args" <<'PY'
import json, sys
path, args = sys.argv[1], json.loads(sys.argv[2])
c = json.load(open(path))
c["process"]["args"] = args
c["process"]["terminal"] = False
json.dump(c, open(path, "w"))
PY
}

rt() { hutch runtime --root "$WORK/state" "$@"; }

state_of() {   # ID: the status field of `state`
    rt state "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

test_spec_writes_a_config_once() {
    run hutch runtime spec --rootless
    assert_ok
    python3 -c 'import json; c = json.load(open("config.json")); assert c["ociVersion"].startswith("1."); assert any(n["type"] == "user" for n in c["linux"]["namespaces"])' ||
        fail "spec --rootless: not a rootless config" "$(cat config.json)"
    run hutch runtime spec --rootless
    assert_status 1
    assert_contains "$err" "exists"
}

test_run_gives_the_process_status_and_output() {
    bundle b '["sh", "-c", "echo pid=$$ host=$(hostname); exit 7"]'
    cd b && run rt run c1
    assert_status 7
    assert_eq "pid=1 host=hutch" "$out"
    # Deleted after it ran, unless --keep.
    run rt state c1
    assert_status 1
    assert_contains "$err" "does not exist"
}

test_lifecycle_create_start_kill_delete() {
    bundle b '["sleep", "100"]'
    run rt create --bundle "$WORK/b" --pid-file "$WORK/pid" c2
    assert_ok
    assert_eq created "$(state_of c2)"
    pid=$(cat "$WORK/pid")
    [ -d "/proc/$pid" ] || fail "pid file names no process: $pid"
    # Waiting for start: the command is not running yet.
    assert_not_contains "$(cat /proc/$pid/cmdline | tr '\0' ' ')" "sleep"
    run rt start c2
    assert_ok
    assert_eq running "$(state_of c2)"
    run rt start c2
    assert_status 1
    run rt delete c2
    assert_status 1
    assert_contains "$err" "not stopped"
    run rt kill c2 KILL
    assert_ok
    for _ in $(seq 100); do [ "$(state_of c2)" == stopped ] && break; sleep 0.05; done
    assert_eq stopped "$(state_of c2)"
    run rt kill c2 TERM
    assert_status 1
    run rt delete c2
    assert_ok
    run rt state c2
    assert_status 1
}

test_create_refuses_a_taken_id_and_bad_config() {
    bundle b '["sleep", "100"]'
    run rt create -b "$WORK/b" c3
    assert_ok
    run rt create -b "$WORK/b" c3
    assert_status 1
    assert_contains "$err" "exists"
    run rt delete --force c3
    assert_ok
    printf '{"ociVersion": "1.0.2", "process": {"args": 7}}' >"$WORK/b/config.json"
    run rt create -b "$WORK/b" c4
    assert_status 1
    assert_contains "$err" "process.args"
    run rt state c4
    assert_status 1
}

test_exec_joins_the_running_container() {
    bundle b '["sleep", "100"]'
    run rt run -d -b "$WORK/b" c5
    assert_ok
    run rt exec c5 sh -c 'echo $$ $(cat /proc/1/cmdline | tr "\0" " ")'
    assert_ok
    assert_match "$out" '^[0-9]+ sleep 100$'
    run rt exec -e FOO=bar c5 sh -c 'echo $FOO; exit 4'
    assert_status 4
    assert_eq bar "$out"
    run rt exec --cwd /etc c5 pwd
    assert_eq /etc "$out"
    run rt exec c5 /nonexistent
    assert_status 127
    run rt ps --format json c5
    assert_ok
    assert_match "$out" '^\[[0-9]+\]$'
    run rt list
    assert_ok
    assert_contains "$out" "c5"
    assert_contains "$out" "running"
    run rt delete --force c5
    assert_ok
    run rt exec c5 true
    assert_status 1
}

test_called_as_hutch_runtime() {
    ln -s "$HUTCH" "$WORK/hutch-runtime"
    run "$WORK/hutch-runtime" --version
    assert_ok
    assert_contains "$out" "spec: 1."
    run "$WORK/hutch-runtime" --root "$WORK/state" list -q
    assert_ok
}

test_state_is_true_after_kill_9_of_the_creator() {
    bundle b '["sleep", "100"]'
    run rt create -b "$WORK/b" c6
    assert_ok
    pid=$(rt state c6 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    kill -9 "$pid"
    for _ in $(seq 100); do [ "$(state_of c6)" == stopped ] && break; sleep 0.05; done
    assert_eq stopped "$(state_of c6)"
    run rt delete c6
    assert_ok
}

test_refuses_what_it_cannot_honour() {
    bundle b '["true"]'
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["resources"] = {"memory": {"limit": 1048576}}
json.dump(c, open(sys.argv[1], "w"))
PY
    run rt run -b "$WORK/b" r1
    assert_status 1
    assert_contains "$err" "linux.resources.memory is not supported"
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
del c["linux"]["resources"]
c["linux"]["intelRdt"] = {"closID": "x"}
json.dump(c, open(sys.argv[1], "w"))
PY
    run rt run -b "$WORK/b" r2
    assert_status 1
    assert_contains "$err" "linux.intelRdt is not supported"
}

test_refuses_a_time_namespace() {
    bundle b '["true"]'
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["namespaces"].append({"type": "time"})
json.dump(c, open(sys.argv[1], "w"))
PY
    run rt run -b "$WORK/b" t1
    assert_status 1
    assert_contains "$err" "time namespace is not supported"
    run rt state t1
    assert_status 1
}

test_delete_refuses_a_created_container() {
    # runtime.md: delete of a container that is not stopped MUST fail and
    # MUST have no effect; --force still removes it.
    bundle b '["true"]'
    run rt create -b "$WORK/b" d1
    assert_ok
    run rt delete d1
    assert_status 1
    assert_contains "$err" "not stopped: created"
    assert_eq created "$(state_of d1)"
    run rt start d1
    assert_ok
    for _ in $(seq 100); do [ "$(state_of d1)" == stopped ] && break; sleep 0.05; done
    run rt delete d1
    assert_ok
    run rt create -b "$WORK/b" d2
    assert_ok
    run rt delete --force d2
    assert_ok
    run rt state d2
    assert_status 1
}

test_prestart_hook_reads_the_created_state() {
    bundle b '["true"]'
    python3 - "$WORK/b/config.json" "$WORK/hook-state" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "cat > " + sys.argv[2]]}]}
json.dump(c, open(sys.argv[1], "w"))
PY
    run rt create -b "$WORK/b" h1
    assert_ok
    python3 -c 'import json,sys; s = json.load(open(sys.argv[1])); assert s["status"] == "created" and s["id"] == "h1", s' \
        "$WORK/hook-state" || fail "prestart hook's state" "$(cat "$WORK/hook-state")"
    run rt delete --force h1
    assert_ok
}

test_config_without_user_namespace_runs_as_an_ordinary_user() {
    # Most configs (runtime-tools', root's) name no user namespace: an
    # unprivileged runtime adds one, mapping root to the caller.
    bundle b '["sh", "-c", "cat /proc/self/uid_map; id -u"]'
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "user"]
c["linux"].pop("uidMappings", None)
c["linux"].pop("gidMappings", None)
json.dump(c, open(sys.argv[1], "w"))
PY
    cd b && run rt run u1
    assert_ok
    assert_match "$out" "^ +0 +$(id -u) +1"
    assert_match "$out" '0$'
}

test_device_gets_its_file_mode_despite_the_umask() {
    # A fifo is the one node an ordinary user may mknod.
    bundle b '["stat", "-c", "%a %F", "/dev/fifo1"]'
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["devices"] = [{"path": "/dev/fifo1", "type": "p", "major": 0, "minor": 0, "fileMode": 432}]
json.dump(c, open(sys.argv[1], "w"))
PY
    cd b && run rt run f1
    assert_ok
    assert_eq "660 fifo" "$out"
}

test_a_namespace_path_of_the_wrong_type_fails_create() {
    # It used to hang: the joining process's error was awaited on the wrong
    # end of the socket.
    bundle b '["true"]'
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"]
c["linux"]["namespaces"].append({"type": "ipc", "path": "/proc/self/ns/uts"})
json.dump(c, open(sys.argv[1], "w"))
PY
    run timeout 20 "$HUTCH" runtime --root "$WORK/state" create -b "$WORK/b" n1
    assert_status 1
    assert_contains "$err" "join ipc namespace /proc/self/ns/uts"
    run rt state n1
    assert_status 1
}

test_run_reports_a_failure_after_start() {
    # The user is set after start: its failure used to leave run silent, with
    # status 125 and the container behind.
    bundle b '["true"]'
    python3 - "$WORK/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["user"] = {"uid": 4000000, "gid": 0}
json.dump(c, open(sys.argv[1], "w"))
PY
    cd b && run rt run e1
    assert_status 1
    assert_contains "$err" "user 4000000 is not mapped"
    run rt state e1
    assert_status 1
}

test_poststart_hook_runs_after_the_exec() {
    # config.md: poststart runs after the user's process is executed. A slow
    # startContainer hook holds the init between start and exec: a poststart
    # hook run at the fifo's byte would find hutch, not the command.
    bundle b '["sleep", "30"]'
    python3 - "$WORK/b/config.json" "$WORK/poststart" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
read_cmdline = ("import json, sys; s = json.load(sys.stdin); "
                "open(%r, 'w').write(open('/proc/%%d/cmdline' %% s['pid']).read())" % sys.argv[2])
c["hooks"] = {
    "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 1"]}],
    "poststart": [{"path": "/usr/bin/python3", "args": ["python3", "-c", read_cmdline]}],
}
json.dump(c, open(sys.argv[1], "w"))
PY
    run rt create -b "$WORK/b" p1
    assert_ok
    run rt start p1
    assert_ok
    assert_eq "sleep 30" "$(tr '\0' ' ' <"$WORK/poststart" | sed 's/ $//')"
    run rt delete --force p1
    assert_ok
}

test_maps_that_leave_out_the_caller_still_give_a_root() {
    # The init starts as nobody in a namespace that does not map its own uid
    # (only subordinate ids here): it must take the namespace's root itself.
    has_subids || skip "mapping only subordinate ids needs a range in /etc/subuid"
    bundle b '["sh", "-c", "id -u; id -g; head -1 /proc/self/uid_map"]'
    python3 - "$WORK/b/config.json" "$(id -un)" <<'PY'
import json, sys
def start(path):
    for line in open(path):
        name, first, count = line.strip().split(":")
        if name == sys.argv[2]:
            return int(first)
c = json.load(open(sys.argv[1]))
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": start("/etc/subuid"), "size": 1000}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": start("/etc/subgid"), "size": 1000}]
json.dump(c, open(sys.argv[1], "w"))
PY
    chmod -R a+rX "$WORK/b"
    cd b && run rt run m1
    assert_ok
    assert_match "$out" "^0
0
 +0 +$(awk -F: -v u="$(id -un)" '$1 == u { print $2 }' /etc/subuid) +1000"
}
