"""forward-auth behind Caddy's forward_auth (which behaves like Traefik's ForwardAuth), a real browser logging in at
the real provider. Each test starts from a browser with no cookies (the provider forgets the user too)."""
from __future__ import annotations

import re
import signal
import time
import urllib.parse

import pytest

from harness.identities import ALICE, BOB, CAROL
from harness.stack import APP1, APP2, FOREIGN, MIXUP, SHORT, SHORT_LIFETIME

SESSION_COOKIE = "_forward_auth"


def netloc(stack, host):
    return f"{host}:{stack.ports.caddy}"


def login(stack, browser, host, user=ALICE, path="/"):
    """Open a protected page, log in at the provider like a person, and return the app's view once back."""
    browser.get(stack.caddy_url(host, path))
    browser.login_at_provider(stack.provider_netloc, user, expect_password=True)
    return browser.wait_app(host=netloc(stack, host))


def at_provider(browser, stack) -> str:
    """Wait until the browser shows the provider's login page; return 'form' or 'continue'."""
    return browser.wait_provider(stack.provider_netloc)


def session_cookie(browser, host=None):
    found = [c for c in browser.cookies(SESSION_COOKIE)
             if host is None or c["domain"].lstrip(".") in (host, host.split(".", 1)[1])]
    assert found, f"no {SESSION_COOKIE} cookie in the browser; cookies: {[c['name'] for c in browser.cookies()]}"
    return found[0]


def flip(value: str) -> str:
    i = len(value) // 2
    return value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1:]


def test_probes(forward_auth, client):
    assert client.get(forward_auth.base + "/healthz").status_code == 200
    r = client.get(forward_auth.base + "/readyz?require=provider")
    assert r.status_code == 200 and r.json()["provider"]["ready"] is True, r.text


def test_login_through_caddy_lands_on_the_app_which_sees_the_email(rig, browser):
    data = login(rig, browser, APP1, path="/hello?x=1")
    assert data["user"] == ALICE.email
    assert data["path"] == "/hello" and data["query"] == "x=1", "the original URL must survive the login"
    cookie = session_cookie(browser)
    assert cookie["httpOnly"] is True
    assert cookie["domain"].lstrip(".") == "apps.localhost", cookie


def test_reload_keeps_the_session_without_the_provider(rig, browser):
    login(rig, browser, APP1)
    browser.navigations()
    rig.provider.proc.signal_group(signal.SIGSTOP)  # the provider cannot answer anything now
    try:
        browser.reload()
        data = browser.wait_app(host=netloc(rig, APP1), timeout=10)
        assert data["user"] == ALICE.email
    finally:
        rig.provider.proc.signal_group(signal.SIGCONT)
    assert_provider_not_visited(rig, browser)


def assert_provider_not_visited(rig, browser):
    """Since the last `browser.navigations()`, the browser never went to the identity provider."""
    visited = [u for u, _ in browser.navigations()]
    assert all(urllib.parse.urlsplit(u).netloc != rig.provider_netloc for u in visited), visited


def test_second_app_host_under_the_cookie_domain_passes_without_a_new_login(rig, browser):
    login(rig, browser, APP1)
    browser.navigations()
    browser.get(rig.caddy_url(APP2, "/other"))
    data = browser.wait_app(host=netloc(rig, APP2), timeout=10)
    assert data["user"] == ALICE.email and data["path"] == "/other"
    assert_provider_not_visited(rig, browser)


def test_logout_then_the_app_asks_for_login_again(rig, browser):
    login(rig, browser, APP1)
    browser.navigations()
    browser.get(rig.caddy_url(APP1, "/_oauth/logout"))
    browser.wait_until(lambda: browser.host == netloc(rig, APP1) and browser.text(), "the signed-out page")
    statuses = browser.navigations()
    assert browser.app_data() is None, "logout must not show the app"
    assert not browser.cookies(SESSION_COOKIE), browser.cookies(SESSION_COOKIE)
    assert statuses and statuses[-1][1] == 401, statuses
    browser.get(rig.caddy_url(APP1, "/again"))
    assert at_provider(browser, rig) in ("form", "continue")


def test_tampered_cookie_sends_the_browser_back_to_login(rig, browser):
    login(rig, browser, APP1)
    cookie = session_cookie(browser)
    browser.set_cookie(cookie, value=flip(cookie["value"]))
    assert session_cookie(browser)["value"] != cookie["value"]
    browser.get(rig.caddy_url(APP1, "/after-tamper"))
    assert at_provider(browser, rig) in ("form", "continue")


def test_expired_cookie_sends_the_browser_back_to_login(stack, app, caddy, provider, forward_auth_short, browser):
    """forward-auth "short" seals sessions that live a few seconds. The browser drops the cookie when it expires;
    putting the old value back (as a cookie without expiry) must not revive the session."""
    data = login(stack, browser, SHORT)
    assert data["user"] == ALICE.email
    cookie = session_cookie(browser, SHORT)
    time.sleep(SHORT_LIFETIME + 1.5)
    browser.set_cookie({**cookie, "session": True})
    assert browser.cookies(SESSION_COOKIE), "the expired value should be back in the browser"
    browser.get(stack.caddy_url(SHORT, "/later"))
    assert at_provider(browser, stack) in ("form", "continue")


def test_json_client_without_session_gets_401(rig, client):
    r = client.get(rig.caddy_url(APP1, "/api/things"), headers={"Accept": "application/json"},
                   allow_redirects=False)
    assert r.status_code == 401, (r.status_code, r.headers, r.text[:300])
    assert "Location" not in r.headers


def test_json_client_with_the_browser_session_gets_the_app_and_cannot_name_itself(rig, browser, client):
    login(rig, browser, APP1)
    cookie = session_cookie(browser)
    client.cookies.set(cookie["name"], cookie["value"], domain=APP1, path="/")
    r = client.get(rig.caddy_url(APP1, "/api/me"),
                   headers={"Accept": "application/json", "X-Forwarded-User": "mallory@example.com"},
                   allow_redirects=False)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert r.json()["user"] == ALICE.email
    assert r.json()["identity"]["X-Forwarded-User"] == [ALICE.email]


def test_login_whose_id_token_names_another_issuer_is_refused_with_a_readable_page(
        stack, app, caddy, provider, forward_auth_mixup, browser):
    """forward-auth "mixup" trusts an issuer whose discovery document points at the second provider's endpoints:
    the ID token it gets is validly signed but names the second provider as issuer."""
    log_before = len(forward_auth_mixup.log(None))
    browser.get(stack.caddy_url(MIXUP, "/"))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    browser.wait_until(lambda: browser.host == netloc(stack, MIXUP) and browser.text(), "forward-auth's answer")
    statuses = browser.navigations()
    assert browser.app_data() is None, "the app must not be reached"
    assert urllib.parse.urlsplit(browser.url).path == "/_oauth", browser.url
    assert not browser.cookies(SESSION_COOKIE), browser.cookies(SESSION_COOKIE)
    assert statuses[-1][1] in (401, 403), statuses
    text = browser.text()
    assert len(text) >= 20 and not text.lstrip().startswith("{"), f"not a readable page: {text[:300]!r}"
    refusal_log = forward_auth_mixup.log(None)[log_before:]
    assert re.search(r"\biss(uer)?\b", refusal_log, re.IGNORECASE), f"the refusal should name the issuer: {refusal_log}"


def test_unverified_email_is_refused(rig, browser):
    browser.get(rig.caddy_url(APP1, "/"))
    browser.login_at_provider(rig.provider_netloc, CAROL)
    browser.wait_until(lambda: browser.host == netloc(rig, APP1) and browser.text(), "forward-auth's answer")
    statuses = browser.navigations()
    assert browser.app_data() is None, "the app must not be reached"
    assert not browser.cookies(SESSION_COOKIE)
    assert statuses[-1][1] in (401, 403), statuses


def test_another_user_gets_their_own_identity(rig, browser):
    data = login(rig, browser, APP2, user=BOB)
    assert data["user"] == BOB.email


@pytest.mark.parametrize("foreign", ["http://{foreign}/steal", "//{foreign}/steal"])
def test_return_url_on_a_foreign_host_is_not_followed(rig, browser, foreign):
    rd = foreign.format(foreign=f"{FOREIGN}:{rig.ports.caddy}")
    browser.get(rig.caddy_url(APP1, "/_oauth/start?" + urllib.parse.urlencode({"rd": rd})))
    browser.login_at_provider(rig.provider_netloc, ALICE)
    browser.wait_until(lambda: browser.text(), "the page after the callback")
    time.sleep(0.5)  # let any further redirect happen
    visited = [u for u, _ in browser.navigations()]
    assert browser.host != f"{FOREIGN}:{rig.ports.caddy}", visited
    assert all(urllib.parse.urlsplit(u).hostname != FOREIGN for u in visited), visited
    # Logged in all the same, on a host this deployment protects.
    assert browser.host == netloc(rig, APP1), browser.url
    assert session_cookie(browser)
