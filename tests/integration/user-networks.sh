# hutch run --network NAME on a user network (hutch network create): the
# network's bridge and embedded DNS, --ip, --mac-address, --network-alias,
# --link, --internal, host-gateway, and the keeper that runs only while a
# container uses the network. Real traffic only: busybox's nc, httpd, wget and
# nslookup in the containers, servers of the test on the host.

# user_network [OPTIONS...]: a fresh network, its name in $net (removed by
# the test's end with its containers).
user_network() {
    net=$(name)
    run hutch network create "$@" "$net"
    assert_ok
}

# serve NAME [RUN OPTIONS...]: a detached container on $net whose httpd
# answers "from-NAME" on port 80.
serve() {
    local c=$1
    shift
    run hutch run -d --name "$c" --network "$net" "$@" "$IMG" \
        sh -c "mkdir -p /www && echo from-$c >/www/index.html && exec httpd -f -p 80 -h /www"
    assert_ok
}

# fetch URL...: a container on $net fetches each URL (retrying while the
# server starts) and prints what it got.
fetch_from_network() {
    local script='for u in "$@"; do for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - "$u" && break; sleep 0.2; done; done'
    run hutch run --rm --network "$net" "$IMG" sh -c "$script" _ "$@"
}

# Nothing of the network runs once its containers are gone.
assert_keeper_gone() {
    local i
    for ((i = 0; i < 50; i++)); do
        pgrep -u "$(id -u)" -f "__network-keeper" >/dev/null || return 0
        sleep 0.1
    done
    fail "the network's keeper is still running" "$(pgrep -a -f __network-keeper)"
}

test_containers_reach_each_other_by_name_alias_and_id() {
    local web id
    user_network
    web=$(name)
    serve "$web" --network-alias www --network-alias WebAlias
    id=$(hutch inspect -f '{{.Id}}' "$web")
    fetch_from_network "http://$web/" "http://www/" "http://webalias/" "http://${id:0:12}/"
    assert_ok
    assert_eq $'from-'"$web"$'\nfrom-'"$web"$'\nfrom-'"$web"$'\nfrom-'"$web" "$out" "by name, aliases and short id"
    run hutch run --rm --network "$net" "$IMG" sh -c 'cat /etc/resolv.conf; ip -4 -o addr show eth0; ip route; echo mtu=$(cat /sys/class/net/eth0/mtu)'
    assert_ok
    assert_line "$out" "mtu=65520"
    assert_line "$out" "nameserver 127.0.0.11"
    # docker's ndots:0 unless the host's options name ndots (the test
    # runner's resolv.conf does)
    assert_match "$out" "options .*ndots:[01]"
    local subnet gateway
    subnet=$(hutch network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$net")
    gateway=$(hutch network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$net")
    assert_contains "$out" "inet ${subnet%.0/16}.3/16" "the second container's address"
    assert_line "$out" "default via $gateway dev eth0 "
    # A name the network does not know is not found (and nothing hangs).
    run hutch run --rm --network "$net" "$IMG" nslookup no-such-container-here
    assert_status 1
    hutch rm -f "$web" >/dev/null
    assert_keeper_gone
    hutch network rm "$net" >/dev/null
}

test_ip_and_mac_address_and_inspect() {
    local c
    user_network --subnet 10.77.0.0/24
    c=$(name)
    serve "$c" --ip 10.77.0.50 --mac-address 92:d0:c6:0a:29:33 --network-alias svc
    run hutch exec "$c" sh -c 'ip -4 -o addr show eth0; cat /sys/class/net/eth0/address; tail -n 1 /etc/hosts'
    assert_ok
    assert_contains "$out" "inet 10.77.0.50/24"
    assert_line "$out" "92:d0:c6:0a:29:33"
    assert_match "$out" $'10\\.77\\.0\\.50\t[0-9a-f]{12}$'
    run hutch inspect -f '{{with index .NetworkSettings.Networks "'"$net"'"}}{{.IPAddress}} {{.IPAMConfig.IPv4Address}} {{.MacAddress}} {{.Gateway}}{{end}} {{.Config.MacAddress}}' "$c"
    assert_eq "10.77.0.50 10.77.0.50 92:d0:c6:0a:29:33 10.77.0.1 92:d0:c6:0a:29:33" "$out"
    run hutch inspect -f '{{json (index .NetworkSettings.Networks "'"$net"'").Aliases}}' "$c"
    assert_match "$out" '^\["svc","[0-9a-f]{12}"\]$'
    # The address is taken: a second container asking for it does not start.
    run hutch run --rm --network "$net" --ip 10.77.0.50 "$IMG" true
    assert_error 125
    assert_contains "$err" "Address already in use"
    run hutch run --rm --network "$net" --ip 10.78.0.5 "$IMG" true
    assert_error 125
    assert_contains "$err" "no configured subnet or ip-range contain the IP address 10.78.0.5"
    # Stopped and started again, it gets the same address back.
    hutch stop -t 0 "$c" >/dev/null
    run hutch start "$c"
    assert_ok
    run hutch exec "$c" ip -4 -o addr show eth0
    assert_contains "$out" "inet 10.77.0.50/24"
    hutch rm -f "$c" >/dev/null
    hutch network rm "$net" >/dev/null
}

test_endpoint_flags_need_a_user_network_125() {
    local before
    before=$(hutch ps -aq | wc -l)
    run hutch run --rm --ip 172.17.0.9 "$IMG" true
    assert_error 125
    assert_contains "$err" "user specified IP address is supported on user defined networks only"
    run hutch run --rm --network-alias x "$IMG" true
    assert_error 125
    assert_contains "$err" "network-scoped alias is supported only for containers in user defined networks"
    run hutch run --rm --link somebody "$IMG" true
    assert_error 125
    assert_contains "$err" "--link needs a user network"
    run hutch run --rm --network host --link somebody "$IMG" true
    assert_error 125
    assert_contains "$err" "host type networking can't be used with links"
    run hutch run --rm --ip not-an-ip "$IMG" true
    assert_error 125
    assert_contains "$err" "invalid IPv4 address: not-an-ip"
    run hutch run --rm --mac-address 92:d0:c6:0a:29 "$IMG" true
    assert_error 125
    assert_contains "$err" "92:d0:c6:0a:29 is not a valid mac address"
    run hutch run --rm --network no-such-network "$IMG" true
    assert_error 125
    assert_contains "$err" "network no-such-network not found"
    run hutch run --rm --network-alias 'a b' "$IMG" true
    assert_error 125
    assert_contains "$err" "invalid network alias a b"
    run hutch network connect --alias $'x\ny' bridge somebody
    assert_error 1
    assert_contains "$err" 'invalid network alias x\ny'

    [ "$(hutch ps -aq | wc -l)" = "$before" ] || fail "a container was left" "$(hutch ps -a)"
}

test_link_is_written_to_hosts() {
    local web c
    user_network
    web=$(name)
    serve "$web"
    c=$(name)
    run hutch run --rm --name "$c" --network "$net" --link "$web:db" "$IMG" \
        sh -c 'tail -n 2 /etc/hosts; for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://db/ && break; sleep 0.2; done'
    assert_ok
    local ip id
    ip=$(hutch inspect -f '{{(index .NetworkSettings.Networks "'"$net"'").IPAddress}}' "$web")
    id=$(hutch inspect -f '{{.Id}}' "$web")
    assert_line "$out" "$ip"$'\t'"db ${id:0:12} $web"
    assert_line "$out" "from-$web"
    run hutch run --rm --network "$net" --link no-such-container:db "$IMG" true
    assert_error 125
    assert_contains "$err" "could not get container for no-such-container"
    hutch stop -t 0 "$web" >/dev/null
    run hutch run --rm --network "$net" --link "$web:db" "$IMG" true
    assert_error 125
    assert_contains "$err" "Cannot link to a non running container: /$web AS /"
    hutch rm -f "$web" >/dev/null
    hutch network rm "$net" >/dev/null
}

test_outbound_and_dns_through_the_hosts_resolvers() {
    local addr port
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    user_network
    run hutch run --rm --network "$net" "$IMG" wget -q -O - "http://$addr:$port/token"
    assert_ok
    assert_eq "token-$$" "$out" "page fetched through the network's way out"
    if [ -n "${TEST_DNS:-}" ]; then
        # The embedded DNS asks the host's resolver for what it does not know.
        run hutch run --rm --network "$net" "$IMG" nslookup hutch-dns.test
        assert_ok
        assert_contains "$out" "10.11.12.13" "the answer"
        # With --dns it asks that server instead (one that never answers
        # here), while the network's own names still resolve.
        run hutch run --rm --network "$net" --dns 192.0.2.254 "$IMG" \
            sh -c 'grep nameserver /etc/resolv.conf; nslookup hutch-dns.test; echo status=$?; nslookup "$(hostname)." | grep -c Address'
        assert_ok
        assert_line "$out" "nameserver 127.0.0.11"
        assert_line "$out" "status=1"
        assert_not_contains "$out" "10.11.12.13"
        assert_line "$out" "2"
    fi
    hutch network rm "$net" >/dev/null
}

test_internal_network_has_no_way_out() {
    local addr port web
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    user_network --internal
    web=$(name)
    serve "$web"
    run hutch run --rm --network "$net" "$IMG" \
        sh -c "ip route; timeout 3 wget -q -O - http://$addr:$port/token; echo status=\$?; wget -q -O - http://$web/"
    assert_ok
    assert_no_line "$out" "token-$$"
    assert_not_contains "$out" "default via" "the routes"
    assert_line "$out" "from-$web"
    assert_not_contains "$(cat "$WORK/http.log")" "GET /token" "the host's server log"
    hutch rm -f "$web" >/dev/null
    hutch network rm "$net" >/dev/null
}

test_host_gateway_alone_reaches_the_hosts_loopback() {
    local port
    port=$(free_port)
    http_server 127.0.0.1 "$port"
    user_network
    run hutch run --rm --network "$net" --add-host host.docker.internal:host-gateway "$IMG" \
        sh -c "grep host.docker.internal /etc/hosts; wget -q -O - http://host.docker.internal:$port/token"
    assert_ok
    assert_eq $'169.254.1.1\thost.docker.internal\ntoken-'$$ "$out"
    run hutch run --rm --network "$net" "$IMG" \
        sh -c "timeout 3 wget -q -O - http://169.254.1.1:$port/token; echo status=\$?"
    assert_not_contains "$out" "token-$$" "what a container without host-gateway got"
    [ "$(grep -c "GET /token" "$WORK/http.log")" = 1 ] || fail "the host's server log" "$(cat "$WORK/http.log")"
    hutch network rm "$net" >/dev/null
}

test_network_rm_waits_for_its_running_containers() {
    local c
    user_network
    c=$(name)
    run hutch run -d --name "$c" --network "$net" "$IMG" sleep 600
    assert_ok
    run hutch network rm "$net"
    assert_error 1
    assert_contains "$err" "has active endpoints"
    run hutch network ls -q --filter "name=$net"
    [ -n "$out" ] || fail "the network went"
    hutch rm -f "$c" >/dev/null
    assert_keeper_gone
    run hutch network rm "$net"
    assert_ok
}

test_many_containers_on_one_network() {
    local i names=() pids=()
    user_network
    for ((i = 0; i < 8; i++)); do
        names+=("$(name)")
        hutch run -d --name "${names[i]}" --network "$net" "$IMG" \
            sh -c "mkdir /www && echo n$i >/www/index.html && exec httpd -f -p 80 -h /www" >"$WORK/id.$i" 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < 8; i++)); do
        wait "${pids[i]}" || fail "run -d $i failed" "$(cat "$WORK/id.$i")"
    done
    local urls=()
    for ((i = 0; i < 8; i++)); do urls+=("http://${names[i]}/"); done
    fetch_from_network "${urls[@]}"
    assert_ok
    assert_eq "$(printf 'n%s\n' 0 1 2 3 4 5 6 7)" "$out"
    hutch rm -f "${names[@]}" >/dev/null
    assert_keeper_gone
    hutch network rm "$net" >/dev/null
}

test_published_ports_on_a_user_network() {
    local web port
    user_network
    web=$(name)
    port=$(free_port)
    serve "$web" -p "127.0.0.1:$port:80" -p 8080 --expose 9000 -P
    wait_http "http://127.0.0.1:$port/"
    run curl -sS --max-time 5 "http://127.0.0.1:$port/"
    assert_eq "from-$web" "$out" "through the published port"
    run hutch port "$web" 80
    assert_eq "127.0.0.1:$port" "$out"
    local random
    random=$(hutch port "$web" 8080)
    assert_match "$random" '^0\.0\.0\.0:[0-9]+$'
    run hutch port "$web" 9000
    assert_match "$out" '^0\.0\.0\.0:[0-9]+$' "-P publishes --expose's port"
    # A second container cannot take the port; nothing of it is left running.
    run hutch run -d --network "$net" -p "127.0.0.1:$port:80" "$IMG" sleep 60
    assert_error 125
    assert_contains "$err" "listen tcp4 127.0.0.1:$port: bind: address already in use"
    # Many connections at once, each its own.
    local i pids=()
    for ((i = 0; i < 20; i++)); do
        curl -sS --max-time 10 "http://127.0.0.1:$port/" >"$WORK/curl.$i" 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < 20; i++)); do
        wait "${pids[i]}" || fail "curl $i" "$(cat "$WORK/curl.$i")"
        [ "$(cat "$WORK/curl.$i")" = "from-$web" ] || fail "curl $i got" "$(cat "$WORK/curl.$i")"
    done
    # The port goes with the container.
    hutch rm -f "$web" >/dev/null
    run curl -sS --max-time 3 "http://127.0.0.1:$port/"
    assert_status 7
    assert_keeper_gone
    hutch network rm "$net" >/dev/null
}

test_published_udp_on_a_user_network() {
    local c port
    user_network
    c=$(name)
    port=$(free_port)
    run hutch run -d --name "$c" --network "$net" -p "$port:9999/udp" "$IMG" sleep 60
    assert_ok
    assert_udp_reaches "$c" "$port"
    hutch rm -f "$c" >/dev/null
    hutch network rm "$net" >/dev/null
}

test_network_connect_a_created_container() {
    local web c
    user_network
    web=$(name)
    serve "$web"
    c=$(name)
    run hutch create --name "$c" "$IMG" sh -c \
        'grep nameserver /etc/resolv.conf; tail -n 2 /etc/hosts; ip -4 -o addr show eth0; wget -q -O - http://db/'
    assert_ok
    run hutch network connect --ip 10.99.0.0 --alias x "$net" "$c"
    assert_error 1
    assert_contains "$err" "no configured subnet or ip-range contain the IP address 10.99.0.0"
    local subnet ip
    subnet=$(hutch network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$net")
    ip=${subnet%.0/16}.200
    run hutch network connect --ip "$ip" --alias other-name --link "$web:db" "$net" "$c"
    assert_ok
    run hutch start -a "$c"
    assert_ok
    assert_line "$out" "nameserver 127.0.0.11"
    assert_contains "$out" $'\tdb '
    assert_contains "$out" "inet $ip/16"
    assert_line "$out" "from-$web"
    run hutch inspect -f '{{.HostConfig.NetworkMode}}' "$c"
    assert_eq "$net" "$out"
    # docker's refusals
    run hutch network connect "$net" "$c"
    assert_error 1
    assert_contains "$err" "endpoint with name $c already exists in network $net"
    run hutch network connect host "$c"
    assert_error 1
    assert_contains "$err" "connected to host network"
    run hutch network connect no-such-network "$c"
    assert_error 1
    assert_contains "$err" "network no-such-network not found"
    run hutch network connect "$net" no-such-container
    assert_error 1
    assert_contains "$err" "No such container: no-such-container"
    run hutch network connect "$net" "$web"
    assert_error 1
    # Disconnected, it starts on no network.
    run hutch network disconnect "$net" "$c"
    assert_ok
    run hutch network disconnect "$net" "$c"
    assert_error 1
    assert_contains "$err" "is not connected to network $net"
    run hutch start -a "$c"
    assert_not_contains "$out" "inet " "addresses after the disconnect"
    hutch rm -f "$web" "$c" >/dev/null
    hutch network rm "$net" >/dev/null
}

test_network_disconnect_a_running_container() {
    local c port
    user_network
    c=$(name)
    port=$(free_port)
    serve "$c" -p "127.0.0.1:$port:80"
    wait_http "http://127.0.0.1:$port/"
    run hutch network disconnect "$net" "$c"
    assert_ok
    run hutch exec "$c" cat /proc/net/dev
    assert_ok
    assert_not_contains "$out" "eth0" "its interfaces"
    run curl -sS --max-time 3 "http://127.0.0.1:$port/"
    assert_status 7
    run hutch inspect -f '{{.HostConfig.NetworkMode}} "{{.NetworkSettings.IPAddress}}" {{.State.Status}}' "$c"
    assert_eq 'none "" running' "$out"
    # Nothing holds the network now.
    assert_keeper_gone
    run hutch network rm "$net"
    assert_ok
    hutch rm -f "$c" >/dev/null
}

test_a_container_on_two_networks() {
    local front back web db id port addr
    user_network
    front=$net
    user_network
    back=$net
    web=$(name)
    db=$(name)
    net=$front
    serve "$web" --network-alias www
    net=$back
    serve "$db"
    # The networks are apart.
    local db_ip
    db_ip=$(hutch inspect -f '{{.NetworkSettings.IPAddress}}' "$db")
    run hutch exec "$web" sh -c "timeout 3 wget -q -O - http://$db_ip/; echo status=\$?"
    assert_not_contains "$out" "from-$db" "the other network's container, by address"
    # Connected while it runs, web gets eth1 on the back network, and each
    # side's names.
    run hutch network connect --alias api "$back" "$web"
    assert_ok
    run hutch exec "$web" sh -c "cat /proc/net/dev; wget -q -O - http://$db/"
    assert_ok
    assert_contains "$out" "eth1:"
    assert_line "$out" "from-$db"
    run hutch exec "$db" sh -c "wget -q -O - http://api/; wget -q -O - http://$web/; nslookup www; echo status=\$?"
    assert_ok
    assert_contains "$out" "from-$web"$'\n'"from-$web" "web by its alias on the back network and by name"
    # An alias is the network's: www is web's on the front network only.
    assert_line "$out" "status=1"
    run hutch ps --filter "name=$web" --format '{{.Networks}}'
    assert_eq "$front,$back" "$out"
    run hutch network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$back"
    assert_contains "$out" "$web"
    run hutch inspect -f '{{with index .NetworkSettings.Networks "'"$back"'"}}{{.IPAddress}} {{.Aliases}}{{end}}' "$web"
    assert_match "$out" '^[0-9.]+ \[api [0-9a-f]{12}\]$'
    # Off its first network, it keeps its way out through the other.
    addr=$(host_address)
    port=$(free_port)
    http_server 0.0.0.0 "$port"
    run hutch network disconnect "$front" "$web"
    assert_ok
    run hutch exec "$web" sh -c "cat /proc/net/dev; ip route; wget -q -O - http://$addr:$port/token"
    assert_ok
    assert_not_contains "$out" "eth0:" "its interfaces"
    assert_line "$out" "token-$$"
    run hutch inspect -f '{{.HostConfig.NetworkMode}}' "$web"
    assert_eq "$back" "$out"
    # Stopped and started, it is where it was left.
    hutch stop -t 0 "$web" >/dev/null
    hutch start "$web" >/dev/null
    run hutch exec "$web" wget -q -O - "http://$db/"
    assert_line "$out" "from-$db"
    hutch rm -f "$web" "$db" >/dev/null
    assert_keeper_gone
    hutch network rm "$front" "$back" >/dev/null
}

test_network_connect_a_stopped_container_to_a_second_network() {
    local one two c
    user_network
    one=$net
    user_network
    two=$net
    c=$(name)
    run hutch create --name "$c" --network "$one" "$IMG" sh -c 'cat /proc/net/dev'
    assert_ok
    run hutch network connect "$two" "$c"
    assert_ok
    run hutch start -a "$c"
    assert_ok
    assert_contains "$out" "eth0:"
    assert_contains "$out" "eth1:"
    run hutch network disconnect "$one" "$c"
    assert_ok
    run hutch inspect -f '{{.HostConfig.NetworkMode}}' "$c"
    assert_eq "$two" "$out"
    run hutch start -a "$c"
    assert_contains "$out" "eth0:"
    assert_not_contains "$out" "eth1:"
    hutch rm -f "$c" >/dev/null
    hutch network rm "$one" "$two" >/dev/null
}
