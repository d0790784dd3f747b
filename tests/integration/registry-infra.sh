# The registry test infrastructure itself (tests/lib-registry.sh,
# tests/registry/*.py), checked with curl and skopeo only: each registry mode,
# pushing, the multi-platform index, restarts, and every fault-proxy action.
# hutch's own pull tests build on these, so these must hold first.

. "$TESTDIR/lib-registry.sh"

API_HEADER='Docker-Distribution-Api-Version: registry/2.0'
MANIFEST_TYPES='application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'

# curl_code URL [CURL_ARGS...]: run curl, body in $WORK/body, headers in
# $WORK/headers; $out is the HTTP status (000 when none), $status curl's.
curl_code() {
    local url=$1
    shift
    run curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$url"
}

header() {   # NAME: the value of a header of the last curl_code
    tr -d '\r' <"$WORK/headers" | grep -i "^$1:" | tail -n 1 | cut -d' ' -f2-
}

sha() { printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"; }

layers_of() {   # REPO:TAG: the layer digests of its manifest, one a line
    registry_inspect --raw "$1" | jq -r '.layers[].digest'
}

push_base() {   # push base.tar as REPO:TAG (default hutch/base:latest); LAYER = its first layer
    registry_push base.tar "${1:-hutch/base:latest}"
    LAYER=$(layers_of "${1:-hutch/base:latest}" | head -n 1)
    [ -n "$LAYER" ] || fail "no layers in the pushed manifest"
}

# ---------------------------------------------------------------- modes
test_plain_registry() {
    registry_start plain
    assert_match "$REGISTRY" '^127\.0\.0\.1:[0-9]+$' REGISTRY
    assert_eq "http://$REGISTRY" "$REGISTRY_URL"
    curl_code "$REGISTRY_URL/v2/"
    assert_eq 200 "$out"
    assert_contains "$(tr -d '\r' <"$WORK/headers")" "$API_HEADER"
    push_base
    run registry_inspect --raw hutch/base:latest
    assert_ok
    assert_eq "$PUSHED_DIGEST" "$(printf '%s' "$out" | sha256sum | sed 's/^/sha256:/; s/ .*//')" \
        "digest of the manifest skopeo pushed"
    run registry_inspect hutch/base:latest
    assert_ok
    assert_eq "$PUSHED_DIGEST" "$(jq -r .Digest <<<"$out")"
    # the blob as stored is the blob as served
    curl_code "$REGISTRY_URL/v2/hutch/base/blobs/$LAYER"
    assert_eq "200 $LAYER" "$out $(sha "$WORK/body")"
    cmp -s "$WORK/body" "$(registry_blob_file "$LAYER")" || fail "registry_blob_file is not the blob"
}

test_tls_registry() {
    registry_start tls
    assert_eq "https://$REGISTRY" "$REGISTRY_URL"
    curl_code "$REGISTRY_URL/v2/" --cacert "$REGISTRY_CA"
    assert_eq 200 "$out"
    curl_code "https://localhost:$REGISTRY_PORT/v2/" --cacert "$REGISTRY_CA"
    assert_eq 200 "$out" "status by the name localhost"
    # not trusted without the test CA, and not served over plain HTTP
    curl_code "$REGISTRY_URL/v2/"
    assert_status 60
    curl_code "http://$REGISTRY/v2/"
    assert_eq 400 "$out" "plain HTTP to the TLS port"
    push_base
    run registry_inspect hutch/base:latest
    assert_ok
    assert_eq "$PUSHED_DIGEST" "$(jq -r .Digest <<<"$out")"
    run skopeo inspect "docker://$REGISTRY/hutch/base:latest"
    assert_status 1
    assert_contains "$err" "certificate signed by unknown authority"
    # SSL_CERT_FILE is how a test hands the CA to hutch: OpenSSL's default
    # verify paths (here python's) take it from there
    run env SSL_CERT_FILE="$REGISTRY_CA" python3 -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1]).status)' "$REGISTRY_URL/v2/"
    assert_ok
    assert_eq 200 "$out"
    cmp -s "$REGISTRY_CA" "$REGISTRY_CERT_DIR/ca.crt" || fail "REGISTRY_CERT_DIR does not hold REGISTRY_CA"
}

test_tls_unknown_ca_registry() {
    registry_start tls-unknown-ca
    curl_code "$REGISTRY_URL/v2/" --cacert "$REGISTRY_CA"
    assert_status 60
    assert_contains "$err" "unable to get local issuer certificate"
    curl_code "$REGISTRY_URL/v2/" -k
    assert_eq 200 "$out" "status without verification"
    run skopeo inspect --cert-dir "$REGISTRY_CERT_DIR" "docker://$REGISTRY/any:latest"
    assert_status 1
    assert_contains "$err" "certificate signed by unknown authority"
}

test_tls_wrong_name_registry() {
    registry_start tls-wrong-name
    curl_code "$REGISTRY_URL/v2/" --cacert "$REGISTRY_CA"
    assert_status 60
    assert_contains "$err" "no alternative certificate subject name matches"
    # the certificate is good for its own name
    curl_code "https://registry.invalid:$REGISTRY_PORT/v2/" --cacert "$REGISTRY_CA" \
        --resolve "registry.invalid:$REGISTRY_PORT:127.0.0.1"
    assert_eq 200 "$out"
}

test_basic_auth_registry() {
    registry_start basic
    curl_code "$REGISTRY_URL/v2/"
    assert_eq 401 "$out"
    assert_eq 'Basic realm="hutch-test-registry"' "$(header WWW-Authenticate)"
    curl_code "$REGISTRY_URL/v2/" -u "$REGISTRY_USER:$REGISTRY_PASSWORD"
    assert_eq 200 "$out"
    curl_code "$REGISTRY_URL/v2/" -u "$REGISTRY_USER:wrong"
    assert_eq 401 "$out"
    push_base
    run registry_inspect hutch/base:latest
    assert_ok
    run skopeo inspect --tls-verify=false --no-creds "docker://$REGISTRY/hutch/base:latest"
    assert_status 1
    assert_contains "$err" "authentication required"
    run skopeo inspect --tls-verify=false --creds "$REGISTRY_USER:wrong" "docker://$REGISTRY/hutch/base:latest"
    assert_status 1
}

test_token_registry_challenge() {
    registry_start token
    assert_match "$TOKEN_REALM" '^http://127\.0\.0\.1:[0-9]+/token$'
    curl_code "$REGISTRY_URL/v2/"
    assert_eq 401 "$out"
    assert_eq "Bearer realm=\"$TOKEN_REALM\",service=\"$TOKEN_SERVICE\"" "$(header WWW-Authenticate)"
    curl_code "$REGISTRY_URL/v2/public/x/manifests/latest"
    assert_eq "Bearer realm=\"$TOKEN_REALM\",service=\"$TOKEN_SERVICE\",scope=\"repository:public/x:pull\"" \
        "$(header WWW-Authenticate)"
    # docker's token request: both "token" and "access_token", the asked scope
    curl_code "$TOKEN_REALM?service=$TOKEN_SERVICE&scope=repository:public/x:pull"
    assert_eq 200 "$out"
    local body
    body=$(cat "$WORK/body")
    assert_eq true "$(jq '.token == .access_token and .expires_in == 300 and (.issued_at | test("Z$"))' <<<"$body")"
    local claims
    claims=$(jq -r .token <<<"$body" | python3 -c 'import base64, sys
part = sys.stdin.read().split(".")[1]
print(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode())')
    assert_eq '["hutch-test-issuer","hutch-test-registry",[{"type":"repository","name":"public/x","actions":["pull"]}]]' \
        "$(jq -c '[.iss, .aud, .access]' <<<"$claims")"
    # wrong credentials are refused by the token server itself
    curl_code "$TOKEN_REALM?service=$TOKEN_SERVICE&scope=repository:x:pull" -u "$REGISTRY_USER:wrong"
    assert_eq 401 "$out"
    # the OAuth2 form
    curl_code "$TOKEN_REALM" --data-urlencode grant_type=password --data-urlencode "username=$REGISTRY_USER" \
        --data-urlencode "password=$REGISTRY_PASSWORD" --data-urlencode "service=$TOKEN_SERVICE" \
        --data-urlencode scope=repository:private/x:pull --data-urlencode access_type=offline
    assert_eq 200 "$out"
    assert_eq true "$(jq '(.access_token | length > 0) and (.refresh_token | length > 0)' "$WORK/body")"
    assert_contains "$(cat "$TOKEN_LOG")" "POST /token user=$REGISTRY_USER scope=repository:private/x:pull granted=repository:private/x:pull status=200"
}

test_token_registry_public_and_private() {
    registry_start token
    push_base public/base:latest
    push_base private/base:latest
    local t accept=(-H "Accept: $MANIFEST_TYPES")
    # anonymous: the public repository only
    t=$(registry_token repository:public/base:pull)
    curl_code "$REGISTRY_URL/v2/public/base/manifests/latest" -H "Authorization: Bearer $t" "${accept[@]}"
    assert_eq 200 "$out"
    t=$(registry_token repository:private/base:pull)
    [ -n "$t" ] || fail "no (empty) token for an anonymous pull of a private repository"
    curl_code "$REGISTRY_URL/v2/private/base/manifests/latest" -H "Authorization: Bearer $t" "${accept[@]}"
    assert_eq 401 "$out"
    assert_contains "$(header WWW-Authenticate)" 'error="insufficient_scope"'
    t=$(registry_token repository:private/base:pull "$REGISTRY_USER:$REGISTRY_PASSWORD")
    curl_code "$REGISTRY_URL/v2/private/base/manifests/latest" -H "Authorization: Bearer $t" "${accept[@]}"
    assert_eq 200 "$out"
    # a token for one repository is no good for another
    t=$(registry_token repository:public/base:pull)
    curl_code "$REGISTRY_URL/v2/private/base/manifests/latest" -H "Authorization: Bearer $t" "${accept[@]}"
    assert_eq 401 "$out"
    # skopeo: anonymous pull of the public repository, refused for the private one
    run skopeo inspect --tls-verify=false --no-creds "docker://$REGISTRY/public/base:latest"
    assert_ok
    run skopeo inspect --tls-verify=false --no-creds "docker://$REGISTRY/private/base:latest"
    assert_status 1
    assert_contains "$err" "authentication required"
    run registry_inspect private/base:latest
    assert_ok
    assert_contains "$(cat "$TOKEN_LOG")" "GET /token user=anonymous scope=repository:private/base:pull granted=- status=200"
}

# ---------------------------------------------------------------- images
test_multiplatform_index() {
    registry_start plain
    registry_push_index hutch/multi:latest
    assert_eq "$MULTIARCH_INDEX_DIGEST" "$PUSHED_DIGEST"
    run registry_inspect --raw hutch/multi:latest
    assert_ok
    assert_eq application/vnd.oci.image.index.v1+json "$(jq -r .mediaType <<<"$out")"
    assert_eq "linux/amd64/ $MULTIARCH_AMD64_DIGEST
linux/arm64/v8 $MULTIARCH_ARM64_DIGEST
linux/arm/v7 $MULTIARCH_ARMV7_DIGEST" \
        "$(jq -r '.manifests[] | "\(.platform.os)/\(.platform.architecture)/\(.platform.variant // "") \(.digest)"' <<<"$out")"
    # skopeo picks each platform's image; each has its own /platform
    local arch variant want digest id layer
    for want in "amd64 - linux/amd64 $MULTIARCH_AMD64_DIGEST $MULTIARCH_AMD64_ID" \
        "arm64 v8 linux/arm64/v8 $MULTIARCH_ARM64_DIGEST $MULTIARCH_ARM64_ID" \
        "arm v7 linux/arm/v7 $MULTIARCH_ARMV7_DIGEST $MULTIARCH_ARMV7_ID"; do
        read -r arch variant platform digest id <<<"$want"
        local opts=(--override-os linux --override-arch "$arch")
        [ "$variant" != - ] && opts+=(--override-variant "$variant")
        run skopeo "${opts[@]}" inspect --config --raw --tls-verify=false "docker://$REGISTRY/hutch/multi:latest"
        assert_eq "$id" "$(printf '%s' "$out" | sha256sum | sed 's/^/sha256:/; s/ .*//')" "config for $platform"
        layer=$(curl -sS -H "Accept: application/vnd.oci.image.manifest.v1+json" \
            "$REGISTRY_URL/v2/hutch/multi/manifests/$digest" | jq -r '.layers[1].digest')
        curl -sS "$REGISTRY_URL/v2/hutch/multi/blobs/$layer" | tar -xzO platform >"$WORK/platform"
        assert_eq "$platform" "$(cat "$WORK/platform")" "/platform of $platform"
    done
    # the docker manifest list form of the same images
    registry_push_index hutch/multi:docker docker
    assert_eq "$MULTIARCH_DOCKER_INDEX_DIGEST" "$PUSHED_DIGEST"
    run registry_inspect --raw hutch/multi:docker
    assert_eq application/vnd.docker.distribution.manifest.list.v2+json "$(jq -r .mediaType <<<"$out")"
    assert_eq "$MULTIARCH_DOCKER_AMD64_DIGEST $MULTIARCH_DOCKER_ARM64_DIGEST $MULTIARCH_DOCKER_ARMV7_DIGEST" \
        "$(jq -r '[.manifests[].digest] | join(" ")' <<<"$out")"
    run skopeo --override-arch arm --override-variant v7 inspect --config --raw --tls-verify=false \
        "docker://$REGISTRY/hutch/multi:docker"
    assert_eq "$MULTIARCH_ARMV7_ID" "$(printf '%s' "$out" | sha256sum | sed 's/^/sha256:/; s/ .*//')"
}

test_push_zstd_and_put_manifest() {
    registry_start basic
    registry_push base.tar hutch/base:zstd zstd
    run registry_inspect --raw hutch/base:zstd
    assert_eq "application/vnd.oci.image.layer.v1.tar+zstd" "$(jq -r '[.layers[].mediaType] | unique | join(" ")' <<<"$out")"
    registry_push base.tar hutch/base:gzip
    run registry_inspect --raw hutch/base:gzip
    assert_eq "application/vnd.docker.image.rootfs.diff.tar.gzip" "$(jq -r '[.layers[].mediaType] | unique | join(" ")' <<<"$out")"
    registry_push oci.tar hutch/oci:latest
    run registry_inspect hutch/oci:latest
    assert_ok
    # a manifest put byte for byte: the same bytes come back under its digest
    registry_inspect --raw hutch/base:zstd | jq . >"$WORK/pretty.json"
    registry_put_manifest hutch/base:pretty "$WORK/pretty.json"
    assert_eq "$(sha "$WORK/pretty.json")" "$PUSHED_DIGEST"
    curl_code "$REGISTRY_URL/v2/hutch/base/manifests/$PUSHED_DIGEST" -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json'
    assert_eq 200 "$out"
    cmp -s "$WORK/body" "$WORK/pretty.json" || fail "the manifest came back changed"
}

test_registry_restart() {
    registry_start plain
    push_base
    local pid=$REGISTRY_PID port=$REGISTRY_PORT
    registry_restart
    assert_eq "$port" "$REGISTRY_PORT" "port after the restart"
    [ "$pid" != "$REGISTRY_PID" ] || fail "the registry process was not replaced"
    alive "$pid" && fail "the old registry ($pid) is still running"
    run registry_inspect hutch/base:latest
    assert_ok
    assert_eq "$PUSHED_DIGEST" "$(jq -r .Digest <<<"$out")"
    registry_stop
    curl_code "$REGISTRY_URL/v2/"
    assert_eq 000 "$out" "status while stopped"
}

# ---------------------------------------------------------------- fault proxy
blob_path() { printf '/v2/hutch/base/blobs/%s' "$LAYER"; }

proxy_with_base() {   # RULE_JSON...: a registry with base.tar, the proxy with these rules
    registry_start plain
    push_base
    fault_proxy_start "$@"
    BLOB_SIZE=$(stat -c %s "$(registry_blob_file "$LAYER")")
}

test_fault_proxy_passes_through() {
    proxy_with_base
    curl_code "http://$FAULT_PROXY/v2/"
    assert_eq 200 "$out"
    assert_contains "$(tr -d '\r' <"$WORK/headers")" "$API_HEADER"
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest" -H "Accept: $MANIFEST_TYPES"
    assert_eq "200 $PUSHED_DIGEST $PUSHED_DIGEST" "$out $(header Docker-Content-Digest) $(sha "$WORK/body")"
    curl_code "http://$FAULT_PROXY$(blob_path)"
    assert_eq "200 $LAYER" "$out $(sha "$WORK/body")"
    # Range passes through: 206 and the rest of the blob
    cp "$WORK/body" "$WORK/whole"
    curl_code "http://$FAULT_PROXY$(blob_path)" -r 1000-
    assert_eq "206 bytes 1000-$((BLOB_SIZE - 1))/$BLOB_SIZE" "$out $(header Content-Range)"
    cmp -s "$WORK/body" <(tail -c +1001 "$WORK/whole") || fail "ranged body differs"
    # skopeo through the proxy, and the log of it all
    run skopeo inspect --tls-verify=false "docker://$FAULT_PROXY/hutch/base:latest"
    assert_ok
    assert_eq 2 "$(fault_count "^GET $(blob_path) status=20[06] action=pass ")" "blob GETs logged"
    assert_line "$(cat "$FAULT_LOG")" "GET $(blob_path) status=206 action=pass bytes=$((BLOB_SIZE - 1000)) range=bytes=1000-"
}

test_fault_status_then_pass() {
    proxy_with_base '{"path": "/manifests/", "action": "status", "status": 500, "times": 2}'
    local i codes=""
    for i in 1 2 3; do
        curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest" -H "Accept: $MANIFEST_TYPES"
        codes+="$out "
    done
    assert_eq "500 500 200 " "$codes"
    assert_eq 2 "$(fault_count ' status=500 action=status ')"
    # rules change while the proxy runs; the counters start again
    fault_set '{"path": "/blobs/", "action": "status", "status": 503, "headers": {"Retry-After": "1"}}'
    curl_code "http://$FAULT_PROXY$(blob_path)"
    assert_eq "503 1" "$out $(header Retry-After)"
    assert_eq UNKNOWN "$(jq -r '.errors[0].code' "$WORK/body")"
    fault_set
    curl_code "http://$FAULT_PROXY$(blob_path)"
    assert_eq 200 "$out"
}

test_fault_corrupt_blob() {
    proxy_with_base '{"path": "/blobs/", "action": "corrupt"}'
    curl_code "http://$FAULT_PROXY$(blob_path)"
    assert_eq "200 $BLOB_SIZE" "$out $(stat -c %s "$WORK/body")"
    [ "$(sha "$WORK/body")" != "$LAYER" ] || fail "the blob was not corrupted"
    assert_eq 1 "$(cmp -l "$WORK/body" "$(registry_blob_file "$LAYER")" | wc -l)" "bytes changed"
    # HEAD and manifests are left alone
    curl_code "http://$FAULT_PROXY$(blob_path)" -I
    assert_eq "200 $BLOB_SIZE" "$out $(header Content-Length)"
}

test_fault_truncate_blob() {
    proxy_with_base '{"path": "/blobs/", "action": "truncate", "after": 5000}'
    local i
    for i in 1 2; do
        curl_code "http://$FAULT_PROXY$(blob_path)"
        assert_status 18
        assert_eq "200 5000" "$out $(stat -c %s "$WORK/body")" "status and bytes received"
    done
    assert_eq 2 "$(fault_count "^GET $(blob_path) status=200 action=truncate bytes=5000 ")"
    fault_set '{"path": "/blobs/", "action": "truncate", "reset": true}'
    curl_code "http://$FAULT_PROXY$(blob_path)"
    assert_status 56
    assert_contains "$err" "reset by peer"
}

test_fault_drop_once_then_resume() {
    proxy_with_base '{"path": "/blobs/", "action": "drop", "after": 100000}'
    curl_code "http://$FAULT_PROXY$(blob_path)"
    assert_status 18
    assert_eq 100000 "$(stat -c %s "$WORK/body")"
    cp "$WORK/body" "$WORK/part"
    # the retry resumes where the first attempt stopped
    curl_code "http://$FAULT_PROXY$(blob_path)" -r 100000-
    assert_ok
    assert_eq 206 "$out"
    cat "$WORK/part" "$WORK/body" >"$WORK/whole"
    assert_eq "$LAYER" "$(sha "$WORK/whole")"
    assert_eq "GET $(blob_path) status=200 action=drop bytes=100000 range=-
GET $(blob_path) status=206 action=pass bytes=$((BLOB_SIZE - 100000)) range=bytes=100000-" \
        "$(grep '^GET /v2/hutch/base/blobs/' "$FAULT_LOG")"
}

test_fault_huge_manifest() {
    proxy_with_base '{"path": "/manifests/", "action": "huge"}'
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest" -I
    assert_eq "200 104857600 application/vnd.oci.image.manifest.v1+json" \
        "$out $(header Content-Length) $(header Content-Type)"
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest"
    assert_eq "200 104857600" "$out $(stat -c %s "$WORK/body")"
    assert_eq '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json" xxx"}}' \
        "$(head -c 75 "$WORK/body") $(tail -c 6 "$WORK/body")" "the ends of the manifest"
    fault_set '{"path": "/manifests/", "action": "huge", "size": 3000000, "chunked": true}'
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest"
    assert_eq "200 chunked 3000000" "$out $(header Transfer-Encoding) $(stat -c %s "$WORK/body")"
    assert_eq 2 "$(jq .schemaVersion "$WORK/body")" "a valid JSON manifest"
}

test_fault_canned_manifests() {
    proxy_with_base '{"path": "/manifests/", "action": "manifest", "kind": "schema1"}'
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest"
    assert_eq "200 application/vnd.docker.distribution.manifest.v1+prettyjws 1 $(sha "$WORK/body")" \
        "$out $(header Content-Type) $(jq .schemaVersion "$WORK/body") $(header Docker-Content-Digest)"
    fault_set '{"path": "/manifests/", "action": "manifest", "kind": "unknown"}'
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest"
    assert_eq "200 application/vnd.hutch-test.unknown.v1+json" "$out $(header Content-Type)"
    run skopeo inspect --tls-verify=false "docker://$FAULT_PROXY/hutch/base:latest"
    assert_status 1
    fault_set '{"path": "/manifests/", "action": "respond", "status": 404, "body": "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}"}'
    curl_code "http://$FAULT_PROXY/v2/hutch/base/manifests/latest"
    assert_eq "404 MANIFEST_UNKNOWN" "$out $(jq -r '.errors[0].code' "$WORK/body")"
}

test_fault_delay() {
    proxy_with_base '{"path": "/v2/$", "action": "delay", "seconds": 0.5}'
    curl_code "http://$FAULT_PROXY/v2/" --max-time 0.2
    assert_status 28
    curl_code "http://$FAULT_PROXY/v2/"
    assert_eq 200 "$out"
    assert_eq 2 "$(fault_count '^GET /v2/ status=[-0-9]+ action=delay ')"
}

# A slow blob, and the registry killed while it is being sent: the download
# breaks (even though the kernel's buffers may hold the rest), and once the
# registry is back a ranged retry completes the blob.
test_fault_slow_blob_and_registry_restart() {
    proxy_with_base '{"path": "/blobs/", "action": "slow", "rate": 400000, "times": 1}'
    spawn "$WORK/slow.out" curl -sS -o "$WORK/part" "http://$FAULT_PROXY$(blob_path)"
    local pid=$spawned
    fault_wait "^START GET $(blob_path)$"
    sleep 0.5
    registry_restart
    wait_status "$pid" 10
    local st=$?
    [ "$st" = 18 ] || [ "$st" = 56 ] || fail "curl exited $st, not 18 or 56" "$(cat "$WORK/slow.out")"
    local got
    got=$(stat -c %s "$WORK/part")
    ((got > 0 && got < BLOB_SIZE)) || fail "got $got of $BLOB_SIZE bytes before the restart"
    curl_code "http://$FAULT_PROXY$(blob_path)" -r "$got-"
    assert_eq 206 "$out"
    cat "$WORK/part" "$WORK/body" >"$WORK/whole"
    assert_eq "$LAYER" "$(sha "$WORK/whole")"
    assert_contains "$(cat "$FAULT_LOG")" "GET $(blob_path) status=200 action=slow bytes=$got range=-"
}

test_fault_upstream_down() {
    proxy_with_base
    registry_stop
    curl_code "http://$FAULT_PROXY/v2/"
    assert_eq 502 "$out"
    registry_restart
    curl_code "http://$FAULT_PROXY/v2/"
    assert_eq 200 "$out"
}
