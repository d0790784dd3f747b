#!/usr/bin/env bash
# Pull throughput: one ~200 MB, 8-layer gzip image (bench/big-image.py) from a
# local docker-registry on 127.0.0.1, into an empty store each run, timed by
# hyperfine and reported as ratios to hutch (to podman while hutch has no pull):
#
#   podman pull                     rootless podman, a private storage root
#   skopeo copy + umoci unpack      docker:// -> oci: layout -> rootless bundle
#   hutch pull                      hutch --root DIR pull (skipped until it exists)
#
# All three download, decompress and unpack the layers; podman and hutch also
# record the image in their store.  Runs as an unprivileged user: the caller,
# or (as root) hutch-sub, which has a subordinate id range (podman needs one
# for the image's files).  A benchmark, not a test: it prints numbers and
# never fails on them.  RUNS (default 5) runs per command, after one warm-up.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
hutch=${HUTCH:-$repo/build/hutch}
user=hutch-sub
work=$(mktemp -d /tmp/hutch-bench-pull.XXXXXX)
chmod 0755 "$work"
locked=0
cleanup() {
    # Rootless podman leaves a pause process per user behind (killed only
    # while we hold the test lock: a test run may be using the user).
    (( locked )) && pkill -KILL -u "$user" 2>/dev/null
    rm -rf "$work" 2>/dev/null || unshare --map-root-user --map-auto rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
echo "== building the image"
python3 "$repo/bench/big-image.py" "$work/image"
cp -r "$repo/tests/lib-registry.sh" "$repo/tests/registry" "$work/"
install -m 0755 "$hutch" "$work/hutch"
chmod -R a+rX "$work"

if (( EUID == 0 )); then
    # tests/run.sh runs as the same user and kills its leftovers: one at a time
    exec 9>/tmp/hutch-tests.lock
    flock -n 9 || { echo "waiting for a tests/run.sh to finish"; flock 9; }
    locked=1
    id -u "$user" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/bash "$user"
    for f in /etc/subuid /etc/subgid; do
        grep -q "^$user:" "$f" || echo "$user:300000:65536" >>"$f"
    done
fi

cat >"$work/bench.sh" <<'INNER'
set -euo pipefail
work=$1 runs=$2
cd "$work"
export HOME=$work/home WORK=$work/reg
# podman and skopeo read an auth file even for anonymous pulls: one of their own
export REGISTRY_AUTH_FILE=$work/auth.json
echo '{"auths": {}}' >"$REGISTRY_AUTH_FILE"
mkdir -p "$HOME" "$WORK"
echo "== as $(id -un)"
. ./lib-registry.sh
set +e                  # lib-registry.sh is written for the tests, not for set -e
registry_start plain
set -e
skopeo --insecure-policy copy -q --dest-tls-verify=false oci:image:bench/big:latest \
    "docker://$REGISTRY/bench/big:latest"
image=$REGISTRY/bench/big:latest

# Remove a tree that may hold files owned by subordinate ids, or read-only dirs.
cat >clear.sh <<'EOF'
for d; do
    rm -rf "$d" 2>/dev/null || unshare --map-root-user --map-auto rm -rf "$d" 2>/dev/null ||
        { chmod -R u+rwX "$d" && rm -rf "$d"; }
done
EOF
podman=(podman --root "$work/podman-root" --runroot "$work/podman-run" --cgroup-manager=cgroupfs
        --events-backend=file)
commands=(
    --prepare "bash clear.sh podman-root podman-run"
    -n podman "${podman[*]} pull -q --tls-verify=false $image"
    --prepare "bash clear.sh oci bundle"
    -n skopeo+umoci "sh -c 'skopeo --insecure-policy copy -q --src-tls-verify=false docker://$image oci:oci:big && umoci unpack --rootless --image oci:big bundle >/dev/null'"
)
# ---- hutch pull: the command below is what gets timed once `hutch pull` exists.
if ./hutch pull --help >/dev/null 2>&1; then
    commands+=(--prepare "bash clear.sh hutch-root"
               -n hutch "./hutch --root $work/hutch-root pull $image")
else
    echo "note: 'hutch pull' is not a hutch command yet: hutch is left out"
fi
# ---- end of hutch pull
hyperfine -N --warmup 1 --runs "$runs" --export-json results.json "${commands[@]}" >hyperfine.log 2>&1 ||
    { cat hyperfine.log; exit 1; }
python3 - results.json <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base_name = "hutch" if "hutch" in results else "podman"
base = results[base_name]["median"]
print(f"{'command':<13} {'median':>9} {'mean':>9} {'min':>9} {'max':>9}  vs {base_name}")
for name, r in results.items():
    print(f"{name:<13} {r['median']:8.2f}s {r['mean']:8.2f}s {r['min']:8.2f}s {r['max']:8.2f}s  {r['median']/base:6.2f}x")
PY
# Peak memory: one more run of each, max RSS of the process tree as wait4 reports it.
rss() { python3 -c 'import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], shell=False)
_, status, usage = os.wait4(p.pid, 0)
print(usage.ru_maxrss)' "$@"; }
bash clear.sh podman-root podman-run oci bundle hutch-root
echo
echo "peak RSS (one more run each):"
printf '%-13s %8s KiB\n' podman "$(rss sh -c "${podman[*]} pull -q --tls-verify=false $image >/dev/null")"
printf '%-13s %8s KiB\n' skopeo+umoci "$(rss sh -c "skopeo --insecure-policy copy -q --src-tls-verify=false docker://$image oci:oci:big && umoci unpack --rootless --image oci:big bundle >/dev/null")"
if ./hutch pull --help >/dev/null 2>&1; then
    printf '%-13s %8s KiB\n' hutch "$(rss sh -c "./hutch --root $work/hutch-root pull -q $image >/dev/null")"
fi
bash clear.sh podman-root podman-run oci bundle hutch-root
INNER

if (( EUID == 0 )); then
    mkdir -p "$work/$user"
    cp -r "$work/image" "$work/hutch" "$work/bench.sh" "$work/lib-registry.sh" "$work/registry" "$work/$user/"
    chown -R "$user" "$work/$user"
    runuser -u "$user" -- bash "$work/$user/bench.sh" "$work/$user" "$runs"
else
    bash "$work/bench.sh" "$work" "$runs"
fi
