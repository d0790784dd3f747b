# Layers that are legal tar but hard on an unpacker: directory trees deeper
# than PATH_MAX (removal, unpacking and every tree walk must take a bounded
# number of descriptors and linear time), paths named twice (later entries
# win, as with tar), and malformed whiteout names (refused).

layers() { python3 "$TESTDIR/hostile_layers.py" "$@"; }

# The chain d/d/.../d of depth N, as a path inside the image.
deep_path() { local p="" i; for ((i = 0; i < $1; i++)); do p+="/d"; done; printf '%s' "$p"; }

# The store's staging area holds nothing (no directory, no lock file).
assert_no_staging() {
    assert_eq "" "$(find "$HUTCH_ROOT/tmp" -mindepth 1 -maxdepth 1 2>/dev/null)" "entries left in \$HUTCH_ROOT/tmp"
}

# The same store still loads and runs the benign image.
assert_store_works() {
    load base.tar
    run hutch run --rm hutch-test/base:latest echo still-works
    assert_ok
    assert_eq "still-works" "$out"
}

# The contents of the deep files of the image's layer and of the container in
# the tar ARCHIVE of depth DEPTH.
deep_files() {
    python3 - "$1" "$(deep_path "$2" | cut -c2-)" <<'EOF'
import sys, tarfile
t = tarfile.open(sys.argv[1])
d = sys.argv[2]
print(t.extractfile(d + "/bottom").read().decode().strip(),
      t.extractfile(d.replace("d", "e") + "/file").read().decode().strip())
EOF
}

# A shell script that makes /e/e/.../e (DEPTH levels) holding "file", built
# bottom-up in steps of at most 1,000 levels, so that no path the shell uses
# passes PATH_MAX and it takes a few commands, not one per level.
deep_upper_script() {
    local depth=$1 size=$(($1 % 1000)) script
    ((size)) || size=1000
    script="cd / && mkdir -p c$(printf '/e%.0s' $(seq $((size - 1)))) && echo up >c$(printf '/e%.0s' $(seq $((size - 1))))/file"
    for ((depth -= size; depth > 0; depth -= 1000)); do
        local inner="n$(printf '/e%.0s' $(seq 999))"
        script+=" && mkdir -p $inner && mv c $inner/e && mv n c"
    done
    printf '%s && mv c e' "$script"
}

# load, run, export, commit, diff, rm, rmi and image prune of an image with a
# DEPTH-deep layer, with 256 descriptors: one per level would run out.
deep_lifecycle() {
    local depth=$1 img=hutch-test/deep$1:latest c
    fresh_store
    ulimit -n 256
    layers image "$WORK/deep.tar" "$img" "$FIXTURES/base.tar" deep "$depth"
    run hutch load -i "$WORK/deep.tar"
    assert_ok
    assert_eq "Loaded image: $img" "$out"
    run hutch run --rm "$img" true
    assert_ok
    if ((depth * 2 + 7 < 4096)); then
        run hutch run --rm "$img" cat "$(deep_path "$depth")/bottom"
        assert_ok
        assert_eq "deep" "$out"
    fi
    # A container that adds a deep tree of its own (in its upper layer).
    c=$(name)
    run hutch run --name "$c" "$img" sh -c "$(deep_upper_script "$depth")"
    assert_ok
    run hutch diff "$c"
    assert_ok
    assert_eq "A /e" "$(head -n 1 <<<"$out")" "first line of diff"
    assert_eq "$((depth + 1))" "$(grep -c '^A /e' <<<"$out")" "diff lines of the new tree"
    assert_eq "A $(deep_path "$depth" | sed 's/d/e/g')/file" "$(grep '/file$' <<<"$out")" "the deep file in diff"
    hutch export "$c" >"$WORK/export.tar"
    assert_eq 0 $? "status of export"
    assert_eq "deep up" "$(deep_files "$WORK/export.tar" "$depth")" "deep files in the export"
    run hutch commit "$c" hutch-test/deep-commit:1
    assert_ok
    local c2
    c2=$(name)
    run hutch run --name "$c2" hutch-test/deep-commit:1 true
    assert_ok
    hutch export "$c2" >"$WORK/export2.tar"
    assert_eq 0 $? "status of export"
    assert_eq "deep up" "$(deep_files "$WORK/export2.tar" "$depth")" "deep files in the committed image"
    run hutch rm "$c2"
    assert_ok
    run hutch rm "$c"
    assert_ok
    run hutch rmi hutch-test/deep-commit:1 "$img"
    assert_ok
    run hutch image prune -a -f
    assert_ok
    assert_no_staging
    assert_eq "" "$(find "$HUTCH_ROOT/layers" -mindepth 2 -maxdepth 2 -type d 2>/dev/null)" "layers left after rmi"
    assert_store_works
}

test_deep_1100() { deep_lifecycle 1100; }
test_deep_3000() { deep_lifecycle 3000; }

test_deep_wrong_diff_id() {
    fresh_store
    ulimit -n 256
    layers image-bad "$WORK/bad.tar" hutch-test/deep-bad:1 "$FIXTURES/base.tar" deep 1100
    layers image "$WORK/good.tar" hutch-test/deep-good:1 "$FIXTURES/base.tar" deep 1100
    run hutch images   # creates run's own files under $WORK before the snapshot
    local snap
    snap=$(snapshot "$WORK" "$HUTCH_ROOT")
    run hutch load -i "$WORK/bad.tar"
    assert_error 1
    assert_contains "$err" "digest mismatch"
    assert_eq "$snap" "$(snapshot "$WORK" "$HUTCH_ROOT")" "files under \$WORK outside the store"
    assert_no_staging
    run hutch load -i "$WORK/good.tar"
    assert_ok
    run hutch run --rm hutch-test/deep-good:1 cat "$(deep_path 1100)/bottom"
    assert_ok
    assert_eq "deep" "$out"
    run hutch image prune -a -f
    assert_ok
    assert_no_staging
    assert_store_works
}

# Unpacking is linear in depth: 5,000 levels (10,000-byte paths) well under 20 s.
test_deep_5000_time() {
    fresh_store
    ulimit -n 256
    layers image "$WORK/deep.tar" hutch-test/deep5000:1 "$FIXTURES/base.tar" deep 5000
    local start end
    start=$(date +%s%N)
    run hutch load -i "$WORK/deep.tar"
    end=$(date +%s%N)
    assert_ok
    echo "load of a 5000-deep layer: $(((end - start) / 1000000)) ms"
    ((end - start < 20000000000)) || fail "load of a 5000-deep layer took $(((end - start) / 1000000)) ms"
    run hutch run --rm hutch-test/deep5000:1 true
    assert_ok
    start=$(date +%s%N)
    run hutch rmi hutch-test/deep5000:1
    end=$(date +%s%N)
    assert_ok
    echo "rmi of a 5000-deep layer: $(((end - start) / 1000000)) ms"
    ((end - start < 20000000000)) || fail "rmi of a 5000-deep layer took $(((end - start) / 1000000)) ms"
    assert_no_staging
}

# Staging left by an older hutch, 3,000 levels deep (which that one could not
# remove: every later command failed): the next command removes it.
test_deep_stale_staging_collected() {
    fresh_store
    load base.tar
    ulimit -n 256
    python3 - "$HUTCH_ROOT/tmp/0123456789abcdef" <<'EOF'
import os, sys
os.makedirs(sys.argv[1])
os.chdir(sys.argv[1])
for _ in range(3000):
    os.mkdir("d", 0o755)
    os.chdir("d")
open("f", "w").write("x")
os.chmod(".", 0o500)
EOF
    : >"$HUTCH_ROOT/tmp/0123456789abcdef.lock"
    run hutch run --rm hutch-test/base:latest echo ok
    assert_ok
    assert_eq "ok" "$out"
    assert_no_staging
}

DUPES=file-twice,dir-twice,file-then-dir,dir-then-file,link-replaced
# What the layer DUPES must look like: later entries replace earlier ones.
check_dupes() {
    run hutch run --rm "$1" sh -c 'cat /f; ls /dir; cat /dir/keep; stat -c %a /dir; cat /x/inside; cat /y; cat /t /h'
    assert_ok
    assert_eq $'second\nkeep\nkeep\n700\ninside\nfile\nnew\nold' "$out"
}

test_names_twice_load() {
    fresh_store
    layers image "$WORK/dupes.tar" hutch-test/dupes:1 "$FIXTURES/base.tar" "$DUPES"
    run hutch load -i "$WORK/dupes.tar"
    assert_ok
    check_dupes hutch-test/dupes:1
    assert_no_staging
}

test_names_twice_import() {
    fresh_store
    load base.tar
    # The base image's files with the layer DUPES after them, in one tarball.
    layers tar "$WORK/dupes.tar" "$DUPES"
    python3 - "$FIXTURES/base.tar" "$WORK/dupes.tar" "$WORK/rootfs.tar" <<'EOF'
import io, json, sys, tarfile
src = tarfile.open(sys.argv[1])
manifest = json.loads(src.extractfile("manifest.json").read())[0]
parts = [tarfile.open(fileobj=io.BytesIO(src.extractfile(n).read())) for n in manifest["Layers"]]
parts.append(tarfile.open(sys.argv[2]))
with tarfile.open(sys.argv[3], "w", format=tarfile.PAX_FORMAT) as out:
    for part in parts:
        for m in part.getmembers():
            out.addfile(m, part.extractfile(m) if m.isreg() else None)
EOF
    run hutch import "$WORK/rootfs.tar" hutch-test/dupes-import:1
    assert_ok
    check_dupes hutch-test/dupes-import:1
    assert_no_staging
}

# .wh.. and .wh... would hide "." or "..": the whole directory or its parent.
malformed_whiteout() {
    local kind=$1 snap images
    fresh_store
    load base.tar
    run hutch images
    images=$out
    layers image "$WORK/wh.tar" hutch-test/wh:1 "$FIXTURES/base.tar" "$kind"
    snap=$(snapshot "$WORK" "$HUTCH_ROOT")
    run hutch load -i "$WORK/wh.tar"
    assert_error 1
    assert_contains "$err" "whiteout"
    assert_eq 1 "$(wc -l <<<"$err")" "lines on stderr"
    assert_eq "$snap" "$(snapshot "$WORK" "$HUTCH_ROOT")" "files under \$WORK outside the store"
    run hutch images
    assert_eq "$images" "$out" "images after the refused load"
    assert_no_staging
    # import unpacks the same way
    layers tar "$WORK/wh-layer.tar" "$kind"
    run hutch import "$WORK/wh-layer.tar" hutch-test/wh-import:1
    assert_error 1
    assert_contains "$err" "whiteout"
    assert_no_staging
    assert_store_works
}

test_whiteout_dot() { malformed_whiteout wh-dot; }
test_whiteout_dotdot() { malformed_whiteout wh-dotdot; }
test_whiteout_empty() { malformed_whiteout wh-empty; }
test_whiteout_meta() { malformed_whiteout wh-meta; }
