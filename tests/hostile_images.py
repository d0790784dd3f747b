#!/usr/bin/env python3
"""Build hostile image archives for the tests (hostile-*.sh), offline.

Usage: hostile_images.py KIND OUT [ARG...]

  diff-id OUT DIGEST       docker-archive of the base image whose config's last
                           diff_id is DIGEST (the layer itself is real)
  oci OUT WHERE DIGEST     OCI layout archive with DIGEST put in one place:
                           WHERE is index (the manifest descriptor), config
                           (the config descriptor) or layer (a layer descriptor)
  repeated OUT TAG         docker-archive TAG: base, then a layer L, an empty
                           layer E, L again and E again, as real images repeat
                           them ([L1, L, E, L, E]); L adds /data/repeated
  repeated-bad-blob OUT    [L1, L, L] where the second L entry is another blob
                           (gzip of different content) claiming L's diff_id
  layered OUT TAG SPEC...  docker-archive TAG: busybox's layer, then one layer of
                           SPECs: f:NAME:CONTENT (\n for newlines), d:NAME,
                           l:NAME:TARGET (symlink), p:NAME (FIFO), z:NAME:BYTES
                           (zeros), n:DIR:COUNT (COUNT small files); P:COUNT sets
                           the config's PATH to COUNT missing directories
  registry-parts DIR WHERE DIGEST
                           for a registry that lies: DIR/manifest.json (OCI
                           image manifest) and DIR/config.json, with DIGEST in
                           WHERE (config: the config descriptor; layer: a layer
                           descriptor; diff-id: the config's diff_ids), the
                           rest real; prints the config's digest
"""
import importlib.util
import json
import os
import sys

_spec = importlib.util.spec_from_file_location(
    "make_images", os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "make-images.py"))
mi = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mi)


def base_config(layers, diff_ids=None):
    cfg = json.loads(mi.config(layers))
    if diff_ids is not None:
        cfg["rootfs"]["diff_ids"] = diff_ids
    cfg["history"] = [{"created": mi.CREATED, "created_by": "layer %d" % i} for i in range(len(layers))]
    return json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()


def diff_id(blob):
    return "sha256:" + mi.sha256(blob)


def cmd_diff_id(out, digest):
    l1, extra = mi.layer1(), mi.small_layer("data/x", b"x\n")
    cfg = base_config([l1, extra], [diff_id(l1), digest])
    mi.docker_archive(out, [(cfg, ["hostile/diffid:latest"], [l1, extra])])


def oci_layout(out, cfg, blobs, where, digest):
    """An OCI layout tar like mi.oci_archive, with `digest` placed at `where`."""
    desc = lambda mt, b: {"mediaType": mt, "digest": "sha256:" + mi.sha256(b), "size": len(b)}
    layers = [desc("application/vnd.oci.image.layer.v1.tar+gzip", b) for b in blobs]
    config = desc("application/vnd.oci.image.config.v1+json", cfg)
    if where == "config":
        config["digest"] = digest
    if where == "layer":
        layers[-1]["digest"] = digest
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": config, "layers": layers}, separators=(",", ":")).encode()
    mdesc = desc("application/vnd.oci.image.manifest.v1+json", manifest)
    mdesc["annotations"] = {"org.opencontainers.image.ref.name": "hostile/oci:latest"}
    if where == "index":
        mdesc["digest"] = digest
    index = json.dumps({"schemaVersion": 2, "manifests": [mdesc]}, separators=(",", ":")).encode()
    members = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index),
               ("blobs", None), ("blobs/sha256", None)]
    for b in [cfg, manifest] + blobs:
        members.append(("blobs/sha256/" + mi.sha256(b), b))
    mi.write_tar(out, members)


def cmd_oci(out, where, digest):
    l1 = mi.layer1()
    oci_layout(out, base_config([l1]), [mi.gz(l1)], where, digest)


def cmd_repeated(out, tag):
    l1 = mi.layer1()
    l = mi.small_layer("data/repeated", b"repeated\n")
    empty = mi.Layer().bytes()
    layers = [l1, l, empty, l, empty]
    mi.docker_archive(out, [(base_config(layers), [tag], layers)])


def cmd_repeated_bad_blob(out):
    l1 = mi.layer1()
    l = mi.small_layer("data/repeated", b"repeated\n")
    liar = mi.gz(mi.small_layer("data/repeated", b"not what the config says\n"))
    cfg = base_config([l1, l, l])
    mi.docker_archive(out, [(cfg, ["hostile/liar:latest"], [l1, l, liar])])


def cmd_layered(out, tag, *specs):
    l = mi.Layer()
    dirs = set()
    path_dirs = 0

    def parents(name):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                l.dir(d)

    for spec in specs:
        kind, name, *rest = spec.split(":", 2)
        if kind == "P":
            path_dirs = int(name)
            continue
        parents(name)
        if kind == "f":
            l.file(name, (rest[0] + "\n").replace("\\n", "\n").encode())
        elif kind == "d":
            dirs.add(name)
            l.dir(name)
        elif kind == "l":
            l.symlink(name, rest[0])
        elif kind == "p":
            l.fifo(name)
        elif kind == "z":
            l.file(name, bytes(int(rest[0])))
        elif kind == "n":
            dirs.add(name)
            l.dir(name)
            for i in range(int(rest[0])):
                l.file("%s/f%d" % (name, i), b"x")
        else:
            sys.exit("unknown spec " + spec)
    layers = [mi.layer1(), l.bytes()]
    cfg = json.loads(base_config(layers))
    if path_dirs:
        cfg["config"]["Env"] = ["PATH=" + ":".join(["/nonexistent/dir"] * path_dirs)]
    cfg = json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()
    mi.docker_archive(out, [(cfg, [tag], layers)])


def cmd_registry_parts(out_dir, where, digest):
    l1 = mi.layer1()
    blob = mi.gz(l1)
    cfg = base_config([l1], [digest] if where == "diff-id" else None)
    desc = lambda mt, b: {"mediaType": mt, "digest": "sha256:" + mi.sha256(b), "size": len(b)}
    config = desc("application/vnd.oci.image.config.v1+json", cfg)
    layer = desc("application/vnd.oci.image.layer.v1.tar+gzip", blob)
    if where == "config":
        config["digest"] = digest
    if where == "layer":
        layer["digest"] = digest
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config, "layers": [layer]}
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, separators=(",", ":"))
    with open(os.path.join(out_dir, "config.json"), "wb") as f:
        f.write(cfg)
    print("sha256:" + mi.sha256(cfg))


def main():
    kinds = {"diff-id": cmd_diff_id, "oci": cmd_oci, "repeated": cmd_repeated,
             "repeated-bad-blob": cmd_repeated_bad_blob, "layered": cmd_layered, "registry-parts": cmd_registry_parts}
    if len(sys.argv) < 3 or sys.argv[1] not in kinds:
        sys.exit(__doc__)
    kinds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
