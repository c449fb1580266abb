"""forward-auth behind nginx's auth_request: /_oauth/auth answers 200/401/403 (never a redirect, which nginx would
turn into a 500), `error_page 401` sends the browser to /_oauth/start, and /_oauth* of the app host is proxied
to forward-auth."""
from __future__ import annotations

from harness.identities import ALICE
from harness.stack import NGINX_HOST


def test_auth_endpoint_answers_401_without_a_redirect(stack, forward_auth, client):
    r = client.get(forward_auth.base + "/_oauth/auth", allow_redirects=False, headers={
        "Accept": "text/html", "X-Forwarded-Method": "GET", "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": f"{NGINX_HOST}:{stack.ports.nginx}", "X-Forwarded-Uri": "/page"})
    assert r.status_code == 401, (r.status_code, r.headers)


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
