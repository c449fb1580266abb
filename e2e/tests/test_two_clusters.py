"""Browser single sign-on across clusters (issue 4): one OIDC provider with a session of its own (glewlwyd, standing
in for the UI cluster's Dex), several forward-auth instances each standing for one cluster, a real Chromium.

  (a) one parent domain, one shared key: a login on the UI cluster covers the attached cluster with no provider
      round trip at all;
  (b) two domains, a key each: the attached cluster goes through the provider, whose session makes it a
      "Continue" click; the password is typed once and both upstreams see the same email;
  (c) an ID token of another issuer is refused by both clusters (at login, and as a Bearer token);
  (d) logout on one cluster: under one parent domain it signs the browser out of both; on two domains the other
      cluster's session stays, and the next login there is password-free while the provider session lives
      (forward-auth clears only its own cookies and does not end the provider's session);
  (e) two instances on one host with their own cookie names and callback path keep separate sessions;
  (f) one instance with an auth host and two cookie domains returns each login to the page where it started.

Every scenario starts its own forward-auth instances and Caddy (harness/clusters.py) and stops them at its end.
"""
from __future__ import annotations

import secrets
import urllib.parse

import pytest

from harness import identities
from harness.clusters import (A_APP, A_APPS_DOMAIN, A_AUTH, A_TOOL, A_TOOLS_DOMAIN, ATTACHED_DOMAIN, ATTACHED_SITE,
                              C1_APP, DEFAULT_HTTP_PORT, KOMMANDER_COOKIES, KOMMANDER_PREFIX, KOMMANDER_URL_PATH,
                              ONE_HOST, PARENT, UI_APP, UI_DOMAIN, UI_SITE, Clusters, LogMark, ProviderLog, Site,
                              id_token_from_provider, jwt_claims, password_submissions, port_is_free,
                              provider_requests, resign)
from harness.identities import ALICE
from harness.reporting import call_failed

SESSION = "_forward_auth"
NAME = "_forward_auth_name"


@pytest.fixture
def clusters(request, stack, provider, app, forward_auth_bin):
    """This scenario's forward-auth instances and Caddy; all stopped when the test ends, failed or not."""
    yield from running_clusters(request, Clusters(stack, request.node.name))


def new_key() -> str:
    return secrets.token_urlsafe(32)


def cookies_named(browser, name):
    return [c for c in browser.cookies() if c["name"] == name]


def cookie_on(browser, name, domain):
    """The cookie `name` whose Domain is `domain` (a domain cookie, shown by Chromium with a leading dot)."""
    found = [c for c in cookies_named(browser, name) if c["domain"] == "." + domain]
    assert len(found) == 1, f"want one {name} on .{domain}; have {[(c['name'], c['domain']) for c in browser.cookies()]}"
    return found[0]


def only_the_app_was_visited(browser, clusters, host, stack):
    """Since the last reads: the browser sent nothing at all to the provider, and the only document it loaded
    was the app page on `host`, answered 200 with no redirect on the way."""
    sent = browser.requests()
    assert provider_requests(sent, stack.provider_netloc) == [], provider_requests(sent, stack.provider_netloc)
    navs = browser.navigations()
    assert [(urllib.parse.urlsplit(u).netloc, s) for u, s in navs] == [(clusters.netloc(host), 200)], navs


def login_with_password(browser, clusters, stack, host, path):
    browser.get(clusters.url(host, path))
    assert browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=True) == "form"
    return browser.wait_app(host=clusters.netloc(host))


def login_with_continue_only(browser, clusters, stack, host, path):
    browser.get(clusters.url(host, path))
    assert browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=False) == "continue"
    return browser.wait_app(host=clusters.netloc(host))


def signed_out_page(browser, clusters, host, url_path="/_oauth"):
    browser.get(clusters.url(host, f"{url_path}/logout"))
    browser.wait_until(lambda: browser.host == clusters.netloc(host) and browser.text(), "the signed-out page")
    navs = browser.navigations()
    assert browser.app_data() is None, "logout must not show the app"
    assert navs and navs[-1][1] == 401, navs


# ---- (a) one parent domain ----------------------------------------------------------------------------------------
def parent_domain_pair(clusters, tag):
    """Both clusters: cookie domain example.localhost and the same key (the chart's `existingSecret` copied to
    each cluster); each app host receives its own callbacks."""
    shared = new_key()
    ui = clusters.start_forward_auth(f"{tag}-ui", secret=shared, cookie_domain=PARENT)
    c1 = clusters.start_forward_auth(f"{tag}-c1", secret=shared, cookie_domain=PARENT)
    clusters.start_caddy([Site(UI_APP, ui.port), Site(C1_APP, c1.port)])
    return ui, c1


def test_parent_domain_one_login_covers_the_attached_cluster_without_the_provider(clusters, stack, browser):
    ui, c1 = parent_domain_pair(clusters, "a")
    seen = ProviderLog(stack.provider)
    c1_log = LogMark(c1)

    data = login_with_password(browser, clusters, stack, UI_APP, "/dashboard?tab=1")
    assert data["user"] == ALICE.email and data["path"] == "/dashboard" and data["query"] == "tab=1"
    navs = [u for u, _ in browser.navigations()]
    assert any(u.startswith(clusters.url(UI_APP, "/_oauth?")) for u in navs), navs
    cookie = cookie_on(browser, SESSION, PARENT)
    assert cookie["httpOnly"] is True
    assert len(cookies_named(browser, SESSION)) == 1, browser.cookies()
    browser.requests()  # forget the login's own requests

    browser.get(clusters.url(C1_APP, "/workloads"))
    data = browser.wait_app(host=clusters.netloc(C1_APP), timeout=10)
    assert data["user"] == ALICE.email and data["path"] == "/workloads"
    assert data["identity"]["X-Forwarded-User"] == [ALICE.email]
    only_the_app_was_visited(browser, clusters, C1_APP, stack)
    # The attached cluster never logged anyone in; the provider issued one ID token and checked one password.
    assert c1_log.messages("login") == [], c1_log.records()
    assert seen.id_tokens() == 1, seen.text()
    assert seen.password_logins(ALICE) == 1, seen.text()


# ---- (d) on one parent domain ---------------------------------------------------------------------------------
def test_parent_domain_logout_on_one_cluster_signs_out_of_both(clusters, stack, browser):
    ui, c1 = parent_domain_pair(clusters, "d-parent")
    login_with_password(browser, clusters, stack, UI_APP, "/")
    browser.get(clusters.url(C1_APP, "/"))
    assert browser.wait_app(host=clusters.netloc(C1_APP), timeout=10)["user"] == ALICE.email
    browser.navigations()
    browser.requests()

    c1_log = LogMark(c1)
    signed_out_page(browser, clusters, C1_APP)
    assert [r.get("user") for r in c1_log.messages("logout")] == [ALICE.email]
    # The one shared cookie is gone: neither cluster has a session now.
    assert cookies_named(browser, SESSION) == [] and cookies_named(browser, NAME) == [], browser.cookies()
    for host in (UI_APP, C1_APP):
        browser.get(clusters.url(host, "/after-logout"))
        # Sent to the provider again; the provider's own session was not ended, so it asks for no password.
        assert browser.wait_provider(stack.provider_netloc) == "continue"
    assert password_submissions(browser.requests(), stack.provider_netloc) == []
    browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=False)
    data = browser.wait_app(host=clusters.netloc(C1_APP))
    assert data["user"] == ALICE.email and data["path"] == "/after-logout"


# ---- (b) two domains --------------------------------------------------------------------------------------------
def two_domain_pair(clusters, tag, provider_uri=None):
    """The UI cluster on *.ui.localhost and an attached cluster on *.attached.localhost: a key each."""
    ui = clusters.start_forward_auth(f"{tag}-ui", secret=new_key(), cookie_domain=UI_DOMAIN,
                                     provider_uri=provider_uri)
    at = clusters.start_forward_auth(f"{tag}-attached", secret=new_key(), cookie_domain=ATTACHED_DOMAIN,
                                     provider_uri=provider_uri)
    clusters.start_caddy([Site(UI_SITE, ui.port), Site(ATTACHED_SITE, at.port)])
    return ui, at


def test_two_domains_password_typed_once_and_both_upstreams_see_the_same_email(clusters, stack, browser, client):
    ui, at = two_domain_pair(clusters, "b")
    seen = ProviderLog(stack.provider)

    ui_data = login_with_password(browser, clusters, stack, UI_SITE, "/ui-page")
    at_data = login_with_continue_only(browser, clusters, stack, ATTACHED_SITE, "/attached-page")
    assert ui_data["identity"]["X-Forwarded-User"] == at_data["identity"]["X-Forwarded-User"] == [ALICE.email]
    assert (ui_data["path"], at_data["path"]) == ("/ui-page", "/attached-page")

    typed = password_submissions(browser.requests(), stack.provider_netloc)
    assert len(typed) == 1, typed
    assert seen.password_logins(ALICE) == 1, seen.text()
    assert seen.id_tokens() == 2, seen.text()  # the attached cluster did go through the provider
    ui_cookie, at_cookie = cookie_on(browser, SESSION, UI_DOMAIN), cookie_on(browser, SESSION, ATTACHED_DOMAIN)
    assert ui_cookie["value"] != at_cookie["value"]
    # Different keys: the UI cluster's session cookie, carried to the attached cluster, is not accepted there.
    r = client.get(clusters.url(ATTACHED_SITE, "/api"), headers={"Accept": "application/json"},
                   cookies={SESSION: ui_cookie["value"]}, allow_redirects=False)
    assert r.status_code == 401, (r.status_code, r.text[:300])


# ---- (d) on two domains -----------------------------------------------------------------------------------------
def test_two_domains_logout_on_one_leaves_the_other_signed_in(clusters, stack, browser):
    ui, at = two_domain_pair(clusters, "d-domains")
    login_with_password(browser, clusters, stack, UI_SITE, "/")
    login_with_continue_only(browser, clusters, stack, ATTACHED_SITE, "/")
    at_cookie = cookie_on(browser, SESSION, ATTACHED_DOMAIN)
    browser.navigations()
    browser.requests()

    signed_out_page(browser, clusters, UI_SITE)
    assert [c for c in cookies_named(browser, SESSION) if c["domain"].lstrip(".").endswith(UI_DOMAIN)] == []
    assert cookie_on(browser, SESSION, ATTACHED_DOMAIN)["value"] == at_cookie["value"]
    browser.requests()
    # The attached cluster's session is untouched: its app loads with no provider round trip.
    browser.get(clusters.url(ATTACHED_SITE, "/still-signed-in"))
    assert browser.wait_app(host=clusters.netloc(ATTACHED_SITE), timeout=10)["user"] == ALICE.email
    only_the_app_was_visited(browser, clusters, ATTACHED_SITE, stack)
    # Back on the UI cluster: through the provider, whose session still lives, so no password.
    data = login_with_continue_only(browser, clusters, stack, UI_SITE, "/again")
    assert data["user"] == ALICE.email and data["path"] == "/again"
    assert password_submissions(browser.requests(), stack.provider_netloc) == []


# ---- (c) another issuer -----------------------------------------------------------------------------------------
def test_login_whose_id_token_names_another_issuer_is_refused_on_both_clusters(clusters, stack, browser):
    """The rig's "mixup" arrangement for both clusters: each trusts an issuer whose discovery document lists the
    second provider's endpoints and keys, so the ID token each receives is validly signed but names another
    issuer."""
    ui, at = two_domain_pair(clusters, "c-mixup", provider_uri=stack.mixup_issuer)
    for host, fa, expect_password in ((UI_SITE, ui, True), (ATTACHED_SITE, at, False)):
        mark = LogMark(fa)
        browser.get(clusters.url(host, "/"))
        browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=expect_password)
        browser.wait_until(lambda: browser.host == clusters.netloc(host) and browser.text(), "forward-auth's answer")
        statuses = browser.navigations()
        assert browser.app_data() is None, "the app must not be reached"
        assert urllib.parse.urlsplit(browser.url).path == "/_oauth", browser.url
        assert statuses[-1][1] == 401, statuses
        failures = mark.messages("login failed")
        assert len(failures) == 1 and "issuer" in failures[0].get("reason", ""), mark.records()
        assert mark.messages("login") == []
    assert cookies_named(browser, SESSION) == [], browser.cookies()


def test_bearer_id_token_of_another_issuer_is_refused_on_both_clusters(clusters, stack, browser, client):
    """API clients: an ID token of the trusted issuer passes on both clusters; the second provider's ID token
    (another issuer, another key) and the trusted token re-signed with the trusted key but naming another issuer
    are refused by both."""
    ui, at = two_domain_pair(clusters, "c-bearer")
    trusted = id_token_from_provider(stack, browser, ALICE, identities.PLUGIN_MAIN, expect_password=True)
    other = id_token_from_provider(stack, browser, ALICE, identities.PLUGIN_OTHER, expect_password=False)
    other_issuer = stack.provider.issuer(identities.PLUGIN_OTHER)
    assert jwt_claims(other)["iss"] == other_issuer and jwt_claims(trusted)["iss"] == stack.provider.issuer()
    main_key = (stack.provider.dir / f"{identities.PLUGIN_MAIN}.key.pem").read_text()
    renamed = resign(trusted, main_key, iss=other_issuer)

    for host, fa in ((UI_SITE, ui), (ATTACHED_SITE, at)):
        def call(token):
            return client.get(clusters.url(host, "/api/me"), allow_redirects=False, headers={
                "Accept": "application/json", "Authorization": f"Bearer {token}"})
        r = call(trusted)
        assert r.status_code == 200, (host, r.status_code, r.text[:300])
        assert r.json()["user"] == ALICE.email
        mark = LogMark(fa)
        for token in (other, renamed):
            r = call(token)
            assert r.status_code == 401 and "Location" not in r.headers, (host, r.status_code, r.headers)
            assert "user" not in r.text, r.text[:300]  # forward-auth's refusal, not the app
        refusals = [x.get("reason", "") for x in mark.messages("bearer token refused")]
        assert len(refusals) == 2, mark.records()
        assert "issuer" in refusals[1], refusals  # the re-signed token fails on its issuer alone


# ---- (e) two instances on one host ------------------------------------------------------------------------------
def set_cookie_names(response) -> list[str]:
    return [v.split("=", 1)[0].strip() for v in response.raw.headers.getlist("Set-Cookie")]


def test_two_instances_on_one_host_keep_separate_sessions(clusters, stack, browser, client):
    """DKP runs `_forward_auth` and `_forward_auth_kommander` side by side: here the same key even, so only the
    names keep them apart. /kommander/* is judged by the second instance, everything else by the first."""
    key = new_key()
    main = clusters.start_forward_auth("e-main", secret=key)
    kommander = clusters.start_forward_auth("e-kommander", secret=key, extra=[
        *(x for k, v in KOMMANDER_COOKIES.items() for x in (f"--{k}", v)), "--url-path", KOMMANDER_URL_PATH])
    clusters.start_caddy([Site(ONE_HOST, main.port, parts=[(KOMMANDER_PREFIX, KOMMANDER_URL_PATH, kommander.port)])])
    k_session, k_name, k_csrf = (KOMMANDER_COOKIES[k] for k in ("cookie-name", "user-cookie-name",
                                                                  "csrf-cookie-name"))

    data = login_with_password(browser, clusters, stack, ONE_HOST, "/apps/x")
    assert data["user"] == ALICE.email and data["path"] == "/apps/x"
    assert len(cookies_named(browser, SESSION)) == 1 and cookies_named(browser, k_session) == []
    main_cookie = cookies_named(browser, SESSION)[0]

    # Logged into the first instance only: the second sends the browser to the provider, with its own CSRF cookie.
    browser.get(clusters.url(ONE_HOST, KOMMANDER_PREFIX + "dashboard"))
    assert browser.wait_provider(stack.provider_netloc) == "continue"
    names = [c["name"] for c in browser.cookies()]
    assert any(n.startswith(k_csrf + ".") for n in names), names
    assert not any(n.startswith("_forward_auth_csrf.") for n in names), names
    browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=False)
    data = browser.wait_app(host=clusters.netloc(ONE_HOST))
    assert data["user"] == ALICE.email and data["path"] == "/kommander/dashboard"
    assert any(u.startswith(clusters.url(ONE_HOST, KOMMANDER_URL_PATH + "?")) for u, _ in browser.navigations())
    k_cookie = cookies_named(browser, k_session)[0]
    assert cookies_named(browser, SESSION)[0]["value"] == main_cookie["value"]

    # Each logout clears exactly its own cookies (its Set-Cookie headers, read here without touching the browser):
    # session, name, claims chunks and the silent refresh's marker (`<cookie-name>_refresh`).
    def family(session, user, claims):
        return {session, user, claims, f"{session}_refresh"} | {f"{claims}.{i}" for i in range(2, 9)}
    main_family = family(SESSION, NAME, "_forward_auth_claims")
    k_family = family(k_session, k_name, KOMMANDER_COOKIES["claims-session-name"])
    jar = {c["name"]: c["value"] for c in browser.cookies() if c["domain"].lstrip(".") == ONE_HOST}
    for path, own in ((KOMMANDER_URL_PATH, k_family), ("/_oauth", main_family)):
        r = client.get(clusters.url(ONE_HOST, path + "/logout"), cookies=jar, allow_redirects=False)
        assert r.status_code == 401, (path, r.status_code, r.headers)
        assert set(set_cookie_names(r)) == own, (path, sorted(set_cookie_names(r)))
    # ... and in the browser: logging out of the second leaves the first signed in.
    signed_out_page(browser, clusters, ONE_HOST, KOMMANDER_URL_PATH)
    assert cookies_named(browser, k_session) == [] and cookies_named(browser, k_name) == [], browser.cookies()
    assert cookies_named(browser, SESSION)[0]["value"] == main_cookie["value"]
    assert cookies_named(browser, NAME), browser.cookies()
    browser.requests()
    browser.get(clusters.url(ONE_HOST, "/apps/y"))
    assert browser.wait_app(host=clusters.netloc(ONE_HOST), timeout=10)["user"] == ALICE.email
    only_the_app_was_visited(browser, clusters, ONE_HOST, stack)
    browser.get(clusters.url(ONE_HOST, KOMMANDER_PREFIX + "again"))
    assert browser.wait_provider(stack.provider_netloc) == "continue"
    assert k_cookie["value"] not in [c["value"] for c in browser.cookies()]


# ---- (f) one auth host, two cookie domains ------------------------------------------------------------------------
def authorization_redirect_uri(requests, stack) -> str:
    endpoint = stack.provider.discovery()["authorization_endpoint"]
    found = [r["url"] for r in requests if r["type"] == "Document" and r["url"].startswith(endpoint + "?")]
    assert found, [r["url"] for r in requests]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(found[-1]).query)["redirect_uri"][0]


def auth_host_scenario(clusters, stack, browser, auth_host, tag):
    fa = clusters.start_forward_auth(tag, secret=new_key(), cookie_domain=f"{A_APPS_DOMAIN},{A_TOOLS_DOMAIN}",
                                     auth_host=auth_host)
    clusters.start_caddy([Site(A_APP, fa.port), Site(A_AUTH, fa.port), Site(A_TOOL, fa.port)])

    # Under the auth host's domain: the callback goes to the auth host, the cookie to apps.a.localhost.
    data = login_with_password(browser, clusters, stack, A_APP, "/reports?month=11")
    assert data["user"] == ALICE.email and (data["path"], data["query"]) == ("/reports", "month=11")
    assert authorization_redirect_uri(browser.requests(), stack) == clusters.url(A_AUTH, "/_oauth")
    assert any(u.startswith(clusters.url(A_AUTH, "/_oauth?")) for u, _ in browser.navigations())
    cookie_on(browser, SESSION, A_APPS_DOMAIN)

    # The other domain cannot use the auth host (its cookie would not reach tools.a.localhost): its own /_oauth.
    browser.get(clusters.url(A_TOOL, "/wiki/page?rev=2"))
    assert browser.login_at_provider(stack.provider_netloc, ALICE, expect_password=False) == "continue"
    data = browser.wait_app(host=clusters.netloc(A_TOOL))
    assert data["user"] == ALICE.email and (data["path"], data["query"]) == ("/wiki/page", "rev=2")
    assert authorization_redirect_uri(browser.requests(), stack) == clusters.url(A_TOOL, "/_oauth")
    navs = [u for u, _ in browser.navigations()]
    assert any(u.startswith(clusters.url(A_TOOL, "/_oauth?")) for u in navs), navs
    assert not any(urllib.parse.urlsplit(u).hostname == A_AUTH for u in navs), navs
    cookie_on(browser, SESSION, A_TOOLS_DOMAIN)


@pytest.fixture
def clusters_on_port_80(request, stack, provider, app, forward_auth_bin):
    if not port_is_free(DEFAULT_HTTP_PORT):
        pytest.skip(f"127.0.0.1:{DEFAULT_HTTP_PORT} cannot be bound here (in use, or not root)")
    yield from running_clusters(request, Clusters(stack, request.node.name, port=DEFAULT_HTTP_PORT))


def running_clusters(request, c):
    """Yields `c`, then stops it; prints its logs when the test failed."""
    try:
        yield c
    finally:
        if call_failed(request):
            print(f"\n{c.logs()}")
        c.stop()


def test_auth_host_with_two_cookie_domains_returns_each_login_to_its_page(clusters_on_port_80, stack, browser):
    """The proxy on port 80, as an ingress listens: the auth host carries no port."""
    auth_host_scenario(clusters_on_port_80, stack, browser, A_AUTH, "f")


def test_auth_host_with_a_port_behind_a_proxy_on_a_non_default_port(clusters, stack, browser):
    """`--auth-host host:port`: the callback URL keeps the port the browser uses (as the Go fork's AUTH_HOST)."""
    auth_host_scenario(clusters, stack, browser, clusters.netloc(A_AUTH), "f-port")
