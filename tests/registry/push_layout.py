#!/usr/bin/env python3
"""Put an OCI image layout, or one manifest, into a registry byte for byte.

Usage: push_layout.py [options] LAYOUT_DIR HOST:PORT/REPO:TAG
       push_layout.py [options] --manifest FILE --media-type TYPE HOST:PORT/REPO:TAG
Options: --scheme http|https (default http)  --ca PEM  --creds USER:PASSWORD
         --blobs LAYOUT_DIR (with --manifest: first push the blobs it names, from there)

skopeo reads only OCI media types from an image layout's index.json, and
converts what it copies; this pushes whatever the layout holds (a docker
manifest list included) unchanged, so digests stay what the fixtures say.  The
layout's index.json must have exactly one entry (an image index, a manifest
list or a manifest): its children go up by digest, the entry by TAG.  With
--manifest, FILE is PUT as is (the registry may still refuse it), so tests can
store manifests no tool would write.  Prints the digest of what went up by TAG.
Handles the registry's Basic and Bearer challenges (the tests' token server).
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import ssl
import sys
import urllib.parse

INDEX_TYPES = {"application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json"}


class Registry:
    def __init__(self, args, host, repo):
        self.host, self.repo, self.scheme = host, repo, args.scheme
        self.creds = args.creds
        self.ctx = None
        if self.scheme == "https":
            self.ctx = ssl.create_default_context(cafile=args.ca)
        self.auth = None

    def conn(self, scheme, host):
        if scheme == "https":
            return http.client.HTTPSConnection(host, context=self.ctx, timeout=60)
        return http.client.HTTPConnection(host, timeout=60)

    def request(self, method, path, body=None, headers=None, retry=True):
        headers = dict(headers or {})
        if self.auth:
            headers["Authorization"] = self.auth
        c = self.conn(self.scheme, self.host)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status == 401 and retry:
            self.authenticate(r.getheader("WWW-Authenticate", ""))
            return self.request(method, path, body, headers, retry=False)
        return r, data

    def basic(self):
        return "Basic " + base64.b64encode(self.creds.encode()).decode()

    def authenticate(self, challenge):
        scheme, _, rest = challenge.partition(" ")
        params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if scheme.lower() == "basic":
            if not self.creds:
                sys.exit("push_layout: the registry wants credentials (--creds)")
            self.auth = self.basic()
            return
        scope = "repository:%s:pull,push" % self.repo
        url = urllib.parse.urlsplit(params["realm"])
        query = urllib.parse.urlencode({"service": params.get("service", ""), "scope": scope})
        c = self.conn(url.scheme, url.netloc)
        c.request("GET", url.path + "?" + query,
                  headers={"Authorization": self.basic()} if self.creds else {})
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit("push_layout: token request answered %d: %s" % (r.status, body[:200]))
        reply = json.loads(body)
        self.auth = "Bearer " + (reply.get("token") or reply["access_token"])

    def put_blob(self, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        r, _ = self.request("HEAD", "/v2/%s/blobs/%s" % (self.repo, digest))
        if r.status == 200:
            return
        # distribution 2.8 ignores a monolithic POST's body (202): open an
        # upload session, then PUT the blob to its Location.
        r, body = self.request("POST", "/v2/%s/blobs/uploads/" % self.repo, b"", {"Content-Length": "0"})
        if r.status != 202:
            sys.exit("push_layout: blob %s: POST %d %s" % (digest, r.status, body[:300]))
        loc = urllib.parse.urlsplit(r.getheader("Location"))
        query = (loc.query + "&" if loc.query else "") + urllib.parse.urlencode({"digest": digest})
        r, body = self.request("PUT", loc.path + "?" + query, data,
                               {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
        if r.status != 201:
            sys.exit("push_layout: blob %s: PUT %d %s" % (digest, r.status, body[:300]))

    def put_manifest(self, ref, data, media_type):
        r, body = self.request("PUT", "/v2/%s/manifests/%s" % (self.repo, ref), data,
                               {"Content-Type": media_type, "Content-Length": str(len(data))})
        if r.status != 201:
            sys.exit("push_layout: manifest %s: %d %s" % (ref, r.status, body[:300]))
        return "sha256:" + hashlib.sha256(data).hexdigest()


def blob(layout, digest):
    with open(os.path.join(layout, "blobs", *digest.split(":", 1)), "rb") as f:
        return f.read()


def push_manifest_blobs(reg, layout, manifest):
    m = json.loads(manifest)
    for d in ([m["config"]] if "config" in m else []) + m.get("layers", []):
        reg.put_blob(blob(layout, d["digest"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?")
    ap.add_argument("dest")
    ap.add_argument("--scheme", default="http", choices=("http", "https"))
    ap.add_argument("--ca")
    ap.add_argument("--creds")
    ap.add_argument("--manifest")
    ap.add_argument("--media-type")
    ap.add_argument("--blobs")
    args = ap.parse_args()
    host, _, path = args.dest.partition("/")
    repo, _, tag = path.rpartition(":")
    if not repo or "/" in tag:
        sys.exit("push_layout: destination must be HOST:PORT/REPO:TAG")
    reg = Registry(args, host, repo)

    if args.manifest:
        with open(args.manifest, "rb") as f:
            data = f.read()
        if args.blobs:
            push_manifest_blobs(reg, args.blobs, data)
        print(reg.put_manifest(tag, data, args.media_type or json.loads(data)["mediaType"]))
        return

    with open(os.path.join(args.source, "index.json")) as f:
        top = json.load(f)["manifests"]
    if len(top) != 1:
        sys.exit("push_layout: index.json must have one entry, it has %d" % len(top))
    top = top[0]
    data = blob(args.source, top["digest"])
    if top["mediaType"] in INDEX_TYPES:
        for d in json.loads(data)["manifests"]:
            child = blob(args.source, d["digest"])
            push_manifest_blobs(reg, args.source, child)
            reg.put_manifest(d["digest"], child, d["mediaType"])
    else:
        push_manifest_blobs(reg, args.source, data)
    print(reg.put_manifest(tag, data, top["mediaType"]))


if __name__ == "__main__":
    main()
