#!/usr/bin/env python3
"""Stack layer tars on an image of a docker-archive, as a new docker-archive.

Usage: layered_image.py BASE.tar OUT.tar TAG LAYER.tar...

The first image of BASE.tar gets the LAYER tars on top (stored as given, so a
layer made by GNU tar keeps its sparse members byte for byte) and is written
to OUT.tar tagged TAG. Layers are copied in chunks: a big one is never held
in memory.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def add_bytes(out, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), 0o644, 1700000000
    out.addfile(ti, io.BytesIO(data))


def main():
    base, dest, tag, layers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    with tarfile.open(base) as src, tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as out:
        item = json.load(src.extractfile("manifest.json"))[0]
        cfg = json.load(src.extractfile(item["Config"]))
        names = list(item["Layers"])
        for name in names:
            m = src.getmember(name)
            out.addfile(m, src.extractfile(m))
        for path in layers:
            digest = sha256_file(path)
            name = digest + ".tar"
            ti = out.gettarinfo(path, arcname=name)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            with open(path, "rb") as f:
                out.addfile(ti, f)
            names.append(name)
            cfg["rootfs"]["diff_ids"].append("sha256:" + digest)
            cfg["history"].append({"created": cfg["created"], "created_by": os.path.basename(path)})
        cfg_bytes = json.dumps(cfg, sort_keys=True, separators=(",", ":")).encode()
        cfg_name = hashlib.sha256(cfg_bytes).hexdigest() + ".json"
        add_bytes(out, cfg_name, cfg_bytes)
        manifest = [{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]
        add_bytes(out, "manifest.json", json.dumps(manifest).encode())


if __name__ == "__main__":
    main()
