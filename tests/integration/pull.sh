# hutch pull / login / logout / run --pull against Debian's docker-registry on
# loopback: plain HTTP, TLS, basic and bearer-token auth, manifest lists, and
# faults injected by tests/registry/fault_proxy.py.

. "$TESTDIR/lib-registry.sh"

# the image's content as seen from a container
assert_base_content() {   # REF
    run hutch run --rm "$1" sh -c 'cat /etc/motd; ls -A /opq; test -e /data/gone || echo gone-ok'
    assert_ok
    assert_eq $'layer3\nnew\ngone-ok' "$out" "content of $1"
}

# blobs in the store that no image record names are garbage a pull left
assert_store_has_no_image() {
    run hutch images -q
    assert_ok
    assert_eq "" "$out" "images after a failed pull"
}

start_plain_with_base() {   # REPO:TAG [gzip|zstd]
    registry_start plain
    registry_push base.tar "$1" "${2:-gzip}"
}

test_pull_plain_gzip() {
    start_plain_with_base r/base:v1
    fresh_store
    run hutch pull "$REGISTRY/r/base:v1"
    assert_ok
    assert_line "$out" "v1: Pulling from r/base"
    assert_line "$out" "Digest: $PUSHED_DIGEST"
    assert_line "$out" "Status: Downloaded newer image for $REGISTRY/r/base:v1"
    assert_eq "$REGISTRY/r/base:v1" "$(tail -n 1 <<<"$out")" "last line"
    assert_eq 3 "$(grep -c ': Pull complete$' <<<"$out")" "layers pulled"
    assert_base_content "$REGISTRY/r/base:v1"
    run hutch images --no-trunc -q
    assert_eq "$BASE_ID" "$out" "image id is the config digest"
    run hutch pull "$REGISTRY/r/base:v1"
    assert_ok
    assert_line "$out" "Status: Image is up to date for $REGISTRY/r/base:v1"
    assert_not_contains "$out" "Pull complete"
}

test_pull_zstd_oci() {
    start_plain_with_base r/base:zstd zstd
    registry_inspect --raw r/base:zstd >"$WORK/manifest"
    assert_contains "$(cat "$WORK/manifest")" "tar+zstd" "pushed manifest"
    fresh_store
    run hutch pull -q "$REGISTRY/r/base:zstd"
    assert_ok
    assert_eq "$REGISTRY/r/base:zstd" "$out" "-q prints only the reference"
    assert_base_content "$REGISTRY/r/base:zstd"
}

test_pull_default_tag_and_digest() {
    start_plain_with_base r/base:latest
    fresh_store
    run hutch pull "$REGISTRY/r/base"
    assert_ok
    assert_eq "Using default tag: latest" "$(head -n 1 <<<"$out")"
    local digest=$PUSHED_DIGEST
    fresh_store
    export HUTCH_ROOT=$WORK/store2
    run hutch pull "$REGISTRY/r/base@$digest"
    assert_ok
    assert_line "$out" "Status: Downloaded newer image for $REGISTRY/r/base@$digest"
    assert_eq "$REGISTRY/r/base@$digest" "$(tail -n 1 <<<"$out")"
    assert_base_content "$REGISTRY/r/base@$digest"
    local wrong=sha256:$(printf '%064d' 0)
    run hutch pull "$REGISTRY/r/base@$wrong"
    assert_error 1
    assert_contains "$err" "not found"
}

test_pull_all_tags() {
    start_plain_with_base r/base:v1
    registry_push base.tar r/base:v2
    fresh_store
    run hutch pull -a "$REGISTRY/r/base"
    assert_ok
    assert_line "$out" "v1: Pulling from r/base"
    assert_line "$out" "v2: Pulling from r/base"
    assert_eq "$REGISTRY/r/base" "$(tail -n 1 <<<"$out")"
    run hutch images
    assert_contains "$out" "v1"
    assert_contains "$out" "v2"
    run hutch pull -a "$REGISTRY/r/base:v1"
    assert_error 1
    assert_contains "$err" "tag can't be used with --all-tags/-a"
}

test_pull_platforms_from_index() {
    registry_start plain
    registry_push_index r/multi:1
    fresh_store
    run hutch pull -q "$REGISTRY/r/multi:1"
    assert_ok
    run hutch run --rm "$REGISTRY/r/multi:1" cat /platform
    assert_eq "linux/amd64" "$out" "default platform"
    run hutch images -q --no-trunc
    assert_eq "$MULTIARCH_AMD64_ID" "$out"
    export HUTCH_ROOT=$WORK/arm
    run hutch pull -q --platform linux/arm/v7 "$REGISTRY/r/multi:1"
    assert_ok
    run hutch run --rm "$REGISTRY/r/multi:1" cat /platform
    assert_eq "linux/arm/v7" "$out" "--platform linux/arm/v7"
    run hutch pull --platform linux/s390x "$REGISTRY/r/multi:1"
    assert_error 1
    assert_contains "$err" "no matching manifest for linux/s390x in the manifest list entries"
    run hutch pull --platform windows "$REGISTRY/r/multi:1"
    assert_error 1
}

test_pull_docker_manifest_list() {
    registry_start plain
    registry_push_index r/multi:d docker
    fresh_store
    run hutch pull -q --platform linux/arm64 "$REGISTRY/r/multi:d"
    assert_ok
    run hutch run --rm "$REGISTRY/r/multi:d" cat /platform
    assert_eq "linux/arm64/v8" "$out"
}

test_pull_tls_verified_with_ssl_cert_file() {
    registry_start tls
    registry_push base.tar r/base:tls
    fresh_store
    run hutch pull "$REGISTRY/r/base:tls"
    assert_error 1
    assert_contains "$err" "certificate"
    SSL_CERT_FILE=$REGISTRY_CA run hutch pull -q "$REGISTRY/r/base:tls"
    assert_ok
    assert_base_content "$REGISTRY/r/base:tls"
    export HUTCH_ROOT=$WORK/certdir
    SSL_CERT_DIR=$REGISTRY_CERT_DIR run hutch pull -q "$REGISTRY/r/base:tls"
    assert_ok
}

test_pull_tls_refuses_bad_certificates() {
    local mode
    for mode in tls-unknown-ca tls-wrong-name; do
        registry_start "$mode"
        fresh_store
        SSL_CERT_FILE=$REGISTRY_CA run hutch pull "$REGISTRY/r/base:x"
        assert_error 1
        assert_not_contains "$err" "Client sent an HTTP request" "$mode must not fall back to plain HTTP"
        registry_stop
    done
}

test_login_basic_auth() {
    registry_start basic
    registry_push base.tar r/base:v1
    fresh_store
    run hutch pull "$REGISTRY/r/base:v1"
    assert_error 1
    assert_contains "$err" "pull access denied for $REGISTRY/r/base"
    run hutch login -u "$REGISTRY_USER" -p wrong "$REGISTRY"
    assert_status 1
    assert_contains "$err" "unauthorized"
    assert_absent "$HOME/.config/hutch/auth.json"
    printf '%s\n' "$REGISTRY_PASSWORD" >"$WORK/pw"
    run hutch login -u "$REGISTRY_USER" --password-stdin "$REGISTRY" <"$WORK/pw"
    assert_ok
    assert_eq "Login Succeeded" "$out"
    assert_eq 600 "$(stat -c %a "$HOME/.config/hutch/auth.json")" "auth file mode"
    jq -e --arg r "$REGISTRY" '.auths[$r].auth' "$HOME/.config/hutch/auth.json" >/dev/null ||
        fail "no auths entry for $REGISTRY" "$(cat "$HOME/.config/hutch/auth.json")"
    run hutch pull -q "$REGISTRY/r/base:v1"
    assert_ok
    run hutch logout "$REGISTRY"
    assert_ok
    assert_eq "Removing login credentials for $REGISTRY" "$out"
    run hutch logout "$REGISTRY"
    assert_eq "Not logged in to $REGISTRY" "$out"
    export HUTCH_ROOT=$WORK/again
    run hutch pull "$REGISTRY/r/base:v1"
    assert_error 1
}

test_docker_config_credentials_are_used() {
    registry_start basic
    registry_push base.tar r/base:v1
    mkdir -p "$HOME/.docker"
    local auth
    auth=$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASSWORD" | base64 -w0)
    printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$auth" >"$WORK/docker-config.json"
    fresh_store
    DOCKER_CONFIG=$WORK run hutch pull -q "$REGISTRY/r/base:v1"
    assert_status 1
    cp "$WORK/docker-config.json" "$WORK/config.json"
    DOCKER_CONFIG=$WORK run hutch pull -q "$REGISTRY/r/base:v1"
    assert_ok
}

test_token_auth_anonymous_and_private() {
    registry_start token
    registry_push base.tar public/base:v1
    registry_push base.tar private/base:v1
    fresh_store
    run hutch pull -q "$REGISTRY/public/base:v1"
    assert_ok
    assert_base_content "$REGISTRY/public/base:v1"
    run hutch pull "$REGISTRY/private/base:v1"
    assert_error 1
    assert_contains "$err" "pull access denied"
    run hutch login -u "$REGISTRY_USER" -p "$REGISTRY_PASSWORD" "$REGISTRY"
    assert_ok
    assert_contains "$err" "WARNING! Using --password via the CLI is insecure"
    run hutch pull -q "$REGISTRY/private/base:v1"
    assert_ok
    run hutch login -u "$REGISTRY_USER" -p nope "$REGISTRY"
    assert_status 1
    assert_contains "$err" "incorrect username or password"
}

test_pull_errors_are_one_line() {
    start_plain_with_base r/base:v1
    fresh_store
    run hutch pull "$REGISTRY/r/base:nosuch"
    assert_error 1
    assert_contains "$err" "manifest for $REGISTRY/r/base:nosuch not found: manifest unknown"
    # distribution answers MANIFEST_UNKNOWN for a repository it does not have
    # (registries with auth refuse it: see the login tests)
    run hutch pull "$REGISTRY/r/nosuch:v1"
    assert_error 1
    assert_contains "$err" "manifest for $REGISTRY/r/nosuch:v1 not found"
    run hutch pull "$REGISTRY/UPPER"
    assert_error 1
    assert_contains "$err" "invalid reference format"
    run hutch pull nosuchhost.invalid/x
    assert_error 1
    assert_contains "$err" "nosuchhost.invalid"
    assert_store_has_no_image
}

test_fault_corrupt_blob_is_refused() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/blobs/", "action": "corrupt", "times": 100}'
    fresh_store
    run hutch pull "$FAULT_PROXY/r/base:v1"
    assert_error 1
    assert_contains "$err" "digest mismatch"
    assert_store_has_no_image
    [ -z "$(ls "$HUTCH_ROOT/layers/"* 2>/dev/null)" ] || fail "layers left" "$(ls -R "$HUTCH_ROOT/layers")"
    fault_set
    run hutch pull -q "$FAULT_PROXY/r/base:v1"
    assert_ok
    assert_base_content "$FAULT_PROXY/r/base:v1"
}

test_fault_dropped_connection_resumes_with_range() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/blobs/", "action": "drop", "times": 2}'
    fresh_store
    run hutch pull -q "$FAULT_PROXY/r/base:v1"
    assert_ok
    [ "$(fault_count 'action=pass .*range=bytes=[1-9]')" -ge 1 ] ||
        fail "no resumed (Range) request" "$(cat "$FAULT_LOG")"
    assert_base_content "$FAULT_PROXY/r/base:v1"
}

test_fault_5xx_retried_then_given_up() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/manifests/", "action": "status", "status": 503, "times": 2}' \
        '{"path": "/blobs/", "action": "status", "status": 500, "times": 2}'
    fresh_store
    run hutch pull -q "$FAULT_PROXY/r/base:v1"
    assert_ok
    fault_set '{"path": "/manifests/", "action": "status", "status": 500}'
    export HUTCH_ROOT=$WORK/store500
    run hutch pull "$FAULT_PROXY/r/base:v1"
    assert_error 1
    assert_contains "$err" "500"
}

test_fault_huge_and_unsupported_manifests() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/manifests/", "action": "huge"}'
    fresh_store
    run hutch pull "$FAULT_PROXY/r/base:v1"
    assert_error 1
    assert_contains "$err" "larger than 4 MiB"
    fault_set '{"path": "/manifests/", "action": "huge", "chunked": true}'
    run hutch pull "$FAULT_PROXY/r/base:v1"
    assert_error 1
    assert_contains "$err" "larger than 4 MiB"
    fault_set '{"path": "/manifests/", "action": "manifest", "kind": "schema1"}'
    run hutch pull "$FAULT_PROXY/r/base:v1"
    assert_error 1
    assert_contains "$err" "schema 1"
    fault_set '{"path": "/manifests/", "action": "manifest", "kind": "unknown"}'
    run hutch pull "$FAULT_PROXY/r/base:v1"
    assert_error 1
    assert_contains "$err" "unsupported manifest media type application/vnd.hutch-test.unknown.v1+json"
    assert_store_has_no_image
}

test_fault_registry_killed_mid_download_and_restarted() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/blobs/", "action": "slow", "rate": 20000, "times": 1}'
    fresh_store
    spawn "$WORK/pull.out" "$HUTCH" pull -q "$FAULT_PROXY/r/base:v1"
    local pid=$spawned
    fault_wait '^START GET /v2/r/base/blobs/'
    registry_restart
    wait "$pid"
    local st=$?
    assert_eq 0 "$st" "pull status after the registry restarted: $(cat "$WORK/pull.out")"
    assert_base_content "$FAULT_PROXY/r/base:v1"
}

test_concurrent_pulls_fetch_each_layer_once() {
    start_plain_with_base r/base:v1
    fault_proxy_start
    fresh_store
    local i pids=()
    for i in 1 2 3 4; do
        spawn "$WORK/pull.$i" "$HUTCH" pull -q "$FAULT_PROXY/r/base:v1"
        pids+=("$spawned")
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || fail "pull $((i + 1)) failed" "$(cat "$WORK/pull.$((i + 1))")"
    done
    local digest
    for digest in $(registry_inspect --raw r/base:v1 | jq -r '.layers[].digest'); do
        assert_eq 1 "$(fault_count "^GET /v2/r/base/blobs/$digest status=200")" "fetches of $digest"
    done
    assert_base_content "$FAULT_PROXY/r/base:v1"
}

test_kill9_during_pull_leaves_a_usable_store() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/blobs/", "action": "slow", "rate": 20000}'
    fresh_store
    spawn "$WORK/pull.out" "$HUTCH" pull -q "$FAULT_PROXY/r/base:v1"
    fault_wait '^START GET /v2/r/base/blobs/'
    kill -9 "$spawned"
    wait "$spawned" 2>/dev/null
    assert_store_has_no_image
    fault_set
    run hutch pull -q "$FAULT_PROXY/r/base:v1"
    assert_ok
    assert_base_content "$FAULT_PROXY/r/base:v1"
    [ -z "$(ls "$HUTCH_ROOT/tmp")" ] || fail "staging left in tmp/" "$(ls -la "$HUTCH_ROOT/tmp")"
}

test_run_pull_policies() {
    start_plain_with_base r/base:v1
    fault_proxy_start
    fresh_store
    run hutch run --rm --pull never "$FAULT_PROXY/r/base:v1" true
    assert_error 125
    assert_contains "$err" "No such image: $FAULT_PROXY/r/base:v1"
    run hutch run --rm "$FAULT_PROXY/r/base:v1" cat /etc/motd
    assert_ok
    assert_eq "layer3" "$out" "stdout holds only the container's output"
    assert_contains "$err" "Unable to find image '$FAULT_PROXY/r/base:v1' locally"
    assert_contains "$err" "Status: Downloaded newer image for $FAULT_PROXY/r/base:v1"
    local before
    before=$(fault_count '/manifests/')
    run hutch run --rm "$FAULT_PROXY/r/base:v1" true
    assert_ok
    assert_eq "$before" "$(fault_count '/manifests/')" "missing: no registry request for a present image"
    run hutch run --rm --pull always "$FAULT_PROXY/r/base:v1" true
    assert_ok
    [ "$(fault_count '/manifests/')" -gt "$before" ] || fail "--pull always did not ask the registry"
    assert_contains "$err" "Image is up to date"
    run hutch run --rm --pull sometimes "$FAULT_PROXY/r/base:v1" true
    assert_error 125
    assert_contains "$err" "invalid pull option"
    run hutch run --rm "$FAULT_PROXY/r/nosuch:v1" true
    assert_status 125
    assert_contains "$err" "manifest for $FAULT_PROXY/r/nosuch:v1 not found"
}

test_pull_progress_on_a_terminal() {
    start_plain_with_base r/base:v1
    fault_proxy_start '{"path": "/blobs/", "action": "slow", "rate": 400000}'
    fresh_store
    run python3 "$TESTDIR/ptyrun.py" --cols 120 -- "$HUTCH" pull "$FAULT_PROXY/r/base:v1"
    assert_ok
    assert_contains "$out" "Downloading ["
    assert_contains "$out" "Pull complete"
    assert_match "$out" "[0-9.]+[kM]?B/[0-9.]+[kM]?B"
}
