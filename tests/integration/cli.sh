# The command line itself: version, help, flag errors, where the store lives.

test_version() {
    run hutch --version
    assert_ok
    assert_match "$out" '^hutch version [^ ]+$'
}

# The text of one section of `hutch version --licenses` ($out): the lines
# after the header that starts with NAME, up to the next header.
license_section() {   # NAME
    awk -v name="$1" 'BEGIN { rule = sprintf("%79s", ""); gsub(/ /, "=", rule) }
        $0 == rule { if (!header) { header = 1; getline; mine = index($0, name " ") == 1 } else header = 0; next }
        mine && !header' <<<"$out"
}

# The static binary carries the notices of everything linked into it, each
# taken from the dependency's own source.
test_version_licenses() {
    run hutch version --licenses
    assert_ok
    assert_eq "$(hutch version)" "$(head -n 1 <<<"$out")"
    assert_line "$out" "Licensed under the Apache License, Version 2.0 (LICENSE in its source)."
    local mit="Permission is hereby granted, free of charge" apache="TERMS AND CONDITIONS FOR USE, REPRODUCTION"
    local llvm="---- LLVM Exceptions to the Apache 2.0 License ----"
    local -A words=(
        [zlib]="3. This notice may not be removed or altered from any source distribution."
        [Zstandard]="For Zstandard software"
        [libarchive]="The libarchive distribution as a whole is Copyright by Tim Kientzle"
        [simdjson]="$apache"
        [mimalloc]="$mit"
        ["Mbed TLS"]="$apache"
        [libcurl]="COPYRIGHT AND PERMISSION NOTICE"
        ["pasta (passt)"]="GNU GENERAL PUBLIC LICENSE"
        ["musl libc"]="musl as a whole is licensed under the following standard MIT license"
        ["libc++ (LLVM)"]="$llvm"
        ["libc++abi (LLVM)"]="$llvm"
        ["libunwind (LLVM)"]="$llvm"
        ["zig's compiler_rt"]="$mit"
    )
    local name text
    for name in "${!words[@]}"; do
        assert_contains "$out" $'\n'"  $name " "summary line of $name"
        text=$(license_section "$name")
        assert_contains "$text" "${words[$name]}" "licence of $name"
    done
    # Code inside a library under its own terms, with its notice.
    assert_contains "$(license_section libarchive)" "The Regents of the University of California"
    assert_contains "$(license_section simdjson)" "Facebook, Inc"
    assert_contains "$(license_section musl)" "$mit"
    assert_contains "$(license_section "pasta (passt)")" "Redistribution and use in source and binary forms"
    assert_contains "$out" "Debian source package passt 0.0~git"
    assert_eq 13 "$(grep -c '^Licence: ' <<<"$out")" "sections"
    # Plain `version` stays one line.
    run hutch version
    assert_match "$out" '^hutch version [^ ]+$'
}

test_help_top_level() {
    run hutch --help
    assert_ok
    assert_contains "$out" "Usage:"
    local c
    for c in run load images ps rm; do
        assert_contains "$out" "$c" "hutch --help"
    done
}

# the commands listed under "Commands:" in hutch --help
commands() {
    hutch --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

test_help_every_command() {
    local c list
    list=$(commands)
    assert_contains "$list" "run" "commands in hutch --help"
    for c in $list; do
        run hutch "$c" --help
        assert_ok
        assert_contains "$out" "Usage:" "hutch $c --help"
        assert_contains "$out" "hutch $c" "hutch $c --help"
    done
}

# docker's CLI exits 125 for flag errors and for run's own failures, and 1 when
# any other command fails or gets the wrong number of arguments.
test_exit_status_like_docker() {
    local cmd want
    while IFS='|' read -r want cmd; do
        eval "run hutch $cmd"
        assert_error "$want"
    done <<'EOF'
1|rmi nosuch
1|inspect nosuch
1|image inspect nosuch
1|history nosuch
1|tag nosuch x
1|rm nosuch
1|save nosuch
1|export nosuch
1|diff nosuch
1|commit nosuch
1|load -i /nonexistent
1|pull 127.0.0.1:1/x
1|images --format '{{.ID'
1|--log-level chatty images
1|image prune -f --filter bogus=1
125|run --rm --pull never nosuch true
125|run --rm --pull sometimes "$IMG" true
EOF
    # one line per name that failed, as docker
    run hutch rm nosuch nosuch-either
    assert_status 1
    assert_eq $'hutch: No such container: nosuch\nhutch: No such container: nosuch-either' "$err"
    while IFS='|' read -r want cmd; do
        eval "run hutch $cmd"
        assert_status "$want"
        assert_contains "$err" "--help"
    done <<'EOF'
125|images --bogus
125|run --bogus "$IMG" true
125|--bogus images
125|history --human=maybe "$IMG"
125|images --format
125|images -f nonsense
1|rmi
1|tag a
1|images a b
1|run
1|frobnicate
EOF
}

test_unknown_flag_every_command() {
    local c
    for c in $(commands); do
        run hutch "$c" --no-such-flag
        assert_status 125
        assert_contains "$err" "unknown flag" "hutch $c --no-such-flag"
        assert_contains "$err" "--help" "hutch $c --no-such-flag"
    done
}

test_version_short_flag_and_command() {
    run hutch -v
    assert_ok
    assert_match "$out" '^hutch version [^ ]+$'
    run hutch version
    assert_ok
    assert_contains "$out" "hutch version"
}

test_completion_script_parses() {
    run hutch completion bash
    assert_ok
    printf '%s\n' "$out" >"$WORK/completion.bash"
    run bash -n "$WORK/completion.bash"
    assert_ok
    run bash -c '. "$1" && complete -p hutch' _ "$WORK/completion.bash"
    assert_ok
}

test_help_run_lists_flags() {
    run hutch run --help
    assert_ok
    local f
    for f in --rm --name --env --env-file --workdir --user --entrypoint --hostname \
        --interactive --tty --network; do
        assert_contains "$out" "$f" "hutch run --help"
    done
}

test_help_does_not_need_a_store() {
    export HUTCH_ROOT="$WORK/never-created"
    run hutch run --help
    assert_ok
    assert_absent "$WORK/never-created"
}

test_unknown_long_flag_run() {
    run hutch run --no-such-flag "$IMG" true
    assert_status 125
    assert_contains "$err" "unknown flag"
    assert_contains "$err" "--help"
    assert_eq "" "$out" "stdout"
}

test_unknown_long_flag_images() {
    run hutch images --no-such-flag
    assert_status 125
    assert_contains "$err" "unknown flag"
    assert_contains "$err" "--help"
}

test_unknown_global_flag() {
    run hutch --no-such-flag images
    assert_status 125
    assert_contains "$err" "unknown flag"
}

test_unknown_short_flag() {
    run hutch run -Z "$IMG" true
    assert_status 125
    assert_contains "$err" "unknown"
    assert_contains "$err" "Z"
}

test_unknown_command() {
    run hutch frobnicate
    [ "$status" != 0 ] || fail "unknown command succeeded" "$(_last)"
    assert_contains "$err" "frobnicate"
}

test_run_without_image() {
    run hutch run
    [ "$status" != 0 ] || fail "hutch run without an image succeeded" "$(_last)"
    [[ "$err" == hutch* ]] || fail "stderr does not start with hutch" "$(_last)"
}

test_flag_needs_value() {
    run hutch run --rm --name
    assert_status 125
    assert_contains "$err" "--name"
}

test_log_level_debug_accepted() {
    run hutch --log-level debug images
    assert_ok
    run hutch -D images
    assert_ok
    run hutch --log-level=error images
    assert_ok
    assert_eq "" "$err" "stderr at --log-level=error"
}

test_log_level_invalid() {
    run hutch --log-level chatty images
    assert_error 1
}

test_root_flag() {
    unset HUTCH_ROOT
    run hutch --root "$WORK/r" load -i "$FIXTURES/base.tar"
    assert_ok
    [ -d "$WORK/r" ] || fail "--root $WORK/r was not created"
    run hutch --root "$WORK/r" images
    assert_ok
    assert_contains "$out" "hutch-test/base"
    run hutch --root="$WORK/r" images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")"
}

test_root_flag_beats_hutch_root() {
    export HUTCH_ROOT="$WORK/env-store"
    mkdir -p "$HUTCH_ROOT"
    run hutch --root "$WORK/flag-store" load -i "$FIXTURES/base.tar"
    assert_ok
    run hutch images -q
    assert_ok
    assert_eq "" "$out" "images in \$HUTCH_ROOT"
    run hutch --root "$WORK/flag-store" images -q
    assert_eq "$(short_id "$BASE_ID")" "$(sort -u <<<"$out")"
}

test_hutch_root_env() {
    export HUTCH_ROOT="$WORK/env-store"
    export XDG_DATA_HOME="$WORK/xdg"
    load base.tar
    [ -d "$WORK/env-store" ] || fail "\$HUTCH_ROOT not used"
    assert_absent "$WORK/xdg/hutch"
    run hutch images
    assert_contains "$out" "hutch-test/base"
}

test_xdg_data_home() {
    unset HUTCH_ROOT
    export XDG_DATA_HOME="$WORK/xdg" HOME="$WORK/home"
    mkdir -p "$HOME"
    load base.tar
    [ -d "$WORK/xdg/hutch" ] || fail "\$XDG_DATA_HOME/hutch not created" "$(find "$WORK" -maxdepth 3)"
    assert_absent "$WORK/home/.local/share/hutch"
    run hutch run --rm "$IMG" cat /etc/motd
    assert_eq "layer3" "$out"
}

test_default_store_in_home() {
    unset HUTCH_ROOT XDG_DATA_HOME
    export HOME="$WORK/home"
    mkdir -p "$HOME"
    load base.tar
    [ -d "$HOME/.local/share/hutch" ] || fail "~/.local/share/hutch not created" "$(find "$WORK" -maxdepth 4)"
    run hutch images
    assert_contains "$out" "hutch-test/base"
}

test_errors_are_one_line() {
    run hutch run --rm --pull never hutch-test/base:no-such-tag true
    assert_error 125
    run hutch load -i "$WORK/no-such-file.tar"
    assert_error 1
}

# A value its flag refuses is reported in docker's (pflag's) words, before
# anything runs, with the hint to --help.
test_flag_value_errors_in_dockers_words() {
    run hutch run --rm=maybe "$IMG" true
    assert_status 125
    assert_eq $'hutch: invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax\nSee \'hutch run --help\'.' "$err"
    run hutch history -H=no "$IMG"
    assert_status 125
    assert_contains "$err" 'invalid argument "no" for "-H, --human" flag'
    run hutch runtime exec --preserve-fds=x id true
    assert_status 1
    assert_contains "$err" 'strconv.ParseUint: parsing "x": invalid syntax'
}
