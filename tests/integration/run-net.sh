# hutch run --network: default (private namespace, loopback only), none, host.

# the interface names of /proc/net/dev, sorted, one per line
IFACES_AWK='NR > 2 { sub(/:.*/, ""); gsub(/ /, ""); print }'

container_ifaces() {   # hutch run options...
    run hutch run --rm "$@" "$IMG" awk "$IFACES_AWK" /proc/net/dev
    assert_ok
    out=$(sort <<<"$out")
}

test_default_network_loopback_only() {
    container_ifaces
    assert_eq "lo" "$out" "interfaces"
}

test_network_none_loopback_only() {
    container_ifaces --network none
    assert_eq "lo" "$out" "interfaces"
    container_ifaces --network=none
    assert_eq "lo" "$out" "interfaces"
}

test_network_host_sees_host_interfaces() {
    local host
    host=$(awk "$IFACES_AWK" /proc/net/dev | sort)
    container_ifaces --network host
    assert_eq "$host" "$out" "interfaces with --network host"
}

test_network_default_is_private() {
    # the container's loopback is not the host's: a listener on the host's
    # loopback is not reachable from the default network
    local host_ns
    host_ns=$(readlink /proc/self/ns/net)
    run hutch run --rm "$IMG" readlink /proc/self/ns/net
    assert_ok
    [ "$out" != "$host_ns" ] || fail "container shares the host's network namespace ($out)"
    run hutch run --rm --network host "$IMG" readlink /proc/self/ns/net
    assert_eq "$host_ns" "$out" "network namespace with --network host"
}

test_loopback_is_up() {
    local net
    for net in default none; do
        if [ $net = default ]; then
            run hutch run --rm "$IMG" ip addr show lo
        else
            run hutch run --rm --network $net "$IMG" ip addr show lo
        fi
        assert_ok
        assert_contains "$out" "inet 127.0.0.1/8" "ip addr show lo ($net)"
        assert_match "$(head -n 1 <<<"$out")" '[<,]UP[,>]' "lo flags ($net)"
    done
}

test_loopback_usable() {
    run hutch run --rm --network none "$IMG" sh -c \
        'nc -l -p 4567 >/tmp/got & sleep 0.3; echo over-loopback | nc -w 2 127.0.0.1 4567; wait; cat /tmp/got'
    assert_ok
    assert_eq "over-loopback" "$out"
}

test_network_invalid_125() {
    run hutch run --rm --network no-such-network "$IMG" true
    assert_error 125
}
