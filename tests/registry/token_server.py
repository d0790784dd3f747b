#!/usr/bin/env python3
"""A bearer-token server for the tests' registry (distribution's `auth.token`).

Usage: token_server.py --key KEY.pem --cert CERT.pem --port-file FILE --log FILE
                       [--issuer NAME] [--service NAME] [--user NAME:PASSWORD]...
                       [--public REGEX] [--ttl SECONDS]

Listens on 127.0.0.1 on a free port, which it writes to --port-file once it
accepts connections.  It answers docker's token request,

    GET /token?service=SERVICE&scope=repository:NAME:pull,push[&scope=...]
        [Authorization: Basic ...]

and the OAuth2 form (POST /token, grant_type=password or refresh_token), with
{"token", "access_token", "expires_in", "issued_at"} (and "refresh_token" for
the password grant when access_type=offline).  The JWT is signed ES256 with KEY,
and carries CERT in its x5c header; the registry trusts CERT (its
rootcertbundle).

Who gets what:
  * a known user with the right password: every action asked for;
  * anonymous: "pull" on repositories whose name matches --public (default
    ^public/), nothing else (the token is issued with an empty grant, as
    Docker Hub does, and the registry then answers 401);
  * wrong credentials: 401 from this server.
One log line per request: METHOD /token user=... scope=... granted=... status=...
"""
import argparse
import base64
import datetime
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self, args):
        with open(args.key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        if not isinstance(self.key, ec.EllipticCurvePrivateKey):
            sys.exit("token_server: the signing key must be an EC P-256 key (ES256)")
        with open(args.cert, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.issuer, self.service, self.ttl = args.issuer, args.service, args.ttl
        self.users = dict(u.split(":", 1) for u in args.user)
        self.public = re.compile(args.public)
        self.refresh = {}            # refresh token -> user
        self.log_lock = threading.Lock()
        self.log = open(args.log, "a", buffering=1)

    def sign(self, subject, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": self.x5c}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service,
                  "exp": now + self.ttl, "nbf": now - 1, "iat": now,
                  "jti": secrets.token_hex(8), "access": access}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def grant(self, user, scopes):
        """The access claim for `scopes` (docker's "type:name:actions" strings)."""
        access = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1].split(",")
            if user is not None:
                allowed = actions
            elif kind == "repository" and self.public.search(name):
                allowed = [a for a in actions if a == "pull"]
            else:
                allowed = []
            if allowed:
                access.append({"type": kind, "name": name, "actions": allowed})
        return access

    def write_log(self, line):
        with self.log_lock:
            self.log.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    issuer = None          # set by main

    def log_message(self, *args):       # our own log instead of stderr
        pass

    def reply(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def basic_user(self):
        """(user or None, ok): ok is False for credentials that do not match."""
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("basic "):
            return None, True
        try:
            user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, False
        return user, self.issuer.users.get(user) == password

    def issue(self, method, user, params, oauth):
        iss = self.issuer
        scopes = [s for v in params.get("scope", []) for s in v.split(" ") if s]
        service = params.get("service", [iss.service])[0]
        if service != iss.service:
            self.done(method, user, scopes, [], 400)
            return self.reply(400, {"errors": [{"code": "DENIED",
                                                "message": "unknown service %r" % service}]})
        access = iss.grant(user, scopes)
        token = iss.sign(user or "", access)
        body = {"token": token, "access_token": token, "expires_in": iss.ttl,
                "issued_at": datetime.datetime.now(datetime.timezone.utc)
                .strftime("%Y-%m-%dT%H:%M:%SZ")}
        if oauth:
            del body["token"]
            body["scope"] = " ".join(scopes)
            if user is not None and params.get("access_type", [""])[0] == "offline":
                refresh = secrets.token_hex(16)
                iss.refresh[refresh] = user
                body["refresh_token"] = refresh
        self.done(method, user, scopes, access, 200)
        self.reply(200, body)

    def done(self, method, user, scopes, access, status):
        granted = ",".join("%s:%s:%s" % (a["type"], a["name"], "+".join(a["actions"]))
                           for a in access)
        self.issuer.write_log("%s /token user=%s scope=%s granted=%s status=%d" % (
            method, user or "anonymous", ",".join(scopes) or "-", granted or "-", status))

    def unauthorized(self, method, user):
        self.done(method, user, [], [], 401)
        self.reply(401, {"details": "incorrect username or password"},
                   {"WWW-Authenticate": 'Basic realm="hutch-test-token"'})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        user, ok = self.basic_user()
        if not ok:
            return self.unauthorized("GET", user)
        self.issue("GET", user, urllib.parse.parse_qs(url.query), oauth=False)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        grant = form.get("grant_type", [""])[0]
        if grant == "password":
            user = form.get("username", [""])[0]
            if self.issuer.users.get(user) != form.get("password", [None])[0]:
                return self.unauthorized("POST", user)
        elif grant == "refresh_token":
            user = self.issuer.refresh.get(form.get("refresh_token", [""])[0])
            if user is None:
                return self.unauthorized("POST", "refresh")
        else:
            self.done("POST", None, [], [], 400)
            return self.reply(400, {"error": "unsupported_grant_type"})
        self.issue("POST", user, form, oauth=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--issuer", default="hutch-test-issuer")
    ap.add_argument("--service", default="hutch-test-registry")
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--public", default="^public/")
    ap.add_argument("--ttl", type=int, default=300)
    args = ap.parse_args()
    Handler.issuer = Issuer(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
