#!/usr/bin/env bash
# The default network's cost and throughput, hutch against rootless podman on
# the same machine and image, reported as ratios. A benchmark, not a test.
#
#   start-up: `run --rm IMAGE true` on the default network against
#             `--network none` (the engine's attach is the difference), for
#             hutch (its built-in pasta; Debian's pasta through HUTCH_PASTA;
#             slirp4netns; a user network whose keeper runs)
#             and podman (slirp4netns, its default, and pasta where podman
#             has it: 4.4 and later; Debian 12's is 4.3)
#   throughput, iperf3 for 5 s each way:
#             host -> container through a published port (-p),
#             container -> host outbound (to the host's non-loopback address)
#
# The image is a busybox plus the host's iperf3 and the libraries it links,
# imported into both stores. Runs as hutch-sub when started as root (podman
# needs the subordinate range), else as the caller. Rootful docker
# (docker-proxy) needs its daemon started by hand: not measured here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
hutch=${HUTCH:-$repo/build/hutch}
for tool in iperf3 hyperfine podman; do
    command -v "$tool" >/dev/null || { echo "network.sh: $tool is not installed (scripts/setup.sh)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/hutch-netbench.XXXXXX)
chmod 0755 "$work"
install -m 0755 "$hutch" "$work/hutch"

# busybox, iperf3 and its libraries, as a root filesystem tar
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
cp /bin/busybox "$work/rootfs/bin/busybox"
for applet in sh sleep cat true; do ln -s busybox "$work/rootfs/bin/$applet"; done
cp /usr/bin/iperf3 "$work/rootfs/bin/iperf3"
for lib in $(ldd /usr/bin/iperf3 | grep -oE '/[^ ]+'); do
    mkdir -p "$work/rootfs$(dirname "$lib")"
    cp -L "$lib" "$work/rootfs$lib"
done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
chmod -R a+rX "$work"

cat >"$work/bench.sh" <<'INNER'
set -euo pipefail
work=$1 runs=$2
cd "$work"
export HOME=$work/home HUTCH_ROOT=$work/store
mkdir -p "$HOME"
podman=(podman --cgroup-manager=cgroupfs --events-backend=file)
./hutch import rootfs.tar bench-iperf >/dev/null
./hutch network create bench-net >/dev/null
# A container that keeps the user network's keeper up, as a service would.
./hutch run -d --network bench-net bench-iperf sleep 3600 >/dev/null
"${podman[@]}" import -q rootfs.tar bench-iperf >/dev/null
podman_pasta=0
"${podman[@]}" run --rm --network pasta bench-iperf true >/dev/null 2>&1 && podman_pasta=1
debian_pasta=$(command -v pasta || true)
addr=$(ip -4 -o addr show scope global | awk '{ sub(/\/.*/, "", $4); print $4; exit }')

echo "== start-up cost of the default network ($(id -un), medians of $runs)"
starts=(-n "hutch none" "./hutch run --rm --network none bench-iperf true"
    -n "hutch default (pasta)" "./hutch run --rm bench-iperf true"
    -n "hutch slirp4netns" "./hutch run --rm --network slirp4netns bench-iperf true"
    -n "hutch user network" "./hutch run --rm --network bench-net bench-iperf true"
    -n "podman none" "${podman[*]} run --rm --network none bench-iperf true"
    -n "podman default (slirp4netns)" "${podman[*]} run --rm bench-iperf true")
[ -n "$debian_pasta" ] &&
    starts+=(-n "hutch Debian's pasta" "env HUTCH_PASTA=$debian_pasta ./hutch run --rm bench-iperf true")
(( podman_pasta )) && starts+=(-n "podman pasta" "${podman[*]} run --rm --network pasta bench-iperf true")
hyperfine -N --warmup 3 --runs "$runs" --export-json start.json "${starts[@]}" >/dev/null
python3 - start.json <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
for name, ms in r.items():
    print(f"  {name:<30} {ms:8.2f} ms")
print(f"  hutch's network cost:  {r['hutch default (pasta)'] - r['hutch none']:6.2f} ms (goal <= 5)")
print(f"  with slirp4netns:       {r['hutch slirp4netns'] - r['hutch none']:6.2f} ms")
debian = "hutch Debian's pasta"
if debian in r:
    print(f"  with Debian's pasta:    {r[debian] - r['hutch none']:6.2f} ms")
print(f"  on a user network:      {r['hutch user network'] - r['hutch none']:6.2f} ms (its keeper already up)")
print(f"  podman's (slirp4netns): {r['podman default (slirp4netns)'] - r['podman none']:6.2f} ms")
if "podman pasta" in r:
    print(f"  podman's (pasta):       {r['podman pasta'] - r['podman none']:6.2f} ms")
PY

gbps() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' "$1"; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])')

# host -> container: iperf3's server in the container, published on $port
inbound() {   # NAME RUN-PREFIX...
    local name=$1 c
    shift
    c=$("$@" -d -p "$port:5201" bench-iperf iperf3 -s -1)
    sleep 1
    iperf3 -c 127.0.0.1 -p "$port" -t 5 -J >"in-$name.json" || echo "  $name: iperf3 failed" >&2
    "$@" >/dev/null 2>&1 || true
    sleep 1  # its port is free again once its engine or keeper lets go
    echo "  host -> container  $name: $(gbps "in-$name.json") Gbit/s"
}
# container -> host: iperf3's server on the host's address
outbound() {   # NAME RUN-PREFIX...
    local name=$1
    shift
    # -1: the server ends after the one test
    iperf3 -s -1 -p "$port" -B "$addr" -D
    sleep 0.5
    "$@" --rm bench-iperf iperf3 -c "$addr" -p "$port" -t 5 -J >"out-$name.json" || echo "  $name: iperf3 failed" >&2
    echo "  container -> host  $name: $(gbps "out-$name.json") Gbit/s"
}
echo "== throughput (iperf3, 5 s, one stream)"
inbound hutch ./hutch run
inbound hutch-slirp4netns ./hutch run --network slirp4netns
[ -n "$debian_pasta" ] && inbound hutch-debian-pasta env HUTCH_PASTA="$debian_pasta" ./hutch run
inbound hutch-user-network ./hutch run --network bench-net
inbound podman-slirp4netns "${podman[@]}" run
(( podman_pasta )) && inbound podman-pasta "${podman[@]}" run --network pasta
"${podman[@]}" rm -f -a >/dev/null 2>&1 || true
outbound hutch ./hutch run
outbound hutch-slirp4netns ./hutch run --network slirp4netns
[ -n "$debian_pasta" ] && outbound hutch-debian-pasta env HUTCH_PASTA="$debian_pasta" ./hutch run
outbound hutch-user-network ./hutch run --network bench-net
outbound podman-slirp4netns "${podman[@]}" run
(( podman_pasta )) && outbound podman-pasta "${podman[@]}" run --network pasta
python3 - <<'PY'
import json
def g(f):
    try: return json.load(open(f))["end"]["sum_received"]["bits_per_second"] / 1e9
    except Exception: return float("nan")
for way in ("in", "out"):
    for ours in ("hutch", "hutch-debian-pasta", "hutch-slirp4netns", "hutch-user-network"):
        h = g(f"{way}-{ours}.json")
        for peer in ("podman-slirp4netns", "podman-pasta"):
            p = g(f"{way}-{peer}.json")
            if p == p:
                print(f"  {way}bound: {ours} / {peer} = {h / p:.2f}")
PY
"${podman[@]}" rm -f -a >/dev/null 2>&1 || true
./hutch rm -f $(./hutch ps -aq) >/dev/null 2>&1 || true
./hutch network rm bench-net >/dev/null 2>&1 || true
INNER

if (( EUID == 0 )); then
    chown -R hutch-sub "$work"
    runuser -u hutch-sub -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 bash "$work/bench.sh" "$work" "$runs"
    pkill -u hutch-sub -f 'podman pause' 2>/dev/null || true
else
    bash "$work/bench.sh" "$work" "$runs"
fi
rm -rf "$work" 2>/dev/null || true
