# hutch inspect of a container: its Config (the image's with the run flags
# applied, as docker merges them) and its HostConfig, in docker's shape. The
# expected values are what docker 20.10 prints for the same runs.

IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

setup_store() { fresh_store; load base.tar; }

# keys of the JSON object on stdin, space separated
json_keys() { python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)))'; }

test_inspect_config_env_and_cmd() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" -e X=1 "$IMG" true
    assert_ok
    run hutch inspect -f '{{.Config.Env}}' "$n"
    assert_ok
    # the flags' variables first, then the image's (docker's merge)
    assert_eq "[X=1 PATH=$IMAGE_PATH FOO=from-image BAR=from-image]" "$out"
    run hutch inspect -f '{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{.Config.Image}}' "$n"
    assert_eq '["true"] null hutch-test/base:latest' "$out"
    run hutch inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$n"
    assert_eq $'X=1\n'"PATH=$IMAGE_PATH"$'\nFOO=from-image\nBAR=from-image' "$out"
}

test_inspect_config_image_cmd_when_none_given() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" </dev/null
    assert_ok
    run hutch inspect -f '{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{.Path}} {{json .Args}}' "$n"
    assert_eq '["sh"] null sh []' "$out"
}

test_inspect_config_entrypoint_null_vs_set() {
    setup_store
    local a b c
    a=$(name)
    b=$(name)
    c=$(name)
    run hutch run --name "$a" --entrypoint echo "$IMG" hi
    assert_ok
    run hutch inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Path}} {{json .Args}}' "$a"
    assert_eq '["echo"] ["hi"] echo ["hi"]' "$out"
    # --entrypoint clears the image's Cmd
    run hutch run --name "$b" --entrypoint true "$IMG"
    assert_ok
    run hutch inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$b"
    assert_eq '["true"] null' "$out"
    # an empty --entrypoint is none at all
    run hutch run --name "$c" --entrypoint "" "$IMG" echo hi
    assert_ok
    run hutch inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$c"
    assert_eq 'null ["echo","hi"]' "$out"
    run hutch run --rm --entrypoint "" "$IMG"
    assert_error 125
    assert_eq "hutch: No command specified" "$err"
}

# docker's CLI reads --label-file (lines as --env-file's, no variable looked up),
# then --label; a later key wins, a bare key has an empty value.
test_inspect_config_labels_from_flags_and_files() {
    setup_store
    export BARE_ON_HOST=not-taken
    printf '# labels\n  a=from-file\nb=file\n\nBARE_ON_HOST\nspaced=x y\n' >"$WORK/labels"
    local n
    n=$(name)
    run hutch run --name "$n" -l b=flag --label d --label-file "$WORK/labels" "$IMG" true
    assert_ok
    run hutch inspect -f '{{json .Config.Labels}}|{{.Config.Labels.b}}' "$n"
    assert_eq '{"BARE_ON_HOST":"","a":"from-file","b":"flag","d":"","spaced":"x y"}|flag' "$out"
    run hutch run --rm --label-file "$WORK/no-such-file" "$IMG" true
    assert_error 125
    assert_contains "$err" "no such file or directory"
    printf 'bad key=1\n' >"$WORK/bad-labels"
    run hutch run --rm --label-file "$WORK/bad-labels" "$IMG" true
    assert_error 125
    assert_contains "$err" "contains whitespaces"
}

test_inspect_config_user_workdir_hostname() {
    setup_store
    local n m id
    n=$(name)
    m=$(name)
    run hutch run --name "$n" -u 0:0 -w /tmp -h hh "$IMG" true
    assert_ok
    run hutch inspect -f '{{.Config.User}}|{{.Config.WorkingDir}}|{{.Config.Hostname}}|{{json .Config.Labels}}|{{json .Config.Volumes}}' "$n"
    assert_eq '0:0|/tmp|hh|{}|null' "$out"
    run hutch run --name "$m" "$IMG" true
    id=$(hutch inspect -f '{{.Id}}' "$m")
    run hutch inspect -f '{{.Config.Hostname}}' "$m"
    assert_eq "${id:0:12}" "$out" "default hostname: the id's first 12 digits"
}

test_inspect_config_stdin_and_tty_flags() {
    setup_store
    local n m
    n=$(name)
    m=$(name)
    run hutch run --name "$n" -i "$IMG" true </dev/null
    assert_ok
    run hutch inspect -f '{{.Config.Tty}} {{.Config.OpenStdin}} {{.Config.AttachStdin}} {{.Config.StdinOnce}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}' "$n"
    assert_eq 'false true true true true true' "$out"
    run hutch run --name "$m" "$IMG" true
    run hutch inspect -f '{{.Config.Tty}} {{.Config.OpenStdin}} {{.Config.AttachStdin}} {{.Config.StdinOnce}}' "$m"
    assert_eq 'false false false false' "$out"
}

test_inspect_config_keys_in_docker_order() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" true
    hutch inspect -f '{{json .Config}}' "$n" >"$WORK/config.json"
    run json_keys <"$WORK/config.json"
    assert_eq "Hostname Domainname User AttachStdin AttachStdout AttachStderr Tty OpenStdin StdinOnce Env Cmd Image Volumes WorkingDir Entrypoint OnBuild Labels" "$out"
    hutch inspect -f '{{json .HostConfig}}' "$n" >"$WORK/host.json"
    run json_keys <"$WORK/host.json"
    assert_eq "Binds ContainerIDFile LogConfig NetworkMode PortBindings RestartPolicy AutoRemove VolumeDriver VolumesFrom CapAdd CapDrop CgroupnsMode Dns DnsOptions DnsSearch ExtraHosts GroupAdd IpcMode Cgroup Links OomScoreAdj PidMode Privileged PublishAllPorts ReadonlyRootfs SecurityOpt UTSMode UsernsMode ShmSize Runtime ConsoleSize Isolation CpuShares Memory NanoCpus CgroupParent BlkioWeight BlkioWeightDevice BlkioDeviceReadBps BlkioDeviceWriteBps BlkioDeviceReadIOps BlkioDeviceWriteIOps CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime CpusetCpus CpusetMems Devices DeviceCgroupRules DeviceRequests KernelMemory KernelMemoryTCP MemoryReservation MemorySwap MemorySwappiness OomKillDisable PidsLimit Ulimits CpuCount CpuPercent IOMaximumIOps IOMaximumBandwidth MaskedPaths ReadonlyPaths" "$out"
}

test_inspect_host_config_values() {
    setup_store
    local n
    n=$(name)
    run hutch run --name "$n" --network none "$IMG" true
    assert_ok
    run hutch inspect -f '{{.HostConfig.AutoRemove}} {{.HostConfig.NetworkMode}} {{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}} {{.HostConfig.Privileged}} {{json .HostConfig.Binds}} {{json .HostConfig.CapAdd}} {{index .HostConfig.ReadonlyPaths 3}}' "$n"
    assert_eq 'false none private 67108864 false null null /proc/sys' "$out"
    run hutch inspect -f '{{json .HostConfig.RestartPolicy}} {{json .HostConfig.Dns}} {{json .HostConfig.ConsoleSize}}' "$n"
    assert_eq '{"Name":"no","MaximumRetryCount":0} [] [0,0]' "$out"
}

test_inspect_host_config_auto_remove() {
    setup_store
    local n pid
    n=$(name)
    spawn "$WORK/log" "$HUTCH" run --rm --name "$n" "$IMG" sh -c 'echo ready; sleep 2'
    pid=$spawned
    wait_for "$WORK/log" ready
    run hutch inspect -f '{{.HostConfig.AutoRemove}} {{.State.Running}}' "$n"
    assert_ok
    assert_eq "true true" "$out"
    wait_status "$pid" 20
    run hutch inspect "$n"
    assert_contains "$err" "No such"
}

# .Mounts lists binds, volumes and --mount tmpfs in docker's shape; --tmpfs
# shows only in HostConfig.Tmpfs.
test_inspect_mounts() {
    setup_store
    local n
    n=$(name)
    mkdir "$WORK/host"
    run hutch run --name "$n" -v "$WORK/host:/h:ro" -v "vol-$n:/v" --tmpfs /t --mount type=tmpfs,dst=/t2 "$IMG" true
    assert_ok
    run hutch inspect -f '{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}} {{.Mode}} {{.Propagation}}|{{end}}' "$n"
    assert_ok
    assert_eq "bind $WORK/host /h false ro rprivate|volume $HUTCH_ROOT/volumes/vol-$n/_data /v true  |tmpfs  /t2 true  |" "$out"
    run hutch inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{.Driver}}{{end}}{{end}}' "$n"
    assert_eq "vol-$n local" "$out"
    run hutch rm -v "$n"
    assert_ok
}

test_annotations_reach_inspect_and_the_oci_config() {
    setup_store
    local n id
    n=$(name)
    run hutch create --name "$n" --annotation org.example.a=1 --annotation org.example.b \
        --annotation org.example.a=2 "$IMG" true
    assert_ok
    id=$out
    # docker's MapOpts: a later KEY replaces an earlier one, a bare KEY is "".
    run hutch inspect -f '{{json .HostConfig.Annotations}}' "$n"
    assert_eq '{"org.example.a":"2","org.example.b":""}' "$out"
    run python3 -c 'import json, sys; a = json.load(open(sys.argv[1]))["annotations"]; print(a["org.example.a"], repr(a["org.example.b"]))' \
        "$HUTCH_ROOT/containers/$id/config.json"
    assert_eq "2 ''" "$out"
    run hutch run --rm --annotation run.hutch.user=0 "$IMG" true
    assert_status 125
    assert_contains "$err" "run.hutch."
    run hutch create --name "$(name)" "$IMG" true
    run hutch inspect -f '{{json .HostConfig.Annotations}}' "$out"
    assert_eq 'null' "$out" "no annotations: none in HostConfig"
}
