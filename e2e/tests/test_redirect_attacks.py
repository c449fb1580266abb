"""Attacks on the login redirect and the fast lane's answer writing (RandomPool, the hand-written base64url, the
authorization URL template, the measured copy of an answer's head, Set-Cookie written into measured memory):
raw bytes on forward-auth's socket, both lanes (the fast lane, and NIO's decoder reached with a trailing blank in
a header value), through Caddy's forward_auth and nginx's auth_request, and full logins in Chromium."""
from __future__ import annotations

import base64
import re
import socket
import threading
import urllib.parse

import pytest

from harness.identities import ALICE
from harness.procs import LOOPBACK
from harness.stack import APP1, NGINX_HOST

B64URL43 = re.compile(r"^[A-Za-z0-9_-]{43}$")
HEADER_LINE = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+: [^\r\n\x00]*$")
CSRF_PREFIX = "_forward_auth_csrf."
EXPECTED_PARAMS = ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
                   "code_challenge_method"]


# ---- raw HTTP/1 ---------------------------------------------------------------------------------------------------
class Conn:
    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def response(self) -> tuple[bytes, bytes] | None:
        """One whole answer (head, body), or None when the connection closed first."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                return None
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        n = int(m.group(1)) if m else 0
        while len(rest) < n:
            if not self._fill():
                break
            rest = self.buf.split(b"\r\n\r\n", 1)[1]
        self.buf = rest[n:]
        return head, rest[:n]

    def leftover_after_close(self, wait: float = 0.3) -> bytes:
        self.sock.settimeout(wait)
        try:
            while self._fill():
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        return self.buf


def check_request(host: bytes, uri: bytes, accept: bytes = b"text/html", extra: bytes = b"",
                  handed_on: bool = False, proto: bytes = b"http") -> bytes:
    """Traefik's auth subrequest. `handed_on`: a trailing blank in Accept takes the request out of the fast lane's
    subset, so NIO's decoder and Hummingbird answer it (scripts/bench-guard's server-handed-on-200)."""
    return (b"GET / HTTP/1.1\r\nHost: forward-auth\r\nAccept: " + accept + (b" " if handed_on else b"") +
            b"\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: " + proto + b"\r\nX-Forwarded-Host: " + host +
            b"\r\nX-Forwarded-Uri: " + uri + extra + b"\r\n\r\n")


def parse_head(head: bytes) -> tuple[int, list[tuple[str, str]]]:
    lines = head.split(b"\r\n")
    assert re.fullmatch(rb"HTTP/1\.1 \d{3} [ -~]*", lines[0]), head[:300]
    for line in lines[1:]:
        assert HEADER_LINE.match(line), f"odd header line {line[:200]!r} in {head[:600]!r}"
    headers = [(k.decode(), v.decode("latin-1")) for k, v in (l.split(b": ", 1) for l in lines[1:])]
    return int(lines[0][9:12]), headers


def values(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


_endpoints: dict[str, str] = {}


def authorization_endpoint(provider) -> str:
    """Read once per provider: thousands of redirects are checked, and glewlwyd (libmicrohttpd with select) stops
    accepting once a connection's descriptor reaches 1,024, which a discovery request per redirect once caused."""
    issuer = provider.issuer()
    if issuer not in _endpoints:
        _endpoints[issuer] = provider.discovery()["authorization_endpoint"]
    return _endpoints[issuer]


def check_login_redirect(provider, head: bytes, return_host: str) -> dict:
    """The 302's Location and login-state cookie, checked; returns state, nonce, challenge and the cookie."""
    status, headers = parse_head(head)
    assert status == 302, head[:600]
    loc = values(headers, "Location")
    assert len(loc) == 1, head[:600]
    endpoint = authorization_endpoint(provider)
    url, _, query = loc[0].partition("?")
    assert url == endpoint, (url, endpoint)
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    assert [k for k, _ in pairs] == EXPECTED_PARAMS, pairs
    p = dict(pairs)
    assert p["response_type"] == "code" and p["code_challenge_method"] == "S256", p
    assert p["client_id"] == "forward-auth", p
    assert urllib.parse.urlsplit(p["redirect_uri"]).path == "/_oauth", p
    assert set(p["scope"].split()) >= {"openid"}, p
    for k in ("state", "nonce", "code_challenge"):
        assert B64URL43.match(p[k]), (k, p[k])
        raw = base64.urlsafe_b64decode(p[k] + "=")
        assert len(raw) == 32 and base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == p[k], (k, p[k])
    cookies = [v for v in values(headers, "Set-Cookie") if v.startswith(CSRF_PREFIX) and "Max-Age=0" not in v]
    assert len(cookies) == 1, values(headers, "Set-Cookie")
    name, _, rest = cookies[0].partition("=")
    assert name == CSRF_PREFIX + p["state"][:12], (name, p["state"])
    value = rest.split(";", 1)[0]
    assert value.startswith("v1.") and re.fullmatch(r"[A-Za-z0-9_-]+", value[3:]), value[:80]
    body = base64.urlsafe_b64decode(value[3:] + "=" * (-len(value[3:]) % 4))
    assert base64.urlsafe_b64encode(body).rstrip(b"=").decode() == value[3:], "not canonical base64url"
    attrs = [a.strip() for a in rest.split(";")[1:]]
    assert attrs[0].startswith("Max-Age=") and "HttpOnly" in attrs and "Path=/" in attrs, attrs
    return {"state": p["state"], "nonce": p["nonce"], "challenge": p["code_challenge"], "cookie": value,
            "params": p}


def normalize(head: bytes, body: bytes) -> bytes:
    """The answer with the random values and the date blanked, for comparing the two lanes."""
    out = re.sub(rb"(state|nonce|code_challenge)=[A-Za-z0-9_-]{43}", rb"\1=R", head)
    out = re.sub(rb"_forward_auth_csrf\.[A-Za-z0-9_-]{12}=v1\.[A-Za-z0-9_-]+", b"_forward_auth_csrf.ID=SEALED", out)
    out = re.sub(rb"\r\nDate: [^\r]*", b"\r\nDate: D", out)
    out = re.sub(rb"Max-Age=\d+", b"Max-Age=N", out)
    return out + b"\r\n\r\n" + body


def alive(port: int):
    c = Conn(port)
    try:
        c.send(b"GET /healthz HTTP/1.1\r\nHost: forward-auth\r\n\r\n")
        r = c.response()
        assert r is not None and r[0].startswith(b"HTTP/1.1 200"), r
    finally:
        c.close()


# ---- randomness and the redirect's shape --------------------------------------------------------------------------
def test_thousands_of_redirects_from_two_processes_and_both_lanes_never_repeat(stack, provider, forward_auth,
                                                                               forward_auth_short):
    host = f"{APP1}:{stack.ports.caddy}".encode()
    results: list[dict] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(port: int, n: int, handed_on: bool):
        c = Conn(port)
        try:
            mine = []
            # Pipelined in batches of 10: the fast lane answers several heads from one read.
            for batch in range(n // 10):
                c.send(b"".join(check_request(host, f"/p/{batch}/{i}".encode(), handed_on=handed_on)
                                for i in range(10)))
                for _ in range(10):
                    r = c.response()
                    assert r is not None, "connection closed mid-batch"
                    mine.append(check_login_redirect(provider, r[0], APP1))
            with lock:
                results.extend(mine)
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(f"{port} handed_on={handed_on}: {e!r}"[:2000])
        finally:
            c.close()

    threads = []
    for port in (forward_auth.port, forward_auth_short.port):
        for k in range(6):
            threads.append(threading.Thread(target=worker, args=(port, 300, k == 5)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    assert len(results) == 12 * 300
    for key in ("state", "nonce", "challenge", "cookie"):
        seen = [r[key] for r in results]
        assert len(set(seen)) == len(seen), f"repeated {key}"
    everything = [r[k] for r in results for k in ("state", "nonce", "challenge")]
    assert len(set(everything)) == len(everything), "a value used twice across state/nonce/challenge"
    # No 12-character cookie id collides (they name the login-state cookies).
    ids = [r["state"][:12] for r in results]
    assert len(set(ids)) == len(ids)
    # Bytes look uniform: every base64url character appears, none wildly over-represented.
    chars = "".join(r["state"][:42] + r["nonce"][:42] for r in results)
    counts = {ch: chars.count(ch) for ch in set(chars)}
    assert len(counts) == 64, sorted(counts)
    expected = len(chars) / 64
    assert max(counts.values()) < expected * 1.2 and min(counts.values()) > expected * 0.8, counts
    alive(forward_auth.port)
    alive(forward_auth_short.port)


# ---- the fast lane's bytes equal NIO's ----------------------------------------------------------------------------
ODD_URIS = [
    b"/page",
    b"/p?q=1&r=%0d%0aSet-Cookie:%20x=1",
    b"/caf\xc3\xa9/\xe2\x98\x83?x=\xf0\x9f\x98\x80",
    b"/a\x80\xff\xfe?b=\xc0\xaf",
    b"/tab\there",
    b"/q?\"'<>`{}|\\^",
    b"/" + b"x" * 3000,
]


@pytest.mark.parametrize("uri", ODD_URIS, ids=lambda u: repr(u[:40]))
@pytest.mark.parametrize("accept", [b"text/html", b"application/json"])
def test_fast_lane_answers_byte_for_byte_as_nio_does(stack, provider, forward_auth, uri, accept):
    host = f"{APP1}:{stack.ports.caddy}".encode()
    answers = []
    for handed_on in (False, True):
        c = Conn(forward_auth.port)
        try:
            c.send(check_request(host, uri, accept=accept, handed_on=handed_on))
            r = c.response()
        finally:
            c.close()
        assert r is not None, (uri, handed_on)
        status, headers = parse_head(r[0])
        if status == 302:
            check_login_redirect(provider, r[0], APP1)
        answers.append(normalize(*r))
    assert answers[0] == answers[1], f"fast lane:\n{answers[0]!r}\nNIO:\n{answers[1]!r}"


# ---- odd bytes in everything that reaches a header ---------------------------------------------------------------
ODD_HEADS = {
    "ctl bytes in uri": dict(uri=b"/a\x01\x0b\x0c\x1fb"),
    "high bytes in host": dict(host=b"app1.apps.localhost\x80\xff"),
    "utf8 host": dict(host="\u00e4pp1.apps.localhost".encode()),
    "host with space": dict(host=b"app1.apps.localhost x"),
    "host with tab": dict(host=b"app1.apps.localhost\tx"),
    "host with @": dict(host=b"evil.localhost@app1.apps.localhost"),
    "proto crlf-ish": dict(proto=b"https\x0bx"),
    "cookie name with ctl": dict(extra=b"\r\nCookie: _forward_auth_csrf.\x0bX\x0c=1; _forward_auth_csrf.\x80\xff=2"),
    "cookie name with spaces and attrs": dict(extra=b"\r\nCookie: _forward_auth_csrf.x Domain=evil.localhost=1"),
    "cookie name with comma": dict(extra=b"\r\nCookie: _forward_auth_csrf.a,Set-Cookie: b=1"),
    "many stale csrf cookies": dict(extra=b"\r\nCookie: " + b"; ".join(
        b"_forward_auth_csrf.%04d=%s" % (i, b"v" * 900) for i in range(8))),
}


@pytest.mark.parametrize("handed_on", [False, True], ids=["fast", "nio"])
@pytest.mark.parametrize("case", list(ODD_HEADS))
def test_odd_bytes_never_split_the_answer(stack, provider, forward_auth, case, handed_on):
    kw = dict(host=f"{APP1}:{stack.ports.caddy}".encode(), uri=b"/page")
    kw.update(ODD_HEADS[case])
    c = Conn(forward_auth.port)
    try:
        c.send(check_request(handed_on=handed_on, **kw) +
               b"GET /healthz HTTP/1.1\r\nHost: forward-auth\r\n\r\n")
        first = c.response()
        if first is None:
            return
        status, headers = parse_head(first[0])
        assert status in (302, 400, 401, 403, 431), first[0][:600]
        for v in values(headers, "Set-Cookie"):
            assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", v), v
        if b"connection: close" in first[0].lower():
            assert c.leftover_after_close() == b"", "bytes after a closing answer"
            return
        second = c.response()
        assert second is not None and second[0].startswith(b"HTTP/1.1 200"), (first, second)
        assert c.leftover_after_close() == b""
    finally:
        c.close()
    alive(forward_auth.port)


# ---- long values --------------------------------------------------------------------------------------------------
LENGTHS = [1000, 4000, 7000, 8100, 16_000, 32_000, 60_000, 70_000, 100_000]


@pytest.mark.parametrize("handed_on", [False, True], ids=["fast", "nio"])
@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("where", ["uri", "host"])
def test_long_return_urls_and_hosts_raw(stack, provider, forward_auth, length, handed_on, where):
    host = f"{APP1}:{stack.ports.caddy}".encode()
    uri = b"/page"
    if where == "uri":
        uri = b"/" + (b"\xc3\xa9" * length)[:length - 1]
        if len(uri) % 2 == 0:
            uri = uri[:-1] + b"a"
    else:
        host = b"a" * length + b"." + host
    c = Conn(forward_auth.port, timeout=15)
    try:
        c.send(check_request(host, uri, handed_on=handed_on))
        r = c.response()
    except ConnectionResetError:
        r = None
    finally:
        c.close()
    if r is not None:
        status, headers = parse_head(r[0])
        assert status in (302, 400, 403, 414, 431), r[0][:400]
        if status == 302:
            info = check_login_redirect(provider, r[0], APP1)
            if where == "host":
                assert urllib.parse.urlsplit(info["params"]["redirect_uri"]).hostname.startswith("a" * 50)
    alive(forward_auth.port)


@pytest.mark.parametrize("length", [1000, 4000, 7000, 12_000, 30_000, 60_000])
def test_long_return_urls_through_caddy(rig, client, length):
    path = "/" + "%C3%A9" * (length // 6)
    r = client.get(rig.caddy_url(APP1, path), allow_redirects=False, headers={"Accept": "text/html"})
    assert r.status_code in (302, 400, 414, 431), (r.status_code, r.headers, r.text[:300])
    if r.status_code == 302:
        loc = r.headers["Location"]
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query))
        assert B64URL43.match(q["state"]) and q["code_challenge_method"] == "S256", loc
        csrf = [c for c in r.cookies if c.name.startswith(CSRF_PREFIX)]
        assert [c.name for c in csrf] == [CSRF_PREFIX + q["state"][:12]]
    alive(rig.fa["main"].port)


@pytest.mark.parametrize("length", [1000, 4000, 7000, 12_000])
def test_long_return_urls_through_nginx(stack, app, forward_auth, nginx, client, length):
    path = "/" + "%C3%A9" * (length // 6)
    r = client.get(stack.nginx_url(path=path), allow_redirects=False, headers={"Accept": "text/html"})
    # nginx refuses over-long request lines itself (414) or its 8 KB header buffers (400).
    assert r.status_code in (302, 400, 414, 431), (r.status_code, r.headers, r.text[:300])
    if r.status_code == 302 and "Location" in r.headers:
        start = r.headers["Location"]
        r2 = client.get(urllib.parse.urljoin(stack.nginx_url(), start), allow_redirects=False,
                        headers={"Accept": "text/html"})
        # /_oauth/start answers with the redirect to the provider, or nginx says the header is too big.
        assert r2.status_code in (302, 400, 414, 502), (r2.status_code, r2.headers, r2.text[:300])
    alive(forward_auth.port)


# ---- real logins with a hostile-looking return URL ----------------------------------------------------------------
HOSTILE_PATH = "/r%20Set-Cookie:%20x=1;/caf%C3%A9/%E2%98%83"  # %0D%0A in the path is a 400 by design
# Under LoginState.maximumReturnURLLength: a longer return URL loses its query by design (Gatekeeper.capped).
HOSTILE_QUERY = "a=%0d%0a&b=%22%3Cscript%3E&c=" + "z" * 600


def test_login_through_caddy_with_a_hostile_return_url_lands_exactly_there(rig, browser):
    browser.get(rig.caddy_url(APP1, HOSTILE_PATH + "?" + HOSTILE_QUERY))
    browser.login_at_provider(rig.provider_netloc, ALICE, expect_password=True)
    data = browser.wait_app(host=f"{APP1}:{rig.ports.caddy}")
    assert data["user"] == ALICE.email
    assert data["query"] == HOSTILE_QUERY, data["query"][:200]
    assert not [c for c in browser.cookies() if c["name"] == "x"], browser.cookies()


def test_login_through_nginx_with_a_hostile_return_url_lands_exactly_there(stack, app, caddy, forward_auth, nginx,
                                                                           browser):
    # No percent-escapes and one parameter: the rig's nginx wiring puts $request_uri into /_oauth/start?rd=
    # unencoded, so forward-auth decodes rd once (a %20 or %22 becomes a raw byte, refused: the login then returns
    # to the host's root, logged "return URL missing or not allowed") and a second `&name=` would end rd.
    query = "a=" + "y" * 600
    browser.get(stack.nginx_url(path="/n/x-long?" + query))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    data = browser.wait_app(host=f"{NGINX_HOST}:{stack.ports.nginx}")
    assert data["user"] == ALICE.email
    assert data["query"] == query
    assert not [c for c in browser.cookies() if c["name"] == "x"], browser.cookies()
