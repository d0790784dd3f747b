#!/usr/bin/env bash
# Memory of what supervises a detached container: hutch's monitor against
# rootless podman's conmon (and its per-user pause process), each on an idle
# `sleep` container, read from /proc/PID/status (VmRSS) after it has settled.
# Also the time `run -d` takes to return. A benchmark, not a test: it prints
# numbers and never fails on them.
#
# Runs as hutch-sub (a subordinate id range, which podman needs) when started
# as root, else as the caller.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
hutch=${HUTCH:-$repo/build/hutch}
work=$(mktemp -d /tmp/hutch-bench.XXXXXX)
chmod 0755 "$work"
python3 "$repo/tests/fixtures/make-images.py" "$work/images" >/dev/null
install -m 0755 "$hutch" "$work/hutch"
chmod -R a+rX "$work"
user=$(id -un)
if (( EUID == 0 )); then
    user=hutch-sub
    id -u "$user" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/bash "$user"
    for f in /etc/subuid /etc/subgid; do
        grep -q "^$user:" "$f" || echo "$user:300000:65536" >>"$f"
    done
    chown -R "$user" "$work"
fi

cat >"$work/bench.sh" <<'INNER'
set -uo pipefail
work=$1
cd "$work"
export HOME=$work/home HUTCH_ROOT=$work/store
mkdir -p "$HOME"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
./hutch load -q -i images/base.tar >/dev/null
start=$(date +%s%N)
id=$(./hutch run -d hutch-test/base sleep 300)
took=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2
hutch_rss=$(rss "$(pgrep -f -- "__monitor $id")")
echo "hutch monitor: $hutch_rss KiB RSS idle; run -d returned in $took ms"
./hutch rm -f "$id" >/dev/null
if command -v podman >/dev/null; then
    podman=(podman --cgroup-manager=cgroupfs --events-backend=file)
    "${podman[@]}" load -q -i images/base.tar >/dev/null 2>&1
    start=$(date +%s%N)
    if pid=$("${podman[@]}" run -d hutch-test/base sleep 300 2>/dev/null); then
        took=$(( ($(date +%s%N) - start) / 1000000 ))
        sleep 2
        conmon=$(pgrep -u "$(id -u)" -f "conmon .*$pid" | head -n1)
        pause=$(pgrep -u "$(id -u)" -x catatonit | head -n1 || true)
        echo "podman conmon: $(rss "$conmon") KiB RSS idle${pause:+, its pause process $(rss "$pause") KiB}; run -d returned in $took ms"
        echo "ratio hutch monitor / conmon: $(awk -v h="$hutch_rss" -v c="$(rss "$conmon")" 'BEGIN { printf "%.2f", h / c }')"
        "${podman[@]}" rm -f "$pid" >/dev/null 2>&1
    else
        echo "podman run -d failed here: no comparison"
    fi
    "${podman[@]}" system reset -f >/dev/null 2>&1 || true
fi
INNER
runuser -u "$user" -- bash "$work/bench.sh" "$work"
rm -rf "$work" 2>/dev/null || true
