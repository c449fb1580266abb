"""The swap (issue 17): forward-auth started exactly as mesosphere's chart 0.3.10 starts the Go traefik-forward-auth
v3.3.0 on a DKP cluster, with Kommander's values for the management cluster and for attached clusters, and what
the Go fork would answer there.

  1. real Helm renders chart 0.3.10 (harness/chart0310.py) with DKP's values; the container's args, env and the
     ConfigMap's config.ini are taken as they are, pointed at the rig only where they must be (harness/swap.py);
  2. forward-auth runs with that env alone behind Caddy (the identity headers of DKP's `forwardauth-full`
     Middleware copied) and the real provider; a real browser signs in; the app sees the identity;
  3. cookies the Go fork sealed (e2e/go-cookies on the real gorilla libraries, the rendered SECRET and
     ENCRYPTION_KEY) are carried in: the app is reached with that user's identity and groups, no login; a Go
     cookie sealed with another key means a login (302) or 401 for an API client;
  4. the file named by CONFIG is read last, over env and flags, as Go reads it; an unknown key in extraConfig
     does not stop the pod; LOG_LEVEL=verbose and ENABLE_IMPERSONATION=t (Go's ParseBool) start; an image tag
     below 3 makes the chart pass SESSION_KEY;
  5. the egress proxy (HTTP_PROXY through Debian's tinyproxy) and the dual-stack default listener: skipped while
     the binary does not have them.
Every step asserts what the Go fork would answer, except where forward-auth documents a deliberate difference
(docs/swap-guide.md section 4, docs/rbac.md, COMPAT.md): there the documented answer is asserted and the comment
names the row.
"""
from __future__ import annotations

import re
import socket
import subprocess
import urllib.parse

import pytest
import requests
import yaml

from harness import chart0310
from harness.chart0310 import ATTACHED_VALUES, MGMT_VALUES
from harness.identities import ALICE, BOB
from harness.procs import LOOPBACK, free_port, wait_http
from harness.reporting import call_failed
from harness.swap import (ATTACHED_CLIENT, ATTACHED_HOST, MGMT_CLIENT, MGMT_HOST, VARIANT_HOST, SwapRig,
                          build_go_cookies, log_lines, mint_go_cookies, namespaces_usable, new_key)

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends for a page
JSON = "application/json"
MGMT_RELEASE, ATTACHED_RELEASE = "traefik-forward-auth-mgmt", "traefik-forward-auth"
# Kommander stages the attached clusters' release with enabled: false until its TFA controller turns it on.
ATTACHED_ENABLED = ["traefikForwardAuth.enabled=true"]
# What each DKP pod is called, its host behind the swap Caddy, and the cookie names the Go fork used there.
# On attached clusters Go v3.3.0 did not know Kommander's `groups-session-name` (the ini key is dropped): its
# claims cookie kept the default name.
KINDS = {
    "mgmt": dict(release=MGMT_RELEASE, host=MGMT_HOST, client=MGMT_CLIENT, url_path="/_oauth",
                 cookie="_forward_auth", csrf="_forward_auth_csrf", go_claims="_forward_auth_claims",
                 user_cookie="kommander_profile_name"),
    "attached": dict(release=ATTACHED_RELEASE, host=ATTACHED_HOST, client=ATTACHED_CLIENT,
                     url_path="/_oauth_kommander", cookie="_forward_auth_kommander",
                     csrf="_forward_auth_csrf_kommander", go_claims="_forward_auth_claims",
                     user_cookie="kommander_profile_name"),
}


# ---- fixtures ------------------------------------------------------------------------------------------------
class Charts:
    def __init__(self, helm, chart, work):
        self.helm, self.chart, self.work = helm, chart, work
        self._n = 0

    def render(self, release: str, values: list, sets: list[str] | None = None, extra_values: dict | None = None):
        """Chart 0.3.10's render, by real Helm where the chart is here, else as recorded (harness/chart0310.py).
        `env` entries of `extra_values` are applied as the chart applies them, and checked against Helm."""
        values = list(values)
        extra = dict(extra_values or {})
        env = extra.pop("env", None)
        if extra:
            self._n += 1
            path = self.work / f"values-{self._n}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(extra))
            values.append(path)
        key = chart0310.render_key(release, values, sets)
        if self.chart is None:
            base = chart0310.recorded(key)
        else:
            base = chart0310.render(self.helm, self.chart, self.work, release, values, sets)
            chart0310.check_recorded(key, base)
        if not env:
            return base
        result = chart0310.with_env(base, env)
        if self.chart is not None:
            self._n += 1
            path = self.work / f"values-{self._n}.yaml"
            path.write_text(yaml.safe_dump({"env": env}))
            real = chart0310.render(self.helm, self.chart, self.work, release, values + [path], sets)
            assert (real.args, real.env, real.config_ini) == (result.args, result.env, result.config_ini), \
                "chart 0.3.10 applies `env` otherwise than harness/chart0310.with_env"
        return result

    def mgmt(self, **kw):
        return self.render(MGMT_RELEASE, [MGMT_VALUES], **kw)

    def attached(self, sets=None, **kw):
        return self.render(ATTACHED_RELEASE, [ATTACHED_VALUES], ATTACHED_ENABLED + list(sets or []), **kw)


@pytest.fixture(scope="module")
def charts(run_dir):
    work = run_dir / "chart-0.3.10"
    try:
        return Charts(chart0310.helm_binary(), chart0310.checkout_chart(work / "src"), work)
    except chart0310.Unavailable as e:
        if not chart0310.RECORDED.exists():
            pytest.skip(str(e))
        return Charts(None, None, work)  # the recorded renders (harness/chart0310.py)


@pytest.fixture(scope="module")
def go_cookies():
    try:
        return build_go_cookies()
    except FileNotFoundError as e:
        pytest.skip(str(e))


@pytest.fixture(scope="module")
def swap_rig(stack, provider, app, forward_auth_bin):
    rig = SwapRig(stack, forward_auth_bin)
    try:
        yield rig.start()
    finally:
        rig.stop()


@pytest.fixture
def swap(swap_rig, request):
    """The rig; every pod a test starts is stopped when it ends (its log printed when it failed)."""
    yield swap_rig
    if call_failed(request):
        for pod in swap_rig.pods:
            print(f"\n--- {pod.name} log (tail):\n{pod.log(40)}")
    swap_rig.stop_pods()


# ---- helpers -------------------------------------------------------------------------------------------------
def ask(client, swap, host, path="/", cookie=None, accept=HTML):
    """A request through the swap Caddy, no redirect followed; cookies sent as a header (the pods' cookies are
    Secure, which a cookie jar would not send over http)."""
    headers = {"Accept": accept}
    if cookie:
        headers["Cookie"] = cookie
    return client.get(swap.url(host, path), headers=headers, allow_redirects=False)


def set_cookies(r) -> dict[str, str]:
    """name -> the whole Set-Cookie line, for every Set-Cookie of a response."""
    out = {}
    for line in r.raw.headers.getlist("Set-Cookie"):
        out[line.split("=", 1)[0].strip()] = line
    return out


def assert_login_redirect(r, swap, kind, url_path=None):
    """The Go fork's answer to a browser without a session: 302 to the provider's authorization endpoint, with
    the chart's client id and this host's callback, and a CSRF cookie."""
    k = KINDS[kind] if isinstance(kind, str) else kind
    assert r.status_code == 302, (r.status_code, r.headers, r.text[:300])
    loc = urllib.parse.urlsplit(r.headers["Location"])
    auth = urllib.parse.urlsplit(swap.stack.provider.discovery()["authorization_endpoint"])
    assert (loc.scheme, loc.netloc, loc.path) == (auth.scheme, auth.netloc, auth.path), r.headers["Location"]
    q = urllib.parse.parse_qs(loc.query)
    assert q["client_id"] == [k["client"]], q
    assert q["redirect_uri"] == [swap.url(k["host"], url_path or k["url_path"])], q
    assert q["response_type"] == ["code"] and "openid" in q["scope"][0].split(), q
    # docs/swap-rollout.md, the cookie table: forward-auth's login state cookie is `<csrf-cookie-name>.<id>`
    # (Go: `<csrf-cookie-name>` holding a nonce); the name the chart's ini gives is its stem.
    assert [n for n in set_cookies(r) if n.startswith(k["csrf"] + ".")], r.headers.get("Set-Cookie")
    return q


def impersonation(data) -> tuple[str | None, set[str], str | None]:
    """Impersonate-User, the Impersonate-Group values (Caddy joins repeated ones with ","), Authorization."""
    h = data["headers"]
    groups = {g.strip() for v in h.get("Impersonate-Group", []) for g in v.split(",") if g.strip()}
    return (h.get("Impersonate-User") or [None])[0], groups, (h.get("Authorization") or [None])[0]


def alice_identity_seen(data, swap):
    assert data["user"] == ALICE.email, data
    assert data["identity"]["X-Forwarded-User"] == [ALICE.email], data["identity"]
    user, groups, authorization = impersonation(data)
    assert user == ALICE.email
    assert groups == {"system:authenticated", "oidc:devs", "oidc:ops"}, groups
    assert authorization == f"Bearer {swap.sa_token}"


def go_cookies_for(tool, spec, kind, user=ALICE, *, secret=None, key=None, cookie=None, claims=None):
    k = KINDS[kind]
    return mint_go_cookies(tool, secret=secret or spec.secrets.secret,
                           encryption_key=key or spec.secrets.session_key, email=user.email, name=user.name,
                           groups=list(user.groups), cookie_name=cookie or k["cookie"],
                           claims_name=claims or k["go_claims"])


def warning_lines(log: str) -> list[str]:
    """Lines of a pod's output that are warnings: logged at level=warn, or written before the logger exists."""
    return [l for l in log.splitlines() if "level=warn" in l or "warning" in l.lower()]


def render_for(charts, kind, **kw):
    return charts.mgmt(**kw) if kind == "mgmt" else charts.attached(**kw)


def help_text(binary) -> str:
    r = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=20)
    return r.stdout + r.stderr


# ---- 1. what chart 0.3.10 hands the container -------------------------------------------------------------
def test_chart_0310_renders_the_go_fork_s_container_for_dkp(charts):
    mgmt, attached = charts.mgmt(), charts.attached()
    # Go image tag v3.3.0 (above 3.0.0): the session key goes in ENCRYPTION_KEY.
    expected_env = ["CONFIG", "SSL_CERT_FILE", "LOG_LEVEL", "SERVICE_ACCOUNT_TOKEN_PATH", "CLIENT_SECRET", "SECRET",
                    "ENCRYPTION_KEY", "COOKIE_SECURE", "AUTHZ_PASS_THROUGH"]
    for r in (mgmt, attached):
        assert r.args == ["--enable-impersonation", "--enable-rbac"], r.args
        assert r.env_names() == expected_env, r.env_names()
        assert r.env_value("CONFIG") == chart0310.CONFIG_INI
        assert r.env_value("LOG_LEVEL") == "warn" and r.env_value("COOKIE_SECURE") == "true"
        assert r.env_value("AUTHZ_PASS_THROUGH") == "/dkp/kiali/,/dkp/kiali/*"
    assert mgmt.fullname == MGMT_RELEASE and attached.fullname == ATTACHED_RELEASE
    assert mgmt.config_ini.splitlines()[:3] == [
        "client-id = traefik-forward-auth", "user-cookie-name = kommander_profile_name",
        'provider-uri = "https://dex.kommander.svc.cluster.local:8080/dex"']
    lines = [l for l in attached.config_ini.splitlines() if l.strip()]
    assert lines == ["client-id = traefik-forward-auth-kommander", "user-cookie-name = kommander_profile_name",
                     'provider-uri = "https://dex.kommander.svc.cluster.local:8080/dex"',
                     "cookie-name =  _forward_auth_kommander", "csrf-cookie-name = _forward_auth_csrf_kommander",
                     "url-path = /_oauth_kommander", "groups-session-name = _forward_auth_claims_kommander"], lines
    # A tag below 3.0.0: SESSION_KEY instead (the comment in the chart: "Before v3 use SESSION_KEY").
    old = charts.mgmt(sets=["image.tag=v2.9.0"])
    assert "SESSION_KEY" in old.env_names() and "ENCRYPTION_KEY" not in old.env_names(), old.env_names()
    # forward-auth's image tags pass the gate: the chart's appVersion (a release) and scripts/build-image's 3.3.N.
    app_version = yaml.safe_load((chart0310.REPO / "charts" / "forward-auth" / "Chart.yaml").read_text())["appVersion"]
    for tag in (str(app_version), "3.3.122"):
        ours = charts.mgmt(sets=[f"image.tag={tag}"])
        assert "ENCRYPTION_KEY" in ours.env_names() and "SESSION_KEY" not in ours.env_names(), (tag, ours.env_names())


# ---- 2. a browser signs in on a pod started as the chart starts it ------------------------------------------
@pytest.mark.parametrize("kind", ["mgmt", "attached"])
def test_browser_login_on_a_pod_started_as_chart_0310_starts_it(kind, charts, swap, browser, client):
    k = KINDS[kind]
    spec = swap.spec(f"pod-{kind}-login", render_for(charts, kind), k["host"])
    swap.start_pod(spec)
    # An API client without a session: 401, no Location.
    r = ask(client, swap, k["host"], "/api/things", accept=JSON)
    assert r.status_code == 401 and "Location" not in r.headers, (r.status_code, r.headers)
    # A browser without a session: 302 to the provider with the chart's client id and this host's callback.
    assert_login_redirect(ask(client, swap, k["host"], "/dkp/kommander/dashboard"), swap, kind)

    browser.get(swap.url(k["host"], "/dkp/kommander/dashboard?tab=1"))
    browser.login_at_provider(swap.stack.provider_netloc, ALICE, expect_password=True)
    data = browser.wait_app(host=swap.netloc(k["host"]))
    assert data["path"] == "/dkp/kommander/dashboard" and data["query"] == "tab=1", data
    alice_identity_seen(data, swap)
    navs = browser.navigations()
    assert navs[0] == (swap.url(k["host"], "/dkp/kommander/dashboard?tab=1"), 302), navs
    callbacks = [(u, s) for u, s in navs if u.startswith(swap.callback_url(k["host"]) + "?")]
    # Go's callback answers 307 to the URL saved in the state; forward-auth's answers 302 (README.md, the flow
    # diagram: "sets the session cookie, 302 back"). A browser GETs the saved URL either way.
    assert len(callbacks) == 1 and callbacks[0][1] == 302, navs
    assert navs[-1] == (swap.url(k["host"], "/dkp/kommander/dashboard?tab=1"), 200), navs

    # Go sets every cookie with Domain = the request host (no cookie-domain given): Chromium shows ".host".
    cookies = {c["name"]: c for c in browser.cookies() if c["domain"] == "." + k["host"]}
    session = cookies.get(k["cookie"])
    assert session and session["httpOnly"] and session["secure"], cookies  # COOKIE_SECURE ignored: Secure
    assert not [n for n in cookies if n.split(".")[0] == k["csrf"]], "the CSRF cookie is cleared by the callback"
    name = cookies.get(k["user_cookie"])
    assert name and not name["httpOnly"] and not name["secure"], cookies  # Go: neither HttpOnly nor Secure
    # As Go's net/http wrote it: the raw name, in double quotes because it holds a space.
    assert name["value"] == f'"{ALICE.name}"', name


# ---- 3. sessions the Go pods sealed are carried in -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["mgmt", "attached"])
def test_go_sealed_cookies_reach_the_app_without_a_login(kind, charts, swap, go_cookies, browser, client):
    k = KINDS[kind]
    spec = swap.spec(f"pod-{kind}-go-cookies", render_for(charts, kind), k["host"])
    swap.start_pod(spec)
    alice = go_cookies_for(go_cookies, spec, kind)

    # The browser carries the Go pod's cookies (Domain = the host, Secure, HttpOnly, as Go set them): the app,
    # no login. On attached clusters Go wrote the claims under `_forward_auth_claims`: it did not know Kommander's
    # `groups-session-name` (deprecated in the fork's README since 3.0.0, and dropped from the ini).
    for name, value in ((alice.id_name, alice.id_value), (alice.claims_name, alice.claims_value)):
        browser.set_cookie({"name": name, "value": value, "domain": "." + k["host"], "path": "/", "secure": True,
                            "httpOnly": True})
    browser.navigations()
    browser.requests()
    browser.get(swap.url(k["host"], "/dkp/kommander/dashboard"))
    data = browser.wait_app(host=swap.netloc(k["host"]), timeout=10)
    alice_identity_seen(data, swap)
    assert browser.navigations() == [(swap.url(k["host"], "/dkp/kommander/dashboard"), 200)]
    sent = [r["url"] for r in browser.requests()]
    assert not [u for u in sent if urllib.parse.urlsplit(u).netloc == swap.stack.provider_netloc], sent

    # An API client with the same cookies: the same identity.
    r = ask(client, swap, k["host"], "/api/me", cookie=alice.header(), accept=JSON)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    alice_identity_seen(r.json(), swap)

    # Bob's Go session (no groups): RBAC finds no binding for him. docs/rbac.md and COMPAT.md ("No bound role or no
    # matching rule -> denied"): forward-auth answers 403 where the Go fork answered 401.
    bob = go_cookies_for(go_cookies, spec, kind, BOB)
    r = ask(client, swap, k["host"], "/api/me", cookie=bob.header(), accept=JSON)
    assert r.status_code == 403, (r.status_code, r.text[:300])

    # Go cookies sealed with another key (another cluster's, or before a key rotation): a login for a browser,
    # 401 for an API client.
    foreign = go_cookies_for(go_cookies, spec, kind, secret=new_key(), key=new_key())
    assert_login_redirect(ask(client, swap, k["host"], "/page", cookie=foreign.header()), swap, kind)
    r = ask(client, swap, k["host"], "/api/me", cookie=foreign.header(), accept=JSON)
    assert r.status_code == 401 and "Location" not in r.headers, (r.status_code, r.headers)


# ---- 4. extraConfig: read last, unknown keys, Go's parsing ---------------------------------------------------
def test_extra_config_is_read_last_and_an_unknown_key_does_not_stop_the_pod(charts, swap, go_cookies, client):
    """An operator's extraConfig (Kommander's mgmt values + these lines) and a chart `env` entry:
    the file named by CONFIG is read last, over env, as the Go fork reads it (LOG_LEVEL=warn from the chart and
    URL_PATH from `env` lose to the file; the file's authz-pass-through applies — whether the chart's
    AUTHZ_PASS_THROUGH still counts too is left open: Go's list type appends); an unknown key (`cookie-domains`,
    the Go fork's is cookie-domain) does not stop the pod."""
    extra = ("log-level = debug\n"
             "url-path = /_oauth_file\n"
             "authz-pass-through = /public/*\n"
             "cookie-domains = example.com\n"
             "cookie-name = _forward_auth_late\n")
    rendered = charts.mgmt(extra_values={"traefikForwardAuth": {"extraConfig": extra},
                                         "env": {"URL_PATH": "/_oauth_env"}})
    assert rendered.env_value("URL_PATH") == "/_oauth_env" and rendered.env_value("LOG_LEVEL") == "warn"
    spec = swap.spec("pod-extra-config", rendered, VARIANT_HOST)
    ini_lines = spec.config_ini.splitlines()
    unknown_line = ini_lines.index("cookie-domains = example.com") + 1
    swap.start_pod(spec)
    pod = swap.pods[-1]
    k = dict(KINDS["mgmt"], host=VARIANT_HOST, cookie="_forward_auth_late")

    # url-path: the file's, not URL_PATH's.
    assert_login_redirect(ask(client, swap, VARIANT_HOST, "/page"), swap, k, url_path="/_oauth_file")
    # log-level: the file's debug, not LOG_LEVEL=warn.
    assert log_lines(pod.log(None), "debug"), pod.log(20)
    # The unknown key: a warning naming file:line and the key. Go dropped it silently.
    warnings = warning_lines(pod.log(None))
    where = f"{spec.env['CONFIG']}:{unknown_line}"
    assert [w for w in warnings if where in w and "cookie-domains" in w], warnings
    # docs/configuration.md, the differences from Go (unknown keys under CONFIG): Go silently dropped every line
    # after an unknown key; forward-auth applies them, and its warning lists them.
    assert [w for w in warnings if re.search(r"(?<![\w-])cookie-name\b", w)], warnings
    alice = go_cookies_for(go_cookies, spec, "mgmt", cookie="_forward_auth_late")
    r = ask(client, swap, VARIANT_HOST, "/api/me", cookie=alice.header(), accept=JSON)
    assert r.status_code == 200 and r.json()["user"] == ALICE.email, (r.status_code, r.text[:300])
    # authz-pass-through: the file's /public/* lets Bob (bound to nothing) through; elsewhere RBAC still denies him
    # (403: docs/rbac.md, Go 401).
    bob = go_cookies_for(go_cookies, spec, "mgmt", BOB, cookie="_forward_auth_late")
    r = ask(client, swap, VARIANT_HOST, "/public/readme", cookie=bob.header(), accept=JSON)
    assert r.status_code == 200 and r.json()["user"] == BOB.email, (r.status_code, r.text[:300])
    r = ask(client, swap, VARIANT_HOST, "/private", cookie=bob.header(), accept=JSON)
    assert r.status_code == 403, (r.status_code, r.text[:300])


def test_go_s_lenient_env_values_start_the_pod(charts, swap, go_cookies, client):
    """LOG_LEVEL=verbose (chart value logLevel) is not a level: Go ignored the invalid env value and kept its
    default, warn; forward-auth starts, ignores it with a warning. ENABLE_IMPERSONATION=t (the chart's `env`, with
    enableImpersonation off so no flag is passed): Go's ParseBool reads t as true."""
    rendered = charts.mgmt(sets=["traefikForwardAuth.logLevel=verbose", "traefikForwardAuth.enableImpersonation=false"],
                           extra_values={"env": {"ENABLE_IMPERSONATION": "t"}})
    assert rendered.args == ["--enable-rbac"] and rendered.env_value("LOG_LEVEL") == "verbose"
    assert rendered.env_value("ENABLE_IMPERSONATION") == "t"
    spec = swap.spec("pod-lenient-env", rendered, VARIANT_HOST)
    swap.start_pod(spec)
    pod = swap.pods[-1]
    alice = go_cookies_for(go_cookies, spec, "mgmt")
    r = ask(client, swap, VARIANT_HOST, "/api/me", cookie=alice.header(), accept=JSON)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    alice_identity_seen(r.json(), swap)  # impersonation on: t is true
    log = pod.log(None)
    assert [w for w in warning_lines(log) if "verbose" in w], log[-2000:]
    # The level in force is the default, warn: nothing at info or debug.
    assert not log_lines(log, "info") and not log_lines(log, "debug"), log[-2000:]


def test_an_image_tag_below_3_passes_session_key_which_keys_the_go_cookies(charts, swap, go_cookies, client):
    """Chart 0.3.10 passes the session key as SESSION_KEY when image.tag is 3.0.0 or below; forward-auth takes
    it as the encryption key, so the Go sessions sealed with it still open."""
    rendered = charts.mgmt(sets=["image.tag=v2.9.0"])
    assert "SESSION_KEY" in rendered.env_names() and "ENCRYPTION_KEY" not in rendered.env_names()
    spec = swap.spec("pod-session-key", rendered, VARIANT_HOST)
    assert "SESSION_KEY" in spec.env and "ENCRYPTION_KEY" not in spec.env
    swap.start_pod(spec)
    alice = go_cookies_for(go_cookies, spec, "mgmt")  # sealed with the session key as ENCRYPTION_KEY
    r = ask(client, swap, VARIANT_HOST, "/api/me", cookie=alice.header(), accept=JSON)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    alice_identity_seen(r.json(), swap)


# ---- 5. network: the egress proxy and the dual-stack listener ---------------------------------------------------
PROXIED_PLUGIN = "oidcproxied"
PROXIED_NAME = "idp.swap.test"  # resolvable only inside tinyproxy's mount namespace


def test_the_provider_is_reached_through_http_proxy(charts, swap, browser, client, forward_auth_bin):
    """HTTP_PROXY/HTTPS_PROXY/NO_PROXY (the chart's `env`) for the calls to the provider, as Go's
    ProxyFromEnvironment: the issuer is named by a non-loopback name that only tinyproxy can resolve (a private
    /etc/hosts bind-mounted in its own mount namespace), so the pod can load discovery only through the proxy;
    the provider's endpoints on 127.0.0.1 are never proxied (loopback, as in Go)."""
    if "HTTP_PROXY" not in help_text(forward_auth_bin).upper():
        pytest.skip("this forward-auth binary does not read HTTP_PROXY/HTTPS_PROXY/NO_PROXY (--help names none): "
                    "docs/swap-guide.md 4 'Network'")
    why_not = namespaces_usable()
    if why_not:
        pytest.skip(f"cannot give tinyproxy a private /etc/hosts: {why_not}")
    provider = swap.stack.provider
    issuer = f"http://{PROXIED_NAME}:{provider.port}/api/{PROXIED_PLUGIN}"
    if provider.admin.get(f"{provider.base}/api/mod/plugin/{PROXIED_PLUGIN}", timeout=15).status_code != 200:
        provider.add_oidc_plugin(PROXIED_PLUGIN, iss=issuer)  # once per session
    proxy = swap.start_tinyproxy({PROXIED_NAME: LOOPBACK})
    try:
        rendered = charts.mgmt(extra_values={"env": {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url,
                                                     "NO_PROXY": "kubernetes.default.svc,.cluster.local"}})
        spec = swap.spec("pod-egress-proxy", rendered, VARIANT_HOST, provider_uri=issuer)
        swap.start_pod(spec)  # ready = discovery and JWKS loaded
        seen = proxy.requests_seen()
        # Discovery went through the proxy. Go sent an http URL to it in absolute form (GET http://…);
        # AsyncHTTPClient tunnels with CONNECT for http too (docs/swap-guide.md 4 "Network").
        assert (f"GET {issuer}/.well-known/openid-configuration" in seen
                or f"CONNECT {PROXIED_NAME}:{provider.port}" in seen), seen
        assert f"{LOOPBACK}:{provider.port}" not in seen, seen  # the JWKS on loopback: not proxied

        browser.get(swap.url(VARIANT_HOST, "/through-the-proxy"))
        browser.login_at_provider(swap.stack.provider_netloc, ALICE, expect_password=True)
        data = browser.wait_app(host=swap.netloc(VARIANT_HOST))
        assert data["path"] == "/through-the-proxy"
        alice_identity_seen(data, swap)
    finally:
        proxy.stop()


def ipv6_loopback_usable() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_the_default_listener_answers_on_ipv6_loopback(charts, swap, forward_auth_bin):
    """No listen address given (the chart gives none): Go listened on :4181, dual-stack. The pod answers the
    check on [::1] as well as on 127.0.0.1."""
    if "default 0.0.0.0" in help_text(forward_auth_bin):
        pytest.skip("this forward-auth binary's default listener is 0.0.0.0, IPv4 only: "
                    "docs/swap-guide.md 4 'Network'")
    if not ipv6_loopback_usable():
        pytest.skip("no IPv6 loopback on this machine")
    spec = swap.spec("pod-dual-stack", charts.mgmt(), VARIANT_HOST)
    i = spec.args.index("--listen-address")
    del spec.args[i:i + 2]  # only --port remains: the default address
    spec.args[spec.args.index("--port") + 1] = str(free_port())
    spec.port = int(spec.args[spec.args.index("--port") + 1])
    swap.start_pod(spec)
    direct = requests.Session()
    direct.trust_env = False  # no proxy from the environment
    for base in (f"http://[::1]:{spec.port}", f"http://{LOOPBACK}:{spec.port}"):
        r = direct.get(base + "/", headers={"Accept": JSON, "X-Forwarded-Method": "GET",
                                            "X-Forwarded-Proto": "http", "X-Forwarded-Host": VARIANT_HOST,
                                            "X-Forwarded-Uri": "/api"}, allow_redirects=False, timeout=5)
        assert r.status_code == 401, (base, r.status_code, r.text[:200])
