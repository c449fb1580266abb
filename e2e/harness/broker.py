"""The SSO broker's rig (issue 19, docs/multi-cluster.md section C; tests/test_sso_broker.py): a UI cluster and attached clusters
on other domains, behind one Caddy of their own on `Ports.broker`, with the provider's two clients.

  console.ui.localhost      forward-auth "ui": client CLIENT_ID, cookie domain ui.localhost, the broker endpoint
                            /_oauth/sso with every attached callback below listed in --sso-broker-callbacks
  app.attached.localhost    forward-auth "attached": client ATTACHED_CLIENT_ID (a Dex client of its own) and
                            --sso-broker-audience CLIENT_ID: accepts the UI's token, whose `aud` is exactly the UI client
  one.attached.localhost    forward-auth "one-client": client CLIENT_ID too (one Dex client for every cluster): the
                            token's `aud` contains its own client id
  peer.attached.localhost   forward-auth "peer": client ATTACHED_CLIENT_ID, --trusted-audience CLIENT_ID, no broker
                            audience: Dex's trustedPeers form (aud = [attached, UI], azp = UI), which glewlwyd cannot
                            issue (its `aud` is always one string): tested with tokens signed by the provider's key
Attached instances keep host-only cookies (no cookie domain), so they never read each other's.

`BrokerFlow` walks the flow with a plain HTTP client (no redirects followed), for what a browser cannot send: a
replayed or doctored form, a foreign state, an oversized or duplicated body.
"""
from __future__ import annotations

import base64
import hashlib
import html.parser
import json
import re
import urllib.parse
from dataclasses import dataclass, field

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from .identities import ATTACHED_CLIENT_ID, CLIENT_ID
from .oidc import b64url, split_jwt

UI_DOMAIN = "ui.localhost"
UI_HOST = "console.ui.localhost"
ATTACHED_HOST = "app.attached.localhost"
ONE_CLIENT_HOST = "one.attached.localhost"
PEER_HOST = "peer.attached.localhost"
ATTACHED_HOSTS = (ATTACHED_HOST, ONE_CLIENT_HOST, PEER_HOST)
URL_PATH = "/_oauth"
BROKER_PATH = URL_PATH + "/sso"
CALLBACK_PATH = URL_PATH + "/sso/callback"
MAX_BODY = 64 * 1024
STATE_COOKIE_PREFIX = "_forward_auth_csrf."


def netloc(host: str, port: int) -> str:
    return f"{host}:{port}"


def url(host: str, port: int, path: str = "/") -> str:
    return f"http://{netloc(host, port)}{path}"


def callback_url(host: str, port: int) -> str:
    return url(host, port, CALLBACK_PATH)


def redirect_uris(port: int) -> tuple[list[str], list[str]]:
    """(the UI client's, the attached client's) callback URLs at the provider: each instance's own `/_oauth`."""
    return ([url(UI_HOST, port, URL_PATH), url(ONE_CLIENT_HOST, port, URL_PATH)],
            [url(ATTACHED_HOST, port, URL_PATH), url(PEER_HOST, port, URL_PATH)])


# ---- the form page -------------------------------------------------------------------------------------------
@dataclass
class FormPage:
    """The broker's auto-submitting page, parsed: the form's action and method, its hidden fields, the inline
    scripts, whether a <noscript> submit button is there."""
    action: str | None = None
    method: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    noscript_button: bool = False
    forms: int = 0


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = FormPage()
        self._in_script = False
        self._script: list[str] = []
        self._in_noscript = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.page.forms += 1
            self.page.action, self.page.method = a.get("action"), (a.get("method") or "get").lower()
        elif tag == "input" and a.get("name") is not None:
            self.page.fields.append((a["name"], a.get("value") or ""))
        elif tag == "script":
            self._in_script, self._script = True, []
        elif tag == "noscript":
            self._in_noscript += 1
        if self._in_noscript and (tag == "button" or (tag == "input" and a.get("type") == "submit")):
            self.page.noscript_button = True

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            self._in_script = False
            self.page.scripts.append("".join(self._script))
        elif tag == "noscript":
            self._in_noscript -= 1

    def handle_data(self, data):
        if self._in_script:
            self._script.append(data)


def parse_form_page(text: str) -> FormPage:
    p = _FormParser()
    p.feed(text)
    return p.page


def script_hash(script: str) -> str:
    """CSP's hash source for an inline script: 'sha256-<base64 of the SHA-256 of its text>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


# ---- the plain-client flow --------------------------------------------------------------------------------------
class BrokerFlow:
    """One login through the broker with a plain HTTP client (`requests`, redirects not followed): the client's own
    cookie jar stands for one browser."""

    def __init__(self, client, port: int, attached_host: str = ATTACHED_HOST):
        self.client = client
        self.port = port
        self.attached_host = attached_host
        self.state: str | None = None
        self.broker_url: str | None = None
        self.start_response = None

    def start(self, path: str = "/start-page") -> "BrokerFlow":
        """The attached app, anonymous: 302 to the UI's broker with this instance's callback and a fresh state."""
        r = self.client.get(url(self.attached_host, self.port, path), headers={"Accept": "text/html"},
                            allow_redirects=False)
        assert r.status_code == 302, (r.status_code, r.headers, r.text[:300])
        loc = r.headers["Location"]
        parts = urllib.parse.urlsplit(loc)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == url(UI_HOST, self.port, BROKER_PATH), loc
        q = urllib.parse.parse_qs(parts.query)
        assert q.get("callback") == [callback_url(self.attached_host, self.port)], loc
        self.state, self.broker_url, self.start_response = q["state"][0], loc, r
        return self

    def state_cookie(self) -> tuple[str, str]:
        """(name, value) of this login's state cookie in the client's jar."""
        found = [(c.name, c.value) for c in self.client.cookies
                 if c.name.startswith(STATE_COOKIE_PREFIX) and self.state.startswith(c.name[len(STATE_COOKIE_PREFIX):])]
        assert len(found) == 1, [c.name for c in self.client.cookies]
        return found[0]

    def broker(self, ui_cookies: dict[str, str], state: str | None = None, callback: str | None = None):
        """The broker endpoint with exactly the given UI cookies (the jar holds the attached instance's)."""
        q = {"callback": callback or callback_url(self.attached_host, self.port), "state": state or self.state}
        return broker_get(self.client, self.port, q, ui_cookies)

    def post(self, body: str | bytes, content_type: str = "application/x-www-form-urlencoded",
             host: str | None = None, cookies: dict | None = None):
        """POST `body` to the attached callback, through the Caddy forward_auth hop, with the jar's cookies (or
        `cookies` alone). The Cookie header is written here: the state cookie is `Secure`, which `requests` keeps
        off plain http, where Chromium sends it (http://*.localhost is a secure context)."""
        headers = {"Content-Type": content_type, "Accept": "text/html",
                   "Origin": url(UI_HOST, self.port, "").rstrip("/")}
        target = callback_url(host or self.attached_host, self.port)
        if cookies is None:
            cookies = {c.name: c.value for c in self.client.cookies}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        # Prepared by hand so that the jar's cookies are not added again (Session.send does not merge them); the
        # answer's Set-Cookie still lands in the jar.
        prepared = requests.Request("POST", target, data=body, headers=headers).prepare()
        return self.client.send(prepared, allow_redirects=False)


def broker_get(client, port: int, query: dict | str, ui_cookies: dict[str, str]):
    """GET the UI's broker endpoint (through Caddy) with `query` and exactly the cookies `ui_cookies`."""
    qs = query if isinstance(query, str) else urllib.parse.urlencode(query)
    headers = {"Accept": "text/html", "Cookie": "; ".join(f"{k}={v}" for k, v in ui_cookies.items())}
    prepared = requests.Request("GET", url(UI_HOST, port, BROKER_PATH) + "?" + qs, headers=headers).prepare()
    return client.send(prepared, allow_redirects=False)


def form_body(fields: list[tuple[str, str]]) -> str:
    return urllib.parse.urlencode(fields, quote_via=urllib.parse.quote)


# ---- tokens ----------------------------------------------------------------------------------------------------
def sign(claims: dict, private_key_pem: str, header: dict) -> str:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    signing_input = f"{b64url(json.dumps(header, separators=(',', ':')).encode())}." \
                    f"{b64url(json.dumps(claims, separators=(',', ':')).encode())}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))}"


def remint(token: str, private_key_pem: str, kid: str | None = None, drop: tuple[str, ...] = (), **changes) -> str:
    """`token` with claims changed (or dropped), signed with `private_key_pem` under `kid` (default: the token's)."""
    header, claims, _, _ = split_jwt(token)
    claims = {k: v for k, v in {**claims, **changes}.items() if k not in drop}
    return sign(claims, private_key_pem, {**header, **({"kid": kid} if kid else {})})


def set_cookie_headers(response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


def cookie_attributes(set_cookie: str) -> dict[str, str]:
    """The attributes of one Set-Cookie value, names lower-cased ('samesite', 'secure', 'max-age', ...)."""
    parts = [p.strip() for p in set_cookie.split(";")]
    out = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        out[k.strip().lower()] = v.strip()
    return out


def metric(text: str, name: str, **labels) -> float:
    """The value of one Prometheus sample (0 when absent)."""
    want = {k: str(v) for k, v in labels.items()}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s+(\S+)", line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if have == want:
            return float(m.group(4))
    return 0.0


CLIENTS = {"ui": CLIENT_ID, "attached": ATTACHED_CLIENT_ID}
