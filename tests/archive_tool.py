#!/usr/bin/env python3
"""Look inside image archives and layer tars for the tests, and make odd tars.

Usage: archive_tool.py COMMAND ARGS...

  check-docker ARCHIVE     docker-archive: for every image, sha256 of each
                           layer.tar equals the config's diff_id, no layer is
                           compressed; prints "ok N" (N images) or the problem
  check-oci ARCHIVE        OCI layout: every blob's sha256 is its name, every
                           descriptor's size is right; prints "ok N"
  tags ARCHIVE             docker-archive: "CONFIG_DIGEST TAG,TAG" per image
  refs ARCHIVE             OCI layout: "MANIFEST_DIGEST REF.NAME" per index entry
  config ARCHIVE REF       the config JSON of the image tagged REF (docker-archive
                           RepoTags form, or "-" for the first image)
  get ARCHIVE REF PATH     one value of that config: PATH like config.Cmd or
                           history.-1.comment, printed as JSON
  last-layer ARCHIVE REF   docker-archive: the entries of the image's last layer
  list TAR                 a tar's entries, one line each:
                           NAME TYPE MODE UID:GID SIZE [-> LINK] [xattr=K:V...]
  make TAR SPEC...         writes a tar; SPEC is f:NAME:CONTENT, d:NAME,
                           l:NAME:TARGET (symlink) or h:NAME:TARGET (hard link)
"""
import hashlib
import io
import json
import sys
import tarfile


def sha256_of(f):
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
    return "sha256:" + h.hexdigest()


def member_bytes(tar, name):
    return tar.extractfile(tar.getmember(name)).read()


def docker_manifest(tar):
    return json.loads(member_bytes(tar, "manifest.json"))


def check_docker(path):
    with tarfile.open(path) as tar:
        manifest = docker_manifest(tar)
        for item in manifest:
            config = json.loads(member_bytes(tar, item["Config"]))
            diff_ids = config["rootfs"]["diff_ids"]
            if len(diff_ids) != len(item["Layers"]):
                return f"{item['Config']}: {len(diff_ids)} diff_ids, {len(item['Layers'])} layers"
            for layer, diff_id in zip(item["Layers"], diff_ids):
                head = tar.extractfile(tar.getmember(layer)).read(4)
                if head[:2] == b"\x1f\x8b" or head == b"\x28\xb5\x2f\xfd":
                    return f"{layer} is compressed"
                digest = sha256_of(tar.extractfile(tar.getmember(layer)))
                if digest != diff_id:
                    return f"{layer}: sha256 {digest}, config says {diff_id}"
        return f"ok {len(manifest)}"


def check_oci(path):
    with tarfile.open(path) as tar:
        names = tar.getnames()
        if "oci-layout" not in names:
            return "no oci-layout"
        for name in names:
            if name.startswith("blobs/sha256/") and tar.getmember(name).isfile():
                digest = sha256_of(tar.extractfile(tar.getmember(name)))
                if digest != "sha256:" + name.rsplit("/", 1)[1]:
                    return f"{name}: content is {digest}"
        index = json.loads(member_bytes(tar, "index.json"))

        def blob(desc):
            m = tar.getmember("blobs/sha256/" + desc["digest"][7:])
            if m.size != desc["size"]:
                raise ValueError(f"{desc['digest']}: size {m.size}, descriptor says {desc['size']}")
            return tar.extractfile(m).read()

        try:
            for desc in index["manifests"]:
                manifest = json.loads(blob(desc))
                blob(manifest["config"])
                for layer in manifest["layers"]:
                    blob(layer)
        except (ValueError, KeyError) as e:
            return str(e)
        return f"ok {len(index['manifests'])}"


def tags(path):
    with tarfile.open(path) as tar:
        for item in docker_manifest(tar):
            print("sha256:" + item["Config"].split(".")[0], ",".join(item.get("RepoTags") or []))


def refs(path):
    with tarfile.open(path) as tar:
        for desc in json.loads(member_bytes(tar, "index.json"))["manifests"]:
            print(desc["digest"], (desc.get("annotations") or {}).get("org.opencontainers.image.ref.name", ""))


def find_item(tar, ref):
    manifest = docker_manifest(tar)
    for item in manifest:
        if ref == "-" or ref in (item.get("RepoTags") or []):
            return item
    sys.exit(f"no image {ref} in the archive")


def config(path, ref):
    with tarfile.open(path) as tar:
        return json.loads(member_bytes(tar, find_item(tar, ref)["Config"]))


def get(path, ref, dotted):
    value = config(path, ref)
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        else:
            value = (value or {}).get(part)
    print(json.dumps(value, sort_keys=True))


def describe(m):
    kind = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l",
            tarfile.LNKTYPE: "h", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}.get(m.type, "?")
    line = f"{m.name} {kind} {m.mode:04o} {m.uid}:{m.gid} {m.size}"
    if m.linkname:
        line += " -> " + m.linkname
    for k, v in sorted(m.pax_headers.items()):
        if k.startswith("SCHILY.xattr."):
            line += f" xattr={k[13:]}:{v}"
    return line


def list_tar(fileobj):
    with tarfile.open(fileobj=fileobj) as tar:
        for m in tar.getmembers():
            print(describe(m))


def last_layer(path, ref):
    with tarfile.open(path) as tar:
        item = find_item(tar, ref)
        list_tar(io.BytesIO(member_bytes(tar, item["Layers"][-1])))


def make(path, specs):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for spec in specs:
            kind, name, *rest = spec.split(":", 2)
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            data = None
            if kind == "f":
                data = rest[0].encode()
                ti.size = len(data)
                ti.mode = 0o644
            elif kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "l":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, rest[0], 0o777
            elif kind == "h":
                ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, rest[0], 0o644
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "check-docker":
        print(check_docker(args[0]))
    elif cmd == "check-oci":
        print(check_oci(args[0]))
    elif cmd == "tags":
        tags(args[0])
    elif cmd == "refs":
        refs(args[0])
    elif cmd == "config":
        print(json.dumps(config(args[0], args[1]), sort_keys=True))
    elif cmd == "get":
        get(args[0], args[1], args[2])
    elif cmd == "last-layer":
        last_layer(args[0], args[1])
    elif cmd == "list":
        with open(args[0], "rb") if args[0] != "-" else sys.stdin.buffer as f:
            list_tar(io.BytesIO(f.read()))
    elif cmd == "make":
        make(args[0], args[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
