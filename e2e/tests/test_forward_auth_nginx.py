"""forward-auth behind nginx's auth_request: the auth subrequest goes to forward-auth's `/` with
`X-Forward-Auth-Redirect: off`, which answers 200/401/403 (never a redirect, which nginx would turn into a 500);
`error_page 401` sends the browser to /_oauth/start; only /_oauth, /_oauth/logout and /_oauth/start of the app host
are proxied to forward-auth (harness/proxies.py)."""
from __future__ import annotations

import pytest

from harness.identities import ALICE, DAVE
from harness.stack import FILTERED_HOST, NGINX_HOST


@pytest.mark.parametrize("path,extra", [
    pytest.param("/", {"X-Forward-Auth-Redirect": "off"}, id="/ with X-Forward-Auth-Redirect off (the nginx wiring)"),
    pytest.param("/_oauth/auth", {}, id="/_oauth/auth (kept for old configs)"),
])
def test_auth_endpoint_answers_401_without_a_redirect(stack, forward_auth, client, path, extra):
    forwarded = {"Accept": "text/html", "X-Forwarded-Method": "GET", "X-Forwarded-Proto": "http",
                 "X-Forwarded-Host": f"{NGINX_HOST}:{stack.ports.nginx}", "X-Forwarded-Uri": "/page"}
    r = client.get(forward_auth.base + path, allow_redirects=False, headers={**forwarded, **extra})
    assert r.status_code == 401, (r.status_code, r.headers)
    assert "Location" not in r.headers, r.headers


def test_without_the_header_the_check_at_root_still_redirects_a_browser(stack, forward_auth, client):
    """What Traefik and Caddy want (and get): the same request without X-Forward-Auth-Redirect is a 302."""
    r = client.get(forward_auth.base + "/", allow_redirects=False, headers={
        "Accept": "text/html", "X-Forwarded-Method": "GET", "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": f"{NGINX_HOST}:{stack.ports.nginx}", "X-Forwarded-Uri": "/page"})
    assert r.status_code == 302, (r.status_code, r.headers)


def test_login_through_nginx_lands_on_the_app_which_sees_the_email(stack, app, caddy, forward_auth, nginx, browser):
    browser.get(stack.nginx_url(path="/hello/nginx"))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    data = browser.wait_app(host=f"{NGINX_HOST}:{stack.ports.nginx}")
    assert data["user"] == ALICE.email
    assert data["path"] == "/hello/nginx"
    # And again, without the provider.
    browser.navigations()
    browser.get(stack.nginx_url(path="/second"))
    data = browser.wait_app(host=f"{NGINX_HOST}:{stack.ports.nginx}", timeout=10)
    assert data["user"] == ALICE.email
    assert all(stack.provider_netloc not in u for u, _ in browser.navigations())


def _cookie_header_bytes(browser, host: str) -> int:
    """What the browser sends in `Cookie` to `host`: name=value pairs joined by "; "."""
    jar = [c for c in browser.cookies() if host == c["domain"].lstrip(".") or host.endswith(c["domain"])]
    return sum(len(c["name"]) + 1 + len(c["value"]) for c in jar) + 2 * max(len(jar) - 1, 0)


def test_hundreds_of_groups_outgrow_nginx_without_a_groups_filter(stack, app, nginx, browser):
    """The problem the groups filter solves: kept whole, Dave's 401 groups need about 20 KB of claims cookies. The
    callback's answer setting them exceeds nginx's proxy buffer ("upstream sent too big header": 502), and were it
    let through, the browser's Cookie header would exceed nginx's 8 KB request header buffer (400)."""
    browser.get(stack.nginx_url(path="/many-groups"))
    browser.login_at_provider(stack.provider_netloc, DAVE)
    browser.wait_until(lambda: "502 Bad Gateway" in browser.text() or "Too Large" in browser.text(),
                       "nginx refusing the oversized session")
    assert browser.app_data() is None


def test_hundreds_of_groups_pass_through_nginx_with_the_groups_filter(stack, app, nginx, browser):
    """forward-auth "filtered" keeps only the groups its filter names: the session fits one small cookie, nginx
    passes the request and the app receives the kept groups in X-Auth-Request-Groups."""
    host = f"{FILTERED_HOST}:{stack.ports.nginx}"
    browser.get(stack.nginx_url(host=FILTERED_HOST, path="/many-groups"))
    browser.login_at_provider(stack.provider_netloc, DAVE)
    data = browser.wait_app(host=host)
    assert data["user"] == DAVE.email
    assert data["headers"].get("X-Auth-Request-Groups") == ["ops"]
    assert _cookie_header_bytes(browser, FILTERED_HOST) < 4096
    assert not any(c["name"].startswith("_fa_filtered_claims") for c in browser.cookies())
