# Local registries for the tests: Debian's docker-registry (distribution 2.8),
# a bearer-token server and a fault-injecting proxy, all on 127.0.0.1, each on
# a free port, with everything (config, storage, logs) under $WORK.  Source it
# after lib.sh (a test file does `. "$TESTDIR/lib-registry.sh"` at its top);
# servers are killed when the test's shell exits.
#
#   registry_start MODE[,MODE]   plain | tls | tls-unknown-ca | tls-wrong-name
#                                and/or basic | token (e.g. "tls,basic")
#   registry_push SRC REPO:TAG [gzip|zstd] [v2s2|oci]
#   registry_push_index REPO:TAG [oci|docker]
#   registry_put_manifest REPO:TAG FILE [MEDIA_TYPE] [LAYOUT_DIR]
#   registry_inspect [--raw|--config] REPO:TAG   (skopeo inspect, with this registry's options)
#   registry_stop / registry_restart             (kill -9; same port, same storage)
#   registry_blob_file DIGEST                    (the blob's file in the registry's storage)
#   registry_token SCOPE [USER:PASSWORD]         (a bearer token from the token server)
#   fault_proxy_start [RULE_JSON...]             (in front of the current, plain-HTTP registry)
#   fault_set [RULE_JSON...] / fault_count ERE / fault_wait ERE [SECONDS]
#
# See tests/README.md ("Registries") for the variables these export.

_REG_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
# Debian's python3: the token server needs its python3-cryptography.
if [ -x /usr/bin/python3 ]; then _REG_PY=/usr/bin/python3; else _REG_PY=python3; fi
_REG_N=0

# Outside the test harness (bench/): a workspace, fail, and killing on exit.
: "${WORK:=$(mktemp -d /tmp/hutch-registry.XXXXXX)}"
if ! declare -F fail >/dev/null; then
    fail() { printf 'FAILED: %s\n' "$1" >&2; shift; [ $# -gt 0 ] && printf '%s\n' "$@" >&2; exit 1; }
fi
if ! declare -F _cleanup_bg >/dev/null; then
    BG_PIDS=()
    _cleanup_bg() { local p; for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; return 0; }
    trap _cleanup_bg EXIT
fi

# skopeo reads an auth file even for anonymous access; without XDG_RUNTIME_DIR
# (as in the tests) that is /run/containers/UID/auth.json, which it cannot read
# once root's podman has made /run/containers (mode 0700).  So every skopeo
# here gets a file of its own, which does not exist.
skopeo() { REGISTRY_AUTH_FILE=${REGISTRY_AUTH_FILE:-$WORK/.no-auth.json} command skopeo "$@"; }

_reg_free_port() {
    "$_REG_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# _reg_wait_file FILE PID WHAT: wait (10 s) for FILE to appear while PID lives.
_reg_wait_file() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ -s "$1" ] && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
    done
    [ -s "$1" ] && return 0
    fail "$3 did not start" "$(cat "${4:-/dev/null}" 2>/dev/null)"
}

# ---------------------------------------------------------------- certificates
# A test CA, a server certificate it signs for 127.0.0.1 and localhost, a
# second ("unknown") CA with its own server certificate, a certificate from the
# test CA for another name only, and the token server's signing key.  Made once
# per user per test run (cached under $HOME), RSA for TLS, EC P-256 for tokens.
_reg_certs() {
    REGISTRY_CERTS=${REGISTRY_CERTS:-$HOME/.cache/hutch-test-registry-certs}
    [ -s "$REGISTRY_CERTS/token.pem" ] && return 0
    mkdir -p "$(dirname "$REGISTRY_CERTS")" || REGISTRY_CERTS=$WORK/certs
    local d
    d=$(mktemp -d "$REGISTRY_CERTS.XXXXXX") || fail "cannot make $REGISTRY_CERTS"
    (
        set -e
        cd "$d"
        ca() {   # NAME
            openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 \
                -subj "/CN=hutch test $1" -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign"
        }
        leaf() {   # NAME CA SUBJECT_ALT_NAMES
            openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
            printf '%s\n' "subjectAltName=$3" "basicConstraints=critical,CA:FALSE" \
                "keyUsage=critical,digitalSignature,keyEncipherment" \
                "extendedKeyUsage=serverAuth" "subjectKeyIdentifier=hash" \
                "authorityKeyIdentifier=keyid" >"$1.ext"
            openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -days 3650 \
                -set_serial "0x$(openssl rand -hex 8)" -extfile "$1.ext" -out "$1.pem"
            rm -f "$1.csr" "$1.ext"
        }
        ca ca
        leaf server ca "IP:127.0.0.1,DNS:localhost"
        leaf wrong-name ca "DNS:registry.invalid"
        ca unknown-ca
        leaf unknown-server unknown-ca "IP:127.0.0.1,DNS:localhost"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -keyout token.key -out token.pem -days 3650 -subj "/CN=hutch test token signer"
    ) >"$d.log" 2>&1 || fail "openssl could not make the test certificates" "$(cat "$d.log")"
    rm -f "$d.log"
    chmod 0755 "$d"
    # Another process of this user may have won the race: keep its copy.
    mv -T "$d" "$REGISTRY_CERTS" 2>/dev/null || rm -rf "$d"
}

# ---------------------------------------------------------------- token server
_reg_token_server() {   # DIR
    local dir=$1
    rm -f "$dir/token.port"
    "$_REG_PY" "$_REG_HERE/registry/token_server.py" --key "$REGISTRY_CERTS/token.key" \
        --cert "$REGISTRY_CERTS/token.pem" --port-file "$dir/token.port" --log "$dir/token.log" \
        --issuer hutch-test-issuer --service hutch-test-registry \
        --user "$REGISTRY_USER:$REGISTRY_PASSWORD" --public '^public/' \
        ${TOKEN_TTL:+--ttl "$TOKEN_TTL"} >"$dir/token.err" 2>&1 &
    TOKEN_SERVER_PID=$!
    BG_PIDS+=("$TOKEN_SERVER_PID")
    _reg_wait_file "$dir/token.port" "$TOKEN_SERVER_PID" "the token server" "$dir/token.err"
    TOKEN_SERVER=127.0.0.1:$(cat "$dir/token.port")
    TOKEN_REALM=http://$TOKEN_SERVER/token
    TOKEN_SERVICE=hutch-test-registry
    TOKEN_LOG=$dir/token.log
    export TOKEN_SERVER TOKEN_REALM TOKEN_SERVICE TOKEN_LOG TOKEN_SERVER_PID
}

# ---------------------------------------------------------------- registry
_reg_config() {   # writes $REGISTRY_DIR/config.yml for $REGISTRY_PORT
    local c=$REGISTRY_DIR/config.yml
    cat >"$c" <<EOF
version: 0.1
log:
  level: info
  formatter: text
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  # fixed, so that uploads started before registry_restart stay valid
  secret: hutch-test-registry-secret
  headers:
    X-Content-Type-Options: [nosniff]
EOF
    if [ -n "${_REG_TLS_CERT:-}" ]; then
        printf '  tls:\n    certificate: %s\n    key: %s\n' "$_REG_TLS_CERT" "$_REG_TLS_KEY" >>"$c"
    fi
    case $_REG_AUTH in
    basic) printf 'auth:\n  htpasswd:\n    realm: hutch-test-registry\n    path: %s\n' \
        "$REGISTRY_DIR/htpasswd" >>"$c" ;;
    token) printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n' \
        "$TOKEN_REALM" "$TOKEN_SERVICE" hutch-test-issuer "$REGISTRY_CERTS/token.pem" >>"$c" ;;
    esac
}

_reg_probe() {   # the HTTP status of GET /v2/ (000 when nothing answers)
    local tls=()
    case $_REG_TLS in
    good) tls=(--cacert "$REGISTRY_CA") ;;
    unknown | wrongname) tls=(-k) ;;
    esac
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${tls[@]}" "$REGISTRY_URL/v2/" 2>/dev/null
}

# _reg_launch: start the registry on $REGISTRY_PORT, wait until /v2/ answers;
# returns 1 if it exited (e.g. the port was taken).
_reg_launch() {
    # distribution reads REGISTRY_* variables as configuration overrides:
    # the ones this file exports are not meant for it.
    local v unset=()
    for v in $(compgen -e); do [[ $v == REGISTRY_* ]] && unset+=(-u "$v"); done
    env "${unset[@]}" "$REGISTRY_BIN" serve "$REGISTRY_DIR/config.yml" >>"$REGISTRY_LOG" 2>&1 &
    REGISTRY_PID=$!
    BG_PIDS+=("$REGISTRY_PID")
    echo "$REGISTRY_PID" >"$REGISTRY_DIR/pid"
    export REGISTRY_PID
    local i code
    for ((i = 0; i < 200; i++)); do
        code=$(_reg_probe)
        [ "$code" = 200 ] || [ "$code" = 401 ] && return 0
        kill -0 "$REGISTRY_PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# registry_start MODE: see the top of this file.
registry_start() {
    local part
    _REG_TLS=none _REG_AUTH=none _REG_TLS_CERT="" _REG_TLS_KEY=""
    for part in ${1//,/ }; do
        case $part in
        plain) ;;
        tls) _REG_TLS=good ;;
        tls-unknown-ca) _REG_TLS=unknown ;;
        tls-wrong-name) _REG_TLS=wrongname ;;
        basic | token) _REG_AUTH=$part ;;
        *) fail "registry_start: unknown mode '$part' (plain tls tls-unknown-ca tls-wrong-name basic token)" ;;
        esac
    done
    _REG_N=$((_REG_N + 1))
    REGISTRY_DIR=$WORK/registry.$_REG_N
    REGISTRY_MODE=$1
    REGISTRY_LOG=$REGISTRY_DIR/registry.log
    mkdir -p "$REGISTRY_DIR/storage"
    unset REGISTRY_CA REGISTRY_CERT_DIR REGISTRY_USER REGISTRY_PASSWORD
    unset TOKEN_SERVER TOKEN_REALM TOKEN_SERVICE TOKEN_LOG TOKEN_SERVER_PID
    export REGISTRY_DIR REGISTRY_MODE REGISTRY_LOG
    if [ "$_REG_TLS" != none ] || [ "$_REG_AUTH" = token ]; then _reg_certs; fi
    if [ "$_REG_TLS" != none ]; then
        REGISTRY_SCHEME=https
        local leaf=server
        [ "$_REG_TLS" = unknown ] && leaf=unknown-server
        [ "$_REG_TLS" = wrongname ] && leaf=wrong-name
        _REG_TLS_CERT=$REGISTRY_CERTS/$leaf.pem _REG_TLS_KEY=$REGISTRY_CERTS/$leaf.key
        # The CA a client should trust (for tls-unknown-ca and tls-wrong-name
        # the server's certificate does not verify against it).
        REGISTRY_CA=$REGISTRY_CERTS/ca.pem
        # skopeo's and podman's --cert-dir form of it
        REGISTRY_CERT_DIR=$REGISTRY_DIR/certs.d
        mkdir -p "$REGISTRY_CERT_DIR"
        cp "$REGISTRY_CA" "$REGISTRY_CERT_DIR/ca.crt"
        export REGISTRY_CA REGISTRY_CERT_DIR
    else
        REGISTRY_SCHEME=http
    fi
    export REGISTRY_SCHEME
    if [ "$_REG_AUTH" != none ]; then
        REGISTRY_USER=hutch-tester REGISTRY_PASSWORD=s3cret-Pa55
        export REGISTRY_USER REGISTRY_PASSWORD
    fi
    if [ "$_REG_AUTH" = basic ]; then
        htpasswd -Bbn -C 5 "$REGISTRY_USER" "$REGISTRY_PASSWORD" >"$REGISTRY_DIR/htpasswd" 2>/dev/null ||
            fail "htpasswd (apache2-utils) failed"
    fi
    [ "$_REG_AUTH" = token ] && _reg_token_server "$REGISTRY_DIR"
    local _
    for _ in 1 2 3 4 5; do   # another process may take the free port first
        REGISTRY_PORT=$(_reg_free_port)
        REGISTRY=127.0.0.1:$REGISTRY_PORT
        REGISTRY_URL=$REGISTRY_SCHEME://$REGISTRY
        export REGISTRY REGISTRY_PORT REGISTRY_URL
        _reg_config
        _reg_launch && return 0
        kill -9 "$REGISTRY_PID" 2>/dev/null
        wait "$REGISTRY_PID" 2>/dev/null
        tail -n 5 "$REGISTRY_LOG" | grep -q 'address already in use' || break
    done
    fail "docker-registry did not start ($REGISTRY_MODE)" "$(tail -n 20 "$REGISTRY_LOG")"
}

# registry_stop: kill -9 the registry (storage stays; see registry_restart).
registry_stop() {
    kill -9 "$REGISTRY_PID" 2>/dev/null
    wait "$REGISTRY_PID" 2>/dev/null
    return 0
}

# registry_restart: kill -9 the registry and start it again on the same port
# with the same storage and configuration.
registry_restart() {
    registry_stop
    local i
    for ((i = 0; i < 50; i++)); do
        _reg_launch && return 0
        kill -9 "$REGISTRY_PID" 2>/dev/null
        wait "$REGISTRY_PID" 2>/dev/null
        sleep 0.1
    done
    fail "docker-registry did not restart on port $REGISTRY_PORT" "$(tail -n 20 "$REGISTRY_LOG")"
}

# ---------------------------------------------------------------- skopeo
# _reg_skopeo_opts PREFIX: set _REG_OPTS to skopeo's TLS and credential options
# for this registry (PREFIX: "src-", "dest-" or "" for inspect).
_reg_skopeo_opts() {
    _REG_OPTS=()
    if [ "$_REG_TLS" = good ]; then
        _REG_OPTS+=("--${1}cert-dir" "$REGISTRY_CERT_DIR")
    else
        _REG_OPTS+=("--${1}tls-verify=false")
    fi
    [ -n "${REGISTRY_USER:-}" ] && _REG_OPTS+=("--${1}creds" "$REGISTRY_USER:$REGISTRY_PASSWORD")
    return 0
}

# skopeo with a blob-info cache of its own for this one call: with the user's,
# it would reuse a blob it pushed before in another compression (so a zstd
# push of an image pushed with gzip would keep the gzip layers).  root's cache
# is always /var/lib/containers/cache, so as root skopeo runs as a mapped uid.
_reg_skopeo() {
    local home rc pre=()
    home=$(mktemp -d "$REGISTRY_DIR/skopeo-home.XXXXXX")
    (( EUID == 0 )) && pre=(unshare --map-user=1000 --map-group=1000)
    "${pre[@]}" env -u XDG_DATA_HOME HOME="$home" XDG_RUNTIME_DIR="$home" REGISTRY_AUTH_FILE="$home/auth.json" skopeo "$@"
    rc=$?
    rm -rf "$home"
    return $rc
}

_reg_source() {   # SRC: a skopeo source for an archive, layout or transport:ref
    local src=$1
    if [[ "$src" =~ ^(docker-archive|oci-archive|oci|dir|docker):.+ ]]; then
        printf '%s' "$src"
        return
    fi
    [[ "$src" == /* ]] || src=$FIXTURES/$src
    if [ -d "$src" ]; then
        printf 'oci:%s' "$src"
    elif tar -tf "$src" 2>/dev/null | grep -qx 'oci-layout'; then
        printf 'oci-archive:%s' "$src"
    else
        printf 'docker-archive:%s' "$src"
    fi
}

# registry_push SRC REPO:TAG [gzip|zstd] [v2s2|oci]: copy an image to the
# registry with skopeo.  SRC is a fixture name (base.tar), a path (docker or
# OCI archive, OCI layout directory) or a skopeo transport:reference.  Layers
# are compressed as asked (default gzip); zstd implies an OCI manifest.
# Sets PUSHED_DIGEST to the manifest's digest.
registry_push() {
    local src ref=$2 comp=${3:-gzip} format=${4:-}
    src=$(_reg_source "$1")
    local opts=(--insecure-policy copy --quiet --digestfile "$REGISTRY_DIR/pushed.digest")
    _reg_skopeo_opts dest-
    opts+=("${_REG_OPTS[@]}")
    case $comp in
    gzip) opts+=(--dest-compress-format gzip) ;;
    zstd) opts+=(--dest-compress --dest-compress-format zstd); format=${format:-oci} ;;
    *) fail "registry_push: compression '$comp' is not gzip or zstd" ;;
    esac
    [ -n "$format" ] && opts+=(--format "$format")
    _reg_skopeo "${opts[@]}" "$src" "docker://$REGISTRY/$ref" >"$REGISTRY_DIR/push.log" 2>&1 ||
        fail "registry_push $src $REGISTRY/$ref failed" "$(cat "$REGISTRY_DIR/push.log")"
    PUSHED_DIGEST=$(cat "$REGISTRY_DIR/pushed.digest")
    export PUSHED_DIGEST
}

# registry_push_index REPO:TAG [oci|docker]: push the three-platform image of
# fixtures/multiarch (an OCI image index, with skopeo --all) or of
# fixtures/multiarch-docker (a docker manifest list, which skopeo cannot read
# from a layout: push_layout.py), digests preserved.  PUSHED_DIGEST is then
# $MULTIARCH_INDEX_DIGEST or $MULTIARCH_DOCKER_INDEX_DIGEST.
registry_push_index() {
    local ref=$1
    if [ "${2:-oci}" = docker ]; then
        _reg_push_layout "$FIXTURES/multiarch-docker" "$REGISTRY/$ref"
        return
    fi
    local opts=(--insecure-policy copy --quiet --all --preserve-digests
        --digestfile "$REGISTRY_DIR/pushed.digest")
    _reg_skopeo_opts dest-
    opts+=("${_REG_OPTS[@]}")
    _reg_skopeo "${opts[@]}" "oci:$FIXTURES/multiarch:hutch-test/multiarch:latest" \
        "docker://$REGISTRY/$ref" >"$REGISTRY_DIR/push.log" 2>&1 ||
        fail "registry_push_index $REGISTRY/$ref failed" "$(cat "$REGISTRY_DIR/push.log")"
    PUSHED_DIGEST=$(cat "$REGISTRY_DIR/pushed.digest")
    export PUSHED_DIGEST
}

_reg_push_layout() {   # push_layout.py ARGS...: sets PUSHED_DIGEST
    local opts=(--scheme "$REGISTRY_SCHEME")
    [ -n "${REGISTRY_CA:-}" ] && opts+=(--ca "$REGISTRY_CA")
    [ -n "${REGISTRY_USER:-}" ] && opts+=(--creds "$REGISTRY_USER:$REGISTRY_PASSWORD")
    "$_REG_PY" "$_REG_HERE/registry/push_layout.py" "${opts[@]}" "$@" \
        >"$REGISTRY_DIR/pushed.digest" 2>"$REGISTRY_DIR/push.log" ||
        fail "push_layout.py $* failed" "$(cat "$REGISTRY_DIR/push.log")"
    PUSHED_DIGEST=$(cat "$REGISTRY_DIR/pushed.digest")
    export PUSHED_DIGEST
}

# registry_put_manifest REPO:TAG FILE [MEDIA_TYPE] [LAYOUT_DIR]: PUT FILE as the
# manifest of REPO:TAG, byte for byte (MEDIA_TYPE: default its "mediaType"),
# after pushing the blobs it names from LAYOUT_DIR's blobs/ when given.  For
# manifests no tool writes; the registry itself still checks what it stores.
registry_put_manifest() {
    local args=(--manifest "$2")
    [ -n "${3:-}" ] && args+=(--media-type "$3")
    [ -n "${4:-}" ] && args+=(--blobs "$4")
    _reg_push_layout "${args[@]}" "$REGISTRY/$1"
}

# registry_inspect [SKOPEO_INSPECT_FLAGS...] REPO:TAG: skopeo inspect against
# this registry, with its CA and credentials (not run through `run`).
registry_inspect() {
    local ref=${*: -1}
    _reg_skopeo_opts ""
    _reg_skopeo --insecure-policy inspect "${_REG_OPTS[@]}" "${@:1:$#-1}" "docker://$REGISTRY/$ref"
}

# registry_token SCOPE [USER:PASSWORD]: a token from the token server, as a
# client would ask for it (SCOPE like repository:NAME:pull); empty on refusal.
registry_token() {
    local creds=()
    [ -n "${2:-}" ] && creds=(-u "$2")
    curl -sS -G "${creds[@]}" --data-urlencode "service=$TOKEN_SERVICE" \
        --data-urlencode "scope=$1" "$TOKEN_REALM" | jq -r '.token // empty'
}

# registry_blob_file DIGEST: the file that holds a blob in the registry's storage
registry_blob_file() {
    local hex=${1#sha256:}
    printf '%s/storage/docker/registry/v2/blobs/sha256/%s/%s/data' "$REGISTRY_DIR" "${hex:0:2}" "$hex"
}

# ---------------------------------------------------------------- fault proxy
# fault_proxy_start [RULE_JSON...]: a fault_proxy.py in front of the current
# (plain HTTP) registry, with these rules in its control file.  Exports
# FAULT_PROXY (127.0.0.1:PORT: pull from there), FAULT_RULES (the control
# file), FAULT_LOG (one line per request) and FAULT_PROXY_PID.
fault_proxy_start() {
    [ "$REGISTRY_SCHEME" = http ] || fail "fault_proxy_start: the registry must be plain HTTP"
    local dir=$REGISTRY_DIR
    FAULT_RULES=$dir/fault-rules.json FAULT_LOG=$dir/fault.log
    : >"$FAULT_LOG"
    rm -f "$dir/fault.port"
    fault_set "$@"
    "$_REG_PY" "$_REG_HERE/registry/fault_proxy.py" --upstream "$REGISTRY" \
        --port-file "$dir/fault.port" --log "$FAULT_LOG" --rules "$FAULT_RULES" \
        --upstream-pidfile "$dir/pid" >"$dir/fault.err" 2>&1 &
    FAULT_PROXY_PID=$!
    BG_PIDS+=("$FAULT_PROXY_PID")
    _reg_wait_file "$dir/fault.port" "$FAULT_PROXY_PID" "the fault proxy" "$dir/fault.err"
    FAULT_PROXY=127.0.0.1:$(cat "$dir/fault.port")
    export FAULT_PROXY FAULT_RULES FAULT_LOG FAULT_PROXY_PID
}

# fault_set [RULE_JSON...]: replace the proxy's rules (none: pass everything).
# Takes effect for the next request; rule counters start again.
fault_set() {
    local tmp=$FAULT_RULES.tmp rule sep=""
    {
        printf '['
        for rule; do printf '%s%s' "$sep" "$rule"; sep=,; done
        printf ']\n'
    } >"$tmp"
    jq empty "$tmp" 2>/dev/null ||
        fail "fault_set: not JSON: $(cat "$tmp")"
    mv -f "$tmp" "$FAULT_RULES"
}

# fault_count ERE: how many lines of the proxy's log match (e.g.
# "^GET /v2/.*/blobs/$digest " for how often a blob was fetched).
fault_count() { grep -cE -- "$1" "$FAULT_LOG" || true; }

# fault_wait ERE [SECONDS]: wait until a line of the proxy's log matches.
fault_wait() {
    local i
    for ((i = 0; i < ${2:-10} * 20; i++)); do
        grep -qE -- "$1" "$FAULT_LOG" && return 0
        sleep 0.05
    done
    fail "timed out waiting for /$1/ in the fault proxy's log" "$(cat "$FAULT_LOG")"
}
