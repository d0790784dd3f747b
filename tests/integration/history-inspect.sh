# hutch history, hutch image inspect and hutch inspect: docker's columns,
# JSON documents, --format templates and errors.

# shellcheck disable=SC1091
. "$TESTDIR/format-helpers.sh"

HIST=hutch-test/hist:latest
LONG_BY='/bin/sh -c echo hist >/hist then a long tail that docker cuts'

setup_hist() {
    fresh_store
    load hist.tar
    load old.tar
    L1_BYTES=$(hutch image inspect -f '{{.Size}}' hutch-test/old)   # L1 alone
    HIST_BYTES=$(hutch image inspect -f '{{.Size}}' "$HIST")
}

test_history_table() {
    setup_hist
    local expected
    expected=$({
        printf 'IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n'
        printf '%s\t%s\t%s\t%s\t\n' "$(short_id "$HIST_ID")" "$(since 2024-03-04T05:06:07Z)" '/bin/sh -c #(nop)  CMD ["sh"]' 0B
        printf '<missing>\t%s\t%s\t%s\tmade by hand\n' "$(since 2024-03-04T05:06:07Z)" \
            "${LONG_BY:0:44}…" "$(human $((HIST_BYTES - L1_BYTES)))"
        printf '<missing>\t%s\t%s\t0B\t\n' "$(since 2024-01-02T03:04:05Z)" '/bin/sh -c #(nop)  LABEL tier=gold'
        printf '<missing>\t%s\t%s\t%s\t\n' "$(since 2024-01-02T03:04:05Z)" '/bin/sh -c #(nop) ADD file:busybox in / ' \
            "$(human "$L1_BYTES")"
    } | align)
    run hutch history "$HIST"
    assert_ok
    assert_eq "$expected" "$out" "hutch history"
    run hutch image history hutch-test/hist
    assert_eq "$expected" "$out" "hutch image history"
}

test_history_flags() {
    setup_hist
    local expected
    expected=$({
        printf 'IMAGE\tCREATED AT\tCREATED BY\tSIZE\tCOMMENT\n'
        printf '%s\t2024-03-04T05:06:07Z\t%s\t0\t\n' "$HIST_ID" '/bin/sh -c #(nop)  CMD ["sh"]'
        printf '<missing>\t2024-03-04T05:06:07Z\t%s\t%s\tmade by hand\n' "$LONG_BY" $((HIST_BYTES - L1_BYTES))
        printf '<missing>\t2024-01-02T03:04:05Z\t%s\t0\t\n' '/bin/sh -c #(nop)  LABEL tier=gold'
        printf '<missing>\t2024-01-02T03:04:05Z\t%s\t%s\t\n' '/bin/sh -c #(nop) ADD file:busybox in / ' "$L1_BYTES"
    } | align)
    run hutch history -H=false --no-trunc "$HIST"
    assert_ok
    assert_eq "$expected" "$out" "history -H=false --no-trunc"
    run hutch history -q "$HIST"
    assert_eq "$(short_id "$HIST_ID")"$'\n<missing>\n<missing>\n<missing>' "$out" "history -q"
    run hutch history -q --no-trunc "$(short_id "$HIST_ID")"
    assert_eq "$HIST_ID"$'\n<missing>\n<missing>\n<missing>' "$out" "history -q --no-trunc"
    run hutch history --format '{{.ID}}|{{.Size}}|{{.Comment}}' hutch-test/old
    assert_eq "$(short_id "$OLD_ID")|$(human "$L1_BYTES")|" "$out"
    run hutch history --format json hutch-test/old
    assert_eq "{\"Comment\":\"\",\"CreatedAt\":\"2023-01-01T00:00:00Z\",\"CreatedBy\":\"old layer 1\",\"CreatedSince\":\"$(since 2023-01-01T00:00:00Z)\",\"ID\":\"$(short_id "$OLD_ID")\",\"Size\":\"$(human "$L1_BYTES")\"}" "$out"
    run hutch history nosuch
    assert_error 1
    assert_eq "hutch: No such image: nosuch:latest" "$err"
}

test_image_inspect_document() {
    setup_hist
    run hutch image inspect "$HIST"
    assert_ok
    printf '%s\n' "$out" >"$WORK/inspect.json"
    assert_eq "$(printf '[\n    {\n        "Id": "%s",\n        "RepoTags": [\n            "hutch-test/hist:latest"\n        ],\n        "RepoDigests": [],' "$HIST_ID")" \
        "$(head -n 7 <<<"$out")" "indented like docker"
    local py
    py=$(python3 - "$WORK/inspect.json" "$HIST_ID" "$HIST_DIFFIDS" "$HIST_BYTES" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
assert isinstance(doc, list) and len(doc) == 1, doc
i = doc[0]
keys = ["Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "DockerVersion", "Author", "Config",
        "Architecture", "Os", "Size", "GraphDriver", "RootFS", "Metadata"]
assert list(i) == keys, list(i)
assert i["Id"] == sys.argv[2]
assert i["Created"] == "2024-03-04T05:06:07.5Z", i["Created"]
assert i["Author"] == "hutch tests" and i["Parent"] == "" and i["Comment"] == ""
assert i["Config"] == {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                               "FOO=from-image", "BAR=from-image"], "Cmd": ["sh"],
                       "Labels": {"org.test.kind": "hist", "tier": "gold"}}, i["Config"]
assert list(i["Config"]) == ["Env", "Cmd", "Labels"], list(i["Config"])
assert (i["Architecture"], i["Os"], i["Size"]) == ("amd64", "linux", int(sys.argv[4]))
assert i["RootFS"] == {"Type": "layers", "Layers": sys.argv[3].split()}
assert i["Metadata"] == {"LastTagTime": "0001-01-01T00:00:00Z"}
g = i["GraphDriver"]
assert g["Name"] == "overlay" and list(g) == ["Data", "Name"], g
assert os.path.isfile(g["Data"]["UpperDir"] + "/hist"), g
assert os.path.isfile(g["Data"]["LowerDir"] + "/bin/busybox"), g
print("ok")
EOF
    )
    assert_eq "ok" "$py" "image inspect document"
    run hutch image inspect --format json "$HIST" hutch-test/old
    assert_ok
    assert_match "$out" '^\[\{"Id":"sha256:[0-9a-f]{64}","RepoTags":\["hutch-test/hist:latest"\],.*\},\{"Id":"'"$OLD_ID"'".*\}\]$'
    assert_eq 1 "$(grep -c '' <<<"$out")" "one line"
}

test_image_inspect_format_and_errors() {
    setup_hist
    run hutch image inspect -f '{{.Os}}/{{.Architecture}} {{json .RootFS.Layers}} {{.Config.Labels.tier}} {{index .RepoTags 0}}' "$HIST" hutch-test/old
    assert_ok
    assert_eq "linux/amd64 $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:], separators=(",", ":")))' $HIST_DIFFIDS) gold hutch-test/hist:latest"$'\n'"linux/amd64 [\"${HIST_DIFFIDS%% *}\"] silver hutch-test/old:latest" "$out"
    run hutch image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$HIST"
    assert_eq $'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nFOO=from-image\nBAR=from-image' "$out"
    # the images found are printed, the others reported after them
    run hutch image inspect -f '{{.Id}}' nosuch "$HIST"
    assert_status 1
    assert_eq "$HIST_ID" "$out"
    assert_eq "hutch: No such image: nosuch:latest" "$err"
    run hutch image inspect nosuch
    assert_error 1
    assert_eq "[]" "$out"
    run hutch image inspect -f '{{.Id' "$HIST"
    assert_error 1
    assert_eq "hutch: template parsing error: template: :1: unclosed action" "$err"
    run hutch image inspect -f '{{.Id.Foo}}' "$HIST"
    assert_error 1
    assert_contains "$err" "can't evaluate field Foo in type string"
}

test_inspect_containers_and_images() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    run hutch run --name "$n" "$IMG" sh -c 'head -c 1000 /dev/zero >/f; exit 3'
    assert_status 3
    run hutch inspect -f '{{.Name}} {{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}} {{.Path}} {{json .Args}} {{.Image}} {{.Config.Image}}' "$n"
    assert_ok
    assert_eq "/$n exited false 3 0 sh [\"-c\",\"head -c 1000 /dev/zero >/f; exit 3\"] $BASE_ID $IMG" "$out"
    run hutch inspect -s -f '{{.SizeRw}}' "$n"
    assert_eq "1000" "$out"
    run hutch inspect "$n"
    assert_ok
    assert_match "$(sed -n 3p <<<"$out")" '^        "Id": "[0-9a-f]{64}",$' "container JSON"
    local cid
    cid=$(hutch ps -a -q --no-trunc)
    run hutch inspect -f '{{.Id}}' "${cid:0:6}" "$IMG"
    assert_eq "$cid"$'\n'"$BASE_ID" "$out" "a container and an image"
    run hutch inspect --type image -f '{{.Id}}' "$n"
    assert_error 1
    assert_eq "hutch: No such image: $n:latest" "$err"
    run hutch inspect --type container "$IMG"
    assert_error 1
    assert_eq "hutch: No such container: $IMG" "$err"
    run hutch inspect nosuch
    assert_error 1
    assert_eq "hutch: No such object: nosuch" "$err"
    run hutch inspect --type volume x
    assert_error 1
    assert_eq 'hutch: unknown type: "volume": must be one of "container", "image", "network"' "$err"
}

test_inspect_running_container() {
    fresh_store
    load base.tar
    local n
    n=$(name)
    spawn "$WORK/run.out" "$HUTCH" run --name "$n" "$IMG" sh -c 'echo started; sleep 30'
    wait_for "$WORK/run.out" started
    run hutch inspect -f '{{.State.Status}} {{.State.Running}} {{.State.FinishedAt}}' "$n"
    assert_eq "running true 0001-01-01T00:00:00Z" "$out"
    run hutch inspect -f '{{if gt .State.Pid 1}}pid{{end}}' "$n"
    assert_eq "pid" "$out"
    run hutch rm -f "$n"
    assert_ok
    wait_status "$spawned"
    assert_eq 137 "$?" "status of the killed container's hutch run"
}
