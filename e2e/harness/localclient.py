"""A `requests` session that reaches `*.localhost` names on 127.0.0.1.

Chromium resolves `*.localhost` to loopback by itself; Python does not. The adapter connects to 127.0.0.1 (same
port) and sends the original `host:port` as the Host header, so cookies, redirects and the proxies' virtual hosts
all see the name. Any other host than loopback names is refused: the rig never sends traffic elsewhere.
"""
from __future__ import annotations

import urllib.parse

import requests
from requests.adapters import HTTPAdapter

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def is_loopback_name(host: str | None) -> bool:
    return bool(host) and (host in LOOPBACK_NAMES or host.endswith(".localhost"))


class LocalhostAdapter(HTTPAdapter):
    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        if not is_loopback_name(parts.hostname):
            raise requests.ConnectionError(f"refusing to send traffic to {parts.hostname!r} (loopback only)")
        if parts.hostname == "127.0.0.1":
            return super().send(request, **kwargs)
        original_url, original = request.url, request
        request = request.copy()
        request.headers["Host"] = parts.netloc
        request.url = urllib.parse.urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port or 80}"))
        resp = super().send(request, **kwargs)
        resp.url = original_url
        resp.request = original
        return resp


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # never a proxy from the environment
    adapter = LocalhostAdapter()
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s
