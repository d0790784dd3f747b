#!/usr/bin/env bash
# `make demo`: builds an image offline from Debian's busybox-static, loads it
# into a throw-away store and runs a container from it as an unprivileged user
# (the invoking user, or `nobody`-like user hutch-demo when run as root).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/hutch-demo.XXXXXX)
chmod 0755 "$work"
trap 'rm -rf "$work" 2>/dev/null || true' EXIT
python3 "$repo/tests/fixtures/make-images.py" "$work/images" >/dev/null
install -m 0755 "$repo/build/hutch" "$work/hutch"
chmod -R a+rX "$work/images"

script='set -e
export HUTCH_ROOT="$1/store"
"$1/hutch" load -i "$1/images/base.tar"
"$1/hutch" images
"$1/hutch" run --rm hutch-test/base sh -c "echo; echo \"Hello from a container: \$(hostname), pid \$\$, \$(id)\"; cat /etc/motd"'
if (( EUID == 0 )); then
    id -u hutch-demo >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh hutch-demo
    chown hutch-demo "$work"
    runuser -u hutch-demo -- env -i PATH=/usr/bin:/bin bash -c "$script" demo "$work"
    # The store holds files of the demo user's subordinate ids: remove it from
    # inside a user namespace with the same mapping.
    runuser -u hutch-demo -- unshare --map-root-user --map-auto rm -rf "$work/store" 2>/dev/null || true
else
    bash -c "$script" demo "$work"
    unshare --map-root-user --map-auto rm -rf "$work/store" 2>/dev/null || true
fi
