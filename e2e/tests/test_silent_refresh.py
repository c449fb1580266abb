"""Silent refresh (issue 19 part 2, docs/multi-cluster.md "Silent refresh") with a real Chromium, a real Caddy and
forward-auth started with `--refresh-sessions --refresh-interval 10` against a provider that refreshes by Dex's
rules (harness/dexlike.py): rotation with no reuse window, 400 for a claimed token, 500 for a removed user and for
the loser of a race inside Dex's storage update.

The rig (harness/refresh.py) gives each scenario its own host, provider and forward-auth instance, so the module
logs every scenario in first (each in a tab of its own, the password typed into the provider's form) and the tests
then wait for their sessions' soft ends together: the first waits about ten seconds, the others hardly at all.
forward-auth's clock is the real one (its soft end cannot be moved from outside); the minute a refresh waits after
an outage is fixed in forward-auth, so the outage test checks the marker's retry time and then moves that time into
the past in the browser's cookie (the marker is not sealed: it grants nothing, it only holds refreshes back).
"""
from __future__ import annotations

import time
import urllib.parse

import pytest

from harness import localclient
from harness.browser import Browser
from harness.dexlike import login as dex_login
from harness.refresh import (REFRESH_INTERVAL, REFRESH_PATH, RETRY_DELAY, RefreshRig, at_login_page, login,
                             marker_of, parse_marker, refresh_hops, session_of, wait_until_time)
from harness.reporting import logs_when_failed

# The order the sessions are started in, which is the order the tests use them in.
SCENARIOS = {
    "silent": {},
    # Dex runs the connector's refresh inside the token's storage update: a second refresh that read the token
    # before the first rotated it gets 500 there. A slow connector makes two tabs' refreshes overlap.
    "race": {"provider": {"connector_delay": 1.5}},
    "removed": {},
    "outage": {},
    "connector": {},
    "userinfo": {"provider": {"omit_refresh_id_token": True}},
    "devices": {},
    # Dave's hundreds of groups overflow into the claims cookies; /admin needs the group ops.
    "groups": {"user": "dave", "args": ["--rule.admin.action=auth", "--rule.admin.rule=PathPrefix(`/admin`)",
                                        "--rule.admin.groups=ops"]},
}


@pytest.fixture(scope="module")
def rig(stack, forward_auth_bin, run_dir):
    r = RefreshRig(run_dir, stack.log_dir, forward_auth_bin, SCENARIOS)
    try:
        yield r.start()
    finally:
        r.stop()


@pytest.fixture(scope="module")
def tabs(rig, run_dir):
    """The browser, with every scenario's session started, each in a tab of its own left on its app page.
    The silent scenario's tab also loads a page right after its login (before the soft end)."""
    b = Browser(run_dir / "browser-refresh")
    try:
        b.reset()
        first = True
        for s in rig.scenarios.values():
            if not first:
                b.driver.switch_to.new_window("tab")
            first = False
            s.tab = b.driver.current_window_handle
            data = login(b, s)
            s.logged_in_at = time.time()
            assert data["user"] == s.user.email, data
            if s.name == "silent":
                b.navigations()
                b.get(s.url("/before-soft-end"))
                s.before = {"data": b.wait_app(host=s.netloc), "navigations": b.navigations(),
                            "refreshes": s.refreshes(), "at": time.time()}
        yield b
    finally:
        b.quit()


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    yield
    logs_when_failed(request, "rig", lambda rig: rig.logs(60))


def on_tab(browser, s) -> None:
    browser.driver.switch_to.window(s.tab)
    browser.navigations()
    browser.requests()


def fetch(browser, path: str, method: str = "GET", accept: str = "application/json", xhr: bool = False) -> dict:
    """A fetch (or XMLHttpRequest) from the page; its status, whether it was redirected, its final URL and body."""
    script = """
const [path, method, accept, xhr, done] = arguments;
if (xhr) {
  const r = new XMLHttpRequest();
  r.open(method, path);
  r.setRequestHeader('Accept', accept);
  r.onload = () => done({status: r.status, url: r.responseURL, body: r.responseText});
  r.onerror = () => done({error: 'xhr failed'});
  r.send(method === 'POST' ? 'a=1' : null);
} else {
  fetch(path, {method, headers: {'Accept': accept}, body: method === 'POST' ? 'a=1' : undefined})
    .then(async r => done({status: r.status, redirected: r.redirected, url: r.url, body: await r.text()}))
    .catch(e => done({error: String(e)}));
}
"""
    return browser.driver.execute_async_script(script, path, method, accept, xhr)


def page(url: str, status: int = 200) -> tuple[str, int]:
    return url, status


def wait_soft_end(s) -> None:
    wait_until_time(s.soft_end)


# ---- 1. a refresh past the soft end --------------------------------------------------------------------------
def test_a_navigation_past_the_soft_end_renews_the_session_with_no_login_page(rig, tabs):
    s = rig.scenarios["silent"]
    browser = tabs
    # Right after the login: a page loads straight, nothing asked of the provider.
    assert s.before["data"]["user"] == s.user.email
    assert s.before["navigations"] == [page(s.url("/before-soft-end"))], s.before["navigations"]
    assert s.before["refreshes"] == []
    assert (s.dex.login_pages_shown, s.dex.passwords_checked, s.dex.count("authorize")) == (1, 1, 1)

    on_tab(browser, s)
    wait_soft_end(s)
    old = session_of(browser, s)
    assert old
    # Past the soft end, what the page itself asks (a single-page app's XHR and fetch, GET and POST) passes:
    # no redirect, nothing asked of the provider.
    for method, xhr, accept in (("GET", False, "application/json"), ("POST", False, "application/json"),
                                ("GET", True, "application/json"), ("POST", True, "*/*"),
                                ("GET", False, "text/html")):
        got = fetch(browser, f"/api/items?via={'xhr' if xhr else 'fetch'}", method, accept, xhr)
        assert got.get("status") == 200 and not got.get("redirected") and \
            urllib.parse.urlsplit(got["url"]).path == "/api/items", (method, xhr, accept, got)
        if accept == "application/json":
            assert '"user": "%s"' % s.user.email in got["body"], got["body"][:300]
    sent = [r["url"] for r in browser.requests()]
    assert not [u for u in sent if REFRESH_PATH in u], sent
    assert s.refreshes() == []

    # The same cookie from a client without Sec-Fetch-Mode: Accept text/html is a navigation, anything else passes.
    client = localclient.session()
    jar = {"_forward_auth": old}
    r = client.get(s.url("/raw"), cookies=jar, headers={"Accept": "text/html,application/xhtml+xml"},
                   allow_redirects=False)
    assert r.status_code == 302, r.status_code
    assert r.headers["Location"] == s.url(REFRESH_PATH + "?rd=" + urllib.parse.quote(s.url("/raw"), safe="")), \
        r.headers["Location"]
    assert client.get(s.url("/raw"), cookies=jar, headers={"Accept": "application/json"},
                      allow_redirects=False).status_code == 200
    posted = client.post(s.url("/raw"), cookies=jar, data={"a": "1"},
                         headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}, allow_redirects=False)
    assert posted.status_code == 200, "a form POST passes to the hard end"
    assert s.refreshes() == []

    # A page load: through <url-path>/refresh and back, with no provider page and no password.
    browser.get(s.url("/after-soft-end?x=1"))
    data = browser.wait_app(host=s.netloc)
    assert data["user"] == s.user.email and data["path"] == "/after-soft-end", data
    navs = browser.navigations()
    hops = refresh_hops(navs)
    assert navs[0] == page(s.url("/after-soft-end?x=1"), 302), navs
    assert len(hops) == 1 and hops[0][1] == 302, navs
    assert navs[-1] == page(s.url("/after-soft-end?x=1")), navs
    assert not [u for u, _ in navs if urllib.parse.urlsplit(u).netloc == s.dex_netloc], navs
    assert s.refreshes() == [(200, None)]
    assert (s.dex.login_pages_shown, s.dex.passwords_checked, s.dex.count("authorize")) == (1, 1, 1)
    new = session_of(browser, s)
    assert new and new != old, "the renewed session cookie"
    assert marker_of(browser, s) is None
    counts = rig.refresh_counts("silent")
    assert counts["refreshed"] == 1 and sum(counts.values()) == 1, counts

    # The renewed session has a new soft end: the next page loads straight.
    browser.get(s.url("/next"))
    browser.wait_app(host=s.netloc)
    assert browser.navigations() == [page(s.url("/next"))]
    assert s.refreshes() == [(200, None)]


# ---- 2. two tabs at once ---------------------------------------------------------------------------------------
def test_two_tabs_refreshing_at_once_one_wins_at_the_provider_and_both_keep_working(rig, tabs):
    s = rig.scenarios["race"]
    browser = tabs
    driver = browser.driver
    on_tab(browser, s)
    wait_soft_end(s)
    old = session_of(browser, s)
    known = set(driver.window_handles)
    # Two pages opened by one script: both navigations leave the browser at once, each with the old cookie.
    driver.execute_script("window.open(arguments[0], 'race-a'); window.open(arguments[1], 'race-b');",
                          s.url("/tab-a"), s.url("/tab-b"))
    new_tabs = [h for h in driver.window_handles if h not in known]
    assert len(new_tabs) == 2, driver.window_handles
    try:
        paths = set()
        for h in new_tabs:
            driver.switch_to.window(h)
            data = browser.wait_app(host=s.netloc)
            assert data["user"] == s.user.email, data
            paths.add(data["path"])
        assert paths == {"/tab-a", "/tab-b"}
        answers = s.refreshes()
        statuses = [status for status, _ in answers]
        # Exactly one refresh won; the other read the token before the winner rotated it, lost inside Dex's update
        # (500: the two really overlapped), was asked once more (400: claimed) and stopped.
        assert statuses.count(200) == 1, answers
        assert sorted(statuses) == [200, 400, 500], answers
        counts = rig.refresh_counts("race")
        assert (counts["refreshed"], counts["refused"], counts["ended"]) == (1, 1, 0), counts
        assert (s.dex.login_pages_shown, s.dex.passwords_checked) == (1, 1), "no login page, no password"
        new = session_of(browser, s)
        assert new and new != old, "the winner's cookie is the browser's"
        mark = marker_of(browser, s)
        assert mark is not None and parse_marker(mark["value"])[1] == 0, mark

        # No loop: every tab loads pages straight, on the winner's session, and the provider hears nothing more.
        browser.navigations()
        for h, path in zip(new_tabs + [s.tab], ("/again-a", "/again-b", "/again-main")):
            driver.switch_to.window(h)
            browser.get(s.url(path))
            assert browser.wait_app(host=s.netloc)["user"] == s.user.email
        navs = browser.navigations()
        assert refresh_hops(navs) == [], navs
        assert [st for _, st in navs] == [200, 200, 200], navs
        time.sleep(0.5)
        assert s.refreshes() == answers
        assert session_of(browser, s) == new
    finally:
        for h in new_tabs:
            if h in driver.window_handles:
                driver.switch_to.window(h)
                driver.close()
        driver.switch_to.window(s.tab)


# ---- 3. a user removed at the provider -------------------------------------------------------------------------
def test_a_user_removed_at_the_provider_loses_access_at_the_first_navigation_past_the_soft_end(rig, tabs):
    s = rig.scenarios["removed"]
    browser = tabs
    on_tab(browser, s)
    s.dex.remove_user(s.user.username)
    removed_at = time.time()
    wait_soft_end(s)
    # What the open page asks still passes (to the hard end: a single-page app's XHR never goes to refresh).
    assert fetch(browser, "/api/still").get("status") == 200
    assert s.refreshes() == []

    browser.get(s.url("/after-removal"))
    browser.wait_until(lambda: at_login_page(browser, s), "the provider's login page")
    navs = browser.navigations()
    assert navs[0] == page(s.url("/after-removal"), 302), navs
    assert len(refresh_hops(navs)) == 1, navs
    # Dex answers a removed user's refresh 500; forward-auth asks once more (a lost race turns 400 then) and ends it.
    assert s.refreshes() == [(500, "invalid_request"), (500, "invalid_request")]
    assert session_of(browser, s) is None, "the session cookie is cleared"
    counts = rig.refresh_counts("removed")
    assert counts["ended"] == 1 and sum(counts.values()) == 1, counts
    assert s.dex.login_pages_shown == 2
    assert time.time() - removed_at < REFRESH_INTERVAL + 5, "access ended within one interval of the removal"
    # Without a session the page's own requests stop passing too.
    browser.get(s.url("/"))  # the app host again: to the provider, not the app
    browser.wait_until(lambda: at_login_page(browser, s), "the provider's login page")


# ---- 4. a provider outage --------------------------------------------------------------------------------------
def _move_marker_into_the_past(browser, s) -> None:
    """What a minute's wait does to the marker: forward-auth's retry delay is fixed (RETRY_DELAY)."""
    mark = marker_of(browser, s)
    session_id, _ = parse_marker(mark["value"])
    browser.set_cookie(mark, value=f"{session_id}.{int(time.time()) - 1}")


def test_a_provider_outage_keeps_the_session_and_a_later_navigation_refreshes(rig, tabs):
    """Dex's token endpoint answering 503, dropping the connection, then not answering at all: each time the page
    loads on the session it has and a marker holds refreshes back a minute; after the outage a page load renews."""
    s = rig.scenarios["outage"]
    browser = tabs
    on_tab(browser, s)
    wait_soft_end(s)
    old = session_of(browser, s)

    # 503 from the token endpoint: the page loads; the session stays; a marker holds refreshes back a minute.
    s.dex.set_outage(503)
    t0 = int(time.time())
    browser.get(s.url("/during-503"))
    assert browser.wait_app(host=s.netloc)["user"] == s.user.email
    t1 = int(time.time())
    navs = browser.navigations()
    assert len(refresh_hops(navs)) == 1 and navs[-1] == page(s.url("/during-503")), navs
    assert s.dex.count("outage", endpoint="token", mode=503) == 1
    assert session_of(browser, s) == old
    mark = marker_of(browser, s)
    assert mark is not None
    _, retry_at = parse_marker(mark["value"])
    assert t0 + RETRY_DELAY <= retry_at <= t1 + RETRY_DELAY, (t0, retry_at, t1)
    # Held back: the next pages load straight, the provider is not asked.
    browser.get(s.url("/held-back"))
    browser.wait_app(host=s.netloc)
    assert browser.navigations() == [page(s.url("/held-back"))]
    assert s.dex.count("outage") == 1

    # The connection dropped without an answer: the same.
    _move_marker_into_the_past(browser, s)
    s.dex.set_outage("drop")
    t0 = int(time.time())
    browser.get(s.url("/during-drop"))
    assert browser.wait_app(host=s.netloc)["user"] == s.user.email
    t1 = int(time.time())
    assert len(refresh_hops(browser.navigations())) == 1
    assert s.dex.count("outage", endpoint="token", mode="drop") >= 1
    assert session_of(browser, s) == old
    _, retry_at = parse_marker(marker_of(browser, s)["value"])
    assert t0 + RETRY_DELAY <= retry_at <= t1 + RETRY_DELAY, (t0, retry_at, t1)
    assert s.refreshes() == [], "no refresh answered during the outage"

    # No answer at all: forward-auth gives up on the token endpoint after 10 s; the page loads then, session kept.
    _move_marker_into_the_past(browser, s)
    s.dex.set_outage("hang")
    started = time.monotonic()
    browser.get(s.url("/during-hang"))
    assert browser.wait_app(host=s.netloc)["user"] == s.user.email
    took = time.monotonic() - started
    assert 9 <= took < 16, took
    assert len(refresh_hops(browser.navigations())) == 1
    assert s.dex.count("outage", endpoint="token", mode="hang") == 1
    assert session_of(browser, s) == old
    assert parse_marker(marker_of(browser, s)["value"])[1] > time.time() + RETRY_DELAY - 15

    # The outage is over; past the retry time a navigation refreshes and clears the marker.
    s.dex.set_outage(None)
    _move_marker_into_the_past(browser, s)
    browser.get(s.url("/after-outage"))
    assert browser.wait_app(host=s.netloc)["user"] == s.user.email
    assert len(refresh_hops(browser.navigations())) == 1
    assert s.refreshes() == [(200, None)]
    new = session_of(browser, s)
    assert new and new != old
    assert marker_of(browser, s) is None, "the marker is cleared with the renewal"
    counts = rig.refresh_counts("outage")
    assert (counts["unavailable"], counts["refreshed"], counts["ended"]) == (3, 1, 0), counts
    assert (s.dex.login_pages_shown, s.dex.passwords_checked) == (1, 1)


# ---- 5. a refresh answered without an ID token (glewlwyd's way) ------------------------------------------------
def test_a_refresh_without_an_id_token_is_renewed_on_userinfos_subject(rig, tabs):
    s = rig.scenarios["userinfo"]
    browser = tabs
    on_tab(browser, s)
    wait_soft_end(s)
    old = session_of(browser, s)
    userinfo_before = s.dex.count("userinfo")
    browser.get(s.url("/after-soft-end"))
    data = browser.wait_app(host=s.netloc)
    assert data["user"] == s.user.email, data
    assert len(refresh_hops(browser.navigations())) == 1
    assert s.refreshes() == [(200, None)]
    assert s.dex.count("token", grant_type="refresh_token", status=200, id_token=False) == 1, \
        "the provider answered without an ID token"
    assert s.dex.count("userinfo", status=200, sub=s.user.sub) == userinfo_before + 1, \
        "forward-auth compared userinfo's sub"
    new = session_of(browser, s)
    assert new and new != old
    counts = rig.refresh_counts("userinfo")
    assert counts["refreshed"] == 1 and sum(counts.values()) == 1, counts
    assert (s.dex.login_pages_shown, s.dex.passwords_checked) == (1, 1)


# ---- 6. a connector outage at Dex ------------------------------------------------------------------------------
def test_a_connector_outage_at_dex_ends_a_refreshing_session(rig, tabs):
    """Dex answers a connector whose refresh fails (LDAP down, an upstream IdP unreachable) with the bytes it
    answers a removed user with (500 invalid_request): forward-auth cannot tell them apart and ends the session at
    the next navigation past the soft end (docs/multi-cluster.md says so). An outage of Dex itself (a 503, a
    dropped connection) keeps it: test_a_provider_outage_keeps_the_session_and_a_later_navigation_refreshes."""
    s = rig.scenarios["connector"]
    browser = tabs
    on_tab(browser, s)
    wait_soft_end(s)
    s.dex.connector_down = True
    browser.get(s.url("/during-connector-outage"))
    browser.wait_until(lambda: at_login_page(browser, s), "the provider's login page")
    assert s.refreshes() == [(500, "invalid_request"), (500, "invalid_request")]
    assert session_of(browser, s) is None
    counts = rig.refresh_counts("connector")
    assert counts["ended"] == 1 and sum(counts.values()) == 1, counts


# ---- 7. groups changed at the provider -------------------------------------------------------------------------
def claims_cookies(browser, s) -> dict[str, str]:
    return {c["name"]: c["value"] for c in browser.cookies()
            if c["domain"].lstrip(".") == s.host and c["name"].startswith("_forward_auth_claims")}


def test_groups_changed_at_the_provider_apply_from_the_refresh(rig, tabs):
    """Dex reads the user's groups again on a refresh: a group taken away at the provider stops opening the pages
    it opened from the first navigation past the soft end (until then the session's groups stand). Dave's
    hundreds of groups live in the claims cookies, which the renewal rewrites."""
    s = rig.scenarios["groups"]
    browser = tabs
    on_tab(browser, s)
    assert len(claims_cookies(browser, s)) >= 1, "Dave's groups overflow into the claims cookies"
    wait_soft_end(s)
    assert fetch(browser, "/admin/api").get("status") == 200, "ops may"
    s.dex.set_groups(s.user.username, ["devs"])
    assert fetch(browser, "/admin/api").get("status") == 200, "the session's groups stand until the refresh"
    assert s.refreshes() == []

    browser.navigations()
    browser.get(s.url("/admin/page"))
    navs = browser.navigations()
    assert len(refresh_hops(navs)) == 1, navs
    assert navs[-1] == page(s.url("/admin/page"), 403), navs
    assert s.refreshes() == [(200, None)]
    assert claims_cookies(browser, s) == {}, "the claims cookies of the old groups are gone"
    browser.get(s.url("/elsewhere"))
    assert browser.wait_app(host=s.netloc)["user"] == s.user.email
    assert fetch(browser, "/admin/api").get("status") == 403
    assert (s.dex.login_pages_shown, s.dex.passwords_checked) == (1, 1)


# ---- 8. a second device on the same Dex client -------------------------------------------------------------------
def test_a_second_devices_login_stops_the_first_devices_refresh_and_it_lasts_to_its_hard_end(rig, tabs):
    """Dex keeps one refresh token per user and client: another device's login deletes this browser's. Its next
    refresh gets 400; the session is kept (to `lifetime`), a marker stops further tries, no login page."""
    s = rig.scenarios["devices"]
    browser = tabs
    on_tab(browser, s)
    other = dex_login(s.dex, s.dex.clients["forward-auth"], ["openid", "email", "profile", "groups", "offline_access"],
                      user=s.user)
    assert other.status == 200 and "refresh_token" in other.tokens, other.tokens
    assert s.dex.count("refresh_token_deleted") == 1, "the browser's refresh token is gone at the provider"
    wait_soft_end(s)
    old = session_of(browser, s)
    pages = s.dex.login_pages_shown
    browser.get(s.url("/after-other-login"))
    assert browser.wait_app(host=s.netloc)["user"] == s.user.email
    assert len(refresh_hops(browser.navigations())) == 1
    assert s.refreshes() == [(400, "invalid_request")]
    assert session_of(browser, s) == old, "the session is kept"
    mark = marker_of(browser, s)
    assert mark is not None and parse_marker(mark["value"])[1] == 0, mark
    assert s.dex.login_pages_shown == pages
    browser.get(s.url("/later"))
    browser.wait_app(host=s.netloc)
    assert browser.navigations() == [page(s.url("/later"))], "no further tries"
    assert s.refreshes() == [(400, "invalid_request")]
    counts = rig.refresh_counts("devices")
    assert counts["refused"] == 1 and sum(counts.values()) == 1, counts
