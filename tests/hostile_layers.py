#!/usr/bin/env python3
"""Layers that are legal tar but hard on an unpacker, for hostile-tree.sh.

Usage: hostile_layers.py COMMAND ARGS...

  tar OUT KIND [N]              writes the layer KIND as a plain tar
  image OUT TAG BASE KIND [N]   a docker-archive: the image of BASE (a
                                docker-archive with one image) plus the layer
                                KIND on top, tagged TAG
  image-bad OUT TAG BASE KIND [N]
                                the same, but the config's last diff_id is
                                wrong (the layer is refused after unpacking)

KIND: one or more of these, comma-separated, in one layer:
  deep N          N nested directories d/d/.../d with a file "bottom"
                  holding "deep\\n" in the last one (paths pass PATH_MAX)
  file-twice      f with "first\\n", then f again with "second\\n"
  dir-twice       dir/ (0755), dir/keep, dir/ again (0700): keep stays
  file-then-dir   x as a file, then x/ as a directory holding x/inside
  dir-then-file   y/ holding y/inside, then y as a file "file\\n"
  link-replaced   t ("old\\n"), h hard link to t, then t again ("new\\n")
  wh-dot          p/keep, then p/.wh..   (must be refused)
  wh-dotdot       p/keep, then p/.wh...  (must be refused)
  wh-empty        p/keep, then p/.wh.    (must be refused)
  wh-meta         p/keep, then p/.wh..wh.foo (must be refused)
"""
import hashlib
import io
import json
import sys
import tarfile

MTIME = 1700000000


def info(name, kind, mode):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime, ti.uname, ti.gname = kind, mode, MTIME, "", ""
    return ti


class Layer:
    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def dir(self, name, mode=0o755):
        self.tar.addfile(info(name, tarfile.DIRTYPE, mode))

    def file(self, name, data, mode=0o644):
        ti = info(name, tarfile.REGTYPE, mode)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def hardlink(self, name, target):
        ti = info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.tar.addfile(ti)

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def layer(kinds, n):
    t = Layer()
    for kind in kinds.split(","):
        add(t, kind, n)
    return t.bytes()


def add(t, kind, n):
    if kind == "deep":
        path = ""
        for _ in range(n):
            path += "d/"
            t.dir(path)
        t.file(path + "bottom", b"deep\n")
    elif kind == "file-twice":
        t.file("f", b"first\n")
        t.file("f", b"second\n")
    elif kind == "dir-twice":
        t.dir("dir/")
        t.file("dir/keep", b"keep\n")
        t.dir("dir/", 0o700)
    elif kind == "file-then-dir":
        t.file("x", b"file\n")
        t.dir("x/")
        t.file("x/inside", b"inside\n")
    elif kind == "dir-then-file":
        t.dir("y/")
        t.file("y/inside", b"inside\n")
        t.file("y", b"file\n")
    elif kind == "link-replaced":
        t.file("t", b"old\n")
        t.hardlink("h", "t")
        t.file("t", b"new\n")
    elif kind.startswith("wh-"):
        name = {"wh-dot": ".wh..", "wh-dotdot": ".wh...", "wh-empty": ".wh.",
                "wh-meta": ".wh..wh.foo"}[kind]
        t.dir("p/")
        t.file("p/keep", b"keep\n")
        t.file("p/" + name, b"")
    else:
        sys.exit("unknown layer kind " + kind)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def image(out, tag, base, blob, wrong_diff_id):
    with tarfile.open(base) as src:
        manifest = json.loads(src.extractfile("manifest.json").read())[0]
        cfg = json.loads(src.extractfile(manifest["Config"]).read())
        blobs = [src.extractfile(name).read() for name in manifest["Layers"]]
    blobs.append(blob)
    diff_id = "sha256:" + (sha256(b"not this layer") if wrong_diff_id else sha256(blob))
    cfg["rootfs"]["diff_ids"].append(diff_id)
    cfg.setdefault("history", []).append({"created_by": "hostile layer"})
    cfg_bytes = json.dumps(cfg, sort_keys=True).encode()
    members = [(sha256(b) + ".tar", b) for b in blobs]
    members.append((sha256(cfg_bytes) + ".json", cfg_bytes))
    entry = {"Config": sha256(cfg_bytes) + ".json", "RepoTags": [tag],
             "Layers": [sha256(b) + ".tar" for b in blobs]}
    members.append(("manifest.json", json.dumps([entry]).encode()))
    with tarfile.open(out, "w") as t:
        seen = set()
        for name, data in members:
            if name in seen:
                continue
            seen.add(name)
            ti = info(name, tarfile.REGTYPE, 0o644)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))


def main(argv):
    cmd = argv[1]
    if cmd == "tar":
        out, kind = argv[2], argv[3]
        with open(out, "wb") as f:
            f.write(layer(kind, int(argv[4]) if len(argv) > 4 else 0))
    elif cmd in ("image", "image-bad"):
        out, tag, base, kind = argv[2:6]
        n = int(argv[6]) if len(argv) > 6 else 0
        image(out, tag, base, layer(kind, n), cmd == "image-bad")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
