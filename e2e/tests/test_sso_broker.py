"""The SSO broker (issue 19 part 1, docs/multi-cluster.md section C): one password for clusters on
different domains, with an OpenID provider that keeps no login session (released Dex keeps none; glewlwyd does, so
its session cookies are deleted from the browser where the point is that the provider is not asked again).

The rig (harness/broker.py): the UI cluster on console.ui.localhost, attached clusters on *.attached.localhost (another
site: Chromium sends them only SameSite=None cookies on the form POST), one Caddy in front with the chart's wiring: the
UI's `/_oauth/sso` routed exactly to forward-auth, each attached `/_oauth/sso/callback` through Caddy's forward_auth
(a bodyless GET subrequest, as Traefik's ForwardAuth) and then to forward-auth itself. Plain http: Chromium keeps and
sends a `SameSite=None; Secure` cookie on http://*.localhost (a secure context), which the first test pins.

Audience forms (how the attached instance accepts the UI's token):
  - `aud` contains its own client id, one provider client for every cluster: one.attached.localhost;
  - `aud` exactly [sso-broker-audience], the UI's client, the attached cluster having a client of its own:
    app.attached.localhost (glewlwyd's two clients);
  - Dex's trustedPeers form, aud = [attached, UI] with azp = UI and the UI's client in trusted-audience:
    peer.attached.localhost. glewlwyd cannot issue it (an ID token's `aud` is always the one requesting client, as a
    string), so those tokens are signed here with the provider's own key.

Every process is started once for this module (instances, Caddy) and stopped at its end.
"""
from __future__ import annotations

import html
import http.server
import re
import secrets
import threading
import time
import urllib.parse

import pytest
import requests

from harness import broker as b
from harness.broker import (ATTACHED_HOST, ATTACHED_HOSTS, BROKER_PATH, CALLBACK_PATH, ONE_CLIENT_HOST, PEER_HOST,
                            UI_DOMAIN, UI_HOST, URL_PATH, BrokerFlow, broker_get, callback_url, form_body, metric,
                            parse_form_page, remint)
from harness.clusters import Clusters, LogMark, ProviderLog, Site, password_submissions, provider_requests
from harness.identities import ALICE, ATTACHED_CLIENT_ID, CLIENT_ID, DAVE, PLUGIN_MAIN, PLUGIN_OTHER
from harness.oidc import split_jwt
from harness.procs import LOOPBACK
from harness.stack import FOREIGN
from harness.reporting import logs_when_failed

SESSION = "_forward_auth"
BROKER_METRIC = "forward_auth_broker_total"


# ---- the rig -----------------------------------------------------------------------------------------------------
class Rig:
    def __init__(self, stack, clusters: Clusters):
        self.stack, self.c, self.port = stack, clusters, clusters.port

    def url(self, host: str, path: str = "/") -> str:
        return b.url(host, self.port, path)

    def netloc(self, host: str) -> str:
        return b.netloc(host, self.port)

    @property
    def ui(self):
        return self.c.fa["ui"]

    def fa_of(self, host: str):
        return self.c.fa[{ATTACHED_HOST: "attached", ONE_CLIENT_HOST: "one-client", PEER_HOST: "peer"}[host]]

    def metrics(self, fa) -> str:
        r = requests.get(f"{fa.base}/metrics", timeout=5)
        assert r.status_code == 200, r.status_code
        return r.text

    def broker_counts(self) -> dict[str, dict[str, float]]:
        """forward_auth_broker_total by instance and result, right now."""
        results = ("delivered", "token_unavailable", "login_required", "refused_callback", "bad_request",
                   "redirected", "accepted", "fallback", "invalid_state", "invalid_token", "denied")
        out = {}
        for name, fa in self.c.fa.items():
            text = self.metrics(fa)
            out[name] = {r: metric(text, BROKER_METRIC, result=r) for r in results}
        return out

    def all_logs(self) -> str:
        parts = [fa.log(None) for fa in self.c.fa.values()]
        if self.c.caddy and self.c.caddy.proc:
            parts.append(self.c.caddy.proc.log(None))
        return "\n".join(parts)


def broker_delta(before: dict, after: dict) -> dict[str, dict[str, float]]:
    """What changed: {instance: {result: increase}} without the zeros."""
    out = {}
    for name, results in after.items():
        changed = {r: v - before[name][r] for r, v in results.items() if v != before[name][r]}
        if changed:
            out[name] = changed
    return out


@pytest.fixture(scope="module")
def rig(stack, provider, app, forward_auth_bin):
    c = Clusters(stack, "sso-broker", port=stack.ports.broker)
    try:
        port = c.port
        ui = c.start_forward_auth("ui", secret=secrets.token_urlsafe(32), cookie_domain=UI_DOMAIN, extra=[
            x for h in ATTACHED_HOSTS for x in ("--sso-broker-callbacks", callback_url(h, port))])
        broker_url = b.url(UI_HOST, port, BROKER_PATH)
        # Each attached instance serves one host, which is also its auth host (sso-broker-url needs one: the
        # callback's subrequest passes only there).
        attached = c.start_forward_auth("attached", secret=secrets.token_urlsafe(32), client_id=ATTACHED_CLIENT_ID,
                                        auth_host=b.netloc(ATTACHED_HOST, port),
                                        extra=["--sso-broker-url", broker_url, "--sso-broker-audience", CLIENT_ID])
        one = c.start_forward_auth("one-client", secret=secrets.token_urlsafe(32), client_id=CLIENT_ID,
                                   auth_host=b.netloc(ONE_CLIENT_HOST, port), extra=["--sso-broker-url", broker_url])
        peer = c.start_forward_auth("peer", secret=secrets.token_urlsafe(32), client_id=ATTACHED_CLIENT_ID,
                                    auth_host=b.netloc(PEER_HOST, port),
                                    extra=["--sso-broker-url", broker_url, "--trusted-audience", CLIENT_ID])
        c.start_caddy([Site(UI_HOST, ui.port, sso_broker=True)] +
                      [Site(h, fa.port, sso_callback=True) for h, fa in
                       ((ATTACHED_HOST, attached), (ONE_CLIENT_HOST, one), (PEER_HOST, peer))])
        yield Rig(stack, c)
    finally:
        c.stop()


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    yield
    logs_when_failed(request, "rig", lambda rig: rig.c.logs(60))


def ui_cookies_of(browser) -> dict[str, str]:
    return {c["name"]: c["value"] for c in browser.cookies()
            if c["domain"].lstrip(".") in (UI_DOMAIN, UI_HOST)}


def delete_provider_cookies(browser, stack) -> None:
    """Forget the provider's own session, as if it were Dex (which keeps none)."""
    host = stack.provider_netloc.split(":")[0]
    for c in browser.cookies():
        if c["domain"].lstrip(".") == host:
            browser.delete_cookie(c["name"], c["domain"], c["path"])
    assert [c for c in browser.cookies() if c["domain"].lstrip(".") == host] == [], browser.cookies()


def login_on_ui(browser, rig, user=ALICE, path="/dashboard"):
    browser.get(rig.url(UI_HOST, path))
    assert browser.login_at_provider(rig.stack.provider_netloc, user, expect_password=True) == "form"
    data = browser.wait_app(host=rig.netloc(UI_HOST))
    assert data["user"] == user.email, data
    return data


@pytest.fixture(scope="module")
def alice_ui_cookies(rig, _browser):
    """Alice's UI session cookies, from a browser login (the function-scoped `browser` forgets them afterwards)."""
    _browser.reset()
    login_on_ui(_browser, rig)
    cookies = ui_cookies_of(_browser)
    assert SESSION in cookies, cookies
    _browser.reset()
    return cookies


@pytest.fixture(scope="module")
def alice_token(rig, alice_ui_cookies, _module_client):
    """The Dex ID token the UI instance brokers for Alice (read from its form page by a plain client)."""
    flow = BrokerFlow(_module_client, rig.port).start()
    page = parse_form_page(flow.broker(alice_ui_cookies).text)
    token = dict(page.fields).get("id_token")
    assert token, page
    _module_client.cookies.clear()
    return token


@pytest.fixture(scope="module")
def _module_client():
    from harness import localclient
    s = localclient.session()
    yield s
    s.close()


def callback_posts(requests_seen, rig, host) -> list[dict]:
    return [r for r in requests_seen if r["method"] == "POST" and r["url"] == callback_url(host, rig.port)]


def doc_hops(navs) -> list[tuple[str, str, int]]:
    out = []
    for u, status in navs:
        p = urllib.parse.urlsplit(u)
        out.append((p.hostname, p.path, status))
    return out


DIRECT_LINK_TEXT = "identity provider directly"


def assert_refused_page(r, claim: str | tuple[str, ...] | None = None, return_url: str | None = None):
    """forward-auth's "Sign-in failed" answer to a refused token: no session, the refused claim named, a "sign in at
    the identity provider directly" link: the return URL itself, with a short-lived `<session cookie>_direct` cookie
    that sends that visit's login to the provider (the browser test follows the link)."""
    assert r.status_code in (401, 403), (r.status_code, r.headers, r.text[:400])
    set_cookies = b.set_cookie_headers(r)
    assert not any(h.startswith(SESSION + "=") for h in set_cookies), set_cookies
    assert "sign-in failed" in r.text.lower(), r.text[:600]
    links = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', r.text)
    direct = [html.unescape(href) for href, text in links if DIRECT_LINK_TEXT in text]
    assert len(direct) == 1, (links, r.text[:600])
    if return_url:
        start = f"{urllib.parse.urlsplit(return_url).scheme}://{urllib.parse.urlsplit(return_url).netloc}{URL_PATH}/start?rd="
        assert direct[0] == return_url or direct[0] == start + urllib.parse.quote(return_url, safe=""), direct
        if direct[0] == return_url:
            assert any(h.startswith(SESSION + "_direct=") for h in set_cookies), set_cookies
    if claim:
        claims = claim if isinstance(claim, tuple) else (claim,)
        assert any(c in r.text for c in claims), (claim, r.text[:600])


def navigation_target(r) -> str | None:
    """Where the page answering the callback's POST sends the browser: its meta refresh (a 302 there would be
    checked against the form page's `form-action` and blocked), which its link repeats."""
    m = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]*)">', r.text)
    if r.status_code != 200 or not m:
        return None
    url = html.unescape(m.group(1))
    assert f'<a href="{m.group(1)}">' in r.text, r.text[:400]
    return url


def assert_session_started(r, rig, host, path="/start-page"):
    assert r.status_code == 200, (r.status_code, r.headers, r.text[:400])
    assert navigation_target(r) == rig.url(host, path), r.text[:400]
    assert any(h.startswith(SESSION + "=") for h in b.set_cookie_headers(r)), b.set_cookie_headers(r)


# ---- Chromium and SameSite=None; Secure on http://*.localhost ------------------------------------------------------
class _CookieProbe(http.server.BaseHTTPRequestHandler):
    posts: list[dict] = []

    def log_message(self, *args):
        pass

    def _answer(self, body: bytes, cookies=()):
        self.send_response(200)
        for c in cookies:
            self.send_header("Set-Cookie", c)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/set":
            self._answer(b"set", ["none_secure=1; Path=/; HttpOnly; SameSite=None; Secure",
                                  "lax=1; Path=/; HttpOnly; SameSite=Lax"])
        else:
            port = self.server.server_address[1]
            self._answer(f'<form id="f" method="post" action="http://b.attached.localhost:{port}/cb">'
                         f'<input name="x" value="1"></form><script>document.getElementById("f").submit()</script>'
                         .encode())

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).posts.append({"cookie": self.headers.get("Cookie"), "site": self.headers.get("Sec-Fetch-Site")})
        self._answer(b"<p>posted</p>")


def test_chromium_sends_a_samesite_none_secure_cookie_on_a_cross_site_post_over_http_localhost(browser):
    """Why the broker scenarios need no TLS: Chromium counts http://*.localhost as a secure context, keeps a
    `SameSite=None; Secure` cookie set there and sends it on a cross-site form POST (a.ui.localhost to
    b.attached.localhost), where it withholds a `SameSite=Lax` one (which shows the POST is cross-site)."""
    _CookieProbe.posts = []
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _CookieProbe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        browser.get(f"http://b.attached.localhost:{port}/set")
        kept = {c["name"]: (c["sameSite"], c["secure"]) for c in browser.cookies()}
        assert kept == {"none_secure": ("None", True), "lax": ("Lax", False)}, kept
        browser.get(f"http://a.ui.localhost:{port}/form")
        browser.wait_until(lambda: "posted" in browser.text(), "the cross-site POST")
        assert _CookieProbe.posts == [{"cookie": "none_secure=1", "site": "cross-site"}], _CookieProbe.posts
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ---- the browser flows ------------------------------------------------------------------------------------------
def test_a_ui_session_signs_the_browser_in_on_attached_clusters_without_the_provider(rig, stack, browser):
    """Log in on the UI cluster, forget the provider's session, open apps on two attached clusters (the attached
    cluster's own client with sso-broker-audience; one client for all): both load, the provider is not asked."""
    login_on_ui(browser, rig)
    ui_session = ui_cookies_of(browser)[SESSION]
    delete_provider_cookies(browser, stack)
    browser.navigations()
    browser.requests()
    seen, counts = ProviderLog(stack.provider), rig.broker_counts()
    attached_log = LogMark(rig.fa_of(ATTACHED_HOST))

    browser.get(rig.url(ATTACHED_HOST, "/workloads?ns=default"))
    data = browser.wait_app(host=rig.netloc(ATTACHED_HOST))
    assert data["user"] == ALICE.email and data["path"] == "/workloads" and data["query"] == "ns=default", data
    assert data["identity"]["X-Forwarded-User"] == [ALICE.email]
    sent, navs = browser.requests(), browser.navigations()
    # Not a single request to the provider; it checked no password and issued no token.
    assert provider_requests(sent, stack.provider_netloc) == [], provider_requests(sent, stack.provider_netloc)
    assert seen.password_logins(ALICE) == 0 and seen.id_tokens() == 0, seen.text()
    # The hops: attached app -> UI broker (the form page) -> the form POST to the attached callback -> the app.
    hops = doc_hops(navs)
    assert hops == [(ATTACHED_HOST, "/workloads", 302), (UI_HOST, BROKER_PATH, 200),
                    (ATTACHED_HOST, CALLBACK_PATH, 200), (ATTACHED_HOST, "/workloads", 200)], hops
    broker_hop = next(u for u, _ in navs if urllib.parse.urlsplit(u).path == BROKER_PATH)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(broker_hop).query)
    assert set(query) == {"callback", "state"} and query["callback"] == [callback_url(ATTACHED_HOST, rig.port)]
    # The POST carried exactly the state of this login and the UI's Dex token (aud: the UI client).
    posts = callback_posts(sent, rig, ATTACHED_HOST)
    assert len(posts) == 1, sent
    fields = urllib.parse.parse_qsl(posts[0]["post_data"] or "", keep_blank_values=True)
    assert [k for k, _ in fields] in (["state", "id_token"], ["id_token", "state"]), fields
    fields = dict(fields)
    assert fields["state"] == query["state"][0]
    claims = split_jwt(fields["id_token"])[1]
    assert (claims["iss"], claims["aud"], claims["email"]) == (stack.provider.issuer(), CLIENT_ID, ALICE.email), claims
    # The token travelled only in that body: in no URL the browser requested, in no log line of any process here.
    token, signature = fields["id_token"], fields["id_token"].rsplit(".", 1)[1]
    assert not [r["url"] for r in sent if signature in (r["url"] or "")]
    logs = rig.all_logs()
    assert signature not in logs and token not in logs
    # The state cookie was used up; the attached session is the attached host's own; the UI session is unchanged.
    left = [c["name"] for c in browser.cookies() if c["name"].startswith(b.STATE_COOKIE_PREFIX)]
    assert left == [], left
    attached_session = [c for c in browser.cookies(SESSION) if c["domain"].lstrip(".") == ATTACHED_HOST]
    assert len(attached_session) == 1, browser.cookies(SESSION)
    assert ui_cookies_of(browser)[SESSION] == ui_session
    assert attached_log.records(), "the attached instance logged nothing"

    # One provider client for every cluster: its token's aud names the attached instance's own client id too.
    browser.get(rig.url(ONE_CLIENT_HOST, "/nodes"))
    data = browser.wait_app(host=rig.netloc(ONE_CLIENT_HOST))
    assert data["user"] == ALICE.email and data["path"] == "/nodes"
    assert provider_requests(browser.requests(), stack.provider_netloc) == []
    assert seen.password_logins(ALICE) == 0 and seen.id_tokens() == 0, seen.text()
    assert broker_delta(counts, rig.broker_counts()) == {
        "ui": {"delivered": 2}, "attached": {"redirected": 1, "accepted": 1},
        "one-client": {"redirected": 1, "accepted": 1}}

    # With that UI session, the broker delivers to no callback it does not list: 400, no request to that host.
    browser.navigations()
    browser.requests()
    evil = f"http://{FOREIGN}:{rig.port}{CALLBACK_PATH}"
    browser.get(rig.url(UI_HOST, BROKER_PATH + "?" + urllib.parse.urlencode({"callback": evil,
                                                                              "state": secrets.token_urlsafe(24)})))
    browser.wait_until(lambda: browser.host == rig.netloc(UI_HOST) and browser.text(), "the broker's answer")
    time.sleep(0.3)  # a form that would auto-submit has had its chance
    assert doc_hops(browser.navigations()) == [(UI_HOST, BROKER_PATH, 400)]
    assert [r["url"] for r in browser.requests() if urllib.parse.urlsplit(r["url"] or "").hostname == FOREIGN] == []


def test_without_a_ui_session_one_password_signs_the_browser_in_on_both_clusters(rig, stack, browser):
    """The attached app first: the broker logs the browser in at the provider for the UI cluster, then delivers."""
    seen, counts = ProviderLog(stack.provider), rig.broker_counts()
    browser.get(rig.url(ATTACHED_HOST, "/first?x=1"))
    assert browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=True) == "form"
    data = browser.wait_app(host=rig.netloc(ATTACHED_HOST))
    assert data["user"] == ALICE.email and (data["path"], data["query"]) == ("/first", "x=1"), data
    sent = browser.requests()
    # The provider was asked once, for the UI's client, returning to the UI's callback.
    authz = [u for u in provider_requests(sent, stack.provider_netloc)
             if u.startswith(stack.provider.discovery()["authorization_endpoint"] + "?")]
    assert authz, provider_requests(sent, stack.provider_netloc)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(authz[0]).query)
    assert q["client_id"] == [CLIENT_ID] and q["redirect_uri"] == [rig.url(UI_HOST, URL_PATH)], q
    assert {urllib.parse.parse_qs(urllib.parse.urlsplit(u).query)["client_id"][0] for u in authz} == {CLIENT_ID}
    hops = [(h, p) for h, p, _ in doc_hops(browser.navigations())]
    ui_callback = hops.index((UI_HOST, URL_PATH))
    assert hops[ui_callback + 1:] == [(UI_HOST, BROKER_PATH), (ATTACHED_HOST, CALLBACK_PATH),
                                      (ATTACHED_HOST, "/first")], hops

    # The UI cluster is signed in too.
    browser.get(rig.url(UI_HOST, "/home"))
    assert browser.wait_app(host=rig.netloc(UI_HOST))["user"] == ALICE.email
    assert provider_requests(browser.requests(), stack.provider_netloc) == []
    assert len(password_submissions(sent, stack.provider_netloc)) == 1
    assert seen.password_logins(ALICE) == 1 and seen.id_tokens() == 1, seen.text()
    assert broker_delta(counts, rig.broker_counts()) == {
        "ui": {"login_required": 1, "delivered": 1}, "attached": {"redirected": 1, "accepted": 1}}


def test_a_token_for_another_audience_is_refused_and_the_provider_link_signs_in(rig, stack, browser):
    """peer.attached.localhost has a client of its own, the UI's only in trusted-audience and no broker audience:
    the UI's token (aud = the UI client) is refused there, the page names the claim; its "sign in directly" link
    logs in at the provider with the attached cluster's own client."""
    login_on_ui(browser, rig)
    browser.navigations()
    counts = rig.broker_counts()
    browser.get(rig.url(PEER_HOST, "/pods"))
    browser.wait_until(lambda: browser.host == rig.netloc(PEER_HOST) and "sign-in failed" in browser.text().lower(),
                       "the attached instance's refusal")
    hops = doc_hops(browser.navigations())
    assert hops[:2] == [(PEER_HOST, "/pods", 302), (UI_HOST, BROKER_PATH, 200)], hops
    assert hops[2][:2] == (PEER_HOST, CALLBACK_PATH) and hops[2][2] >= 400, hops
    assert browser.app_data() is None
    assert "aud" in browser.text(), browser.text()
    assert [c for c in browser.cookies(SESSION) if c["domain"].lstrip(".") == PEER_HOST] == []
    assert broker_delta(counts, rig.broker_counts()) == {
        "ui": {"delivered": 1}, "peer": {"redirected": 1, "invalid_token": 1}}

    link = [a for a in browser.driver.find_elements("tag name", "a") if DIRECT_LINK_TEXT in a.text]
    assert len(link) == 1, browser.text()
    link[0].click()
    assert browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=False) == "continue"
    data = browser.wait_app(host=rig.netloc(PEER_HOST))
    assert data["user"] == ALICE.email and data["path"] == "/pods"
    authz = [u for u in provider_requests(browser.requests(), stack.provider_netloc)
             if "client_id=" in u and "redirect_uri=" in u]
    assert authz and urllib.parse.parse_qs(urllib.parse.urlsplit(authz[-1]).query)["client_id"] == [ATTACHED_CLIENT_ID]


def test_a_token_too_large_for_the_ui_session_falls_back_to_the_providers_login(rig, stack, browser):
    """Dave's 401 groups make his ID token too large for the UI session to keep: the UI posts
    error=token_unavailable and the attached instance logs him in at the provider with its own client."""
    login_on_ui(browser, rig, DAVE)
    browser.requests()
    browser.navigations()
    counts = rig.broker_counts()
    browser.get(rig.url(ATTACHED_HOST, "/big"))
    assert browser.login_at_provider(stack.provider_netloc, DAVE, expect_password=False) == "continue"
    data = browser.wait_app(host=rig.netloc(ATTACHED_HOST))
    assert data["user"] == DAVE.email and data["path"] == "/big"
    sent = browser.requests()
    posts = callback_posts(sent, rig, ATTACHED_HOST)
    assert len(posts) == 1, sent
    fields = urllib.parse.parse_qsl(posts[0]["post_data"] or "", keep_blank_values=True)
    assert sorted(k for k, _ in fields) == ["error", "state"] and dict(fields)["error"] == "token_unavailable", fields
    authz = [u for u in provider_requests(sent, stack.provider_netloc) if "client_id=" in u and "redirect_uri=" in u]
    assert authz, provider_requests(sent, stack.provider_netloc)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(authz[-1]).query)
    assert q["client_id"] == [ATTACHED_CLIENT_ID] and q["redirect_uri"] == [rig.url(ATTACHED_HOST, URL_PATH)], q
    assert broker_delta(counts, rig.broker_counts()) == {
        "ui": {"token_unavailable": 1}, "attached": {"redirected": 1, "fallback": 1}}


def test_a_state_from_another_browser_is_refused(rig, stack, browser, client):
    """Another browser (the plain client, its own cookie jar) starts an attached login and lures a signed-in
    browser to the broker with that state: the UI posts this browser's token there, and the attached instance, finding
    no state cookie of its own for it in this browser, refuses it: no session in either."""
    other = BrokerFlow(client, rig.port).start("/lure")
    login_on_ui(browser, rig)
    browser.navigations()
    counts = rig.broker_counts()
    browser.get(other.broker_url)
    browser.wait_until(lambda: browser.host == rig.netloc(ATTACHED_HOST) and browser.text(), "the attached answer")
    hops = doc_hops(browser.navigations())
    assert hops[0] == (UI_HOST, BROKER_PATH, 200) and hops[1][:2] == (ATTACHED_HOST, CALLBACK_PATH), hops
    assert hops[1][2] != 302 and len(hops) == 2, hops
    assert browser.app_data() is None
    assert browser.cookies(SESSION) and not [c for c in browser.cookies(SESSION) if c["domain"].lstrip(".") == ATTACHED_HOST]
    assert not [c for c in client.cookies if c.name == SESSION]
    assert broker_delta(counts, rig.broker_counts()) == {"ui": {"delivered": 1}, "attached": {"invalid_state": 1}}
    # The other browser's state is still its own, and still unused: it alone can finish its login.
    assert other.state_cookie()


# ---- the wire, with a plain client ------------------------------------------------------------------------------
def test_the_form_page_state_cookie_and_a_replayed_form(rig, alice_ui_cookies, client):
    flow = BrokerFlow(client, rig.port).start()
    # The state cookie: the usual sealed one, issued SameSite=None; Secure for the cross-site POST.
    name, _ = flow.state_cookie()
    issued = [h for h in b.set_cookie_headers(flow.start_response) if h.startswith(name + "=")]
    assert len(issued) == 1, b.set_cookie_headers(flow.start_response)
    attrs = b.cookie_attributes(issued[0])
    assert attrs.get("samesite", "").lower() == "none" and "secure" in attrs and "httponly" in attrs, issued
    # API clients are not sent to the broker.
    r = client.get(rig.url(ATTACHED_HOST, "/api"), headers={"Accept": "application/json"}, allow_redirects=False)
    assert r.status_code == 401, (r.status_code, r.headers)

    page_r = flow.broker(alice_ui_cookies)
    assert page_r.status_code == 200, (page_r.status_code, page_r.text[:400])
    h = page_r.headers
    assert "no-store" in h.get("Cache-Control", "") and h.get("Referrer-Policy") == "no-referrer", h
    csp = b.csp_directives(h.get("Content-Security-Policy", ""))
    page = parse_form_page(page_r.text)
    assert csp.get("default-src") == ["'none'"] and csp.get("frame-ancestors") == ["'none'"], csp
    assert csp.get("form-action") == [f"http://{rig.netloc(ATTACHED_HOST)}"], csp
    assert page.scripts and all(b.script_hash(s) in csp.get("script-src", []) for s in page.scripts), (csp, page)
    assert page.forms == 1 and page.method == "post" and page.action == callback_url(ATTACHED_HOST, rig.port), page
    assert page.noscript_button, page_r.text
    assert sorted(k for k, _ in page.fields) == ["id_token", "state"], page.fields
    fields = dict(page.fields)
    assert fields["state"] == flow.state

    body = form_body(page.fields)
    r = flow.post(body)
    assert_session_started(r, rig, ATTACHED_HOST)
    cleared = [x for x in b.set_cookie_headers(r) if x.startswith(name + "=")]
    assert cleared and ("max-age=0" in cleared[0].lower() or "1970" in cleared[0]), b.set_cookie_headers(r)
    signed_in = client.get(rig.url(ATTACHED_HOST, "/after"), headers={"Accept": "application/json"},
                           allow_redirects=False)
    assert signed_in.status_code == 200 and signed_in.json()["user"] == ALICE.email, signed_in.text[:300]

    # The same body again from this browser: its state cookie is gone, the form counts for nothing.
    jar_before = {c.name: c.value for c in client.cookies if c.name == SESSION}
    replay = flow.post(body)
    assert replay.status_code == 401 and not any(x.startswith(SESSION + "=") for x in b.set_cookie_headers(replay)), \
        (replay.status_code, replay.headers)
    assert "another browser" in replay.text or "expired" in replay.text.lower(), replay.text[:400]
    assert {c.name: c.value for c in client.cookies if c.name == SESSION} == jar_before


def test_a_get_of_the_callback_is_refused(rig, client):
    # Through the proxy the callback path passes unchecked only for a POST: a GET is checked like any page (an
    # anonymous browser is sent to the broker); straight to the Service's request line it is a 400.
    r = client.get(callback_url(ATTACHED_HOST, rig.port), headers={"Accept": "text/html"}, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].startswith(b.url(UI_HOST, rig.port, BROKER_PATH)), \
        (r.status_code, r.headers)
    fa = rig.fa_of(ATTACHED_HOST)
    r = requests.get(f"{fa.base}{CALLBACK_PATH}", headers={"Host": rig.netloc(ATTACHED_HOST)}, timeout=5,
                     allow_redirects=False)
    assert r.status_code == 400 and "takes a POST" in r.text, (r.status_code, r.text[:200])


def _other_issuer_token(stack, token):
    """What the provider's second issuer would sign: its issuer, its key, its key id."""
    other = stack.provider.issuer(PLUGIN_OTHER)
    kid = requests.get(stack.provider.discovery(PLUGIN_OTHER)["jwks_uri"], timeout=5).json()["keys"][0].get("kid")
    key = (stack.provider.dir / f"{PLUGIN_OTHER}.key.pem").read_text()
    return remint(token, key, kid=kid, iss=other)


def _main_key(stack):
    return (stack.provider.dir / f"{PLUGIN_MAIN}.key.pem").read_text()


PEER_AUD = [ATTACHED_CLIENT_ID, CLIENT_ID]

# (case, attached host, how the token is made from Alice's brokered one, accepted?, claim the refusal names)
TOKEN_CASES = [
    ("trusted-peers-form-accepted", PEER_HOST, lambda s, t: remint(t, _main_key(s), aud=PEER_AUD, azp=CLIENT_ID),
     True, None),
    ("trusted-peers-form-without-trusted-audience", ATTACHED_HOST,
     lambda s, t: remint(t, _main_key(s), aud=PEER_AUD, azp=CLIENT_ID), False, ("azp", "aud")),
    ("one-client-form-with-its-own-azp", ONE_CLIENT_HOST, lambda s, t: remint(t, _main_key(s), azp=CLIENT_ID),
     True, None),
    ("another-audience", ATTACHED_HOST, lambda s, t: remint(t, _main_key(s), aud="someone-else"), False, "aud"),
    ("broker-audience-not-alone", ATTACHED_HOST, lambda s, t: remint(t, _main_key(s), aud=[CLIENT_ID, "someone-else"]),
     False, "aud"),
    ("another-issuer-its-own-key", ATTACHED_HOST, lambda s, t: _other_issuer_token(s, t), False, None),
    ("another-issuer-name", ATTACHED_HOST, lambda s, t: remint(t, _main_key(s), iss=s.provider.issuer(PLUGIN_OTHER)),
     False, "iss"),
    ("the-mixup-issuer", ATTACHED_HOST, lambda s, t: remint(t, _main_key(s), iss=s.mixup_issuer), False, "iss"),
    ("expired", ATTACHED_HOST, lambda s, t: remint(t, _main_key(s), exp=int(time.time()) - 600,
                                                   iat=int(time.time()) - 4200), False, "exp"),
    ("email-not-verified", ATTACHED_HOST, lambda s, t: remint(t, _main_key(s), email_verified=False), False,
     "email_verified"),
    ("signature-broken", ATTACHED_HOST, lambda s, t: t[:-6] + ("AAAAAA" if not t.endswith("AAAAAA") else "BBBBBB"),
     False, None),
]


@pytest.mark.parametrize("case,host,make,accepted,claim", TOKEN_CASES, ids=[c[0] for c in TOKEN_CASES])
def test_tokens_by_audience_and_issuer(rig, stack, alice_token, client, case, host, make, accepted, claim):
    """Raw POSTs with a valid state of this client: the audience forms the attached instances accept, and tokens
    of another audience or issuer, expired, unverified or tampered with, which they refuse."""
    flow = BrokerFlow(client, rig.port, attached_host=host).start()
    token = make(stack, alice_token)
    r = flow.post(form_body([("state", flow.state), ("id_token", token)]))
    if accepted:
        assert_session_started(r, rig, host)
    else:
        assert_refused_page(r, claim, return_url=rig.url(host, "/start-page"))
    assert token.rsplit(".", 1)[1] not in rig.all_logs()


def test_an_unlisted_callback_or_a_malformed_state_gets_400(rig, alice_ui_cookies, client):
    """The broker posts nothing to a callback it does not list byte for byte, nor for a malformed state."""
    port, state = rig.port, secrets.token_urlsafe(24)
    listed = callback_url(ATTACHED_HOST, port)
    callbacks = [f"http://{FOREIGN}:{port}{CALLBACK_PATH}", f"http://{ATTACHED_HOST}:{port + 1}{CALLBACK_PATH}",
                 listed + "/", listed + "?x=1", listed + "#f", listed.replace("http://", "https://"),
                 listed.replace("http://", "http://user@"),
                 listed.replace(CALLBACK_PATH, CALLBACK_PATH + "2"), listed.replace(CALLBACK_PATH, URL_PATH), ""]
    counts = rig.broker_counts()
    for cb in callbacks:
        r = broker_get(client, port, {"callback": cb, "state": state}, alice_ui_cookies)
        assert r.status_code == 400, (cb, r.status_code, r.text[:300])
        assert "<form" not in r.text.lower() and "eyJ" not in r.text, (cb, r.text[:300])
    for bad_state in ("", "short", "a" * 15, "a" * 257, "a" * 20 + "+/", "a" * 20 + "%00"):
        r = broker_get(client, port, f"callback={urllib.parse.quote(listed, safe='')}&state={bad_state}",
                       alice_ui_cookies)
        assert r.status_code == 400, (bad_state, r.status_code, r.text[:300])
        assert "eyJ" not in r.text
    for query in (f"state={state}", f"callback={urllib.parse.quote(listed, safe='')}",
                  f"callback={urllib.parse.quote(listed, safe='')}&callback={urllib.parse.quote(listed, safe='')}"
                  f"&state={state}"):
        r = broker_get(client, port, query, alice_ui_cookies)
        assert r.status_code == 400, (query, r.status_code, r.text[:300])
    delta = broker_delta(counts, rig.broker_counts())
    assert set(delta) == {"ui"} and "delivered" not in delta["ui"], delta
    # The control: the listed callback with a good state is delivered. So is its host in capitals (compared after
    # parsing: host names are case-insensitive), and the form posts to the listed spelling.
    for cb in (listed, listed.replace(ATTACHED_HOST, ATTACHED_HOST.upper())):
        r = broker_get(client, port, {"callback": cb, "state": state}, alice_ui_cookies)
        assert r.status_code == 200 and "id_token" in r.text, (cb, r.status_code, r.text[:300])
        assert parse_form_page(r.text).action == listed, (cb, parse_form_page(r.text).action)
    # An instance without sso-broker-callbacks has no broker endpoint (asked on its request line): no token, no form.
    # (That path is then judged as any other check: a login starts.)
    r = requests.get(f"{rig.fa_of(ATTACHED_HOST).base}{BROKER_PATH}", params={"callback": listed, "state": state},
                     timeout=5, allow_redirects=False)
    assert r.status_code in (302, 307, 400, 401), (r.status_code, r.text[:200])
    assert "<form" not in r.text.lower() and "id_token" not in r.text


def test_oversized_duplicated_or_mistyped_bodies_get_400(rig, alice_token, client):
    def fresh():
        client.cookies.clear()
        return BrokerFlow(client, rig.port).start()

    # The control: a valid form with one more (unknown) field of a few bytes is accepted.
    flow = fresh()
    assert_session_started(flow.post(form_body([("state", flow.state), ("id_token", alice_token),
                                                ("pad", "x" * 10)])), rig, ATTACHED_HOST)
    cases = {
        "over 64 KiB": lambda f: (form_body([("state", f.state), ("id_token", alice_token),
                                             ("pad", "x" * (b.MAX_BODY - len(alice_token)))]), None),
        "state twice": lambda f: (form_body([("state", f.state), ("state", f.state), ("id_token", alice_token)]), None),
        "id_token twice": lambda f: (form_body([("state", f.state), ("id_token", alice_token),
                                                ("id_token", alice_token)]), None),
        "error twice": lambda f: (form_body([("state", f.state), ("error", "token_unavailable"),
                                                          ("error", "x")]), None),
        "text/plain": lambda f: (form_body([("state", f.state), ("id_token", alice_token)]), "text/plain"),
        "json": lambda f: ('{"state": "%s", "id_token": "%s"}' % (f.state, alice_token), "application/json"),
        "multipart": lambda f: ((f'--x\r\nContent-Disposition: form-data; name="state"\r\n\r\n{f.state}\r\n'
                                 f'--x\r\nContent-Disposition: form-data; name="id_token"\r\n\r\n{alice_token}\r\n'
                                 '--x--\r\n'), "multipart/form-data; boundary=x"),
    }
    for name, make in cases.items():
        flow = fresh()
        body, ctype = make(flow)
        assert name != "over 64 KiB" or len(body) > b.MAX_BODY
        r = flow.post(body, content_type=ctype or "application/x-www-form-urlencoded")
        assert r.status_code == 400, (name, len(body), r.status_code, r.text[:300])
        assert not any(x.startswith(SESSION + "=") for x in b.set_cookie_headers(r)), (name, r.headers)


def test_the_callbacks_auth_subrequest_passes_without_identity_headers(rig, alice_token, client):
    """What Caddy's forward_auth (and Traefik's ForwardAuth) asks about the callback: a bodyless GET on `/` naming
    the POST; the attached instance lets it through with 200 and no identity header, signed in or not; an instance
    without sso-broker-url judges that path like any other."""
    flow = BrokerFlow(client, rig.port).start()
    assert_session_started(flow.post(form_body([("state", flow.state), ("id_token", alice_token)])), rig,
                           ATTACHED_HOST)
    session = {c.name: c.value for c in client.cookies if c.name == SESSION}
    forwarded = {"X-Forwarded-Method": "POST", "X-Forwarded-Proto": "http",
                 "X-Forwarded-Host": rig.netloc(ATTACHED_HOST), "X-Forwarded-Uri": CALLBACK_PATH,
                 "Accept": "text/html"}
    for cookies in ({}, session):
        r = requests.get(f"{rig.fa_of(ATTACHED_HOST).base}/", headers=forwarded, cookies=cookies, timeout=5,
                         allow_redirects=False)
        assert r.status_code == 200, (cookies.keys(), r.status_code, r.headers)
        assert "X-Forwarded-User" not in r.headers and "Set-Cookie" not in r.headers, r.headers
    ui_forwarded = {**forwarded, "X-Forwarded-Host": rig.netloc(UI_HOST)}
    r = requests.get(f"{rig.ui.base}/", headers=ui_forwarded, timeout=5, allow_redirects=False)
    assert r.status_code == 302 and "X-Forwarded-User" not in r.headers, (r.status_code, r.headers)
