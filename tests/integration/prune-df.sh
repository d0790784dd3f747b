# hutch image prune and hutch system df: docker's prompt and report, what is
# kept for containers, leftovers of failed loads, and the sizes df reports.

# shellcheck disable=SC1091
. "$TESTDIR/format-helpers.sh"
# shellcheck disable=SC1091
. "$TESTDIR/store-helpers.sh"

DANGLING_PROMPT=$'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] '
ALL_PROMPT=$'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] '
L1=${BASE_DIFFIDS%% *}

test_prune_prompt_and_dangling() {
    fresh_store
    load base.tar
    load untagged.tar
    local bytes
    bytes=$(blob_bytes "$UNTAGGED_ID")   # its only layer is base's L1
    run hutch image prune <<<"n"
    assert_status 1
    assert_eq "$DANGLING_PROMPT" "$out" "prompt"
    assert_eq "hutch: image prune has been cancelled" "$err"
    run hutch image prune </dev/null
    assert_status 1
    assert_eq "$DANGLING_PROMPT" "$out" "prompt with no answer"
    run hutch images -q
    assert_contains "$out" "$(short_id "$UNTAGGED_ID")" "images after the refusals"
    run hutch image prune <<<"y"
    assert_ok
    assert_eq "${DANGLING_PROMPT}Deleted Images:"$'\n'"deleted: $UNTAGGED_ID"$'\n\n'"Total reclaimed space: $(human "$bytes" 4)" "$out"
    assert_store_holds "$BASE_ID=$BASE_DIFFIDS"
    run hutch image prune -f
    assert_ok
    assert_eq "Total reclaimed space: 0B" "$out"
    run hutch image prune --all <<<"no"
    assert_status 1
    assert_eq "$ALL_PROMPT" "$out" "prompt of --all"
}

test_prune_all_keeps_images_in_use() {
    fresh_store
    load base.tar
    load multi.tar
    local two_l2
    two_l2=$(hutch image inspect -f '{{index .RootFS.Layers 1}}' hutch-test/two)
    run hutch run --name "$(name)" hutch-test/one true
    assert_ok
    # freed: base's and two's configs, and their layers that one does not use
    local bytes=0 d base_lines two_lines
    for d in "$BASE_ID" "$TWO_ID"; do bytes=$((bytes + $(blob_bytes "$d"))); done
    for d in ${BASE_DIFFIDS#* } "$two_l2"; do bytes=$((bytes + $(blob_bytes "$d") + $(layer_bytes "$d"))); done
    # shellcheck disable=SC2086
    base_lines=$'untagged: hutch-test/base:latest\nuntagged: hutch-test/base:v1\n'"deleted: $BASE_ID"$'\n'"$(chain_ids $BASE_DIFFIDS | tail -n 2 | tac | sed 's/^/deleted: /')"
    two_lines=$'untagged: hutch-test/two:latest\n'"deleted: $TWO_ID"$'\n'"deleted: $(chain_ids "$L1" "$two_l2" | tail -n 1)"
    run hutch image prune -a -f
    assert_ok
    # images of the same age go in id order
    if [[ "$BASE_ID" < "$TWO_ID" ]]; then
        assert_eq "Deleted Images:"$'\n'"$base_lines"$'\n'"$two_lines"$'\n\n'"Total reclaimed space: $(human "$bytes" 4)" "$out"
    else
        assert_eq "Deleted Images:"$'\n'"$two_lines"$'\n'"$base_lines"$'\n\n'"Total reclaimed space: $(human "$bytes" 4)" "$out"
    fi
    assert_store_holds "$ONE_ID=$L1"
    run hutch images --format '{{.Repository}}:{{.Tag}}'
    assert_eq $'hutch-test/one:extra\nhutch-test/one:latest' "$out"
    run hutch run --rm hutch-test/one sh -c 'echo $IMAGE'
    assert_eq "one" "$out"
}

test_prune_collects_orphans() {
    fresh_store
    load multi.tar
    # a load that fails verification adds nothing: its blobs join the store
    # only once their layers verified, and what it staged goes with it
    local before
    before=$(blobs; layer_dirs)
    run hutch load -i "$FIXTURES/bad-digest.tar"
    assert_error 1
    assert_eq "$before" "$(blobs; layer_dirs)" "content after the failed load"
    # a crash between storing content and writing the record leaves blobs and
    # an unpacked layer no image names: here, base's record removed by hand
    load base.tar
    rm "$HUTCH_ROOT/images/${BASE_ID#sha256:}.json"
    jq 'with_entries(select(.value != "'"$BASE_ID"'"))' "$HUTCH_ROOT/repositories.json" >"$WORK/tags.json"
    mv "$WORK/tags.json" "$HUTCH_ROOT/repositories.json"
    local two_l2 expected=0 h
    two_l2=$(hutch image inspect -f '{{index .RootFS.Layers 1}}' hutch-test/two)
    local keep
    keep=$(hexes "$ONE_ID" "$TWO_ID" "$L1" "$two_l2")
    for h in $(blobs); do grep -qx "$h" <<<"$keep" || expected=$((expected + $(blob_bytes "$h"))); done
    for h in $(layer_dirs); do grep -qx "$h" <<<"$keep" || expected=$((expected + $(layer_bytes "$h"))); done
    [ "$expected" -gt 0 ] || fail "the failed load left nothing to collect"
    # and interrupted metadata writes leave temporary files
    echo '{}' >"$HUTCH_ROOT/images/${ONE_ID#sha256:}.json.tmp-0123abcd"
    echo '{}' >"$HUTCH_ROOT/repositories.json.tmp-0123abcd"
    run hutch image prune -f
    assert_ok
    assert_eq "Total reclaimed space: $(human "$expected" 4)" "$out"
    assert_store_holds "$ONE_ID=$L1" "$TWO_ID=$L1 $two_l2"
    assert_eq "$(hexes "$ONE_ID" "$TWO_ID" | sed 's/$/.json/')" "$(records)" "image records"
    assert_absent "$HUTCH_ROOT/repositories.json.tmp-0123abcd"
    run hutch run --rm hutch-test/two cat /two
    assert_eq "two" "$out"
}

test_prune_filters() {
    fresh_store
    load base.tar
    load hist.tar
    load old.tar
    local bytes
    bytes=$(blob_bytes "$OLD_ID")   # its only layer is shared
    run hutch image prune -a -f --filter label=tier=silver
    assert_ok
    assert_eq $'Deleted Images:\nuntagged: hutch-test/old:latest\n'"deleted: $OLD_ID"$'\n\n'"Total reclaimed space: $(human "$bytes" 4)" "$out"
    run hutch image prune -a -f --filter 'label!=tier'
    assert_ok
    assert_contains "$out" "untagged: hutch-test/base:latest" "label!=tier"
    assert_not_contains "$out" "hist" "label!=tier"
    run hutch images --format '{{.Repository}}'
    assert_eq "hutch-test/hist" "$out"
    load base.tar
    run hutch image prune -a -f --filter until=2024-02-01T00:00:00Z
    assert_ok
    assert_contains "$out" "deleted: $BASE_ID"
    assert_not_contains "$out" "$HIST_ID"
    run hutch image prune -f --filter reference=x
    assert_error 1
    assert_eq "hutch: invalid filter 'reference'" "$err"
    run hutch image prune -f --filter dangling=false
    assert_error 1
    assert_eq "hutch: invalid filter 'dangling=[false true]'" "$err"
    run hutch image prune -f --filter until=someday
    assert_error 1
    assert_eq "hutch: invalid value for 'until' filter: failed to parse value as time or duration: \"someday\"" "$err"
    run hutch image prune -f --filter nonsense
    assert_status 125   # a malformed filter is a flag error
    assert_contains "$err" 'invalid argument "nonsense" for "--filter" flag: bad format of filter (expected name=value)'
}

test_system_df() {
    fresh_store
    load base.tar
    load multi.tar
    local n
    n=$(name)
    run hutch run --name "$n" hutch-test/one sh -c 'head -c 1000 /dev/zero >/f'
    assert_ok
    local total needed reclaim
    total=$(store_bytes)
    needed=$(($(layer_bytes "$L1") + $(blob_bytes "$L1") + $(blob_bytes "$ONE_ID")))
    reclaim=$((total - needed))
    local expected
    expected=$(printf 'TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE\nImages\t3\t1\t%s\t%s (%d%%)\nContainers\t1\t0\t1kB\t1kB (100%%)\nLocal Volumes\t0\t0\t0B\t0B\nBuild Cache\t0\t0\t0B\t0B\n' \
        "$(human "$total" 4)" "$(human "$reclaim" 4)" $((reclaim * 100 / total)) | align)
    run hutch system df
    assert_ok
    assert_eq "$expected" "$out" "system df"
    run hutch system df --format '{{.Type}}={{.TotalCount}}/{{.Active}}'
    assert_eq $'Images=3/1\nContainers=1/0\nLocal Volumes=0/0\nBuild Cache=0/0' "$out"
    run hutch system df --format json
    assert_eq "{\"Active\":\"1\",\"Reclaimable\":\"$(human "$reclaim" 4) ($((reclaim * 100 / total))%)\",\"Size\":\"$(human "$total" 4)\",\"TotalCount\":\"3\",\"Type\":\"Images\"}" \
        "$(head -n 1 <<<"$out")"

    # -v: each image (its first tag), container, then the empty volumes and build cache
    local l1 rows="" id
    l1=$(layer_bytes "$L1")
    for id in $(printf '%s\n' "$BASE_ID" "$ONE_ID" "$TWO_ID" | sort); do
        local size repo tag used=0
        size=$(hutch image inspect -f '{{.Size}}' "$id")
        case $id in
        "$BASE_ID") repo=hutch-test/base tag=latest ;;
        "$ONE_ID") repo=hutch-test/one tag=extra used=1 ;;
        "$TWO_ID") repo=hutch-test/two tag=latest ;;
        esac
        rows+=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$repo" "$tag" "$(short_id "$id")" "$(since 2024-01-02T03:04:05Z)" \
            "$(human "$size")" "$(human "$l1" 4)" "$(human $((size - l1)) 4)" "$used")$'\n'
    done
    run hutch system df -v
    assert_ok
    assert_eq "Images space usage:"$'\n\n'"$(printf 'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n%s' "$rows" | align)" \
        "$(head -n 6 <<<"$out")" "images section"
    assert_match "$out" $'\nContainers space usage:\n\nCONTAINER ID   IMAGE            COMMAND                  LOCAL VOLUMES   SIZE      CREATED +STATUS +NAMES\n[0-9a-f]{12}   hutch-test/one   "sh -c \'head -c 1000\xe2\x80\xa6"   0               1kB       [^\n]+ ago +Exited \(0\) [^\n]+ ago +'"$n"$'\n'
    assert_contains "$out" $'\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\nBuild cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED'

    # prune -a frees what df called reclaimable, and df then agrees
    run hutch image prune -a -f
    assert_eq "Total reclaimed space: $(human "$reclaim" 4)" "$(tail -n 1 <<<"$out")"
    run hutch system df --format '{{.Type}} {{.Size}} {{.Reclaimable}}'
    assert_eq "Images $(human "$needed" 4) 0B (0%)" "$(head -n 1 <<<"$out")"
}
