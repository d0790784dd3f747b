#!/usr/bin/env python3
"""Write the C++ source that carries the notices of everything linked into hutch.

Usage: gen-licenses.py --zig ZIG --out FILE

The static binary contains the libraries of third_party/versions (and pasta,
a program it carries), and, from zig,
musl libc, LLVM's libc++, libc++abi and libunwind, and zig's compiler_rt. Their
licences require their notices to travel with the binary, so they are compiled
in (`hutch version --licenses`). The texts come from the sources themselves: the
Debian source packages scripts/build-deps.sh downloaded into
$HUTCH_BUILD_CACHE/src (their upstream tarballs), and zig's lib directory.
"""
import argparse
import os
import re
import subprocess
import sys
import tarfile

# recipe in third_party/versions -> (display name, licence, [notice, ...]).
# A notice is a file of the upstream tree (its first path component dropped),
# or (file, text) for the comment of a source file that holds text: code under
# its own terms inside the library, which the library's licence file does not
# cover.
DEPENDENCIES = {
    "zlib": ("zlib", "Zlib", ["LICENSE"]),
    # zstd is dual-licensed (BSD or GPLv2); hutch takes it under BSD.
    "zstd": ("Zstandard", "BSD-3-Clause", ["LICENSE"]),
    "libarchive": ("libarchive", "BSD-2-Clause", [
        "COPYING",
        # Linked through archive_read_support_filter_all().
        ("libarchive/archive_read_support_filter_compress.c", "The Regents of the University of California"),
    ]),
    "simdjson": ("simdjson", "Apache-2.0", [
        "LICENSE",
        ("singleheader/simdjson.h", "Copyright (c) 2016-     Facebook"),
        ("singleheader/simdjson.cpp", "Copyright (c) 2009 Florian"),
    ]),
    "mimalloc": ("mimalloc", "MIT", ["LICENSE"]),
    "mbedtls": ("Mbed TLS", "Apache-2.0", ["LICENSE"]),
    "curl": ("libcurl", "curl", ["COPYING"]),
    # Not linked: a program of its own that hutch carries as data and runs as
    # a separate process (mere aggregation); its source is the Debian package.
    "passt": ("pasta (passt)", "GPL-2.0-or-later AND BSD-3-Clause",
              ["LICENSES/GPL-2.0-or-later.txt", "LICENSES/BSD-3-Clause.txt"]),
}

# From zig's lib directory: (display name, licence, file).
TOOLCHAIN = [
    ("musl libc", "MIT", "libc/musl/COPYRIGHT"),
    ("libc++ (LLVM)", "Apache-2.0 WITH LLVM-exception", "libcxx/LICENSE.TXT"),
    ("libc++abi (LLVM)", "Apache-2.0 WITH LLVM-exception", "libcxxabi/LICENSE.TXT"),
    ("libunwind (LLVM)", "Apache-2.0 WITH LLVM-exception", "libunwind/LICENSE.TXT"),
    ("zig's compiler_rt", "MIT", "../LICENSE"),
]


def die(message):
    sys.exit("gen-licenses: error: " + message)


def read_versions(path):
    rows = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if words and not words[0].startswith("#"):
                rows.append(words[:3])
    return rows


def upstream_tarball(src_dir, package, version):
    upstream = version.split(":", 1)[-1].rsplit("-", 1)[0]
    prefix = "%s_%s.orig.tar." % (package, upstream)
    for name in sorted(os.listdir(src_dir)):
        if name.startswith(prefix) and not name.endswith(".asc"):
            return os.path.join(src_dir, name)
    die("no %s* in %s: scripts/build-deps.sh downloads it (remove the deps prefix it names to make it "
        "fetch the sources again)" % (prefix, src_dir))


def comment_holding(source, text, where):
    for match in re.finditer(r"/\*(.*?)\*/", source, re.S):
        if text in match.group(1):
            lines = [re.sub(r"^ ?\* ?", "", l.rstrip()) for l in match.group(1).strip("*-!\n").splitlines()]
            return "\n".join(lines).strip("\n") + "\n"
    die("%s has no comment with '%s'" % (where, text))


def notices_from_tarball(tarball, wanted):
    names = {w if isinstance(w, str) else w[0] for w in wanted}
    found = {}
    with tarfile.open(tarball) as tar:
        for member in tar:
            inner = member.name.split("/", 1)[-1]
            if member.isfile() and inner in names:
                found[inner] = tar.extractfile(member).read().decode("utf-8", "replace")
    texts = []
    for w in wanted:
        name, text = (w, None) if isinstance(w, str) else w
        if name not in found:
            die("%s has no %s" % (tarball, name))
        texts.append((name, found[name] if text is None else comment_holding(found[name], text, name)))
    return texts


def cxx_string(text):
    out = []
    for line in text.splitlines(True):
        escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\?' else
                          "\\n" if c == "\n" else "\\%03o" % ord(c) if ord(c) < 128 else
                          "".join("\\%03o" % b for b in c.encode()) for c in line)
        out.append('"%s"' % escaped)
    return "\n      ".join(out) or '""'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zig", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cache = os.environ.get("HUTCH_BUILD_CACHE") or os.path.join(os.environ["HOME"], ".cache/hutch-build")
    src_dir = os.path.join(cache, "src")
    zig_lib = os.path.join(os.path.dirname(os.path.realpath(a.zig)), "lib")
    zig_version = subprocess.run([a.zig, "version"], capture_output=True, text=True, check=True).stdout.strip()

    entries = []   # (name, version, licence, [(file, text)])
    for recipe, package, version in read_versions(os.path.join(repo, "third_party/versions")):
        if recipe not in DEPENDENCIES:
            die("third_party/versions names %s, which %s does not describe" % (recipe, __file__))
        name, licence, wanted = DEPENDENCIES[recipe]
        upstream = version.split(":", 1)[-1].rsplit("-", 1)[0]
        texts = notices_from_tarball(upstream_tarball(src_dir, package, version), wanted)
        entries.append((name, "%s (Debian source package %s %s)" % (upstream, package, version), licence, texts))
    for name, licence, path in TOOLCHAIN:
        full = os.path.normpath(os.path.join(zig_lib, path))
        try:
            with open(full, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as e:
            die("cannot read %s: %s" % (full, e))
        entries.append((name, "from zig %s" % zig_version, licence, [(os.path.basename(path), text)]))

    rows = []
    for name, version, licence, texts in entries:
        body = "".join("\n--- %s\n\n%s" % (f, t if t.endswith("\n") else t + "\n") for f, t in texts)
        rows.append('  {"%s", "%s", "%s",\n      %s},' % (name, version, licence, cxx_string(body)))
    code = ("// Generated by scripts/gen-licenses.py from the dependencies' sources; do not edit.\n"
            '#include "base/licenses.h"\n\nnamespace hutch {\n\n'
            "namespace {\nconst BundledLicense kLicenses[] = {\n%s\n};\n}  // namespace\n\n"
            "std::span<const BundledLicense> bundled_licenses() { return kLicenses; }\n\n"
            "}  // namespace hutch\n") % "\n".join(rows)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(code)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
