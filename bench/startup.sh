#!/usr/bin/env bash
# Start-up latency: `hutch run --rm IMAGE true` against its peers on the same
# image and machine, timed by hyperfine, reported as ratios to hutch.
#
#   ch-run DIR -- true                      Charliecloud (an unpacked directory, no overlay)
#   bwrap ... true                          bubblewrap over the same directory
#   podman --runtime runc run --rm ... true rootless podman with runc
#
# Then the OCI runtime alone, on one bundle (that directory and `runc spec
# --rootless`'s config running `true`):
#
#   hutch runtime run -b BUNDLE ID           against   runc run -b BUNDLE ID
#   hutch runtime exec ID true               against   runc exec ID true (into a running `sleep`)
#
# and where hutch run's time goes (its --log-level debug phases).
#
# Runs as an unprivileged user: the caller, or (as root) twice: as hutch-sub,
# with a subordinate id range (hutch and podman then pay for the system's
# setuid newuidmap and newgidmap), and as hutch-solo, without one (a single-uid
# mapping, which is what ch-run always uses). This is a benchmark, not a
# test: it prints numbers and never fails on them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-40}
hutch=${HUTCH:-$repo/build/hutch}
work=$(mktemp -d /tmp/hutch-bench.XXXXXX)
chmod 0755 "$work"
python3 "$repo/tests/fixtures/make-images.py" "$work/images" >/dev/null
install -m 0755 "$hutch" "$work/hutch"
chmod -R a+rX "$work"

if (( EUID == 0 )); then
    for user in hutch-sub hutch-solo; do
        id -u "$user" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/bash "$user"
    done
    for f in /etc/subuid /etc/subgid; do
        grep -q "^hutch-sub:" "$f" || echo "hutch-sub:300000:65536" >>"$f"
        sed -i '/^hutch-solo:/d' "$f"
    done
fi

cat >"$work/bench.sh" <<'INNER'
set -euo pipefail
work=$1 runs=$2
cd "$work"
export HOME=$work/home HUTCH_ROOT=$work/store
mkdir -p "$HOME" rootfs
echo "== as $(id -un): $(grep -q "^$(id -un):" /etc/subuid && echo 'subordinate id range' || echo 'single-uid mapping')"
podman=(podman --cgroup-manager=cgroupfs --events-backend=file --runtime runc)
./hutch load -q -i images/base.tar
# Rootless podman cannot store an image with files owned by uid 1000 without a
# subordinate range; without one it is left out.
with_podman=0
if grep -q "^$(id -un):" /etc/subuid && "${podman[@]}" load -q -i images/base.tar >/dev/null 2>&1; then
    with_podman=1
fi
# The same image unpacked into a plain directory for ch-run and bwrap.
python3 - images/base.tar rootfs <<'PY'
import json, sys, tarfile
archive, dest = sys.argv[1], sys.argv[2]
with tarfile.open(archive) as outer:
    manifest = json.load(outer.extractfile("manifest.json"))[0]
    for layer in manifest["Layers"]:
        with tarfile.open(fileobj=outer.extractfile(layer)) as t:
            t.extractall(dest, members=[m for m in t if ".wh." not in m.name and not m.isdev()])
PY
commands=(-n hutch "./hutch run --rm --network none hutch-test/base true"
          -n ch-run "ch-run $work/rootfs -- true"
          -n bwrap "bwrap --unshare-all --bind $work/rootfs / --proc /proc --dev /dev true")
(( with_podman )) && commands+=(-n podman "${podman[*]} run --rm --network none hutch-test/base true")
# What the load and the unpacking above wrote is on its way to the disk: a
# start timed meanwhile waits behind the writeback.
sync
hyperfine -N --warmup 5 --runs "$runs" --export-json results.json "${commands[@]}" >/dev/null
python3 - results.json <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["hutch"]["median"]
print(f"{'command':<8} {'median':>10} {'mean':>10} {'max RSS':>9}  vs hutch")
for name, r in results.items():
    rss = max(r.get("memory_usage_byte") or [0]) / 1024
    print(f"{name:<8} {r['median']*1000:8.2f}ms {r['mean']*1000:8.2f}ms {rss:7.0f}kB  {r['median']/base:6.2f}x")
print(f"hutch/ch-run median ratio: {base / results['ch-run']['median']:.2f} (target <= 1.5 single-uid)")
PY
# With a range, a start joins the user namespace of a container already
# running (container/shared_userns.h), which skips newuidmap and newgidmap.
if grep -q "^$(id -un):" /etc/subuid; then
    keeper=$(./hutch run -d hutch-test/base sleep 600)
    hyperfine -N --warmup 5 --runs "$runs" --export-json joined.json \
        -n "hutch, another container running" "./hutch run --rm --network none hutch-test/base true" >/dev/null
    ./hutch rm -f "$keeper" >/dev/null
    python3 - results.json joined.json <<'PY'
import json, sys
chrun = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}["ch-run"]["median"]
joined = json.load(open(sys.argv[2]))["results"][0]["median"]
print(f"hutch with another container running: {joined*1000:.2f}ms median, {joined/chrun:.2f}x ch-run (target <= 2)")
PY
fi
echo "-- where hutch run's time goes (one run, ms since start):"
./hutch --log-level debug run --rm --network none hutch-test/base true 2>&1 | grep ' ms: ' || true

# One bundle for both runtimes: the unpacked directory, runc's rootless config.
# runc refuses a rootfs reached through a symlink: root.path names it outright.
mkdir -p bundle
runc spec --rootless --bundle bundle
python3 - bundle/config.json "$work/rootfs" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"], c["process"]["terminal"] = ["true"], False
c["root"]["path"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PY
mkdir -p sleeper
python3 - bundle/config.json sleeper/config.json <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["sleep", "1000"]
json.dump(c, open(sys.argv[2], "w"))
PY
rt=(./hutch runtime --root "$work/hutch-state")
runc=(runc --root "$work/runc-state")
hyperfine -N --warmup 5 --runs "$runs" --export-json runtime.json \
    -n "hutch runtime run" "${rt[*]} run -b $work/bundle b1" \
    -n "runc run" "${runc[*]} run -b $work/bundle r1" >/dev/null
"${rt[@]}" run -d -b "$work/sleeper" s1 </dev/null >/dev/null 2>&1
"${runc[@]}" run -d -b "$work/sleeper" s2 </dev/null >/dev/null 2>&1 || true
exec_cmds=(-n "hutch runtime exec" "${rt[*]} exec s1 true")
"${runc[@]}" state s2 >/dev/null 2>&1 && exec_cmds+=(-n "runc exec" "${runc[*]} exec s2 true")
hyperfine -N --warmup 5 --runs "$runs" --export-json exec.json "${exec_cmds[@]}" >/dev/null
"${rt[@]}" delete --force s1 || true
"${runc[@]}" delete --force s2 2>/dev/null || true
python3 - runtime.json exec.json <<'PY'
import json, sys
rows = {}
for f in sys.argv[1:]:
    rows.update({r["command"]: r for r in json.load(open(f))["results"]})
for name, r in rows.items():
    print(f"{name:<20} {r['median']*1000:8.2f}ms median")
if "runc run" in rows:
    print(f"hutch runtime run / runc run: {rows['hutch runtime run']['median'] / rows['runc run']['median']:.2f} (target <= 1)")
print(f"hutch runtime exec: {rows['hutch runtime exec']['median']*1000:.2f}ms (target <= 15 ms)")
if "runc exec" in rows:
    print(f"hutch runtime exec / runc exec: {rows['hutch runtime exec']['median'] / rows['runc exec']['median']:.2f}")
PY
INNER

if (( EUID == 0 )); then
    for user in hutch-sub hutch-solo; do
        mkdir -p "$work/$user"
        cp -r "$work/images" "$work/hutch" "$work/bench.sh" "$work/$user/"
        chown -R "$user" "$work/$user"
        runuser -u "$user" -- bash "$work/$user/bench.sh" "$work/$user" "$runs"
        runuser -u "$user" -- unshare --map-root-user --map-auto rm -rf "$work/$user/store" "$work/$user/home" 2>/dev/null || true
        # Rootless podman leaves a pause process per user behind.
        pkill -KILL -u "$user" 2>/dev/null || true
    done
else
    bash "$work/bench.sh" "$work" "$runs"
    unshare --map-root-user --map-auto rm -rf "$work/store" "$work/home" 2>/dev/null || true
fi
rm -rf "$work" 2>/dev/null || true
