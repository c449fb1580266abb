"""The proxies and the sample app on their own (no forward-auth needed)."""
from __future__ import annotations

from harness.stack import OPEN

CADDY_PLACEHOLDER = "{http.reverse_proxy.header.X-Forwarded-User}"


def test_caddy_placeholder_for_an_absent_identity_header_is_never_trusted(stack, caddy, client):
    """Caddy 2.6.2: when the auth answer is 2xx without a header named in copy_headers, the upstream receives the
    literal placeholder text. The app must treat it as no user at all."""
    r = client.get(stack.caddy_url(OPEN, "/page"), headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["user"] is None
    assert data["identity"] == {}
    # This is what Caddy really sent (if a later Caddy stops doing it, this documents the change):
    assert data["ignored"].get("X-Forwarded-User") == [CADDY_PLACEHOLDER], data["headers"]


def test_client_supplied_identity_header_does_not_reach_the_app(stack, caddy, client):
    """A browser cannot name itself: copy_headers overwrites what the client sent."""
    r = client.get(stack.caddy_url(OPEN, "/page"),
                   headers={"Accept": "application/json", "X-Forwarded-User": "mallory@example.com"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["user"] is None
    assert "mallory@example.com" not in str(data["headers"])


def test_app_page_shows_nobody_for_the_placeholder(stack, caddy, browser):
    browser.get(stack.caddy_url(OPEN, "/page"))
    data = browser.wait_app()
    assert data["user"] is None
    assert "nobody" in browser.text()
