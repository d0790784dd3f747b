# hutch run --network: the default bridge (eth0 through the network engine,
# pasta), none, host, container:X; published ports; the /etc files.
# Real traffic only: servers and clients on the host's loopback and address,
# busybox's wget, nc and httpd in the container.

# the interface names of /proc/net/dev, sorted, one per line
IFACES_AWK='NR > 2 { sub(/:.*/, ""); gsub(/ /, ""); print }'

container_ifaces() {   # hutch run options...
    run hutch run --rm "$@" "$IMG" awk "$IFACES_AWK" /proc/net/dev
    assert_ok
    out=$(sort <<<"$out")
}

test_default_network_has_eth0_and_loopback() {
    container_ifaces
    assert_eq $'eth0\nlo' "$out" "interfaces"
    container_ifaces --network bridge
    assert_eq $'eth0\nlo' "$out" "interfaces with --network bridge"
    container_ifaces --network pasta
    assert_eq $'eth0\nlo' "$out" "interfaces with --network pasta"
}

test_default_network_address_route_and_mtu() {
    run hutch run --rm "$IMG" sh -c 'ip -4 addr show eth0; ip route; cat /sys/class/net/eth0/mtu /sys/class/net/eth0/address'
    assert_ok
    assert_contains "$out" "inet 172.17.0.2/16" "eth0's address"
    assert_line "$out" "default via 172.17.0.1 dev eth0 "
    assert_line "$out" "65520"
    assert_line "$out" "02:42:ac:11:00:02"
}

test_network_none_and_private_loopback_only() {
    container_ifaces --network none
    assert_eq "lo" "$out" "interfaces"
    container_ifaces --network=none
    assert_eq "lo" "$out" "interfaces"
    container_ifaces --network private
    assert_eq "lo" "$out" "interfaces with --network private"
}

test_network_host_sees_host_interfaces() {
    local host
    host=$(awk "$IFACES_AWK" /proc/net/dev | sort)
    container_ifaces --network host
    assert_eq "$host" "$out" "interfaces with --network host"
}

test_network_default_is_private() {
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
    for net in bridge none; do
        run hutch run --rm --network $net "$IMG" ip addr show lo
        assert_ok
        assert_contains "$out" "inet 127.0.0.1/8" "ip addr show lo ($net)"
        assert_match "$(head -n 1 <<<"$out")" '[<,]UP[,>]' "lo flags ($net)"
    done
}

test_loopback_usable() {
    # the listener may take a while to start on a loaded machine: retried
    # (busybox's nc -l, its stdin at EOF in the background, could end before
    # reading what came in: httpd does not)
    run hutch run --rm --network none "$IMG" sh -c \
        'mkdir /www && echo over-loopback >/www/index.html && httpd -p 127.0.0.1:4567 -h /www && for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://127.0.0.1:4567/ 2>/dev/null && break; sleep 0.2; done'
    assert_ok
    assert_eq "over-loopback" "$out"
}

test_network_invalid_125() {
    run hutch run --rm --network no-such-network "$IMG" true
    assert_error 125
    assert_contains "$err" "network no-such-network not found"
}

test_outbound_tcp_reaches_the_hosts_address() {
    local addr port
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    run hutch run --rm "$IMG" wget -q -O - "http://$addr:$port/token"
    assert_ok
    assert_eq "token-$$" "$out" "page fetched through the default route"
}

test_host_gateway_reaches_the_hosts_loopback() {
    local port
    port=$(free_port)
    http_server 127.0.0.1 "$port"
    run hutch run --rm --add-host host.docker.internal:host-gateway "$IMG" \
        sh -c "grep host.docker.internal /etc/hosts; wget -q -O - http://host.docker.internal:$port/token"
    assert_ok
    assert_eq $'172.17.0.1\thost.docker.internal\ntoken-'$$ "$out"
}

test_hosts_loopback_unreachable_without_host_gateway() {
    local port
    port=$(free_port)
    http_server 127.0.0.1 "$port"
    run hutch run --rm "$IMG" sh -c "timeout 3 wget -q -O - http://172.17.0.1:$port/token; echo status=\$?"
    assert_ok
    assert_not_contains "$out" "token-$$" "what the container got"
    assert_not_contains "$(cat "$WORK/http.log")" "GET /token" "the host's server log"
}

test_dns_through_the_hosts_resolvers() {
    [ -n "${TEST_DNS:-}" ] || skip "needs the test runner's resolver (run as root)"
    run hutch run --rm "$IMG" sh -c 'cat /etc/resolv.conf; nslookup hutch-dns.test'
    assert_ok
    # the host's resolver is on its loopback: the gateway relays to it
    assert_line "$out" "nameserver 172.17.0.1"
    assert_line "$out" "search hutch.test"
    assert_line "$out" "options ndots:1"
    assert_contains "$out" "10.11.12.13" "the answer"
    run hutch run --rm "$IMG" nslookup no-such-name.hutch-dns.test
    assert_status 1
}

test_icmp_echo_to_the_hosts_address() {
    local addr range
    addr=$(host_address)
    read -r -a range </proc/sys/net/ipv4/ping_group_range
    [ "$(id -g)" -ge "${range[0]}" ] && [ "$(id -g)" -le "${range[1]}" ] ||
        skip "ping sockets are not allowed for group $(id -g) (net.ipv4.ping_group_range: ${range[*]})"
    run hutch run --rm "$IMG" ping -c 1 -W 5 "$addr"
    assert_ok
    assert_contains "$out" "1 packets received"
}

test_etc_files_follow_the_flags() {
    run hutch run --rm -h box --domainname example.org --add-host db:10.0.0.5 --add-host 'v6=[2001:db8::1]' \
        --dns 9.9.9.9 --dns 1.1.1.1 --dns-search a.test --dns-search b.test --dns-option ndots:3 \
        "$IMG" sh -c 'cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; hostname; cat /proc/sys/kernel/domainname'
    assert_ok
    assert_line "$out" $'10.0.0.5\tdb'
    assert_line "$out" $'2001:db8::1\tv6'
    assert_line "$out" $'172.17.0.2\tbox.example.org box'
    assert_eq $'search a.test b.test\nnameserver 9.9.9.9\nnameserver 1.1.1.1\noptions ndots:3' \
        "$(sed -n '/^---$/,/^---$/p' <<<"$out" | sed '1d;$d')" "resolv.conf"
    assert_line "$out" "box"
    assert_line "$out" "example.org"
    # extra hosts come after docker's defaults, the container's own name last
    assert_eq $'172.17.0.2\tbox.example.org box' "$(sed -n '/^---$/q;p' <<<"$out" | tail -n 1)" "last line of hosts"
}

test_network_flag_errors_125() {
    local bad
    run hutch run --rm --add-host nocolon "$IMG" true
    assert_error 125
    assert_contains "$err" 'bad format for add-host: "nocolon"'
    run hutch run --rm --add-host h:999.1.1.1 "$IMG" true
    assert_error 125
    assert_contains "$err" 'invalid IP address in add-host: "999.1.1.1"'
    run hutch run --rm --dns not-an-ip "$IMG" true
    assert_error 125
    run hutch run --rm --dns-search -bad- "$IMG" true
    assert_error 125
    for bad in x 1:2:3:4:x 80/xyz 80-70 '999.0.0.1:80:80' 70000 '8000-8002:80-81'; do
        run hutch run --rm -p "$bad" "$IMG" true
        assert_error 125
    done
    run hutch run --rm -p 80/sctp "$IMG" true
    assert_error 125
    assert_contains "$err" "sctp"
    run hutch run --rm --expose 1:2 "$IMG" true
    assert_error 125
    assert_contains "$err" "invalid port format for --expose: 1:2"
    [ -z "$(hutch ps -q)" ] || fail "a container runs after refused starts" "$(hutch ps)"
}

test_publish_serves_host_clients() {
    local c addr port
    c=$(name)
    addr=$(host_address)
    port=$(free_port)
    run hutch run -d --name "$c" -p "$port:80" "$IMG" \
        sh -c 'mkdir /www && echo served-by-container >/www/index.html && exec httpd -f -p 80 -h /www'
    assert_ok
    wait_http "http://127.0.0.1:$port/"
    run curl -sS --max-time 5 "http://127.0.0.1:$port/"
    assert_eq "served-by-container" "$out" "through the host's loopback"
    run curl -sS --max-time 5 "http://$addr:$port/"
    assert_eq "served-by-container" "$out" "through the host's address"
    run hutch port "$c"
    assert_eq "80/tcp -> 0.0.0.0:$port" "$out"
    run hutch port "$c" 80
    assert_eq "0.0.0.0:$port" "$out"
    run hutch port "$c" 81/tcp
    assert_error 1
    run hutch ps --filter "name=$c" --format '{{.Ports}}'
    assert_eq "0.0.0.0:$port->80/tcp" "$out"
    run hutch ps -q --filter publish=80
    assert_contains "$out" "$(hutch inspect -f '{{.Id}}' "$c" | cut -c1-12)"
    run hutch inspect -f '{{json .HostConfig.PortBindings}} {{json .NetworkSettings.Ports}} {{.NetworkSettings.IPAddress}}' "$c"
    assert_eq "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$port\"}]} {\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$port\"}]} 172.17.0.2" "$out"
    hutch rm -f "$c" >/dev/null
    run curl -sS --max-time 2 "http://127.0.0.1:$port/"
    [ "$status" != 0 ] || fail "the port still answers after rm -f" "$(_last)"
}

test_published_port_sees_the_clients_address() {
    local c addr port
    c=$(name)
    addr=$(host_address)
    port=$(free_port)
    run hutch run -d --name "$c" -p "$port:80" "$IMG" sh -c 'mkdir -p /www/cgi-bin &&
        printf "#!/bin/sh\necho Content-Type: text/plain\necho\necho \$REMOTE_ADDR\n" >/www/cgi-bin/peer &&
        chmod 755 /www/cgi-bin/peer && exec httpd -f -p 80 -h /www'
    assert_ok
    wait_http "http://$addr:$port/cgi-bin/peer"
    run curl -sS --max-time 5 "http://$addr:$port/cgi-bin/peer"
    assert_contains "$out" "$addr" "the address the container saw"
    hutch rm -f "$c" >/dev/null
}

test_publish_random_ports_and_publish_all() {
    local c p81 p82
    c=$(name)
    run hutch run -d --name "$c" -p 127.0.0.1::81 --expose 82 -P "$IMG" \
        sh -c 'mkdir /www && echo r >/www/index.html && httpd -p 81 -h /www && exec httpd -f -p 82 -h /www'
    assert_ok
    p81=$(hutch port "$c" 81)
    p82=$(hutch port "$c" 82)
    assert_match "$p81" '^127\.0\.0\.1:[0-9]+$' "81's host address"
    assert_match "$p82" '^0\.0\.0\.0:[0-9]+$' "82's host address (-P)"
    wait_http "http://$p81/"
    run curl -sS --max-time 5 "http://127.0.0.1:${p82#*:}/"
    assert_eq "r" "$out" "-P's port"
    hutch rm -f "$c" >/dev/null
}

test_publish_udp() {
    local c port
    c=$(name)
    port=$(free_port)
    run hutch run -d --name "$c" -p "$port:9999/udp" "$IMG" sleep 60
    assert_ok
    assert_udp_reaches "$c" "$port"
    run hutch port "$c"
    assert_eq "9999/udp -> 0.0.0.0:$port" "$out"
    hutch rm -f "$c" >/dev/null
}

test_publish_port_in_use_125() {
    local port c
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    c=$(name)
    run hutch run --name "$c" -p "$port:80" "$IMG" true
    assert_error 125
    assert_contains "$err" "listen tcp4 0.0.0.0:$port: bind: address already in use"
    run hutch inspect -f '{{.State.Status}}' "$c"
    assert_eq "created" "$out" "the container whose start failed"
    hutch rm "$c" >/dev/null
    run hutch run -d -p "$port:80" "$IMG" sleep 60
    assert_error 125
    [ -z "$(hutch ps -q)" ] || fail "a container runs after the refused start" "$(hutch ps)"
}

test_publish_without_the_engines_network_is_said_to_be_discarded() {
    local net
    for net in none private host; do
        run hutch run --rm --network $net -p 80:80 "$IMG" true
        assert_ok
        assert_contains "$err" "Published ports are discarded when using $net network mode"
    done
}

test_network_container_shares_interfaces() {
    local x
    x=$(name)
    run hutch run -d --name "$x" "$IMG" sh -c 'mkdir /www && echo from-x >/www/index.html && exec httpd -f -p 8080 -h /www'
    assert_ok
    run hutch run --rm --network "container:$x" "$IMG" \
        sh -c 'readlink /proc/self/ns/net; hostname; for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://127.0.0.1:8080/ && break; sleep 0.2; done'
    assert_ok
    local ns host
    ns=$(hutch exec "$x" readlink /proc/self/ns/net)
    host=$(hutch exec "$x" hostname)
    assert_eq "$ns"$'\n'"$host"$'\nfrom-x' "$out" "namespace, hostname and X's loopback service"
    run hutch run --rm --network "container:$x" -p 80:80 "$IMG" true
    assert_error 125
    assert_contains "$err" "Conflicting options: port publishing and the container type network mode"
    run hutch run --rm --network "container:$x" -h other "$IMG" true
    assert_error 125
    run hutch run --rm --network container:no-such-container "$IMG" true
    assert_error 125
    hutch stop -t 0 "$x" >/dev/null
    run hutch run --rm --network "container:$x" "$IMG" true
    assert_error 125
    assert_contains "$err" "cannot join network of a non running container"
    hutch rm -f "$x" >/dev/null
}

test_twenty_containers_publish_at_once() {
    local i ports=() names=() pids=()
    for ((i = 0; i < 20; i++)); do
        names+=("$(name)")
        hutch run -d --name "${names[i]}" -p 127.0.0.1::80 "$IMG" \
            sh -c "mkdir /www && echo n$i >/www/index.html && exec httpd -f -p 80 -h /www" >"$WORK/id.$i" 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < 20; i++)); do
        wait "${pids[i]}" || fail "run -d $i failed" "$(cat "$WORK/id.$i")"
    done
    for ((i = 0; i < 20; i++)); do
        ports[i]=$(hutch port "${names[i]}" 80)
        wait_http "http://${ports[i]}/"
        run curl -sS --max-time 5 "http://${ports[i]}/"
        assert_eq "n$i" "$out" "container $i through ${ports[i]}"
    done
    [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" = 20 ] || fail "ports shared" "${ports[*]}"
    hutch rm -f "${names[@]}" >/dev/null
}

test_inspect_network_settings_of_a_stopped_container() {
    local c
    c=$(name)
    run hutch run --name "$c" -p 80 "$IMG" true
    assert_ok
    run hutch inspect -f '{{json .NetworkSettings.Ports}} "{{.NetworkSettings.IPAddress}}" {{json .HostConfig.PortBindings}}' "$c"
    assert_eq '{} "" {"80/tcp":[{"HostIp":"","HostPort":""}]}' "$out"
    run hutch port "$c"
    assert_eq "" "$out"
    hutch rm "$c" >/dev/null
}

# The pasta inside hutch's binary runs by default: with nothing on PATH but
# the id-map helpers, a container still gets its way out, its DNS and -p.
test_builtin_pasta_needs_nothing_installed() {
    local bin addr port c pport t
    bin="$WORK/bare-path"
    mkdir -p "$bin"
    for t in newuidmap newgidmap; do
        if command -v "$t" >/dev/null; then ln -sf "$(command -v "$t")" "$bin/$t"; fi
    done
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    run env PATH="$bin" "$HUTCH" run --rm "$IMG" sh -c "ip -4 -o addr show eth0; wget -q -O - http://$addr:$port/token"
    assert_ok
    assert_contains "$out" "inet 172.17.0.2/16"
    assert_line "$out" "token-$$"
    if [ -n "${TEST_DNS:-}" ]; then
        run env PATH="$bin" "$HUTCH" run --rm "$IMG" nslookup hutch-dns.test
        assert_ok
        assert_contains "$out" "10.11.12.13" "the answer through the host's resolver"
    fi
    c=$(name)
    pport=$(free_port)
    run env PATH="$bin" "$HUTCH" run -d --name "$c" -p "127.0.0.1:$pport:80" "$IMG" \
        sh -c 'mkdir /www && echo built-in >/www/index.html && exec httpd -f -p 80 -h /www'
    assert_ok
    wait_http "http://127.0.0.1:$pport/"
    run curl -sS --max-time 5 "http://127.0.0.1:$pport/"
    assert_eq "built-in" "$out" "through -p"
    hutch rm -f "$c" >/dev/null
}

# HUTCH_PASTA runs another pasta instead: Debian 12's (2023) opens its pid
# file from inside the container's user namespace, which the ready FIFO allows.
test_hutch_pasta_runs_the_given_pasta() {
    command -v pasta >/dev/null || skip "no pasta on PATH"
    local addr port
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    run env HUTCH_PASTA="$(command -v pasta)" "$HUTCH" run --rm "$IMG" wget -q -O - "http://$addr:$port/token"
    assert_ok
    assert_eq "token-$$" "$out"
    run env HUTCH_PASTA=/nonexistent/pasta "$HUTCH" run --rm "$IMG" true
    assert_error 125
    assert_contains "$err" "network engine /nonexistent/pasta failed"
}

# podman's name picks slirp4netns, the engine used where pasta is missing.
test_slirp4netns_engine() {
    command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
    local addr port
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    run hutch run --rm --network slirp4netns "$IMG" sh -c \
        "ip -4 -o addr show eth0; ip route; cat /sys/class/net/eth0/mtu /sys/class/net/eth0/address; tail -n 1 /etc/hosts; wget -q -O - http://$addr:$port/token"
    assert_ok
    assert_contains "$out" "inet 172.17.0.100/16"
    assert_line "$out" "default via 172.17.0.2 dev eth0 "
    assert_line "$out" "65520"
    assert_line "$out" "02:42:ac:11:00:64"
    assert_match "$out" $'172\\.17\\.0\\.100\t[0-9a-f]{12}'
    assert_line "$out" "token-$$"
    if [ -n "${TEST_DNS:-}" ]; then
        run hutch run --rm --network slirp4netns "$IMG" sh -c 'grep nameserver /etc/resolv.conf; nslookup hutch-dns.test'
        assert_ok
        assert_line "$out" "nameserver 172.17.0.3"
        assert_contains "$out" "10.11.12.13"
    fi
}

test_slirp4netns_publish_and_host_gateway() {
    command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
    local c port lport
    c=$(name)
    port=$(free_port)
    run hutch run -d --name "$c" --network slirp4netns -p "127.0.0.1:$port:80" "$IMG" \
        sh -c 'mkdir /www && echo via-slirp >/www/index.html && exec httpd -f -p 80 -h /www'
    assert_ok
    wait_http "http://127.0.0.1:$port/"
    run curl -sS --max-time 5 "http://127.0.0.1:$port/"
    assert_eq "via-slirp" "$out"
    run hutch port "$c" 80
    assert_eq "127.0.0.1:$port" "$out"
    run hutch inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}' "$c"
    assert_eq "172.17.0.100 172.17.0.2" "$out"
    hutch rm -f "$c" >/dev/null
    lport=$(free_port)
    http_server 127.0.0.1 "$lport"
    run hutch run --rm --network slirp4netns --add-host host.docker.internal:host-gateway "$IMG" \
        wget -q -O - "http://host.docker.internal:$lport/token"
    assert_ok
    assert_eq "token-$$" "$out"
    run hutch run --rm --network slirp4netns "$IMG" sh -c "timeout 3 wget -q -O - http://172.17.0.2:$lport/token; echo status=\$?"
    assert_not_contains "$out" "token-$$" "what a container without host-gateway got"
}
