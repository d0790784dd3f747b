# hutch rmi / image rm / image remove and hutch tag: docker's untag-or-delete
# rules, its conflict messages, content shared between images, and a kill -9
# in the middle of a removal.

# shellcheck disable=SC1091
. "$TESTDIR/store-helpers.sh"

L1=${BASE_DIFFIDS%% *}
TWO_L2=""

setup_multi() {
    fresh_store
    load multi.tar
    TWO_L2=$(hutch image inspect -f '{{index .RootFS.Layers 1}}' hutch-test/two)
}

test_rmi_untag_then_delete() {
    fresh_store
    load base.tar
    run hutch rmi hutch-test/base:v1
    assert_ok
    assert_eq "Untagged: hutch-test/base:v1" "$out"
    assert_eq "" "$err"
    assert_store_holds "$BASE_ID=$BASE_DIFFIDS"
    run hutch rmi hutch-test/base
    assert_ok
    # shellcheck disable=SC2086
    assert_eq "Untagged: hutch-test/base:latest"$'\n'"Deleted: $BASE_ID"$'\n'"$(deleted_layers $BASE_DIFFIDS)" "$out"
    assert_store_holds
    assert_eq "" "$(records)" "image records"
    assert_eq "{}" "$(cat "$HUTCH_ROOT/repositories.json")" "tags"
    run hutch images -q
    assert_eq "" "$out"
    # loading it again brings back a working image
    load base.tar
    run hutch run --rm "$IMG" cat /etc/motd
    assert_eq "layer3" "$out"
}

test_rmi_id_with_several_tags_needs_force() {
    fresh_store
    load base.tar
    local id12
    id12=$(short_id "$BASE_ID")
    run hutch rmi "$id12"
    assert_error 1
    assert_eq "hutch: conflict: unable to delete $id12 (must be forced) - image is referenced in multiple repositories" "$err"
    assert_eq "" "$out"
    run hutch images -q
    assert_eq 2 "$(grep -c '' <<<"$out")" "tags kept after the refusal"
    run hutch image rm -f "${id12:0:5}"
    assert_ok
    # shellcheck disable=SC2086
    assert_eq "Untagged: hutch-test/base:latest"$'\n'"Untagged: hutch-test/base:v1"$'\n'"Deleted: $BASE_ID"$'\n'"$(deleted_layers $BASE_DIFFIDS)" "$out"
    assert_store_holds
}

test_rmi_by_id_with_one_tag() {
    setup_multi
    run hutch image remove "$TWO_ID"
    assert_ok
    assert_eq "Untagged: hutch-test/two:latest"$'\n'"Deleted: $TWO_ID"$'\n'"Deleted: $(chain_ids "$L1" "$TWO_L2" | tail -n 1)" "$out"
    assert_store_holds "$ONE_ID=$L1"
}

test_rmi_shared_layers_keep_other_runnable() {
    setup_multi
    assert_store_holds "$ONE_ID=$L1" "$TWO_ID=$L1 $TWO_L2"
    run hutch rmi hutch-test/two
    assert_ok
    # only the layer no other image uses is listed and removed
    assert_eq "Untagged: hutch-test/two:latest"$'\n'"Deleted: $TWO_ID"$'\n'"Deleted: $(chain_ids "$L1" "$TWO_L2" | tail -n 1)" "$out"
    assert_store_holds "$ONE_ID=$L1"
    run hutch run --rm hutch-test/one sh -c 'echo $IMAGE; test -e /two || echo no-two; cat /etc/passwd | head -n 1'
    assert_ok
    assert_eq $'one\nno-two\nroot:x:0:0:root:/root:/bin/sh' "$out"
    # and the other way round: the shared layer goes with the last image using it
    load multi.tar
    run hutch rmi hutch-test/one hutch-test/one:extra
    assert_ok
    assert_eq "Untagged: hutch-test/one:latest"$'\n'"Untagged: hutch-test/one:extra"$'\n'"Deleted: $ONE_ID" "$out"
    run hutch run --rm hutch-test/two cat /two
    assert_eq "two" "$out"
    run hutch rmi hutch-test/two
    assert_eq "Untagged: hutch-test/two:latest"$'\n'"Deleted: $TWO_ID"$'\n'"$(deleted_layers "$L1" "$TWO_L2")" "$out"
    assert_store_holds
}

test_rmi_refused_for_stopped_container() {
    setup_multi
    local n cid id12
    n=$(name)
    run hutch run --name "$n" hutch-test/two true
    assert_ok
    cid=$(hutch ps -a -q --no-trunc)
    id12=$(short_id "$TWO_ID")
    run hutch rmi hutch-test/two
    assert_error 1
    assert_eq "hutch: conflict: unable to remove repository reference \"hutch-test/two\" (must force) - container ${cid:0:12} is using its referenced image $id12" "$err"
    run hutch rmi "$id12"
    assert_error 1
    assert_eq "hutch: conflict: unable to delete $id12 (must be forced) - image is being used by stopped container ${cid:0:12}" "$err"
    assert_store_holds "$ONE_ID=$L1" "$TWO_ID=$L1 $TWO_L2"
    # forced: untagged, but kept (dangling) for the container
    run hutch rmi -f hutch-test/two
    assert_ok
    assert_eq "Untagged: hutch-test/two:latest" "$out"
    run hutch images --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Containers}}' -f dangling=true
    assert_eq "<none>:<none> $id12 1" "$out"
    assert_store_holds "$ONE_ID=$L1" "$TWO_ID=$L1 $TWO_L2"
    run hutch rmi -f "$id12"
    assert_error 1
    assert_eq "hutch: conflict: unable to delete $id12 (cannot be forced) - image is being used by stopped container ${cid:0:12}" "$err"
    # once the container is gone, the image can go
    run hutch rm "$n"
    assert_ok
    run hutch rmi "$id12"
    assert_ok
    assert_eq "Deleted: $TWO_ID"$'\n'"Deleted: $(chain_ids "$L1" "$TWO_L2" | tail -n 1)" "$out"
    assert_store_holds "$ONE_ID=$L1"
}

test_rmi_refused_for_running_container() {
    setup_multi
    local n cid id12
    n=$(name)
    spawn "$WORK/run.out" "$HUTCH" run --name "$n" hutch-test/two sh -c 'echo started; sleep 30'
    wait_for "$WORK/run.out" started
    cid=$(hutch ps -q --no-trunc)
    assert_match "$cid" '^[0-9a-f]{64}$' "running container"
    id12=$(short_id "$TWO_ID")
    run hutch rmi -f "$id12"
    assert_error 1
    assert_eq "hutch: conflict: unable to delete $id12 (cannot be forced) - image is being used by running container ${cid:0:12}" "$err"
    run hutch rmi hutch-test/two
    assert_error 1
    assert_contains "$err" "(must force) - container ${cid:0:12} is using its referenced image $id12"
    run hutch rmi -f hutch-test/two
    assert_ok
    assert_eq "Untagged: hutch-test/two:latest" "$out"
    assert_store_holds "$ONE_ID=$L1" "$TWO_ID=$L1 $TWO_L2"
    run hutch ps -q --no-trunc
    assert_eq "$cid" "$out" "the container still runs"
    run hutch rm -f "$n"
    assert_ok
    wait_status "$spawned"
    assert_eq 137 "$?" "status of the killed container's hutch run"
    run hutch rmi "$id12"
    assert_ok
    assert_store_holds "$ONE_ID=$L1"
}

test_rmi_several_with_errors() {
    setup_multi
    run hutch rmi nosuch hutch-test/two hutch-test/one:nosuch
    assert_status 1
    assert_eq "Untagged: hutch-test/two:latest"$'\n'"Deleted: $TWO_ID"$'\n'"Deleted: $(chain_ids "$L1" "$TWO_L2" | tail -n 1)" "$out"
    assert_eq $'hutch: No such image: nosuch:latest\nhutch: No such image: hutch-test/one:nosuch' "$err"
    # with --force, images that do not exist are reported but do not fail
    run hutch rmi -f nosuch hutch-test/one:extra
    assert_ok
    assert_eq "Untagged: hutch-test/one:extra" "$out"
    assert_eq "hutch: No such image: nosuch:latest" "$err"
    # a conflict still fails under --force (the first forced removal only untags)
    load base.tar
    run hutch run --name "$(name)" "$IMG" true
    run hutch rmi -f "$(short_id "$BASE_ID")"
    assert_ok
    assert_eq $'Untagged: hutch-test/base:latest\nUntagged: hutch-test/base:v1' "$out"
    run hutch rmi -f nosuch "$(short_id "$BASE_ID")"
    assert_status 1
    assert_contains "$err" "hutch: No such image: nosuch:latest"
    assert_contains "$err" "(cannot be forced) - image is being used by stopped container"
    run hutch rmi
    assert_status 1
    assert_contains "$err" '"hutch rmi" requires at least 1 argument.'
}

test_tag() {
    fresh_store
    load base.tar
    load multi.tar
    run hutch tag hutch-test/base mine/app:1.0
    assert_ok
    assert_eq "" "$out$err"
    run hutch tag "$(short_id "$BASE_ID")" localhost:5000/x/y
    assert_ok
    run hutch image tag hutch-test/base:v1 plain
    assert_ok
    run hutch images --format '{{.Repository}}:{{.Tag}}' -f "reference=*" -f "reference=*/*" -f "reference=*/*/*"
    assert_contains "$out" "mine/app:1.0"
    assert_contains "$out" "localhost:5000/x/y:latest"
    assert_contains "$out" "plain:latest"
    run hutch run --rm mine/app:1.0 cat /etc/motd
    assert_eq "layer3" "$out"
    # moving the only tag of an image leaves it dangling
    run hutch tag hutch-test/one hutch-test/two
    assert_ok
    run hutch images --format '{{.ID}} {{.Repository}}:{{.Tag}}' -f dangling=true
    assert_eq "$(short_id "$TWO_ID") <none>:<none>" "$out"
    run hutch run --rm hutch-test/two sh -c 'echo $IMAGE'
    assert_eq "one" "$out"
    run hutch tag nosuch x
    assert_error 1
    assert_eq "hutch: No such image: nosuch:latest" "$err"
    run hutch tag hutch-test/base 'Bad:x'
    assert_error 1
    assert_eq 'hutch: Error parsing reference: "Bad:x" is not a valid repository/tag: invalid reference format' "$err"
    run hutch tag hutch-test/base "x@$BASE_ID"
    assert_error 1
    assert_eq "hutch: refusing to create a tag with a digest reference" "$err"
    run hutch tag hutch-test/base
    assert_status 1
    assert_contains "$err" '"hutch tag" requires exactly 2 arguments.'
}

# A kill -9 at any moment of an rmi leaves a store that images and run accept,
# and whose leftovers (layers no image names) the next prune removes.
test_rmi_kill9_leaves_usable_store() {
    fresh_store
    load base.tar
    local record=$HUTCH_ROOT/images/${MANY_ID#sha256:}.json round pid i
    for round in 1 2 3 4 5; do
        [ -e "$record" ] || load many.tar
        spawn "$WORK/rmi.out" "$HUTCH" rmi hutch-test/many
        pid=$spawned
        case $round in
        1 | 2) while alive "$pid" && [ -e "$record" ]; do :; done ;;   # right after the record goes
        3 | 4) # while layers are being deleted: the first one was moved into tmp/
            for ((i = 0; i < 200000; i++)); do compgen -G "$HUTCH_ROOT/tmp/gc-*" >/dev/null && break; done ;;
        5) sleep 0.01 ;;
        esac
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        run hutch images --format '{{.Repository}}'
        assert_ok
        if grep -qx hutch-test/many <<<"$out"; then
            run hutch run --rm hutch-test/many sh -c 'cat /layers/1 /layers/119'
            assert_ok
            assert_eq $'1\n119' "$out" "the image survived the kill whole (round $round)"
        fi
        run hutch run --rm "$IMG" cat /etc/motd
        assert_eq "layer3" "$out" "base image after the kill (round $round)"
    done
    [ -e "$record" ] && { run hutch rmi hutch-test/many; assert_ok; }
    run hutch image prune -f
    assert_ok
    assert_store_holds "$BASE_ID=$BASE_DIFFIDS"
    assert_eq "" "$(ls "$HUTCH_ROOT/tmp")" "tmp/ after prune"
}

# Repo digests (which pull records) are references too: shown by --digests and
# inspect, removed on their own, or with the last tag of their repository.
test_rmi_repo_digests() {
    setup_multi
    local digest record=$HUTCH_ROOT/images/${TWO_ID#sha256:}.json
    digest=sha256:$(printf 'a manifest' | sha256sum | cut -d' ' -f1)
    printf 'a manifest' >"$HUTCH_ROOT/blobs/sha256/${digest#sha256:}"
    add_digest() {
        python3 - "$record" "docker.io/hutch-test/two@$digest" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["repo_digests"] = [sys.argv[2]]; json.dump(r, open(sys.argv[1], "w"))
PY
    }
    add_digest
    run hutch images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' hutch-test/two
    assert_eq "hutch-test/two latest $digest" "$out"
    # as docker: a format that names .Digest gets the digests without --digests
    run hutch images --format '{{.Repository}} {{.Tag}} {{.Digest}}' hutch-test/two
    assert_eq "hutch-test/two latest $digest" "$out"
    run hutch images -q hutch-test/two
    assert_eq "$(short_id "$TWO_ID")" "$out" "one row for a tag with a digest"
    run hutch image inspect -f '{{json .RepoTags}} {{json .RepoDigests}}' hutch-test/two
    assert_eq "[\"hutch-test/two:latest\"] [\"hutch-test/two@$digest\"]" "$out"
    run hutch rmi "hutch-test/two@$digest"
    assert_ok
    assert_eq "Untagged: hutch-test/two@$digest" "$out"
    assert_store_holds "$ONE_ID=$L1" "$TWO_ID=$L1 $TWO_L2"
    add_digest
    run hutch rmi hutch-test/two
    assert_ok
    assert_eq "Untagged: hutch-test/two:latest"$'\n'"Untagged: hutch-test/two@$digest"$'\n'"Deleted: $TWO_ID"$'\n'"Deleted: $(chain_ids "$L1" "$TWO_L2" | tail -n 1)" "$out"
    # the manifest blob went with the image
    assert_store_holds "$ONE_ID=$L1"
}

# docker's --no-prune keeps the untagged parents of a removed image; hutch's
# images have none, so the removal is the same, content included.
test_rmi_no_prune_removes_the_same() {
    fresh_store
    load base.tar
    run hutch rmi hutch-test/base:v1
    assert_ok
    run hutch rmi --no-prune hutch-test/base
    assert_ok
    # shellcheck disable=SC2086
    assert_eq "Untagged: hutch-test/base:latest"$'\n'"Deleted: $BASE_ID"$'\n'"$(deleted_layers $BASE_DIFFIDS)" "$out"
    assert_store_holds
}

# docker's images -a adds intermediate images; hutch has none, and untagged
# images are listed either way.
test_images_all_lists_the_same() {
    fresh_store
    load base.tar
    run hutch run --name keep "$IMG" true
    assert_ok
    # untagged, and kept (<none>) for the container
    run hutch rmi -f hutch-test/base:v1 hutch-test/base:latest
    assert_ok
    run hutch images
    local plain=$out
    assert_contains "$plain" "<none>"
    run hutch images -a
    assert_ok
    assert_eq "$plain" "$out"
}
