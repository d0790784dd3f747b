#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of the tests' plain-HTTP registry.

Usage: fault_proxy.py --upstream HOST:PORT --port-file FILE --log FILE
                      [--rules FILE] [--rule JSON]... [--upstream-pidfile FILE]

Listens on 127.0.0.1 on a free port (written to --port-file once it accepts
connections) and relays every request to the upstream registry, unchanged
(Host header included, so the registry's Location URLs name the proxy; Range
requests pass through, and so do 206 answers).  Rules say which requests get a
fault instead.  They come from --rule (JSON, repeatable) and from the --rules
file, which is re-read whenever it changes, so a test can change the faults
while a client runs (write a new file and rename it over the old one); a
changed file restarts the rules' counters.  The file holds one rule object or
a list of them; the first rule that matches a request and is not used up
applies, otherwise the request passes.

A rule:  {"path": REGEX, "action": ACTION, "method": "GET" | [...], "times": N, ...}
  path     re.search on the request path (with query); default: everything
  method   default GET (and HEAD for the manifest actions and for status,
           respond and delay: any method)
  times    apply to the first N matching requests only (default: every one;
           "drop" defaults to 1)

Actions:
  status    answer "status" (default 500) with a registry-style error body;
            optional "headers" (e.g. {"Retry-After": "1"})
  corrupt   relay the body with the byte at "at" (default: the middle) changed,
            so its digest is wrong; length and headers unchanged
  truncate  relay the headers (full Content-Length) and only the first "after"
            bytes (default half) of the body, then close the connection
            ("reset": true closes with a TCP RST instead of a FIN)
  drop      truncate, once by default: the next request (a retry, possibly with
            Range) is served normally
  slow      relay the body at "rate" bytes per second (default 65536); logs a
            "START ..." line when the body begins, so a test can act mid-way
  delay     wait "seconds" then relay
  huge      answer a manifest of "size" bytes (default 100 MiB): valid JSON of
            media type "content_type" (default OCI manifest), streamed;
            "chunked": true sends it without Content-Length
  manifest  answer a canned manifest: "kind" schema1 (signed, prettyjws),
            schema1-unsigned, unknown (media type application/vnd.hutch-test.unknown.v1+json);
            "content_type"/"body" override; Docker-Content-Digest is the body's
  respond   answer "status", "headers" and "body" (string) as given

With --upstream-pidfile, a relayed body is cut (TCP RST) as soon as the
registry process that was serving it (the pid in that file when the request
started) is gone: killing the registry mid-download breaks the download even
when the kernel's socket buffers already hold the rest of the blob.  When the
upstream cannot be reached the proxy answers 502.

Log (one line per request, when it ends):
  METHOD PATH status=N action=NAME bytes=BODY_BYTES_SENT range=RANGE_OR_-
e.g. "GET /v2/r/blobs/sha256:... status=200 action=pass bytes=1234 range=-".
"""
import argparse
import hashlib
import http.client
import json
import os
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 65536
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
              "te", "trailers", "transfer-encoding", "upgrade", "proxy-connection"}
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
BODY_ACTIONS = {"corrupt", "truncate", "drop", "slow"}
MANIFEST_ACTIONS = {"huge", "manifest"}
ANY_METHOD_ACTIONS = {"status", "respond", "delay"}
KNOWN_ACTIONS = BODY_ACTIONS | MANIFEST_ACTIONS | ANY_METHOD_ACTIONS | {"pass"}

SCHEMA1_SIGNED = {
    "schemaVersion": 1, "name": "hutch-test/schema1", "tag": "latest", "architecture": "amd64",
    "fsLayers": [{"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
    "history": [{"v1Compatibility": json.dumps({"id": "0" * 64, "architecture": "amd64",
                                                "os": "linux", "created": "2024-01-02T03:04:05Z"})}],
    "signatures": [{"header": {"jwk": {"crv": "P-256", "kid": "HUTCH:TEST", "kty": "EC",
                                       "x": "AAAA", "y": "AAAA"}, "alg": "ES256"},
                    "signature": "AAAA", "protected": "e30"}],
}
CANNED = {
    "schema1": ("application/vnd.docker.distribution.manifest.v1+prettyjws",
                json.dumps(SCHEMA1_SIGNED, indent=3)),
    "schema1-unsigned": ("application/vnd.docker.distribution.manifest.v1+json",
                         json.dumps({k: v for k, v in SCHEMA1_SIGNED.items() if k != "signatures"},
                                    indent=3)),
    "unknown": ("application/vnd.hutch-test.unknown.v1+json",
                json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.hutch-test.unknown.v1+json",
                            "payload": "not an image"})),
}


class Rules:
    """The rules in force: --rule ones, then the --rules file's, reloaded on change."""

    def __init__(self, fixed, path):
        self.fixed, self.path, self.stamp = fixed, path, None
        self.lock = threading.Lock()
        self.rules = self._prepare(fixed)

    @staticmethod
    def _prepare(rules):
        out = []
        for r in rules:
            r = dict(r)
            action = r.setdefault("action", "pass")
            if action not in KNOWN_ACTIONS:
                sys.stderr.write("fault_proxy: unknown action %r (ignored)\n" % action)
                continue
            r["_re"] = re.compile(r.get("path", ""))
            if "times" not in r and action == "drop":
                r["times"] = 1
            methods = r.get("method")
            if methods is None:
                methods = (None if action in ANY_METHOD_ACTIONS else
                           ["GET", "HEAD"] if action in MANIFEST_ACTIONS else ["GET"])
            elif isinstance(methods, str):
                methods = [methods]
            r["_methods"] = methods
            r["_used"] = 0
            out.append(r)
        return out

    def _reload(self):
        if not self.path:
            return
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self.stamp:
            return
        self.stamp = stamp
        loaded = []
        if stamp is not None:
            try:
                with open(self.path) as f:
                    text = f.read().strip()
                data = json.loads(text) if text else []
                loaded = data if isinstance(data, list) else [data]
            except (OSError, ValueError) as e:
                sys.stderr.write("fault_proxy: bad rules file: %s\n" % e)
        self.rules = self._prepare(self.fixed + loaded)

    def match(self, method, path):
        """The rule for this request (used up by one), or None."""
        with self.lock:
            self._reload()
            for r in self.rules:
                if r["_methods"] is not None and method not in r["_methods"]:
                    continue
                if not r["_re"].search(path):
                    continue
                if "times" in r and r["_used"] >= r["times"]:
                    continue
                r["_used"] += 1
                return r
        return None


class Cut(Exception):
    """The client connection was (deliberately or not) broken."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    rules = upstream = pidfile = log = None
    log_lock = threading.Lock()

    def log_message(self, *args):
        pass

    # ---------------------------------------------------------------- helpers
    def note(self, line):
        with self.log_lock:
            self.log.write(line + "\n")
            self.log.flush()

    def finish_log(self, status, action, sent):
        self.note("%s %s status=%s action=%s bytes=%d range=%s" % (
            self.command, self.path, status, action, sent,
            (self.headers.get("Range") or "-").replace(" ", "")))

    def request_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def send_simple(self, status, body, content_type="application/json", headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
            return len(data)
        return 0

    def cut(self, reset):
        """Break the client connection now (FIN, or RST with reset)."""
        try:
            self.wfile.flush()
            if reset:
                # close() sends the RST only once nothing else refers to the
                # socket: rfile is the one other reference.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.rfile.close()
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def upstream_pid(self):
        if not self.pidfile:
            return None
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    @staticmethod
    def alive(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            return state not in ("Z", "X")
        except (OSError, IndexError):
            return False

    # ---------------------------------------------------------------- dispatch
    def handle_any(self):
        rule = self.rules.match(self.command, self.path)
        action = rule["action"] if rule else "pass"
        sent, status = 0, "-"
        self.relayed = ["-", 0]         # what relay() got through: status, body bytes
        try:
            if action == "status":
                status = int(rule.get("status", 500))
                body = json.dumps({"errors": [{"code": "UNKNOWN",
                                               "message": "fault_proxy: injected %d" % status}]})
                self.request_body()
                sent = self.send_simple(status, body, headers=rule.get("headers"))
            elif action == "respond":
                status = int(rule.get("status", 200))
                self.request_body()
                headers = dict(rule.get("headers", {}))
                ctype = headers.pop("Content-Type", "application/json")
                sent = self.send_simple(status, rule.get("body", ""), ctype, headers)
            elif action == "manifest":
                ctype, body = CANNED[rule.get("kind", "schema1")]
                ctype = rule.get("content_type", ctype)
                body = rule.get("body", body).encode()
                status = 200
                sent = self.send_simple(200, body, ctype, {
                    "Docker-Content-Digest": "sha256:" + hashlib.sha256(body).hexdigest()})
            elif action == "huge":
                status = 200
                sent = self.send_huge(rule)
            else:
                if action == "delay":
                    time.sleep(float(rule.get("seconds", 1)))
                status, sent = self.relay(rule, action)
        except (Cut, OSError):          # cut on purpose, or the client went away
            self.close_connection = True
            if action not in ("status", "respond", "manifest", "huge"):
                status, sent = self.relayed
        self.finish_log(status, action, sent)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    # ---------------------------------------------------------------- actions
    def send_huge(self, rule):
        size = int(rule.get("size", 100 * 1024 * 1024))
        ctype = rule.get("content_type", OCI_MANIFEST)
        head = ('{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":'
                '"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},'
                '"layers":[],"annotations":{"pad":"' % (ctype, "0" * 64)).encode()
        tail = b'"}}'
        pad = max(0, size - len(head) - len(tail))
        chunked = bool(rule.get("chunked"))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(head) + pad + len(tail)))
        self.end_headers()
        if self.command == "HEAD":
            return 0
        sent = 0

        def out(data):
            nonlocal sent
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                self.wfile.write(data)
            sent += len(data)

        out(head)
        block = b"x" * CHUNK
        while pad > 0:
            out(block[:min(pad, CHUNK)])
            pad -= min(pad, CHUNK)
        out(tail)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        return sent

    def relay(self, rule, action):
        """Forward the request; return (status, body bytes sent)."""
        body = self.request_body()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        pid = self.upstream_pid()
        host, port = self.upstream
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
            except OSError as e:
                msg = json.dumps({"errors": [{"code": "UNAVAILABLE",
                                              "message": "fault_proxy: upstream: %s" % e}]})
                self.relayed[0] = 502
                return 502, self.send_simple(502, msg)
            self.relayed[0] = resp.status
            length = resp.getheader("Content-Length")
            length = int(length) if length is not None else None
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            no_body = self.command == "HEAD" or resp.status in (204, 304) or resp.status < 200
            if length is None and not no_body:
                data = resp.read()           # small (error bodies): frame it ourselves
                length = len(data)
                chunks = iter([data])
            else:
                chunks = iter(lambda: resp.read(CHUNK), b"")
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.end_headers()
            if no_body:
                return resp.status, 0
            return resp.status, self.stream(chunks, length or 0, rule, action, pid)
        finally:
            conn.close()

    def stream(self, chunks, length, rule, action, pid):
        sent = 0
        limit = None
        if action in ("truncate", "drop"):
            limit = int(rule.get("after", length // 2))
        flip = int(rule.get("at", length // 2)) if action == "corrupt" else -1
        rate = float(rule.get("rate", 65536)) if action == "slow" else 0
        if action == "slow":
            self.note("START %s %s" % (self.command, self.path))
            step = max(1, min(CHUNK, int(rate / 20)))
        started = time.monotonic()
        while True:
            try:
                chunk = next(chunks, b"")
            except (http.client.HTTPException, OSError):
                self.cut(reset=True)     # the upstream broke: so does the download
                raise Cut()
            if not chunk:
                break
            pieces = [chunk[i:i + step] for i in range(0, len(chunk), step)] if rate else [chunk]
            for data in pieces:
                if pid is not None and not self.alive(pid):
                    self.cut(reset=True)
                    raise Cut()
                if 0 <= flip - sent < len(data):
                    b = bytearray(data)
                    b[flip - sent] ^= 0xFF
                    data = bytes(b)
                if limit is not None and sent + len(data) >= limit:
                    self.wfile.write(data[:limit - sent])
                    sent = self.relayed[1] = limit
                    self.cut(reset=bool(rule.get("reset")))
                    return sent
                self.wfile.write(data)
                sent += len(data)
                self.relayed[1] = sent
                if rate:
                    self.wfile.flush()
                    ahead = sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        return sent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rules")
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--upstream-pidfile")
    args = ap.parse_args()
    host, _, port = args.upstream.rpartition(":")
    Handler.upstream = (host, int(port))
    Handler.rules = Rules([json.loads(r) for r in args.rule], args.rules)
    Handler.pidfile = args.upstream_pidfile
    Handler.log = open(args.log, "a")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
