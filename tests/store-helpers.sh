# Looking into a store from tests: its layers, blobs and records, docker's
# layer chain ids, and what a removal should have left (sourced by tests).

hexes() { local d; for d; do printf '%s\n' "${d#sha256:}"; done | sort -u; }

# docker's chain ids of a layer stack: DIFF_ID...
chain_ids() {
    local c="" d
    for d; do
        if [ -z "$c" ]; then c=$d; else c="sha256:$(printf '%s %s' "$c" "$d" | sha256sum | cut -d' ' -f1)"; fi
        printf '%s\n' "$c"
    done
}

# "Deleted: CHAIN" lines for layers, top first: DIFF_ID... (all of the stack)
deleted_layers() { chain_ids "$@" | tac | sed 's/^/Deleted: /'; }

layer_dirs() { find "$HUTCH_ROOT/layers" -mindepth 2 -maxdepth 2 -type d -printf '%f\n' 2>/dev/null | sort -u; }
layer_files() { find "$HUTCH_ROOT/layers" -mindepth 2 -maxdepth 2 -printf '%f\n' 2>/dev/null | sort; }
blobs() { ls "$HUTCH_ROOT/blobs/sha256" | sort; }
records() { ls "$HUTCH_ROOT/images" | sort; }

# the store holds exactly the content of these images: ID=DIFF_IDS...
assert_store_holds() {
    local want_layers="" want_blobs=""
    local spec id diffs
    for spec; do
        id=${spec%%=*}
        [ "$spec" = "$id" ] && diffs="" || diffs=${spec#*=}
        want_layers+=$(hexes $diffs)$'\n'
        want_blobs+=$(hexes "$id" $diffs)$'\n'
    done
    assert_eq "$(grep -v '^$' <<<"$want_layers" | sort -u)" "$(layer_dirs)" "layer directories"
    assert_eq "$(grep -v '^$' <<<"$want_blobs" | sort -u)" "$(blobs)" "blobs"
    local f
    for f in $(layer_files); do
        [[ "$f" =~ ^[0-9a-f]{64}(\.size|\.lock)?$ ]] || fail "unexpected file in layers/: $f"
        grep -qx "${f:0:64}" <<<"$(layer_dirs)" || fail "sidecar $f of a removed layer"
    done
}

# bytes of an unpacked layer (its recorded size) and of a blob: DIGEST
layer_bytes() { cat "$HUTCH_ROOT"/layers/*/"${1#sha256:}.size"; }
blob_bytes() { stat -c %s "$HUTCH_ROOT/blobs/sha256/${1#sha256:}"; }
# everything the store's content takes: every layer directory and blob
store_bytes() {
    local total=0 h
    for h in $(layer_dirs); do total=$((total + $(layer_bytes "$h"))); done
    for h in $(blobs); do total=$((total + $(blob_bytes "$h"))); done
    echo "$total"
}
