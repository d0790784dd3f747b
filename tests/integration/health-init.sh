# docker's --init (a PID 1 that reaps and forwards signals, from hutch's own
# binary) and health checks (--health-*, --no-healthcheck, the image's
# HEALTHCHECK), probed by the container's monitor.

setup_store() { fresh_store; load base.tar; }

# waits until `inspect -f FORMAT C` prints WANT (up to SECONDS, default 10)
wait_health() {   # C FORMAT WANT [SECONDS]
    local i
    for ((i = 0; i < ${4:-10} * 20; i++)); do
        [ "$(hutch inspect -f "$2" "$1" 2>/dev/null)" = "$3" ] && return 0
        sleep 0.05
    done
    run hutch inspect -f "$2" "$1"
    fail "inspect -f '$2' $1: expected '$3', got '$out'" "$(hutch inspect -f '{{json .State.Health}}' "$1")"
}

stop_rm() { hutch stop -t 1 "$@" >/dev/null && hutch rm "$@" >/dev/null || fail "stop/rm $*"; }

# ---- health checks

test_health_cmd_turns_healthy_and_logs_the_probe() {
    setup_store
    run hutch run -d --name h1 --health-cmd 'echo probe-out; echo probe-err >&2' --health-interval 1s "$IMG" sleep 60
    assert_ok
    run hutch inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}' h1
    assert_eq "starting 0 0" "$out" "before the first probe (after one interval)"
    run hutch inspect -f '{{json .Config.Healthcheck}}' h1
    assert_eq '{"Test":["CMD-SHELL","echo probe-out; echo probe-err >&2"],"Interval":1000000000}' "$out"
    wait_health h1 '{{.State.Health.Status}}' healthy 5
    run hutch inspect -f '{{.State.Health.FailingStreak}} {{with index .State.Health.Log 0}}{{.ExitCode}} {{json .Output}}{{end}}' h1
    assert_eq '0 0 "probe-out\nprobe-err\n"' "$out"
    run hutch inspect -f '{{with index .State.Health.Log 0}}{{.Start}} {{.End}}{{end}}' h1
    assert_match "$out" '^20[0-9-]+T[0-9:.]+Z 20[0-9-]+T[0-9:.]+Z$' "probe times"
    stop_rm h1
}

test_health_failures_make_it_unhealthy_after_retries() {
    setup_store
    run hutch run -d --name h2 --health-cmd 'echo bad; exit 3' --health-interval 100ms --health-retries 2 "$IMG" sleep 60
    assert_ok
    wait_health h2 '{{.State.Health.Status}}' unhealthy 5
    run hutch inspect -f '{{with index .State.Health.Log 0}}{{.ExitCode}} {{json .Output}}{{end}}' h2
    assert_eq '3 "bad\n"' "$out"
    # docker keeps the last five probes; the streak goes on counting.
    wait_health h2 '{{len .State.Health.Log}}' 5 5
    sleep 0.5
    run hutch inspect -f '{{len .State.Health.Log}}' h2
    assert_eq 5 "$out"
    [ "$(hutch inspect -f '{{.State.Health.FailingStreak}}' h2)" -ge 5 ] || fail "FailingStreak below the probes failed"
    stop_rm h2
}

test_health_probe_past_its_timeout_is_killed_and_fails() {
    setup_store
    run hutch run -d --name h3 --health-cmd 'sleep 30' --health-timeout 300ms --health-interval 100ms --health-retries 1 "$IMG" sleep 60
    assert_ok
    wait_health h3 '{{.State.Health.Status}}' unhealthy 5
    run hutch inspect -f '{{.State.Health.FailingStreak}} {{with index .State.Health.Log 0}}{{.ExitCode}} {{.Output}}{{end}}' h3
    assert_eq "1 -1 Health check exceeded timeout (300ms)" "$out"
XX
    stop_rm h3
}

test_health_start_period_does_not_count_failures() {
    setup_store
    run hutch run -d --name h4 --health-cmd false --health-interval 100ms --health-start-interval 100ms \
        --health-start-period 1h --health-retries 1 "$IMG" sleep 60
    assert_ok
    wait_health h4 '{{len .State.Health.Log}}' 3 5
    run hutch inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' h4
    assert_eq "starting 0" "$out"
    run hutch inspect -f '{{json .Config.Healthcheck}}' h4
    assert_eq '{"Test":["CMD-SHELL","false"],"Interval":100000000,"StartPeriod":3600000000000,"StartInterval":100000000,"Retries":1}' "$out"
    stop_rm h4
}

test_health_from_the_image_and_no_healthcheck() {
    setup_store
    hutch run --name base0 "$IMG" true || fail "run"
    run hutch commit --change 'HEALTHCHECK --interval=200ms --retries=4 CMD ["sh", "-c", "exit 0"]' base0 hutch-test/hc
    assert_ok
    run hutch run -d --name fromimage hutch-test/hc sleep 60
    assert_ok
    wait_health fromimage '{{.State.Health.Status}}' healthy 5
    # --health-* fill in what the image's leaves and replace what they name.
    run hutch create --name merged --health-retries 7 hutch-test/hc sleep 60
    assert_ok
    run hutch inspect -f '{{json .Config.Healthcheck}}' merged
    assert_eq '{"Test":["CMD","sh","-c","exit 0"],"Interval":200000000,"Retries":7}' "$out"
    run hutch run -d --name none --no-healthcheck hutch-test/hc sleep 60
    assert_ok
    run hutch inspect -f '{{json .Config.Healthcheck}}' none
    # docker keeps the image's other fields under NONE.
    assert_eq '{"Test":["NONE"],"Interval":200000000,"Retries":4}' "$out"
    sleep 0.5
    run hutch inspect -f '{{json .State}}' none
    assert_not_contains "$out" '"Health"' "a container without a health check has no State.Health"
    stop_rm fromimage none
    hutch rm merged base0 >/dev/null || fail "rm"
}

test_health_flags_are_checked_as_docker_does() {
    setup_store
    run hutch run -d --no-healthcheck --health-cmd true "$IMG" true
    assert_status 125
    assert_eq "hutch: --no-healthcheck conflicts with --health-* options" "${err%%$'\n'*}"
    run hutch run -d --health-cmd true --health-interval 100us "$IMG" true
    assert_status 125
    assert_eq "hutch: Interval in Healthcheck cannot be less than 1ms" "${err%%$'\n'*}"
    run hutch create --health-cmd true --health-timeout 10us "$IMG" true
    assert_status 125
    assert_eq "hutch: Timeout in Healthcheck cannot be less than 1ms" "${err%%$'\n'*}"
    run hutch run -d --health-retries -1 --health-cmd true "$IMG" true
    assert_status 125
    assert_eq "hutch: --health-retries cannot be negative" "${err%%$'\n'*}"
    run hutch run -d --health-interval -1s --health-cmd true "$IMG" true
    assert_status 125
    assert_eq "hutch: --health-interval cannot be negative" "${err%%$'\n'*}"
    run hutch ps -a -q
    assert_eq "" "$out" "a refused health check creates nothing"
}

# ---- --init

test_init_is_pid_1_and_the_command_pid_2() {
    setup_store
    run hutch run --rm --init "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$; cat /proc/1/comm'
    assert_ok
    assert_eq "/sbin/docker-init -- sh -c tr \"\\0\" \" \" </proc/1/cmdline; echo; echo \$\$; cat /proc/1/comm 
2
docker-init" "$out"
    run hutch create --name i1 --init "$IMG" true
    assert_ok
    run hutch inspect -f '{{.HostConfig.Init}} {{.Path}} {{json .Args}}' i1
    assert_eq 'true true []' "$out" "inspect shows the command, not the init"
    hutch rm i1 >/dev/null || fail "rm"
}

test_init_reaps_orphans() {
    setup_store
    # The subshell's sleep is orphaned: PID 1 must reap it.
    run hutch run -d --init --name reaper "$IMG" sh -c '(sleep 0.1 &); exec sleep 60'
    assert_ok
    sleep 0.6
    run hutch exec reaper sh -c 'grep -l "^State:.Z" /proc/[0-9]*/status | wc -l'
    assert_eq 0 "$out" "zombies with --init"
    stop_rm reaper
    # Without it, sleep as PID 1 leaves its orphan a zombie: the check is real.
    run hutch run -d --name noreaper "$IMG" sh -c '(sleep 0.1 &); exec sleep 60'
    assert_ok
    sleep 0.6
    run hutch exec noreaper sh -c 'grep -l "^State:.Z" /proc/[0-9]*/status | wc -l'
    assert_eq 1 "$out" "zombies without --init"
    stop_rm noreaper
}

test_init_forwards_signals_and_passes_statuses() {
    setup_store
    run hutch run -d --init --name sig "$IMG" sleep 100
    assert_ok
    local start=$SECONDS
    run hutch stop sig
    assert_ok
    [ $((SECONDS - start)) -le 3 ] || fail "stop took $((SECONDS - start)) s: TERM did not reach sleep"
    run hutch inspect -f '{{.State.ExitCode}}' sig
    assert_eq 143 "$out" "sleep killed by the forwarded TERM"
    hutch rm sig >/dev/null || fail "rm"
    run hutch run --rm --init "$IMG" sh -c 'exit 7'
    assert_status 7
    run hutch run --rm --init "$IMG" sh -c 'kill -USR1 $$'
    assert_status 138
    run hutch run --rm --init "$IMG" no-such-command
    assert_status 127
}

test_init_gives_the_command_the_terminal() {
    setup_store
    # pgrp and the terminal's foreground group of the command (PID 2).
    run hutch run --rm -t --init "$IMG" sh -c 'cut -d" " -f1,5,8 /proc/$$/stat'
    assert_ok
    assert_eq "2 2 2" "$(printf '%s' "$out" | tr -d '\r')"
}

test_init_cannot_be_written_by_the_container() {
    setup_store
    local before
    before=$(sha256sum <"$HUTCH")
    run hutch run --rm --init "$IMG" sh -c 'echo x > /sbin/docker-init'
    assert_status 1
    assert_contains "$err" "Read-only file system"
    # Root in the container is the caller itself (with or without a range):
    # its mount stays read-only.
    run hutch run --rm --init "$IMG" sh -c 'mount -o remount,rw,bind /sbin/docker-init /sbin/docker-init || exit 9; echo x > /sbin/docker-init'
    assert_status 9
    run hutch run --rm --init "$IMG" sh -c 'echo x >> /proc/1/exe'
    assert_status 1
    run hutch run -d --init --name wr "$IMG" sleep 60
    assert_ok
    local id=$out
    run hutch exec wr sh -c 'echo x > /sbin/docker-init'
    assert_status 1
    stop_rm wr
    assert_eq "$before" "$(sha256sum <"$HUTCH")" "hutch's binary"
    [ -z "$(find "$HUTCH_ROOT/containers" -name '.docker-init-*')" ] || fail "a copy of the init was left in the store"
    true "$id"
}
