#!/usr/bin/env bash
# Install what building and testing hutch needs on a Debian 12 machine, then
# the zig toolchain. Run as root. Idempotent: when everything is already
# there it only asks dpkg, and does not touch the network.
#
# Machines are handed out fresh (CI included), so everything the project
# needs must be installed by this script, not by hand.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

packages=(
    # build: make, and the tools scripts/build-deps.sh uses to fetch and unpack
    # Debian source packages (apt-get source, dpkg-source, xz, patch, nm)
    make dpkg-dev xz-utils patch file binutils pkg-config python3 zstd gzip
    # rootless containers: newuidmap/newgidmap for multi-id user namespaces,
    # FUSE overlay and user-mode networking helpers
    uidmap fuse-overlayfs slirp4netns passt
    # peers the tests and benchmarks compare hutch with (ch-run is in
    # charliecloud-runtime; crun does not work on this cgroup v1 host, runc does)
    podman runc charliecloud-runtime bubblewrap
    # test fixtures: a static busybox to put in images, a local registry,
    # image conversion and OCI unpacking
    busybox-static skopeo docker-registry umoci
    # the registry tests (tests/lib-registry.sh): test certificates, htpasswd
    # (bcrypt), the token server's signing, HTTP and JSON from shell
    openssl apache2-utils python3-cryptography curl jq
    # test and benchmark harness
    hyperfine util-linux procps tmux iproute2
    # the network benchmark (bench/network.sh)
    iperf3
)

# zig comes from the npm registry (scripts/install-zig.sh) unless one is on PATH.
if ! command -v zig >/dev/null 2>&1 && ! command -v npm >/dev/null 2>&1; then
    packages+=(npm)
fi

# One dpkg-query for all packages: fast, and needs no apt lists. It prints
# nothing for packages dpkg has never heard of, so look each one up.
declare -A status=()
while read -r name state; do
    status[$name]=$state
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
    [[ ${status[$p]:-} == installed ]] || missing+=("$p")
done

if (( ${#missing[@]} > 0 )); then
    (( EUID == 0 )) || die "need root to install: ${missing[*]}"
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Lists may be missing or stale on a fresh machine; update once, first.
    apt-get update -qq || die "apt-get update failed"
    # No recommends: podman alone would pull buildah and more we do not use.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
        die "apt-get install failed for: ${missing[*]}"
else
    log "all ${#packages[@]} Debian packages already installed"
fi

zig=$("$(dirname "${BASH_SOURCE[0]}")/install-zig.sh") || die "installing zig failed"
log "zig: $zig"
