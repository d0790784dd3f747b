#!/usr/bin/env bash
# Build hutch's third-party libraries from Debian source packages with zig,
# as static musl libraries, and write build/deps.mk for the Makefile.
#
#   scripts/build-deps.sh                  build if needed, write build/deps.mk
#   scripts/build-deps.sh --print-prefix   build if needed, print the prefix only
#   scripts/build-deps.sh --show-available list the versions the mirror offers
#
# Why from source: hutch is one fully static musl binary, and Debian ships no
# musl builds of these libraries (nor a musl libc++). Why Debian source
# packages: they are reachable from our machines and CI, carry Debian's
# security patches, and apt checks their signatures and checksums.
#
# Result: $HUTCH_BUILD_CACHE/deps-<key>/{include,lib}, where <key> hashes
# everything that decides the output (third_party/ recipes and versions, this
# script, the zig version). The same key is never built twice; a changed
# recipe gives a new key and a new prefix, and old prefixes are left alone
# (another worktree may still use them).
#
# Recipe contract: third_party/<recipe>/build.sh runs with bash in the
# unpacked, Debian-patched source tree with these variables exported:
#   PREFIX   staging prefix; install into $PREFIX/include and $PREFIX/lib
#   CC CXX AR RANLIB   one-word zig wrappers targeting x86_64-linux-musl
#   CFLAGS CXXFLAGS    always include -O2 (see below)
#   JOBS     parallel jobs;  WORK  scratch dir that survives an interrupted run
#   DEBIAN_VERSION   the pinned version of the recipe's source package
set -euo pipefail

readonly TARGET=x86_64-linux-musl
# -O2 always: without an optimisation level zig turns on UBSan traps, and any
# undefined behaviour in a dependency would show up as SIGILL at run time.
# -fno-lto: zig 0.11 turns on LTO by default when it compiles and links C in
# one step at -O2, which is what every configure probe does; that makes each
# probe ~3x slower (1.8 s instead of 0.5 s). Our objects are plain machine code
# either way (LTO never applied to separate -c compiles).
readonly OPT_CFLAGS="-O2 -fno-lto"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
third_party=$repo/third_party

: "${HOME:?HOME must be set (the build cache defaults to \$HOME/.cache/hutch-build)}"
HUTCH_BUILD_CACHE=${HUTCH_BUILD_CACHE:-$HOME/.cache/hutch-build}
# Keep zig's cache (its libc++ and musl builds take minutes) on a persistent
# path shared by every build; an explicitly set one is respected.
ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$HUTCH_BUILD_CACHE/zig-cache}
export HUTCH_BUILD_CACHE ZIG_GLOBAL_CACHE_DIR

log() { printf '[build-deps %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf 'build-deps: error: %s\n' "$*" >&2; exit 1; }

mode=build
case ${1:-} in
    '') ;;
    --print-prefix) mode=print-prefix ;;
    --show-available) mode=show-available ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
esac

# A parent make (the Makefile may call us) must not leak its variables into
# the sub-makes below (MAKEFLAGS carries command-line overrides like CC=gcc),
# and compiler search-path variables would make the output depend on the
# caller's environment.
unset MAKEFLAGS MAKELEVEL MFLAGS MAKEOVERRIDES GNUMAKEFLAGS \
      CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH PKG_CONFIG_PATH \
      CONFIG_SITE LIBS CPPFLAGS LDFLAGS

# ---------------------------------------------------------------------------
# Pinned versions: "recipe  debian-source-package  version" lines.
recipes=() packages=() versions=()
while read -r r p v rest; do
    [[ -z $r || $r == \#* ]] && continue
    [[ -n $v && -z $rest ]] || die "third_party/versions: bad line '$r $p $v $rest'"
    [[ -f $third_party/$r/build.sh ]] || die "third_party/versions names '$r' but third_party/$r/build.sh is missing"
    recipes+=("$r") packages+=("$p") versions+=("$v")
done < "$third_party/versions"
(( ${#recipes[@]} > 0 )) || die "third_party/versions lists no dependency"

# ---------------------------------------------------------------------------
# Private apt state: our own deb-src list, lists and cache dirs, so the
# system's apt configuration and state are never changed.
apt_dir=$HUTCH_BUILD_CACHE/apt
apt_opts=(
    -o "Dir::Etc::sourcelist=$third_party/debian-sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Get::List-Cleanup=false"
)
# As root apt drops to the _apt user to download, and _apt cannot write into
# our private dirs; they hold nothing else, so download as ourselves.
(( EUID == 0 )) && apt_opts+=(-o "APT::Sandbox::User=root")

apt_updated=
apt_update() {
    [[ -n $apt_updated ]] && return 0
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    log "refreshing the private deb-src lists"
    apt-get "${apt_opts[@]}" -qq update >&2 ||
        die "apt-get update with third_party/debian-sources.list failed (is the Debian mirror reachable?)"
    apt_updated=1
}

if [[ $mode == show-available ]]; then
    apt_update
    for i in "${!recipes[@]}"; do
        printf '%-11s %-11s pinned %-18s available: %s\n' "${recipes[$i]}" "${packages[$i]}" "${versions[$i]}" \
            "$(apt-cache "${apt_opts[@]}" showsrc "${packages[$i]}" 2>/dev/null |
               sed -n 's/^Version: //p' | sort -uV | tr '\n' ' ')"
    done
    exit 0
fi

# ---------------------------------------------------------------------------
# Toolchain and key.
zig=$("$repo/scripts/install-zig.sh") || die "no usable zig (scripts/install-zig.sh failed)"
zig_version=$("$zig" version) || die "$zig does not run"

# The key covers every input that changes the output. Markdown files are
# documentation only, so editing the README does not cost a rebuild.
key=$(
    cd "$repo"
    {
        printf 'zig %s\ntarget %s\n' "$zig_version" "$TARGET"
        find third_party -type f ! -name '*.md' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
        sha256sum scripts/build-deps.sh
    } | sha256sum | cut -c1-16
)
deps=$HUTCH_BUILD_CACHE/deps-$key
readonly stamp=.hutch-deps-complete

# One-word compilers for configure scripts and makefiles, which cannot take
# "zig cc -target ...". Written only when their content changes, so their
# mtime stays put.
write_if_changed() { # file content [mode]
    if [[ ! -f $1 || $(<"$1") != "$2" ]]; then
        printf '%s\n' "$2" > "$1.tmp.$$"
        chmod "${3:-644}" "$1.tmp.$$"
        mv -f "$1.tmp.$$" "$1"
    fi
}
wrappers=$HUTCH_BUILD_CACHE/bin
mkdir -p "$wrappers"
for tool in cc c++ ar ranlib; do
    case $tool in
        cc|c++) args="$tool -target $TARGET" ;;
        *)      args=$tool ;;
    esac
    write_if_changed "$wrappers/$TARGET-$tool" "#!/bin/sh
# Generated by hutch's scripts/build-deps.sh: a one-word compiler for configure.
: \"\${ZIG_GLOBAL_CACHE_DIR:=$ZIG_GLOBAL_CACHE_DIR}\"
export ZIG_GLOBAL_CACHE_DIR
exec '$zig' $args \"\$@\"" 755
done

write_deps_mk() {
    mkdir -p "$repo/build"
    write_if_changed "$repo/build/deps.mk" "# Generated by scripts/build-deps.sh; do not edit.
ZIG := $zig
DEPS := $deps
export ZIG_GLOBAL_CACHE_DIR := $ZIG_GLOBAL_CACHE_DIR"
}

finish() {
    if [[ $mode == print-prefix ]]; then
        printf '%s\n' "$deps"
    else
        write_deps_mk
        log "deps ready: $deps"
    fi
    exit 0
}

# Fast path: already built.
[[ -f $deps/$stamp ]] && finish

# ---------------------------------------------------------------------------
# Build. Serialise builds of the same key (e.g. two make invocations).
command -v flock >/dev/null || die "flock not found (util-linux); run scripts/setup.sh"
mkdir -p "$HUTCH_BUILD_CACHE/src"
exec 9>"$HUTCH_BUILD_CACHE/.lock-deps-$key"
flock 9
[[ -f $deps/$stamp ]] && finish   # another process built it while we waited

start=$SECONDS
work=$HUTCH_BUILD_CACHE/build-$key
prefix=$work/prefix
log "building deps $key with zig $zig_version in $work"
# The prefix and the source trees are always rebuilt from scratch; only the
# configure caches in $work/cache survive an interrupted run.
rm -rf "$prefix" "$work/src" "$work/logs"
mkdir -p "$prefix/include" "$prefix/lib" "$work/src" "$work/logs" "$work/cache"

# A recipe with a sha256sums file takes its package's files straight from the
# pool instead: the mirror these machines reach lacks some .dsc files (passt's
# from trixie), and the checksums, copied from the signed Sources index, stand
# in for the .dsc's. The debian tarball, listed last, is moved in last.
pool_url() { # package file
    local dir=${1:0:1}
    [[ $1 == lib* ]] && dir=${1:0:4}
    printf 'http://deb.debian.org/debian/pool/main/%s/%s/%s' "$dir" "$1" "$(printf %s "$2" | sed 's/~/%7E/g; s/+/%2B/g')"
}
fetch_by_checksum() { # recipe package
    local sums=$third_party/$1/sha256sums dl f
    dl=$(mktemp -d "$HUTCH_BUILD_CACHE/src/.download.XXXXXX")
    while read -r _ f; do
        log "downloading $f"
        curl -fsS -o "$dl/$f" "$(pool_url "$2" "$f")" || { rm -rf "$dl"; die "cannot download $f from the Debian pool"; }
    done < "$sums"
    (cd "$dl" && sha256sum --quiet -c "$sums") || { rm -rf "$dl"; die "$2's files do not match third_party/$1/sha256sums"; }
    while read -r _ f; do mv -f "$dl/$f" "$HUTCH_BUILD_CACHE/src/"; done < "$sums"
    rm -rf "$dl"
}
last_source_file() { # recipe: the file whose presence says all are there
    tail -n 1 "$third_party/$1/sha256sums" | awk '{print $2}'
}

# Fetch the source packages missing from $HUTCH_BUILD_CACHE/src. Downloads go
# to a temporary dir and the .dsc is moved in last, so a .dsc in the cache
# means all of its files are there.
for i in "${!recipes[@]}"; do
    r=${recipes[$i]} p=${packages[$i]} v=${versions[$i]}
    if [[ -f $third_party/$r/sha256sums ]]; then
        [[ -f $HUTCH_BUILD_CACHE/src/$(last_source_file "$r") ]] || fetch_by_checksum "$r" "$p"
        continue
    fi
    dsc=${p}_${v#*:}.dsc        # file names carry no epoch
    [[ -f $HUTCH_BUILD_CACHE/src/$dsc ]] && continue
    apt_update
    log "downloading source package $p=$v"
    dl=$(mktemp -d "$HUTCH_BUILD_CACHE/src/.download.XXXXXX")
    if ! (cd "$dl" && apt-get "${apt_opts[@]}" -qq source --download-only "$p=$v" >&2); then
        rm -rf "$dl"
        die "cannot download source package $p=$v. If the mirror dropped it (a newer bookworm-security upload supersedes it), pick a new version with: scripts/build-deps.sh --show-available, and update third_party/versions"
    fi
    [[ -f $dl/$dsc ]] || { rm -rf "$dl"; die "apt downloaded $p=$v but there is no $dsc"; }
    find "$dl" -maxdepth 1 -type f ! -name '*.dsc' -exec mv -f {} "$HUTCH_BUILD_CACHE/src/" \;
    mv -f "$dl/$dsc" "$HUTCH_BUILD_CACHE/src/"
    rm -rf "$dl"
done

JOBS=$(nproc 2>/dev/null || echo 2)
export PREFIX=$prefix WORK=$work/cache JOBS
export CC=$wrappers/$TARGET-cc CXX=$wrappers/$TARGET-c++ AR=$wrappers/$TARGET-ar RANLIB=$wrappers/$TARGET-ranlib
export CFLAGS=$OPT_CFLAGS CXXFLAGS="$OPT_CFLAGS -std=c++17"

unpack_by_checksum() { # recipe srcdir
    local f
    mkdir -p "$2"
    while read -r _ f; do
        case $f in
            *.orig.tar.*) tar -xf "$HUTCH_BUILD_CACHE/src/$f" -C "$2" --strip-components=1 ;;
            *.debian.tar.*) tar -xf "$HUTCH_BUILD_CACHE/src/$f" -C "$2" ;;
        esac
    done < "$third_party/$1/sha256sums"
    [[ -f $2/debian/patches/series ]] || return 0
    while read -r f _; do
        [[ -z $f || $f == \#* ]] && continue
        patch -d "$2" -p1 --forward --quiet < "$2/debian/patches/$f"
    done < "$2/debian/patches/series"
}

for i in "${!recipes[@]}"; do
    r=${recipes[$i]} p=${packages[$i]} v=${versions[$i]}
    export DEBIAN_VERSION=$v
    dsc=$HUTCH_BUILD_CACHE/src/${p}_${v#*:}.dsc
    srcdir=$work/src/$r
    logf=$work/logs/$r.log
    t0=$SECONDS
    log "building $r ($p $v)"
    if [[ -f $third_party/$r/sha256sums ]]; then
        # What dpkg-source -x does for a 3.0 (quilt) package: the upstream
        # tarball, debian/ over it, then the series of patches in order.
        unpack_by_checksum "$r" "$srcdir" > "$logf" 2>&1 ||
            { tail -n 20 "$logf" >&2; die "unpacking $p failed (log: $logf)"; }
    else
        # dpkg-source verifies the files against the .dsc checksums and applies
        # Debian's patches (security fixes included).
        dpkg-source -x "$dsc" "$srcdir" > "$logf" 2>&1 ||
            { tail -n 20 "$logf" >&2; die "dpkg-source -x $dsc failed (log: $logf)"; }
    fi
    if ! (cd "$srcdir" && bash "$third_party/$r/build.sh") >> "$logf" 2>&1; then
        tail -n 40 "$logf" >&2
        die "recipe third_party/$r/build.sh failed; full log: $logf (work dir kept for inspection)"
    fi
    log "  $r done in $((SECONDS - t0)) s"
done

for f in include/archive.h include/archive_entry.h include/zlib.h include/zconf.h \
         include/zstd.h include/zstd_errors.h include/simdjson.h include/mimalloc.h \
         include/mbedtls/ssl.h include/curl/curl.h \
         lib/libarchive.a lib/libz.a lib/libzstd.a lib/libsimdjson.a lib/mimalloc.o \
         lib/libmbedtls.a lib/libmbedx509.a lib/libmbedcrypto.a lib/libcurl.a bin/pasta; do
    [[ -f $prefix/$f ]] || die "the recipes did not install $f"
done

{
    printf 'hutch third-party prefix, key %s\nbuilt %s with zig %s for %s\n' \
        "$key" "$(date -u +%FT%TZ)" "$zig_version" "$TARGET"
    for i in "${!recipes[@]}"; do printf '%s %s %s\n' "${recipes[$i]}" "${packages[$i]}" "${versions[$i]}"; done
} > "$prefix/$stamp"

# Publish atomically: the prefix only ever appears complete.
rm -rf "$deps"
mv "$prefix" "$deps"
rm -rf "$work"
log "built all deps in $((SECONDS - start)) s"
finish
