"""Upstream-only headers (issue 14): the service account's `Authorization: Bearer <token>`, `Impersonate-User` /
`Impersonate-Group`, the forwarded ID token (X-Id-Token) and claim headers (X-Auth-Request-Groups) are for the app
behind the proxy. forward-auth sends them only in its answer to an auth subrequest: a request whose own request line
is exactly `/` (a query may follow) and that carries X-Forwarded-Uri. Any other request, however its path is spelled
and whatever X-Forwarded-* headers the client adds, gets at most X-Forwarded-User, else a browser could read the
service account's token by asking for, say, /_oauth/auth on a host whose proxy sends /_oauth* to forward-auth.

forward-auth "headers" (harness/stack.py) sends all of them, with a fake service-account token the rig wrote and
can look for. Alice signs in with the real browser; her cookies then go with every request below, sent as raw bytes
on a socket (an HTTP library would normalise `//`, `/./`, `%2e`, absolute-form...), along four ways:
  direct  straight to forward-auth's port;
  caddy   Caddy, the documented wiring (only /_oauth, /_oauth/logout, /_oauth/start go to forward-auth directly);
  nginx   nginx, the documented wiring (auth_request to `/` with X-Forward-Auth-Redirect: off; the same exact paths);
  dkp     Caddy replaying DKP chart 0.3.10's route: all of /_oauth* through forward_auth (so the request arrives
          carrying the copied upstream-only headers) and then to forward-auth itself.
A request the proxy hands to the app after a successful check is answered by the sample app, which shows every
header it received (the upstream-only ones included: it is the upstream they are meant for); such an answer is
recognised by its JSON and only its response headers are checked. Every other answer (forward-auth's, or the
proxy's own) must not contain the token or the ID token anywhere.

X-Forwarded-Prefix: forward-auth "headers" does not trust it (the default); forward-auth "prefix" does
(--trust-forwarded-prefix). Both allow /public to anyone. The wirings strip a client's prefix, so neither can be
talked into treating /admin/secret as /public/admin/secret through a proxy.
"""
from __future__ import annotations

import json
import re
import socket
from datetime import datetime
from dataclasses import dataclass, field

import pytest

from harness.browser import artifacts_dir
from harness.forward_auth import json_records
from harness.identities import ALICE
from harness.procs import LOOPBACK
from harness.stack import (DKP_REPLAY, HEADERS_CADDY, HEADERS_NGINX, PREFIX_CADDY, PREFIX_NGINX,
                           UPSTREAM_ONLY_HEADERS)

APP_NAME = "sample-app"  # harness/stack.py starts the app with this --name


# ---- raw HTTP/1.1 on a socket -----------------------------------------------------------------------------------
@dataclass
class Answer:
    raw: bytes
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def head(self) -> bytes:
        return self.raw.split(b"\r\n\r\n", 1)[0]

    def app_data(self) -> dict | None:
        """The sample app's JSON (what it received), or None when someone else answered."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) and data.get("app") == APP_NAME else None

    def summary(self) -> str:
        return self.raw[:600].decode("latin-1")


def _dechunk(body: bytes) -> tuple[bytes, bool]:
    out, rest = b"", body
    while True:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            return out, False
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return out, True
        if len(rest) < size + 2:
            return out, False
        out, rest = out + rest[:size], rest[size + 2:]


def _parse(raw: bytes) -> tuple[Answer, bool]:
    """The answer so far, and whether it is complete."""
    if b"\r\n\r\n" not in raw:
        return Answer(raw), False
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    headers = [(n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:])]
    ans = Answer(raw, int(m.group(1)) if m else None, headers)
    if any(v.lower() == "chunked" for v in ans.header("Transfer-Encoding")):
        ans.body, done = _dechunk(body)
        return ans, done
    length = ans.header("Content-Length")
    ans.body = body
    if length:
        return ans, len(body) >= int(length[0])
    return ans, ans.status in (204, 304) or (ans.status is not None and 100 <= ans.status < 200)


def exchange(port: int, target: str, host: str, cookie: str | None = None,
             extra: list[tuple[str, str]] = (), accept: str = "application/json", timeout: float = 10.0) -> Answer:
    """Sends `GET <target> HTTP/1.1` byte for byte as given (no normalisation) and reads one answer."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", f"Accept: {accept}", "User-Agent: e2e-raw/1"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    lines += [f"{k}: {v}" for k, v in extra]
    lines.append("Connection: close")
    raw = b""
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as s:
        s.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n")
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                raw += chunk
                if _parse(raw)[1]:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    return _parse(raw)[0]


# ---- what must never come back ----------------------------------------------------------------------------------
FORBIDDEN = {h.lower() for h in UPSTREAM_ONLY_HEADERS}


def forbidden_headers(ans: Answer) -> list[tuple[str, str]]:
    return [(n, v) for n, v in ans.headers if n.lower() in FORBIDDEN or n.lower().startswith("impersonate-")]


def leaks(ans: Answer, secrets: dict[str, str]) -> list[str]:
    """What of the upstream-only material this answer hands to the client."""
    found = [f"response header {n}: {v[:60]}" for n, v in forbidden_headers(ans)]
    # The app's own page shows what it received (the upstream is where these belong): its headers only.
    where = ans.head if ans.app_data() is not None else ans.raw
    found += [f"{label} in the {'response headers' if ans.app_data() is not None else 'answer'}"
              for label, secret in secrets.items() if secret.encode() in where]
    return found


# ---- the spellings ----------------------------------------------------------------------------------------------
SPELLINGS = [
    # The list.
    "/_oauth/auth", "/_oauth/x", "/_oauthx", "/_oauth/auth/", "//_oauth/auth", "/_oauth%2Fauth", "/_oauth;x/auth",
    "/_oauth/./auth", "/_oauth/../_oauth/auth",
    # More of the same: case, encoded dots and slashes, backslashes, parameters, queries, absolute-form.
    "/_OAUTH/AUTH", "/_OAuth/Auth", "/_oauth/%2e/auth", "/_oauth/%2E%2E/_oauth/auth", "/%5Foauth/auth",
    "/_oauth%5Cauth", "/_oauth\\auth", "/_oauth/auth;", "/_oauth/auth;x=1", "/_oauth/auth?x", "/_oauth/auth%3Fx",
    "/_oauth/auth%20", "/_oauth//auth", "/_oauth/auth/.", "/_oauth", "/_oauth?x=1", "/_oauth/start",
    # Odd spellings of the paths the wirings do send to forward-auth (Caddy's matcher cleans and folds case).
    "//_oauth", "/_OAUTH", "/_oauth/./start", "/_oauth//start", "/_OAUTH/START", "/_oauth/start/", "/_oauth%2Fstart",
    "http://{host}/_oauth/auth", "http://{host}//_oauth/auth",
    # Close to `/`, but not `/`: never an auth subrequest.
    "//", "/./", "/.", "/%2F", "/%2e", "/;", "/%3F", "/%20",
    # `/` itself, but without X-Forwarded-Uri (the variants that add it are skipped for these): not one either.
    "/", "/?x=1",
]
ROOT = {"/", "/?x=1"}


def header_variants(host: str) -> dict[str, list[tuple[str, str]]]:
    xfu = [("X-Forwarded-Uri", "/")]
    xfh = [("X-Forwarded-Method", "GET"), ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", host)]
    xfp = [("X-Forwarded-Prefix", "/")]
    return {"plain": [], "X-Forwarded-Uri": xfu, "X-Forwarded-Host": xfh, "X-Forwarded-Prefix": xfp,
            "all": xfu + xfh + xfp}


@dataclass
class Way:
    name: str
    port: int
    host: str  # the Host header (host:port as a browser would send it)


def ways(stack) -> dict[str, Way]:
    p = stack.ports
    return {"direct": Way("direct", p.fa_headers, f"{HEADERS_CADDY}:{p.caddy}"),
            "caddy": Way("caddy", p.caddy, f"{HEADERS_CADDY}:{p.caddy}"),
            "nginx": Way("nginx", p.nginx, f"{HEADERS_NGINX}:{p.nginx}"),
            "dkp": Way("dkp", p.caddy, f"{DKP_REPLAY}:{p.caddy}")}


def subrequest_headers(host: str, uri: str = "/page") -> list[tuple[str, str]]:
    """What Caddy's forward_auth (or Traefik's ForwardAuth) adds to its subrequest."""
    return [("X-Forwarded-Method", "GET"), ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", host),
            ("X-Forwarded-Uri", uri)]


# ---- Alice, signed in -------------------------------------------------------------------------------------------
@dataclass
class SignedIn:
    cookies: list[dict]
    cookie: str          # the Cookie header value
    id_token: str
    secrets: dict[str, str]


@pytest.fixture(scope="module")
def alice(stack, app, caddy, forward_auth_headers, _browser, run_dir) -> SignedIn:
    """Alice signs in with the browser at the Caddy site of forward-auth "headers"; her cookies (domain
    apps.localhost) are then good for every way. The ID token is read from what the app received."""
    b = _browser
    b.artifacts = artifacts_dir(run_dir / "browser", "upstream-only-headers-login")
    b.reset()
    b.get(stack.caddy_url(HEADERS_CADDY, "/signed-in"))
    b.login_at_provider(stack.provider_netloc, ALICE)
    data = b.wait_app(host=f"{HEADERS_CADDY}:{stack.ports.caddy}")
    assert data["user"] == ALICE.email, data
    cookies = [c for c in b.cookies() if c["name"].startswith("_fa_headers")]
    assert any(c["name"] == "_fa_headers" for c in cookies), b.cookies()
    id_header = data["headers"].get("X-Id-Token", [""])[0]
    assert id_header.startswith("Bearer ey"), data["headers"]
    id_token = id_header.removeprefix("Bearer ")
    b.reset()
    return SignedIn(cookies, "; ".join(f"{c['name']}={c['value']}" for c in cookies), id_token,
                    {"the service-account token": stack.sa_token, "the ID token": id_token,
                     "the ID token's signature": id_token.rsplit(".", 1)[1]})


@pytest.fixture
def alice_client(client, alice):
    """A requests session (harness/localclient.py) with Alice's cookies from the browser."""
    for c in alice.cookies:
        client.cookies.set(c["name"], c["value"], domain=c["domain"], path=c.get("path", "/"))
    return client


# ---- positive controls: the check can fail ----------------------------------------------------------------------
@pytest.mark.parametrize("target", ["/", "/?x=1"])
def test_control_the_auth_subrequest_at_root_does_carry_the_upstream_only_headers(stack, forward_auth_headers,
                                                                                  alice, target):
    """`GET /` with X-Forwarded-Uri, straight to forward-auth with Alice's cookie: this is the answer a proxy copies
    to the app, so it has every upstream-only header, and the leak check below flags it."""
    host = f"{HEADERS_CADDY}:{stack.ports.caddy}"
    ans = exchange(stack.ports.fa_headers, target, host, alice.cookie, subrequest_headers(host))
    assert ans.status == 200, ans.summary()
    assert ans.header("X-Forwarded-User") == [ALICE.email]
    assert ans.header("Authorization") == [f"Bearer {stack.sa_token}"], ans.headers
    assert ans.header("Impersonate-User") == [ALICE.email], ans.headers
    assert sorted(ans.header("Impersonate-Group")) == ["oidc:devs", "oidc:ops", "system:authenticated"], ans.headers
    assert ans.header("X-Id-Token") == [f"Bearer {alice.id_token}"], ans.headers
    claim = ",".join(ans.header("X-Auth-Request-Groups"))
    assert "devs" in claim and "ops" in claim, ans.headers
    assert leaks(ans, alice.secrets), "the leak check must flag this answer"


@pytest.mark.parametrize("way", ["caddy", "nginx", "dkp"])
def test_control_the_app_receives_the_upstream_only_headers(stack, app, caddy, nginx, forward_auth_headers,
                                                            alice_client, alice, way):
    """Through each way, the app behind the proxy gets what the auth answer carried (and the browser does not)."""
    w = ways(stack)[way]
    r = alice_client.get(f"http://{w.host}/whoami", headers={"Accept": "application/json"}, allow_redirects=False)
    assert r.status_code == 200, (r.status_code, r.headers, r.text[:300])
    data = r.json()
    got = data["headers"]
    assert data["user"] == ALICE.email, data
    assert got.get("Authorization") == [f"Bearer {stack.sa_token}"], got
    assert got.get("Impersonate-User") == [ALICE.email], got
    # forward-auth answers one Impersonate-Group field per group. What the proxies make of that (documented here,
    # it is theirs): Caddy 2.6.2 copies them as ONE field joined with ","; nginx 1.22's $upstream_http_* variable
    # holds the first field only.
    if way == "nginx":
        assert got.get("Impersonate-Group") == ["system:authenticated"], got
    else:
        assert got.get("Impersonate-Group") == ["system:authenticated,oidc:devs,oidc:ops"], got
    assert got.get("X-Id-Token") == [f"Bearer {alice.id_token}"], got
    assert "devs" in ",".join(got.get("X-Auth-Request-Groups", [])), got
    assert not [n for n in r.headers if n.lower() in FORBIDDEN or n.lower().startswith("impersonate-")], r.headers


# ---- the matrix -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("way", ["direct", "caddy", "nginx", "dkp"])
def test_no_spelling_gets_the_upstream_only_headers_back(stack, app, caddy, nginx, forward_auth_headers, alice,
                                                         run_dir, way):
    w = ways(stack)[way]
    rows, problems, judged = [], [], 0
    for spelling in SPELLINGS:
        target = spelling.format(host=w.host)
        for variant, extra in header_variants(w.host).items():
            if spelling in ROOT and any(k == "X-Forwarded-Uri" for k, _ in extra):
                continue  # that is the auth subrequest itself (the control above)
            ans = exchange(w.port, target, w.host, alice.cookie, extra)
            found = leaks(ans, alice.secrets)
            data = ans.app_data()
            who = f"app (path {data['path']!r}, user {data['user']})" if data else (
                "forward-auth" if way == "direct" else "forward-auth or proxy")
            user = ",".join(ans.header("X-Forwarded-User"))
            row = f"{target!r:34} {variant:18} {ans.status!s:4} {who}" + (f" X-Forwarded-User={user}" if user else "")
            rows.append(row + (f"  LEAK: {'; '.join(found)}" if found else ""))
            if found:
                problems.append(f"{way}: GET {target} [{variant}] -> {ans.status}: {'; '.join(found)}\n"
                                f"{ans.summary()}")
            if data is not None and data["user"] != ALICE.email:  # the proxy's check let it through: as Alice
                problems.append(f"{way}: GET {target} [{variant}]: the app saw user {data['user']!r}")
            judged += ans.status == 200 and data is None and ans.header("X-Forwarded-User") == [ALICE.email]
    table = run_dir / f"upstream-only-headers-{way}.txt"
    table.write_text("\n".join(rows) + "\n")
    print(f"\n{way} ({table}):\n" + "\n".join(rows))
    assert not problems, "\n\n".join(problems)
    if way in ("direct", "dkp"):
        # Alice's session was good where forward-auth answered itself: judged 200 as her, and still nothing more.
        assert judged >= 10, f"only {judged} answers of forward-auth judged Alice: is the session cookie right?"


def test_the_old_check_endpoint_still_judges_alice_but_without_upstream_only_headers(stack, forward_auth_headers,
                                                                                      alice):
    """The request of the issue, straight to forward-auth: /_oauth/auth with X-Forwarded-* headers and a valid
    session. The session is good (200, X-Forwarded-User), and nothing else comes back."""
    host = f"{HEADERS_CADDY}:{stack.ports.caddy}"
    ans = exchange(stack.ports.fa_headers, "/_oauth/auth", host, alice.cookie, subrequest_headers(host, "/"))
    assert ans.status == 200, ans.summary()
    assert ans.header("X-Forwarded-User") == [ALICE.email], ans.headers
    assert not leaks(ans, alice.secrets), ans.summary()


def test_the_dkp_route_hands_forward_auth_the_copied_headers_and_gets_nothing_back(stack, caddy,
                                                                                    forward_auth_headers, alice):
    """Through the DKP replay, /_oauth/auth is checked at `/` (200, headers copied onto the request) and then
    reaches forward-auth itself, carrying the service-account token: forward-auth answers (not the app), and
    the answer holds none of it."""
    w = ways(stack)["dkp"]
    ans = exchange(w.port, "/_oauth/auth", w.host, alice.cookie, [("X-Forwarded-Uri", "/")])
    assert ans.app_data() is None, "the DKP route sends /_oauth* to forward-auth, not to the app"
    assert ans.status == 200 and ans.header("X-Forwarded-User") == [ALICE.email], ans.summary()
    assert not leaks(ans, alice.secrets), ans.summary()


# ---- client-sent identity headers -------------------------------------------------------------------------------
FORGED = [("X-Forwarded-User", "mallory@example.com"), ("Impersonate-User", "mallory@example.com"),
          ("Impersonate-Group", "system:masters"), ("Impersonate-Extra-Scopes", "mallory-scope"),
          ("X-Id-Token", "Bearer mallory-token"), ("X-Auth-Request-Groups", "mallory-admins"),
          ("X-Forwarded-Prefix", "/mallory-prefix")]


@pytest.mark.parametrize("way", ["caddy", "nginx"])
@pytest.mark.parametrize("signed_in", [True, False], ids=["alice", "anonymous /public"])
def test_client_sent_identity_headers_never_reach_the_app(stack, app, caddy, nginx, forward_auth_headers, alice,
                                                          way, signed_in):
    w = ways(stack)[way]
    path = "/whoami" if signed_in else "/public/whoami"
    ans = exchange(w.port, path, w.host, alice.cookie if signed_in else None, FORGED)
    data = ans.app_data()
    assert ans.status == 200 and data is not None, ans.summary()
    assert data["user"] == (ALICE.email if signed_in else None), data
    seen = json.dumps(data["headers"])
    # nginx cannot remove headers by pattern: an Impersonate-* name it does not know passes (here -Extra-Scopes).
    unknown_to_nginx = {"mallory-scope"} if way == "nginx" else set()
    for name, value in FORGED:
        needle = value.split()[-1]
        if needle not in unknown_to_nginx:
            assert needle not in seen, (name, data["headers"])
    if way == "nginx":
        assert data["headers"].get("Impersonate-Extra-Scopes") == ["mallory-scope"], \
            "nginx now strips Impersonate-Extra-*: update this test and the wiring notes"


# ---- X-Forwarded-Prefix -----------------------------------------------------------------------------------------
def untrusted_prefix_count(fa) -> float:
    import urllib.request
    with urllib.request.urlopen(fa.base + "/metrics", timeout=5) as r:
        text = r.read().decode()
    values = [float(m.group(2)) for m in
              re.finditer(r"^forward_auth_untrusted_prefix_total(\{[^}]*\})?\s+(\S+)", text, re.M)]
    return sum(values)


def test_untrusted_prefix_is_ignored_and_counted(stack, app, caddy, nginx, forward_auth_headers):
    """forward-auth "headers" does not trust X-Forwarded-Prefix: /public in front of /admin/secret opens nothing,
    directly or through either proxy, and forward-auth counts (and warns about) the prefix it ignored."""
    fa = forward_auth_headers
    host = f"{HEADERS_CADDY}:{stack.ports.caddy}"
    # The rule itself works: /public is open to anyone.
    assert exchange(fa.port, "/", host, extra=subrequest_headers(host, "/public/x")).status == 200
    before = untrusted_prefix_count(fa)
    ans = exchange(fa.port, "/", host, extra=subrequest_headers(host, "/admin/secret") +
                   [("X-Forwarded-Prefix", "/public")])
    assert ans.status != 200, ans.summary()
    assert ans.status in (401, 302), ans.summary()
    assert untrusted_prefix_count(fa) > before
    for way in ("caddy", "nginx"):
        w = ways(stack)[way]
        ans = exchange(w.port, "/admin/secret", w.host, extra=[("X-Forwarded-Prefix", "/public")], accept="text/html")
        assert ans.status != 200 and ans.app_data() is None, (way, ans.summary())
        assert ans.status == 302, (way, ans.summary())
        assert exchange(w.port, "/public/x", w.host).app_data() is not None, way
    # A warning, at most once a minute (the matrix above sent it hundreds of prefixes already).
    warnings = [r for r in json_records(fa.log(None)) if str(r.get("level", "")).lower().startswith("warn")
                and "x-forwarded-prefix" in r.get("msg", "").lower()]
    assert warnings, "no warning about the ignored X-Forwarded-Prefix in " + fa.log(20)
    times = [datetime.fromisoformat(r["time"]) for r in warnings if "time" in r]
    assert all((b - a).total_seconds() >= 59 for a, b in zip(times, times[1:])), warnings


def test_a_trusted_prefix_is_stripped_by_the_documented_wirings(stack, app, caddy, nginx, forward_auth_prefix):
    """forward-auth "prefix" trusts X-Forwarded-Prefix: straight to it, a client's /public opens /admin/secret
    (the control), and two prefix fields are refused. Through Caddy and nginx the client's prefix is stripped, so
    /admin/secret stays closed."""
    fa = forward_auth_prefix
    host = f"{PREFIX_CADDY}:{stack.ports.caddy}"
    ans = exchange(fa.port, "/", host, extra=subrequest_headers(host, "/admin/secret") +
                   [("X-Forwarded-Prefix", "/public")])
    assert ans.status == 200, "control: the trusting instance honours the prefix\n" + ans.summary()
    ans = exchange(fa.port, "/", host, extra=subrequest_headers(host, "/admin/secret") +
                   [("X-Forwarded-Prefix", "/public"), ("X-Forwarded-Prefix", "/public")])
    assert ans.status == 400, ans.summary()
    ans = exchange(fa.port, "/", host, extra=subrequest_headers(host, "/admin/secret"))
    assert ans.status != 200, ans.summary()
    for w in (Way("caddy", stack.ports.caddy, f"{PREFIX_CADDY}:{stack.ports.caddy}"),
              Way("nginx", stack.ports.nginx, f"{PREFIX_NGINX}:{stack.ports.nginx}")):
        ans = exchange(w.port, "/admin/secret", w.host, extra=[("X-Forwarded-Prefix", "/public")], accept="text/html")
        assert ans.status != 200 and ans.app_data() is None, (w.name, ans.summary())
        assert ans.status == 302, (w.name, ans.summary())
        ok = exchange(w.port, "/public/x", w.host, extra=[("X-Forwarded-Prefix", "/elsewhere")])
        assert ok.status == 200 and ok.app_data() is not None, (w.name, ok.summary())
        assert "X-Forwarded-Prefix" not in ok.app_data()["headers"], (w.name, ok.app_data()["headers"])


# ---- browsers through the new wirings ---------------------------------------------------------------------------
def test_login_and_logout_through_nginx_with_the_documented_wiring(stack, app, nginx, forward_auth_headers, browser):
    """Login start (error_page 401 -> /_oauth/start), callback (/_oauth) and logout (/_oauth/logout), each an exact
    location; the check at `/` hands the app the impersonation headers."""
    netloc = f"{HEADERS_NGINX}:{stack.ports.nginx}"
    browser.get(stack.nginx_url(HEADERS_NGINX, "/via-nginx?x=1"))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    data = browser.wait_app(host=netloc)
    assert data["user"] == ALICE.email and data["path"] == "/via-nginx" and data["query"] == "x=1", data
    assert data["headers"].get("Impersonate-User") == [ALICE.email], data["headers"]
    browser.get(stack.nginx_url(HEADERS_NGINX, "/_oauth/logout"))
    browser.wait_until(lambda: browser.host == netloc and browser.text() and browser.app_data() is None,
                       "the signed-out page")
    assert not browser.cookies("_fa_headers"), browser.cookies()
    browser.get(stack.nginx_url(HEADERS_NGINX, "/again"))
    assert browser.wait_provider(stack.provider_netloc) in ("form", "continue")


def test_login_through_the_dkp_replay_route(stack, app, caddy, forward_auth_headers, browser):
    """The replayed DKP route still logs a browser in: the callback /_oauth?code=... is judged at `/` (forward-auth
    finds it on X-Forwarded-Uri) and its 302 with the session cookie goes back through forward_auth."""
    browser.get(stack.caddy_url(DKP_REPLAY, "/dkp/kommander/dashboard"))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    data = browser.wait_app(host=f"{DKP_REPLAY}:{stack.ports.caddy}")
    assert data["user"] == ALICE.email and data["path"] == "/dkp/kommander/dashboard", data
    assert data["headers"].get("Impersonate-User") == [ALICE.email], data["headers"]
