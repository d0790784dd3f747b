#!/usr/bin/env python3
"""Write the pull benchmark's image: an OCI image layout with 8 gzip layers.

Usage: big-image.py OUTDIR [TOTAL_MB]     (default 200 MB before compression)

Layer 1 is busybox (so the image runs); the others split TOTAL_MB between
  - incompressible data (pseudo-random, in a few large files),
  - compressible text (in medium files), and
  - many small files (4 KiB each, a source tree's worth),
so a pull pays for network, decompression and file creation alike.  The image
is the same on every run (seeded data, fixed mtimes, gzip mtime 0), named
bench/big:latest in index.json.
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

MTIME = 1700000000


def tar_layer(files):
    """files: [(path, bytes)] -> uncompressed tar, parents created."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        dirs = set()
        for path, data in files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    ti = tarfile.TarInfo(d + "/")
                    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
                    t.addfile(ti)
            ti = tarfile.TarInfo(path)
            ti.size, ti.mode, ti.mtime = len(data), 0o644, MTIME
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def busybox_layer():
    with open("/bin/busybox", "rb") as f:
        return tar_layer([("bin/busybox", f.read())])


WORDS = ("container image layer registry manifest digest blob tar gzip overlay "
         "namespace mount user group root store pull push index platform").split()


def corpus(rng, size=8 << 20):
    """Text to take compressible slices from (cheaper than word by word)."""
    return (" ".join(rng.choice(WORDS) for _ in range(size // 6)) + "\n").encode()


def text_layer(rng, n, size, text):
    files, left, i = [], size, 0
    while left > 0:
        k = min(left, 1 << 20)
        at = rng.randrange(len(text) - k)
        files.append(("usr/share/doc-%d/file%03d.txt" % (n, i), text[at:at + k]))
        left -= k
        i += 1
    return tar_layer(files)


def small_files_layer(rng, n, size, text):
    files = []
    for i in range(size // 4096):
        at = rng.randrange(len(text) - 4096)
        files.append(("usr/lib/pkg-%d/m%02d/f%05d.py" % (n, i % 50, i), text[at:at + 4096]))
    return tar_layer(files)


def random_layer(rng, n, size, text):
    per = size // 4
    return tar_layer([("data/random-%d/blob%d.bin" % (n, i), rng.randbytes(per)) for i in range(4)])


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    mb = 1 << 20
    rng = random.Random(20240102)
    makers = [random_layer, text_layer, small_files_layer, random_layer, text_layer,
              random_layer, small_files_layer]
    share = total * mb // len(makers)
    text = corpus(rng)
    layers = [busybox_layer()] + [m(rng, i, share, text) for i, m in enumerate(makers)]
    blobs = [gzip.compress(l, compresslevel=6, mtime=0) for l in layers]
    sha = lambda b: hashlib.sha256(b).hexdigest()
    cfg = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/busybox", "sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(l) for l in layers]},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": "bench layer %d" % i}
                    for i in range(len(layers))],
    }, sort_keys=True, separators=(",", ":")).encode()
    desc = lambda mt, b: {"mediaType": mt, "digest": "sha256:" + sha(b), "size": len(b)}
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": desc("application/vnd.oci.image.config.v1+json", cfg),
        "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", b) for b in blobs],
    }, separators=(",", ":")).encode()
    top = desc("application/vnd.oci.image.manifest.v1+json", manifest)
    top["annotations"] = {"org.opencontainers.image.ref.name": "bench/big:latest"}
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    for b in blobs + [cfg, manifest]:
        with open(os.path.join(out, "blobs", "sha256", sha(b)), "wb") as f:
            f.write(b)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [top]}, f)
    print("%d layers, %.0f MB uncompressed, %.0f MB compressed" % (
        len(layers), sum(map(len, layers)) / mb, sum(map(len, blobs)) / mb))


if __name__ == "__main__":
    main()
