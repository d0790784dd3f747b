# hutch images: docker's table (exact columns), --digests, -q, --no-trunc,
# --format (table, json, templates), --filter and REPOSITORY[:TAG] patterns.

# shellcheck disable=SC1091
. "$TESTDIR/format-helpers.sh"

setup_images() {   # base (2 tags), multi (one: 2 tags, two), untagged, hist, old
    fresh_store
    local f
    for f in base.tar multi.tar untagged.tar hist.tar old.tar; do load "$f"; done
    SIZE=$(human "$(hutch image inspect -f '{{.Size}}' "$IMG")")
    AGO=$(since 2024-01-02T03:04:05Z)
}

sid() { short_id "$1"; }

# the rows of the images created 2024-01-02 (all but hist and old), in docker's
# order for equal times: by id.
same_time_rows() {
    local id rows=()
    for id in $(printf '%s\n' "$BASE_ID" "$ONE_ID" "$TWO_ID" "$UNTAGGED_ID" | sort); do
        case $id in
        "$BASE_ID") rows+=("hutch-test/base	latest	$(sid "$id")" "hutch-test/base	v1	$(sid "$id")") ;;
        "$ONE_ID") rows+=("hutch-test/one	extra	$(sid "$id")" "hutch-test/one	latest	$(sid "$id")") ;;
        "$TWO_ID") rows+=("hutch-test/two	latest	$(sid "$id")") ;;
        "$UNTAGGED_ID") rows+=("<none>	<none>	$(sid "$id")") ;;
        esac
    done
    printf '%s\n' "${rows[@]}"
}

test_images_table_exact() {
    setup_images
    local expected
    expected=$({
        printf 'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n'
        printf 'hutch-test/hist\tlatest\t%s\t%s\t%s\n' "$(sid "$HIST_ID")" "$(since 2024-03-04T05:06:07Z)" \
            "$(human "$(hutch image inspect -f '{{.Size}}' hutch-test/hist)")"
        same_time_rows | sed "s/\$/	$AGO	$SIZE/"
        printf 'hutch-test/old\tlatest\t%s\t%s\t%s\n' "$(sid "$OLD_ID")" "$(since 2023-01-01T00:00:00Z)" "$SIZE"
    } | align)
    run hutch images
    assert_ok
    assert_eq "$expected" "$out" "hutch images"
    run hutch image ls
    assert_eq "$expected" "$out" "hutch image ls"
    run hutch image list
    assert_eq "$expected" "$out" "hutch image list"
}

test_images_columns_literal() {
    # docker's exact spacing, written out: minimum width 10, 3 spaces of padding.
    fresh_store
    load multi.tar
    run hutch images --format 'table {{.Tag}}\t{{.Repository}}' hutch-test/two
    assert_ok
    assert_eq $'TAG       REPOSITORY\nlatest    hutch-test/two' "$out"
    run hutch images --format '{{.Repository}}:{{.Tag}}' hutch-test/one
    assert_eq $'hutch-test/one:extra\nhutch-test/one:latest' "$out"
}

test_images_quiet_no_trunc_digests() {
    fresh_store
    load base.tar
    load untagged.tar
    local b u
    b=$(sid "$BASE_ID") u=$(sid "$UNTAGGED_ID")
    # docker prints an id once per row, so twice for two tags
    run hutch images -q
    assert_ok
    if [[ "$BASE_ID" < "$UNTAGGED_ID" ]]; then
        assert_eq "$b"$'\n'"$b"$'\n'"$u" "$out" "images -q"
    else
        assert_eq "$u"$'\n'"$b"$'\n'"$b" "$out" "images -q"
    fi
    run hutch images -q --no-trunc hutch-test/base:v1
    assert_eq "$BASE_ID" "$out" "images -q --no-trunc"
    run hutch images --no-trunc --format '{{.ID}}' "$BASE_ID"
    assert_eq "" "$out" "an id is not a reference pattern"
    run hutch images --digests hutch-test/base:v1
    assert_ok
    assert_eq "$(printf 'REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE\nhutch-test/base\tv1\t<none>\t%s\t%s\t%s\n' \
        "$b" "$(since 2024-01-02T03:04:05Z)" "$(human "$(hutch image inspect -f '{{.Size}}' "$IMG")")" | align)" \
        "$out" "images --digests"
    # a custom table gains a DIGEST column with --digests
    run hutch images --digests --format 'table {{.Tag}}' hutch-test/base:v1
    assert_eq $'TAG       DIGEST\nv1        <none>' "$out"
}

test_images_format_json_and_fields() {
    fresh_store
    load base.tar
    run hutch images --format json hutch-test/base:latest
    assert_ok
    local size vsize
    size=$(human "$(hutch image inspect -f '{{.Size}}' "$IMG")")
    vsize=$(human "$(hutch image inspect -f '{{.Size}}' "$IMG")" 4)
    assert_eq "{\"Containers\":\"0\",\"CreatedAt\":\"2024-01-02 03:04:05 +0000 UTC\",\"CreatedSince\":\"$(since 2024-01-02T03:04:05Z)\",\"Digest\":\"\\u003cnone\\u003e\",\"ID\":\"$(sid "$BASE_ID")\",\"Repository\":\"hutch-test/base\",\"SharedSize\":\"N/A\",\"Size\":\"$size\",\"Tag\":\"latest\",\"UniqueSize\":\"N/A\",\"VirtualSize\":\"$vsize\"}" \
        "$out" "images --format json"
    run hutch images --format '{{json .Tag}} {{upper .Repository}} {{len .ID}} {{.Containers}}' hutch-test/base:v1
    assert_eq '"v1" HUTCH-TEST/BASE 12 0' "$out"
    run hutch images --format '{{if eq .Tag "v1"}}{{.Tag}}{{else}}other{{end}}\n' hutch-test/base
    assert_eq $'other\n\nv1\n' "$out"$'\n' "\\n in a format is a newline"
    run hutch images --format 'table {{.ID}}\t{{.CreatedAt}}' hutch-test/base:v1
    assert_eq "IMAGE ID       CREATED AT"$'\n'"$(sid "$BASE_ID")   2024-01-02 03:04:05 +0000 UTC" "$out"
}

test_images_containers_field() {
    fresh_store
    load base.tar
    run hutch run --name "$(name)" "$IMG" true
    assert_ok
    run hutch images --format '{{.Tag}} {{.Containers}}'
    assert_eq $'latest 1\nv1 1' "$out"
}

test_images_bad_format_and_filters() {
    fresh_store
    load base.tar
    run hutch images --format '{{.ID'
    assert_error 1
    assert_eq "hutch: template parsing error: template: :1: unclosed action" "$err"
    run hutch images --format '{{nosuch .ID}}'
    assert_error 1
    assert_eq 'hutch: template parsing error: template: :1: function "nosuch" not defined' "$err"
    run hutch images --format '{{.ID.Foo}}'
    assert_error 1
    assert_contains "$err" "template parsing error: template: :1:2: executing \"\" at <.ID.Foo>: can't evaluate field Foo in type string"
    run hutch images -f nonsense
    assert_status 125   # a malformed filter is a flag error
    assert_contains "$err" 'invalid argument "nonsense" for "-f, --filter" flag: bad format of filter (expected name=value)'
    run hutch images -f color=red
    assert_error 1
    assert_eq "hutch: invalid filter 'color'" "$err"
    run hutch images -f dangling=maybe
    assert_error 1
    assert_eq "hutch: invalid filter 'dangling=[maybe]'" "$err"
    run hutch images -f before=nosuch
    assert_error 1
    assert_eq "hutch: No such image: nosuch:latest" "$err"
    run hutch images -f 'reference=[' 
    assert_error 1
    assert_eq "hutch: syntax error in pattern" "$err"
}

test_images_filter_dangling() {
    setup_images
    run hutch images -q -f dangling=true
    assert_ok
    assert_eq "$(sid "$UNTAGGED_ID")" "$out" "dangling=true"
    run hutch images -q -f dangling=false
    assert_not_contains "$out" "$(sid "$UNTAGGED_ID")" "dangling=false"
    assert_eq 7 "$(grep -c '' <<<"$out")" "rows with dangling=false"
}

test_images_filter_reference_globs() {
    setup_images
    run hutch images --format '{{.Repository}}:{{.Tag}}' -f 'reference=hutch-test/o*'
    assert_ok
    assert_eq $'hutch-test/one:extra\nhutch-test/one:latest\nhutch-test/old:latest' "$out"
    run hutch images --format '{{.Repository}}:{{.Tag}}' 'hutch-test/*:latest'
    assert_eq 5 "$(grep -c '' <<<"$out")" "*:latest"
    assert_not_contains "$out" ":v1"
    run hutch images --format '{{.Repository}}:{{.Tag}}' '*'
    assert_eq "" "$out" "'*' does not cross '/'"
    run hutch images --format '{{.Repository}}:{{.Tag}}' 'docker.io/hutch-test/t?o'
    assert_eq "hutch-test/two:latest" "$out" "full name with ?"
    run hutch images --format '{{.Repository}}:{{.Tag}}' hutch-test/base:v1
    assert_eq "hutch-test/base:v1" "$out"
    # several reference filters: any may match; other filters must all match
    run hutch images --format '{{.Repository}}:{{.Tag}}' -f reference=hutch-test/two -f reference=hutch-test/old
    assert_eq $'hutch-test/two:latest\nhutch-test/old:latest' "$out"
    run hutch images --format '{{.Repository}}:{{.Tag}}' -f 'reference=hutch-test/*' -f label=tier=gold
    assert_eq "hutch-test/hist:latest" "$out"
}

test_images_filter_before_since_label_until() {
    setup_images
    run hutch images --format '{{.Repository}}' -f since=hutch-test/base
    assert_ok
    assert_eq "hutch-test/hist" "$out" "since"
    run hutch images --format '{{.Repository}}' -f before=hutch-test/base
    assert_eq "hutch-test/old" "$out" "before"
    run hutch images -q -f since=hutch-test/old -f before=hutch-test/hist
    assert_eq "$(same_time_rows | cut -f3)" "$out" "since and before"
    run hutch images --format '{{.Repository}}' -f label=tier
    assert_eq $'hutch-test/hist\nhutch-test/old' "$out" "label=tier"
    run hutch images --format '{{.Repository}}' -f label=tier=silver
    assert_eq "hutch-test/old" "$out" "label=tier=silver"
    run hutch images --format '{{.Repository}}' -f label=tier -f label=org.test.kind
    assert_eq "hutch-test/hist" "$out" "two labels"
    run hutch images --format '{{.Repository}}' -f until=2023-06-01T00:00:00Z
    assert_eq "hutch-test/old" "$out" "until"
    run hutch images --format '{{.Repository}}' -f dangling=true -f label=tier
    assert_eq "" "$out" "dangling and label"
}
