# hutch network create|ls|inspect|rm|prune: docker's records, subnets,
# output, filters, formats and exit statuses (1 when a command fails, 125 for
# usage). What a network does for its containers is tested elsewhere.
#
# A container on a network is a record edited by hand (HostConfig.NetworkMode
# in container.json; for a running one also State and a live MonitorPid), so
# these tests do not depend on run --network.

PRUNE_PROMPT=$'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] '

# on_network CONTAINER NETWORK [IP]: the record names NETWORK; with IP, it
# also runs there: a sleep of the test stands for its monitor.
on_network() {
    local id pid="" start=""
    id=$(hutch inspect -f '{{.Id}}' "$1") || fail "no container $1"
    if [ -n "${3:-}" ]; then
        spawn "$WORK/sleep.out" sleep 600
        pid=$spawned
        start=$(python3 -c 'import sys; print(open("/proc/%s/stat" % sys.argv[1]).read().rsplit(")", 1)[1].split()[19])' "$pid")
    fi
    python3 - "$HUTCH_ROOT/containers/$id/container.json" "$2" "${3:-}" "$pid" "$start" <<'EOF' || fail "cannot edit the record of $id"
import json, os, sys
path, network, ip, pid, start = sys.argv[1:]
with open(path) as f:
    record = json.load(f)
record["HostConfig"]["NetworkMode"] = network
if ip:
    record.update(State="running", IPAddress=ip, MonitorPid=int(pid), MonitorStart=int(start))
with open(path + ".tmp", "w") as f:
    json.dump(record, f)
os.rename(path + ".tmp", path)
EOF
}

# A created (never started) container: its record is all these tests need.
container() { hutch create --name "$1" "$IMG" true >/dev/null || fail "cannot create $1"; }

test_network_create_picks_dockers_pools_in_order() {
    fresh_store
    run hutch network create one
    assert_ok
    assert_match "$out" '^[0-9a-f]{64}$'
    local id=$out
    [ -f "$HUTCH_ROOT/networks/$id.json" ] || fail "no record" "$(ls -la "$HUTCH_ROOT/networks")"
    hutch network create two >/dev/null
    run hutch network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' one two
    assert_ok
    assert_eq $'172.18.0.0/16 172.18.0.1\n172.19.0.0/16 172.19.0.1' "$out"
    # A user's subnet inside the next pool makes it skip that pool.
    hutch network create mine --subnet 172.20.8.0/24 >/dev/null
    hutch network create three >/dev/null
    run hutch network inspect -f '{{(index .IPAM.Config 0).Subnet}}' three
    assert_eq "172.21.0.0/16" "$out"
    # After 172.31.0.0/16: 192.168.0.0/20, then 192.168.16.0/20.
    local n
    for n in 22 23 24 25 26 27 28 29 30 31; do hutch network create "p$n" >/dev/null || fail "p$n"; done
    run hutch network inspect -f '{{(index .IPAM.Config 0).Subnet}}' p31
    assert_eq "172.31.0.0/16" "$out"
    hutch network create q1 >/dev/null
    hutch network create q2 >/dev/null
    run hutch network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' q1 q2
    assert_eq $'192.168.0.0/20 192.168.0.1\n192.168.16.0/20 192.168.16.1' "$out"
    # A removed network's pool is free again.
    hutch network rm two >/dev/null
    run hutch network create again
    assert_ok
    run hutch network inspect -f '{{(index .IPAM.Config 0).Subnet}}' again
    assert_eq "172.19.0.0/16" "$out"
}

test_network_create_subnet_and_gateway() {
    fresh_store
    run hutch network create --subnet 10.5.0.0/16 --gateway 10.5.0.254 a
    assert_ok
    run hutch network inspect -f '{{json .IPAM.Config}}' a
    assert_eq '[{"Subnet":"10.5.0.0/16","Gateway":"10.5.0.254"}]' "$out"
    run hutch network create --subnet 10.6.0.0/24 b
    assert_ok
    run hutch network inspect -f '{{json .IPAM.Config}}' b
    assert_eq '[{"Subnet":"10.6.0.0/24","Gateway":"10.6.0.1"}]' "$out" "the default gateway is the first address"
    run hutch network create --subnet 10.6.0.0/24 --ip-range 10.6.0.0/24 c2 --subnet 10.7.0.0/24
    assert_error 1
    assert_eq "hutch: hutch networks take one subnet: --subnet was given 2 times" "$err"
    run hutch network create --subnet 10.7.0.0/24 --ip-range 10.7.0.0/24 c
    assert_ok "--ip-range equal to the subnet"
    run hutch network create --subnet 10.8.0.0/24 --ip-range 10.8.0.0/25 d
    assert_error 1
    assert_contains "$err" "--ip-range 10.8.0.0/25: hutch allocates from the whole subnet"
    run hutch network create --subnet 10.8.0.0/24 --ip-range 10.9.0.0/25 d
    assert_error 1
    assert_eq "hutch: no matching subnet for range 10.9.0.0/25" "$err"

    run hutch network create --subnet 10.5.3.0/24 overlap
    assert_error 1
    assert_eq "hutch: Pool overlaps with other one on this address space" "$err"
    run hutch network create --subnet 10.0.0.0/8 wider
    assert_error 1
    assert_eq "hutch: Pool overlaps with other one on this address space" "$err" "a subnet around another"
    run hutch network create --subnet 172.17.5.0/24 default-bridge
    assert_error 1
    assert_eq "hutch: Pool overlaps with other one on this address space" "$err" "the predefined bridge's"
    run hutch network create --subnet 10.300.0.0/16 bad
    assert_error 1
    assert_eq "hutch: Invalid subnet 10.300.0.0/16 : invalid CIDR address: 10.300.0.0/16" "$err"
    run hutch network create --subnet 10.20.0.0 bad
    assert_error 1
    assert_eq "hutch: Invalid subnet 10.20.0.0 : invalid CIDR address: 10.20.0.0" "$err"
    run hutch network create --subnet 10.20.0.0/16 --gateway 10.21.0.1 bad
    assert_error 1
    assert_eq "hutch: no matching subnet for gateway 10.21.0.1" "$err"
    run hutch network create --gateway 10.21.0.1 bad
    assert_error 1
    assert_eq "hutch: every ip-range or gateway must have a corresponding subnet" "$err"
    run hutch network create --subnet fd00::/64 bad
    assert_error 1
    assert_contains "$err" "IPv6"
    run hutch network create --ipv6 bad
    assert_error 1
    assert_eq "hutch: --ipv6: hutch networks are IPv4 only for now" "$err"
    run hutch network ls -q -f name=bad
    assert_eq "" "$out" "nothing of the refused ones"
}

test_network_create_names_and_drivers() {
    fresh_store
    run hutch network create -d bridge --internal --attachable --label a=1 --label b -o com.example=x net.1_a-b
    assert_ok
    run hutch network inspect -f '{{.Driver}} {{.Internal}} {{.Attachable}} {{json .Labels}} {{json .Options}}' net.1_a-b
    assert_eq 'bridge true true {"a":"1","b":""} {"com.example":"x"}' "$out"
    run hutch network create net.1_a-b
    assert_error 1
    assert_eq "hutch: network with name net.1_a-b already exists" "$err"
    local name
    for name in bridge host none default; do
        run hutch network create "$name"
        assert_error 1
        assert_eq "hutch: operation is not permitted on predefined $name network" "$err"
    done
    run hutch network create 'a/b'
    assert_error 1
    assert_contains "$err" 'invalid name: a/b'
    run hutch network create -- -x
    assert_error 1
    run hutch network create -d macvlan m
    assert_error 1
    assert_eq 'hutch: plugin "macvlan" not found' "$err"
    run hutch network create
    assert_status 1
    assert_contains "$err" '"hutch network create" requires exactly 1 argument.'
    run hutch network create a b
    assert_status 1
}

test_network_ls() {
    fresh_store
    run hutch network ls
    assert_ok
    local bridge host none
    bridge=$(hutch network inspect -f '{{.Id}}' bridge)
    host=$(hutch network inspect -f '{{.Id}}' host)
    none=$(hutch network inspect -f '{{.Id}}' none)
    assert_eq "NETWORK ID     NAME      DRIVER    SCOPE
${bridge:0:12}   bridge    bridge    local
${host:0:12}   host      host      local
${none:0:12}   none      null      local" "$out"
    run hutch network ls
    assert_eq "${bridge:0:12}" "$(sed -n 2p <<<"$out" | cut -c1-12)" "the predefined ids stay"
    local a
    a=$(hutch network create --label env=prod --label tier a)
    hutch network create --label env=dev net10 >/dev/null
    hutch network create net9 >/dev/null
    run hutch network ls --format '{{.Name}}'
    assert_eq $'a\nbridge\nhost\nnet9\nnet10\nnone' "$out" "natural order"
    run hutch network ls -q
    assert_line "$out" "${a:0:12}"
    assert_eq 6 "$(wc -l <<<"$out")"
    run hutch network ls -q --no-trunc -f name=^a$
    assert_eq "$a" "$out"
    run hutch network ls --format 'table {{.Name}}\t{{.IPv6}}\t{{.Internal}}' -f name=a
    assert_eq $'NAME      IPV6      INTERNAL\na         false     false' "$out"
    run hutch network ls --format '{{.Label "env"}}|{{.Labels}}' -f name=^a
    assert_eq "prod|env=prod,tier=" "$out"
    run hutch network ls --format '{{.CreatedAt}}' -f name=^a
    assert_match "$out" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}(\.[0-9]+)? [-+][0-9]{4} [A-Z]+$'
    run hutch network ls --format json -f name=^a
    assert_match "$out" '^\{"CreatedAt":"[^"]*","Driver":"bridge","ID":"[0-9a-f]{12}","IPv6":"false","Internal":"false","Labels":"env=prod,tier=","Name":"a","Scope":"local"\}$'

    run hutch network ls -q -f driver=null --format '{{.Name}}'
    assert_eq "none" "$out"
    run hutch network ls -f id="${a:0:5}" --format '{{.Name}}'
    assert_eq "a" "$out"
    run hutch network ls -f label=env --format '{{.Name}}'
    assert_eq $'a\nnet10' "$out"
    run hutch network ls -f label=env=dev --format '{{.Name}}'
    assert_eq "net10" "$out"
    run hutch network ls -f name=net -f name=^b --format '{{.Name}}'
    assert_eq $'bridge\nnet9\nnet10' "$out" "values of one key: any"
    run hutch network ls -f scope=local -f type=builtin --format '{{.Name}}'
    assert_eq $'bridge\nhost\nnone' "$out"
    run hutch network ls -f type=custom --format '{{.Name}}'
    assert_eq $'a\nnet9\nnet10' "$out"
    run hutch network ls -f scope=swarm --format '{{.Name}}'
    assert_eq "" "$out"
    run hutch network ls -f type=other
    assert_error 1
    assert_eq "hutch: invalid filter: 'type'='other'" "$err"
    run hutch network ls -f nope=1
    assert_error 1
    assert_eq "hutch: Invalid filter 'nope'" "$err"

    load base.tar
    container idle
    on_network idle net9
    container busy
    on_network busy net10 10.0.0.2
    run hutch network ls -f dangling=true --format '{{.Name}}'
    assert_eq $'a\nnet9' "$out" "a stopped container does not hold its network"
    run hutch network ls -f dangling=0 --format '{{.Name}}'
    assert_eq $'bridge\nhost\nnet10\nnone' "$out"
    run hutch network ls -f dangling=maybe
    assert_error 1
    assert_eq "hutch: invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")" "$err"
    run hutch network ls -f dangling=true -f dangling=false
    assert_error 1
    assert_eq 'hutch: got more than one value for filter key "dangling"' "$err"
    run hutch network list -q
    assert_ok
    assert_eq 6 "$(wc -l <<<"$out")" "network list is network ls"
}

test_network_inspect() {
    fresh_store
    local id
    id=$(hutch network create --subnet 10.10.0.0/16 --label k=v -o o1=x n1)
    run hutch network inspect n1
    assert_ok
    python3 - "$out" "$id" <<'EOF' || fail "inspect JSON" "$out"
import json, re, sys
[n] = json.loads(sys.argv[1])
assert list(n) == ["Name", "Id", "Created", "Scope", "Driver", "EnableIPv6", "IPAM", "Internal", "Attachable",
                   "Ingress", "ConfigFrom", "ConfigOnly", "Containers", "Options", "Labels"], list(n)
assert n["Name"] == "n1" and n["Id"] == sys.argv[2], n
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[-+]\d\d:\d\d)", n["Created"]), n["Created"]
assert n["Scope"] == "local" and n["Driver"] == "bridge" and n["EnableIPv6"] is False
assert n["IPAM"] == {"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.10.0.0/16", "Gateway": "10.10.0.1"}]}, n["IPAM"]
assert n["Internal"] is False and n["Attachable"] is False and n["Ingress"] is False and n["ConfigOnly"] is False
assert n["ConfigFrom"] == {"Network": ""} and n["Containers"] == {}
assert n["Options"] == {"o1": "x"} and n["Labels"] == {"k": "v"}, n
EOF
    run hutch network inspect bridge host none
    assert_ok
    python3 - "$out" <<'EOF' || fail "predefined networks" "$out"
import json, sys
bridge, host, none = json.loads(sys.argv[1])
assert bridge["Name"] == "bridge" and bridge["Driver"] == "bridge", bridge
assert bridge["IPAM"] == {"Driver": "default", "Options": None, "Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]}
assert bridge["Options"]["com.docker.network.bridge.default_bridge"] == "true"
assert bridge["Options"]["com.docker.network.bridge.name"] == "docker0"
assert host["Driver"] == "host" and host["IPAM"]["Config"] == [] and host["Options"] == {}
assert none["Driver"] == "null" and none["IPAM"]["Config"] == []
for n in (bridge, host, none):
    assert len(n["Id"]) == 64 and n["Labels"] == {} and n["Scope"] == "local", n
EOF
    run hutch network inspect -f '{{.Name}} {{.Driver}}' n1 "${id:0:10}" "$id" none
    assert_ok
    assert_eq $'n1 bridge\nn1 bridge\nn1 bridge\nnone null' "$out" "by name, id prefix and id"
    run hutch network inspect --format json n1
    assert_ok
    assert_match "$out" '^\[\{"Name":"n1",'
    run hutch network inspect n1 nosuch
    assert_error 1
    assert_eq "hutch: No such network: nosuch" "$err"
    assert_contains "$out" '"Name": "n1"'
    run hutch network inspect -f '{{.Nope' n1
    assert_error 1
    assert_contains "$err" "template parsing error"
    run hutch inspect -f '{{.Name}} {{.Driver}}' n1 bridge
    assert_ok
    assert_eq $'n1 bridge\nbridge bridge' "$out" "inspect finds networks too"
    run hutch inspect --type network nosuch
    assert_error 1
    assert_eq "hutch: No such network: nosuch" "$err"

    # Containers: the running ones on it, with docker's MAC for the address.
    load base.tar
    container off
    on_network off n1
    container on
    on_network on n1 10.10.0.2
    local cid
    cid=$(hutch inspect -f '{{.Id}}' on)
    run hutch network inspect -f '{{json .Containers}}' n1
    assert_eq "{\"$cid\":{\"Name\":\"on\",\"EndpointID\":\"\",\"MacAddress\":\"02:42:0a:0a:00:02\",\"IPv4Address\":\"10.10.0.2/16\",\"IPv6Address\":\"\"}}" "$out"
    container by-id
    on_network by-id "$id" 10.10.0.3
    run hutch network inspect -f '{{len .Containers}}' n1
    assert_eq "2" "$out" "a record may name it by id"
}

test_network_rm() {
    fresh_store
    hutch network create a >/dev/null
    hutch network create b >/dev/null
    local c
    c=$(hutch network create c)
    run hutch network rm a nosuch "${c:0:12}" bridge
    assert_status 1
    assert_eq $'a\n'"${c:0:12}" "$out"
    assert_eq $'hutch: No such network: nosuch\nhutch: bridge is a pre-defined network and cannot be removed' "$err"
    run hutch network ls -q -f type=custom --format '{{.Name}}'
    assert_eq "b" "$out"
    local name
    for name in host none; do
        run hutch network rm "$name"
        assert_error 1
        assert_eq "hutch: $name is a pre-defined network and cannot be removed" "$err"
    done

    load base.tar
    local id
    id=$(hutch network inspect -f '{{.Id}}' b)
    container runs
    on_network runs b 172.19.0.2
    run hutch network rm b
    assert_error 1
    assert_eq "hutch: error while removing network: network b id $id has active endpoints" "$err"
    hutch network create d >/dev/null
    container stopped
    on_network stopped d
    run hutch network remove d
    assert_ok "a stopped container does not hold its network, as in docker"
    assert_eq "d" "$out"
    run hutch network rm
    assert_status 1
}

test_network_prune() {
    fresh_store
    hutch network create --label keep=1 kept >/dev/null
    hutch network create old >/dev/null
    hutch network create --label tier=web web >/dev/null
    run hutch network prune <<<"n"
    assert_ok
    assert_eq "$PRUNE_PROMPT" "$out"
    run hutch network ls -q -f type=custom
    assert_eq 3 "$(wc -l <<<"$out")" "no means nothing is removed"
    run hutch network prune -f --filter 'label!=keep' --filter label=tier
    assert_ok
    assert_eq $'Deleted Networks:\nweb' "$out"
    run hutch network prune -f --filter until=2000-01-01
    assert_ok
    assert_eq "" "$out" "all are newer"
    run hutch network prune -f --filter nope=1
    assert_error 1
    assert_eq "hutch: Invalid filter 'nope'" "$err"

    load base.tar
    container user
    on_network user old 172.19.0.2
    run hutch network prune <<<"y"
    assert_ok
    assert_eq "$PRUNE_PROMPT"$'Deleted Networks:\nkept' "$out"
    run hutch network ls --format '{{.Name}}'
    assert_eq $'bridge\nhost\nnone\nold' "$out" "the predefined ones and the one in use stay"
    run hutch network prune -f
    assert_ok
    assert_eq "" "$out"
}

test_network_commands_in_an_old_store() {
    fresh_store
    rm -rf "$HUTCH_ROOT/networks"
    run hutch network ls -q
    assert_ok
    assert_eq 3 "$(wc -l <<<"$out")"
    run hutch network create a
    assert_ok
    run hutch network prune -f
    assert_ok
    assert_eq $'Deleted Networks:\na' "$out"
}
