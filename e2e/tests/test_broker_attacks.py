"""Attacks on the SSO broker (docs/multi-cluster.md section C), through the real binary, Caddy's forward_auth hop and
Chromium. A test that fails here is a finding; one that passes documents a defence and says how it would break.

The rig is test_sso_broker's (the UI on console.ui.localhost, the attached cluster's own client on
app.attached.localhost, Caddy with the chart's exact routes), plus what an attacker needs:

  shop.attached.localhost   another app host of the attached cluster, protected by the same forward-auth Middleware
                            (every app route carries it). Its callback is listed on the UI, as docs/multi-cluster.md
                            asks for an attached cluster without an authHost ("every app host is a callback of its
                            own and must be listed"). Its app route, not forward-auth's `Path(/_oauth/sso/callback)`
                            route, gets /_oauth/sso/callback: in Traefik a router's default priority is the length
                            of its rule, and the chart renders that route, without an authHost, as the 28-character
                            "Path(`/_oauth/sso/callback`)" (no Host, no priority), which every app rule
                            "Host(`<name of more than 20 characters>`)" outranks. The app behind it is a recorder
                            (`Recorder`): someone who runs or can read an app on that cluster.
  slow.attached.localhost   an attached instance started with short idle-timeout and read-header-timeout, wired as
                            app.attached.localhost, for the body that never arrives.
"""
from __future__ import annotations

import http.server
import json
import os
import secrets
import socket
import threading
import time
import urllib.parse

import pytest
import requests

from harness import broker as b
from harness.broker import (ATTACHED_HOST, BROKER_PATH, CALLBACK_PATH, UI_DOMAIN, UI_HOST, BrokerFlow,
                            broker_get, callback_url, form_body, parse_form_page, remint)
from harness.clusters import Clusters, Site, caddyfile
from harness.identities import ATTACHED_CLIENT_ID, CLIENT_ID, PLUGIN_MAIN
from harness.oidc import split_jwt
from harness.procs import LOOPBACK
from harness.proxies import Caddy, Nginx, NginxSite
from harness.reporting import logs_when_failed

from tests.test_sso_broker import Rig, login_on_ui, ui_cookies_of

SESSION = "_forward_auth"
SHOP_HOST = "shop.attached.localhost"
SLOW_HOST = "slow.attached.localhost"
SLOW_IDLE, SLOW_READ_HEADER = 3, 2


# ---- an app that records what reaches it --------------------------------------------------------------------------
class Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        type(self).seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                "body": body.decode("latin-1")})
        out = json.dumps({"app": "recorder", "method": self.command, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


def shop_site(port: int, fa_port: int, recorder_port: int) -> str:
    """shop.attached.localhost as Traefik routes it when the app's route outranks forward-auth's callback route: the
    usual exact /_oauth endpoints to forward-auth, everything else (the callback path included) through forward_auth
    to the app."""
    return "\n".join([
        f"http://{SHOP_HOST}:{port} {{", f"\tbind {LOOPBACK}",
        "\t@fa_endpoints path /_oauth /_oauth/logout /_oauth/start",
        "\troute {", "\t\trequest_header -X-Forwarded-Prefix", "\t\trequest_header -X-Forwarded-User",
        f"\t\treverse_proxy @fa_endpoints {LOOPBACK}:{fa_port}",
        f"\t\tforward_auth {LOOPBACK}:{fa_port} {{", "\t\t\turi /", "\t\t}",
        f"\t\treverse_proxy {LOOPBACK}:{recorder_port}", "\t}", "}", ""])


class AttackRig(Rig):
    recorder: http.server.ThreadingHTTPServer
    nginx: Nginx


@pytest.fixture(scope="module")
def arig(stack, provider, app, forward_auth_bin):
    c = Clusters(stack, "broker-attacks", port=stack.ports.broker)
    Recorder.seen = []
    recorder = http.server.ThreadingHTTPServer((LOOPBACK, 0), Recorder)
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    try:
        port = c.port
        broker_url = b.url(UI_HOST, port, BROKER_PATH)
        listed = [callback_url(h, port) for h in (ATTACHED_HOST, SHOP_HOST, SLOW_HOST)]
        ui = c.start_forward_auth("ui", secret=secrets.token_urlsafe(32), cookie_domain=UI_DOMAIN,
                                  extra=[x for cb in listed for x in ("--sso-broker-callbacks", cb)])
        # sso-broker-url needs an auth host (the fix for the first two findings): each attached instance's own.
        attached = c.start_forward_auth("attached", secret=secrets.token_urlsafe(32), client_id=ATTACHED_CLIENT_ID,
                                        auth_host=b.netloc(ATTACHED_HOST, port),
                                        extra=["--sso-broker-url", broker_url, "--sso-broker-audience", CLIENT_ID])
        slow = c.start_forward_auth("slow", secret=secrets.token_urlsafe(32), client_id=ATTACHED_CLIENT_ID,
                                    auth_host=b.netloc(SLOW_HOST, port),
                                    extra=["--sso-broker-url", broker_url, "--sso-broker-audience", CLIENT_ID,
                                           "--idle-timeout", str(SLOW_IDLE),
                                           "--read-header-timeout", str(SLOW_READ_HEADER)])
        c.dir.mkdir(parents=True, exist_ok=True)
        conf = caddyfile(port, stack.ports.app, [Site(UI_HOST, ui.port, sso_broker=True),
                                                 Site(ATTACHED_HOST, attached.port, sso_callback=True),
                                                 Site(SLOW_HOST, slow.port, sso_callback=True)], c.dir / "caddy" / "data")
        conf += "\n" + shop_site(port, attached.port, recorder.server_address[1])
        c.caddy = Caddy(c.dir / "caddy", stack.log_dir, [], port, name="caddy-broker-attacks", config=conf)
        c.caddy.start()
        # The same app host behind nginx's documented wiring (auth_request to forward-auth's `/`, X-Forwarded-Uri
        # $request_uri), which has no callback route of its own either.
        ngx = Nginx(c.dir / "nginx", stack.log_dir, [NginxSite(SHOP_HOST, recorder.server_address[1], attached.port)],
                    name="nginx-broker-attacks")
        ngx.start()
        r = AttackRig(stack, c)
        r.recorder = recorder
        r.nginx = ngx
        yield r
    finally:
        if "ngx" in locals():
            ngx.stop()
        c.stop()
        recorder.shutdown()
        recorder.server_close()
        thread.join(5)


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    yield
    logs_when_failed(request, "arig", lambda rig: rig.c.logs(30))


@pytest.fixture(scope="module")
def alice_ui_cookies(arig, _browser):
    _browser.reset()
    login_on_ui(_browser, arig)
    cookies = ui_cookies_of(_browser)
    assert SESSION in cookies, cookies
    _browser.reset()
    return cookies


@pytest.fixture(scope="module")
def alice_token(arig, alice_ui_cookies):
    from harness import localclient
    s = localclient.session()
    try:
        flow = BrokerFlow(s, arig.port).start()
        token = dict(parse_form_page(flow.broker(alice_ui_cookies).text).fields).get("id_token")
        assert token
        return token
    finally:
        s.close()


def recorded(path_prefix: str) -> list[dict]:
    return [r for r in Recorder.seen if r["path"].startswith(path_prefix)]


# ---- 1. the callback's pass-through is open on every protected host ----------------------------------------------
def test_anonymous_requests_do_not_reach_an_app_at_the_callback_path(arig, client):
    """FINDING. The attached instance answers the proxy's subrequest for `<url-path>/sso/callback` with 200 and no
    identity headers on any host, for any method, signed in or not (`Route.brokerCallbackPassage`): on every app host
    whose own route gets that path (with an authHost: every app host but the auth host), an anonymous client reaches
    the app there, with any method, query and body.

    Passes once the passage is answered only where the broker's POST is expected (the callback host: the authHost
    when set; method POST), and the path is otherwise judged like any other."""
    Recorder.seen = []
    # The control: any other path of that host is protected.
    r = client.get(arig.url(SHOP_HOST, "/orders"), headers={"Accept": "text/html"}, allow_redirects=False)
    # (307: the attached instance's auth host is app.attached.localhost and it has no cookie domain, so it sends every
    # other host there.)
    assert r.status_code in (302, 307) and recorded("/orders") == [], (r.status_code, Recorder.seen)
    r = client.get(arig.nginx.url(SHOP_HOST, "/orders"), headers={"Accept": "text/html"}, allow_redirects=False)
    # (nginx's auth_request turns forward-auth's 307 to the auth host into a 500: still not the app.)
    assert r.status_code in (302, 401, 500) and recorded("/orders") == [], (r.status_code, Recorder.seen)
    reached = []
    for proxy, base in (("caddy", arig.url(SHOP_HOST, "")), ("nginx", arig.nginx.url(SHOP_HOST, ""))):
        for method in ("GET", "POST", "DELETE", "PUT"):
            r = client.request(method, base + CALLBACK_PATH + "?action=delete-everything",
                               data=b"anything" if method != "GET" else None,
                               headers={"Accept": "application/json"}, allow_redirects=False)
            if r.headers.get("Content-Type", "").startswith("application/json") and '"recorder"' in r.text:
                reached.append((proxy, method, r.status_code))
    assert reached == [], f"anonymous requests reached the app behind {SHOP_HOST}{CALLBACK_PATH}: {reached}; " \
                          f"what it received: {[(x['method'], x['path'], x['headers'].get('X-Forwarded-User')) for x in Recorder.seen]}"


# ---- 2. a victim's Dex ID token, posted to an app ------------------------------------------------------------------
def test_a_lured_browser_does_not_post_its_token_to_an_app(arig, stack, browser, client):
    """FINDING. A signed-in UI user opens a link (any site can navigate a browser there): the UI's broker endpoint
    with a listed callback and any well-formed state. The UI answers at once with the self-submitting form carrying
    the user's Dex ID token, Chromium posts it, Caddy's forward_auth subrequest gets 200 (the passage), and the POST,
    body and all, goes to the app on that host. Its operator now holds the user's token, which is a Bearer credential
    on the UI cluster itself (its `aud` is the UI's client) until `exp` (24 h on Dex), and mints sessions on every
    attached cluster that accepts the UI's audience.

    Passes once the passage refuses hosts other than the callback host and the chart's callback route cannot lose
    (an explicit priority; an authHost required for attached clusters)."""
    login_on_ui(browser, arig)
    Recorder.seen = []
    lure = arig.url(UI_HOST, BROKER_PATH) + "?" + urllib.parse.urlencode(
        {"callback": callback_url(SHOP_HOST, arig.port), "state": secrets.token_urlsafe(32)})
    browser.get(lure)
    # The form posts to the shop host; its check is no passage there (not the auth host), so the answer is a redirect
    # to the auth host, which the form page's form-action blocks: the browser may stay on "Signing you in".
    try:
        browser.wait_until(lambda: browser.host != arig.netloc(UI_HOST), "the form's POST", timeout=3)
    except Exception:  # noqa: BLE001 - staying on the UI's page is a fine outcome; what matters is the recorder
        pass
    time.sleep(0.5)
    posts = [r for r in recorded(CALLBACK_PATH) if r["method"] == "POST"]
    stolen = dict(urllib.parse.parse_qsl(posts[0]["body"])).get("id_token") if posts else None
    if stolen:
        # What the token is worth: Alice on the UI cluster, as a Bearer token, from anywhere.
        r = client.get(arig.url(UI_HOST, "/api/secrets"), timeout=5, allow_redirects=False,
                         headers={"Authorization": f"Bearer {stolen}", "Accept": "application/json"})
        who = r.json().get("user") if r.status_code == 200 else r.status_code
        pytest.fail(f"the app behind {SHOP_HOST} received Alice's Dex ID token "
                    f"(aud={split_jwt(stolen)[1]['aud']!r}); as a Bearer token on {UI_HOST} it is: {who!r}")


# ---- 3. a body that never comes -------------------------------------------------------------------------------
def _open(port: int, head: bytes) -> socket.socket:
    s = socket.create_connection((LOOPBACK, port), timeout=5)
    s.sendall(head)
    return s


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0.5)
    try:
        data = s.recv(65536)
    except socket.timeout:
        return False
    except OSError:
        return True
    # An answer (a 408/400) followed by a close, or a close.
    if data == b"":
        return True
    try:
        return s.recv(65536) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_a_callback_body_that_never_arrives_is_cut_off(arig):
    """FINDING. The broker callback is the one request whose body is read, and the connection deadlines stop while a
    request "waits for its answer" (ConnectionDeadlines.verdict: awaitingAnswer). A client that sends the callback's
    head and then nothing keeps the connection, a file descriptor and a task, for as long as it likes: neither
    read-header-timeout nor idle-timeout applies. Directly (any pod in the cluster) and through the proxy (Caddy
    streams the body; Traefik's readTimeout would cut it after 60 s, then the client reconnects). Enough of them
    exhaust descriptors or memory, and every check of that cluster fails with them.

    Measured outside the suite with the default timeouts (idle 180 s): 5,000 such connections from one client, all
    still open 200 s later, forward-auth's RSS 48 MB -> 151 MB (about 20 KiB each), /healthz still answered. The
    chart sets no memory limit by default; with one, this is an OOM kill of every replica from one client.

    Passes once a body has its own deadline (e.g. read-header-timeout for each chunk, or a whole-body deadline)."""
    fa = arig.c.fa["slow"]
    pid = fa.proc.popen.pid if hasattr(fa.proc, "popen") else fa.proc.pid
    fds_baseline = _open_fds(pid)
    head = (f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: {arig.netloc(SLOW_HOST)}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\nstate=").encode()
    # The control: a head that never ends is cut off after read-header-timeout.
    partial = _open(fa.port, b"GET / HTTP/1.1\r\nHost: x\r\n")
    direct = [_open(fa.port, head) for _ in range(50)]
    via_proxy = []
    for _ in range(10):
        s = socket.create_connection((LOOPBACK, arig.port), timeout=5)
        s.sendall(head.replace(b"Content-Length: 60000\r\n", b"Content-Length: 60000\r\nAccept: text/html\r\n"))
        via_proxy.append(s)
    try:
        time.sleep(0.5)
        fds_before = _open_fds(pid)
        time.sleep(SLOW_IDLE + SLOW_READ_HEADER + 2)
        assert _closed_by_server(partial), "the control: a slow head is not cut off"
        # Checks are still answered meanwhile (it is descriptors and memory that run out, not the event loop).
        assert requests.get(f"{fa.base}/healthz", timeout=5).status_code == 200
        still_open = sum(not _closed_by_server(s) for s in direct)
        fds_after = _open_fds(pid)
        # Through the proxy, forward-auth's side is what it can free: Caddy (Go's net/http) keeps its own client
        # connection while it waits for the body it promised to discard, which is the proxy's to bound.
        assert still_open == 0 and fds_after <= fds_baseline + 2, (
            f"{still_open}/50 direct callback POSTs without a body were still held "
            f"{SLOW_IDLE + SLOW_READ_HEADER + 2}s later (idle-timeout {SLOW_IDLE}s, read-header-timeout "
            f"{SLOW_READ_HEADER}s); forward-auth's open descriptors: {fds_baseline} before, {fds_before} during, "
            f"{fds_after} after")
    finally:
        for s in [partial] + direct + via_proxy:
            s.close()


# ---- 4. callbacks the form may post to ---------------------------------------------------------------------------
def test_the_form_posts_only_to_the_listed_spelling(arig, alice_ui_cookies, client):
    """DEFENCE. Spellings a browser might resolve differently from our parser (case, trailing dot, leading-zero or
    explicit ports, backslashes, userinfo, percent-encoded or non-ASCII hosts, IP literals, dot segments, whitespace,
    scheme-relative): each is refused (400, no form), or the form's action and CSP form-action are exactly the
    listed URL and its origin, never the spelling that was sent. Breaks if the form echoed the sent callback, or if
    canonicalisation accepted a spelling whose parse (ours) names the listed host while Chromium's names another."""
    port, listed = arig.port, callback_url(ATTACHED_HOST, arig.port)
    host = ATTACHED_HOST
    spellings = [
        listed.replace("http://", "HTTP://"), listed.replace(host, host.upper()), listed.replace(host, host + "."),
        listed.replace(f":{port}", f":0{port}"), listed.replace(f":{port}", f":{port + 65536}"),
        listed.replace(f"{host}:{port}", f"{host}:{port}\\@evil.localhost"), listed.replace("http://", "http:\\\\"),
        listed.replace("http://", "http://evil.localhost@"), listed.replace("http://", "http://evil.localhost:x@"),
        listed.replace(host, "app%2eattached.localhost"), listed.replace(host, "\uff41pp.attached.localhost"),
        listed.replace(host, "xn--pp-1ga.attached.localhost"), listed.replace(host, "127.0.0.1"),
        listed.replace(host, "[::1]"), listed.replace(CALLBACK_PATH, "/_oauth/sso/./callback"),
        listed.replace(CALLBACK_PATH, "/_oauth/sso/x/../callback"), listed.replace(CALLBACK_PATH, "/_oauth/sso/%63allback"),
        listed.replace(CALLBACK_PATH, "//evil.localhost/_oauth/sso/callback"), " " + listed, listed + " ",
        listed.replace("/_oauth", "\t/_oauth"), listed.replace("http://", "//"), listed.replace("http://", "http:/"),
        listed.replace("http://", "http:///"), listed.replace(host, f"evil.localhost#{host}"),
        listed.replace(host, f"evil.localhost?{host}"), listed.replace("http://", "https://"), listed + "%00",
        listed + "%2F", listed + ";x", "javascript:alert(1)//" + listed,
    ]
    delivered = []
    for cb in spellings:
        r = broker_get(client, port, {"callback": cb, "state": secrets.token_urlsafe(32)}, alice_ui_cookies)
        if r.status_code == 400:
            assert "<form" not in r.text.lower() and "eyJ" not in r.text, (cb, r.text[:300])
            continue
        assert r.status_code == 200, (cb, r.status_code, r.text[:300])
        page = parse_form_page(r.text)
        csp = b.csp_directives(r.headers["Content-Security-Policy"])
        assert page.action == listed and csp["form-action"] == [f"http://{arig.netloc(host)}"], (cb, page.action, csp)
        delivered.append(cb)
    # Only spellings that name the listed URL exactly, up to the case of scheme and host.
    assert set(delivered) <= {listed.replace("http://", "HTTP://"), listed.replace(host, host.upper())}, delivered


# ---- 5. markup from a token's claims ------------------------------------------------------------------------------
def test_claims_in_refusal_pages_are_escaped(arig, stack, alice_token, client):
    """DEFENCE. The attached instance's "Sign-in failed" page names the refused claim and its value; a Dex token's
    values come partly from upstream identity providers (names, groups, and here an audience). Markup in them is
    escaped, the page runs no script (CSP default-src 'none' or no inline script at all). Breaks if the detail were
    written into the page unescaped."""
    key = (stack.provider.dir / f"{PLUGIN_MAIN}.key.pem").read_text()
    payload = '"><script>alert(document.domain)</script><img src=x onerror=alert(1)>'
    for claims in ({"aud": payload}, {"azp": payload}, {"email_verified": payload}):
        client.cookies.clear()
        flow = BrokerFlow(client, arig.port).start()
        r = flow.post(form_body([("state", flow.state), ("id_token", remint(alice_token, key, **claims))]))
        assert r.status_code in (401, 403), (claims, r.status_code)
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, (claims, r.text[:800])
        csp = r.headers.get("Content-Security-Policy", "")
        assert "<script" not in r.text.lower() or "script-src" in csp, (csp, r.text[:400])
