#!/usr/bin/env python3
"""The sample upstream app behind the proxies: shows who the proxy says the user is and every header it received.

Standard library only. Answers JSON when asked for it (`Accept: application/json` without text/html, or
`?format=json`), else an HTML page. The identity comes from X-Forwarded-User (and any other --identity-header).

Caddy 2.6.2 sends the literal text `{http.reverse_proxy.header.X-Forwarded-User}` upstream when a header named in
`copy_headers` is absent from a 2xx auth answer: a value starting with `{http.` is an unreplaced Caddy placeholder
and is treated as absent (reported under "ignored"), never as a user.

Extra routes: `/_allow` answers 200 with no headers (a stand-in auth endpoint that knows nobody), and
`--json-file /path=FILE` serves a JSON file at /path (used for a static discovery document).
"""
from __future__ import annotations

import argparse
import html
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PLACEHOLDER_PREFIX = "{http."


def trusted_value(value: str | None) -> str | None:
    if value is None or value == "" or value.startswith(PLACEHOLDER_PREFIX):
        return None
    return value


class Handler(BaseHTTPRequestHandler):
    server_version = "e2e-app/1"
    app_name = "app"
    identity_headers: list[str] = ["X-Forwarded-User"]
    json_files: dict[str, str] = {}

    def log_message(self, fmt, *args):  # one line per request, to the log file
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_allow":
            return self._send(200, b"", "text/plain")
        if url.path in self.json_files:
            with open(self.json_files[url.path], "rb") as f:  # read per request: the file may come later
                return self._send(200, f.read(), "application/json")
        query = urllib.parse.parse_qs(url.query)
        headers = {}
        for k, v in self.headers.items():  # keep every value of repeated headers
            headers.setdefault(k, []).append(v)
        identity, ignored = {}, {}
        for name in self.identity_headers:
            for raw in self.headers.get_all(name) or []:
                if trusted_value(raw) is None:
                    ignored.setdefault(name, []).append(raw)
                else:
                    identity.setdefault(name, []).append(raw)
        user = identity.get("X-Forwarded-User", [None])[0]
        data = {"app": self.app_name, "method": self.command, "host": self.headers.get("Host"),
                "path": url.path, "query": url.query, "user": user, "identity": identity, "ignored": ignored,
                "headers": headers}
        accept = self.headers.get("Accept", "")
        if query.get("format") == ["json"] or ("application/json" in accept and "text/html" not in accept):
            return self._send(200, json.dumps(data, indent=2).encode(), "application/json")
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(', '.join(v))}</td></tr>"
                       for k, v in sorted(headers.items()))
        greeting = (f'Hello, <span id="user">{html.escape(user)}</span>' if user
                    else 'Hello, <span id="user"></span>nobody (no trusted X-Forwarded-User)')
        embedded = json.dumps(data).replace("<", "\\u003c")  # safe inside <script>
        page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(self.app_name)}</title></head>
<body>
<h1 id="greeting">{greeting}</h1>
<p>This is <b id="app">{html.escape(self.app_name)}</b>, path <code id="path">{html.escape(url.path)}</code>.</p>
<h2>Headers received</h2>
<table id="headers">{rows}</table>
<script type="application/json" id="data">{embedded}</script>
</body></html>
"""
        return self._send(200, page.encode(), "text/html; charset=utf-8")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--name", default="app")
    p.add_argument("--identity-header", action="append", default=[],
                   help="another header carrying identity (X-Forwarded-User always counts)")
    p.add_argument("--json-file", action="append", default=[], metavar="PATH=FILE")
    a = p.parse_args(argv)
    Handler.app_name = a.name
    Handler.identity_headers = ["X-Forwarded-User"] + a.identity_header
    for spec in a.json_file:
        path, _, file = spec.partition("=")
        Handler.json_files[path] = file
    server = ThreadingHTTPServer((a.listen, a.port), Handler)
    server.daemon_threads = True
    print(f"{a.name} listening on http://{a.listen}:{a.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
