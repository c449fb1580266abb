"""The provider on its own (no forward-auth): glewlwyd set up through its admin API serves discovery, JWKS and
the authorization-code flow with a real password form, PKCE, a provider-side session and RS256 ID tokens carrying
the claims forward-auth relies on. The browser plays the user; the test plays the relying party."""
from __future__ import annotations

import secrets
import time
import urllib.parse

import pytest
import requests

from harness import identities
from harness.identities import ALICE, CAROL, CLIENT_ID, SCOPES
from harness.oidc import Pkce, authorization_url, split_jwt, token_request, verify_rs256
from harness.stack import RP


def _authorize(stack, browser, user, plugin=identities.PLUGIN_MAIN, expect_password=True):
    """Run the browser through the authorization endpoint; return what the relying party holds afterwards."""
    disc = stack.provider.discovery(plugin)
    pkce, state, nonce = Pkce(), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    browser.get(authorization_url(disc, CLIENT_ID, stack.rp_redirect_uri(), " ".join(SCOPES), state, nonce, pkce))
    browser.login_at_provider(stack.provider_netloc, user, expect_password=expect_password)
    data = browser.wait_app(host=f"{RP}:{stack.ports.app}")
    assert data["path"] == "/callback"
    query = urllib.parse.parse_qs(data["query"])
    assert query.get("state") == [state], query
    assert "code" in query, query
    return {"disc": disc, "code": query["code"][0], "pkce": pkce, "nonce": nonce}


def _exchange(stack, got, verifier=None):
    return token_request(got["disc"], CLIENT_ID, stack.provider.client_secret, {
        "grant_type": "authorization_code", "code": got["code"], "redirect_uri": stack.rp_redirect_uri(),
        "code_verifier": verifier or got["pkce"].verifier})


def _jwks(disc):
    r = requests.get(disc["jwks_uri"], timeout=5)
    r.raise_for_status()
    return r.json()


def test_discovery_and_jwks_of_both_issuers(stack, provider):
    main, other = provider.discovery(identities.PLUGIN_MAIN), provider.discovery(identities.PLUGIN_OTHER)
    assert main["issuer"] == provider.issuer(identities.PLUGIN_MAIN)
    assert other["issuer"] == provider.issuer(identities.PLUGIN_OTHER)
    assert main["issuer"] != other["issuer"]
    for disc in (main, other):
        assert disc["issuer"].startswith(f"http://127.0.0.1:{stack.ports.provider}/")
        assert "S256" in disc["code_challenge_methods_supported"]
        assert "client_secret_basic" in disc["token_endpoint_auth_methods_supported"]
        assert "RS256" in disc["id_token_signing_alg_values_supported"]
        assert {"groups", "email_verified"} <= set(disc["claims_supported"])
    keys_main, keys_other = _jwks(main)["keys"], _jwks(other)["keys"]
    assert [k["kty"] for k in keys_main] == ["RSA"] and [k["kty"] for k in keys_other] == ["RSA"]
    assert keys_main[0]["n"] != keys_other[0]["n"], "the two issuers must sign with different keys"
    # The mix-up document: the second provider's endpoints under an issuer of its own (see harness/stack.py).
    mixup = requests.get(stack.mixup_issuer + "/.well-known/openid-configuration", timeout=5).json() \
        if stack.app_proc else None
    if mixup is not None:
        assert mixup["issuer"] == stack.mixup_issuer
        assert mixup["token_endpoint"] == other["token_endpoint"]


def test_code_flow_with_password_form_pkce_and_id_token_claims(stack, provider, app, browser):
    got = _authorize(stack, browser, ALICE, expect_password=True)
    r = _exchange(stack, got)
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert {"access_token", "id_token", "refresh_token"} <= set(tokens), tokens.keys()
    header, claims = verify_rs256(tokens["id_token"], _jwks(got["disc"]))
    assert header["alg"] == "RS256"
    assert claims["iss"] == provider.issuer()
    assert claims["aud"] == CLIENT_ID  # glewlwyd: a plain string, not a list
    assert claims["nonce"] == got["nonce"]
    assert claims["email"] == ALICE.email
    assert claims["email_verified"] is True
    assert claims["groups"] == ALICE.groups
    assert claims["name"] == ALICE.name
    assert claims["sub"] and claims["sub"] not in (ALICE.username, ALICE.email)  # opaque
    now = time.time()
    assert claims["iat"] <= now + 5 and claims["exp"] > now
    # The code is single-use.
    again = _exchange(stack, got)
    assert again.status_code in (400, 401, 403), again.text
    # Refresh tokens are on.
    r = token_request(got["disc"], CLIENT_ID, stack.provider.client_secret,
                      {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    assert "access_token" in r.json()


def test_second_authorization_needs_no_password_only_continue(stack, provider, app, browser):
    first = _authorize(stack, browser, ALICE, expect_password=True)
    second = _authorize(stack, browser, ALICE, expect_password=False)  # provider-side session: "Continue" only
    subs = []
    for got in (first, second):
        r = _exchange(stack, got)
        assert r.status_code == 200, r.text
        subs.append(split_jwt(r.json()["id_token"])[1]["sub"])
    assert subs[0] == subs[1]


def test_pkce_verifier_is_enforced(stack, provider, app, browser):
    got = _authorize(stack, browser, ALICE)
    r = _exchange(stack, got, verifier=Pkce().verifier)
    assert r.status_code in (400, 401, 403), r.text
    assert "id_token" not in r.text


def test_nonce_is_required_when_openid_is_asked(stack, provider, app, browser):
    """A glewlwyd trait forward-auth must live with: without a nonce, the flow ends in an error, not a code."""
    disc = provider.discovery()
    state = secrets.token_urlsafe(16)
    browser.get(authorization_url(disc, CLIENT_ID, stack.rp_redirect_uri(), " ".join(SCOPES), state, None, Pkce()))
    browser.login_at_provider(stack.provider_netloc, ALICE)
    data = browser.wait_app(host=f"{RP}:{stack.ports.app}")
    query = urllib.parse.parse_qs(data["query"])
    assert "code" not in query, query
    assert "error" in query, query


def test_second_issuer_signs_its_own_tokens(stack, provider, app, browser):
    got = _authorize(stack, browser, ALICE, plugin=identities.PLUGIN_OTHER)
    r = _exchange(stack, got)
    assert r.status_code == 200, r.text
    id_token = r.json()["id_token"]
    _, claims = verify_rs256(id_token, _jwks(got["disc"]))
    assert claims["iss"] == provider.issuer(identities.PLUGIN_OTHER) != provider.issuer()
    with pytest.raises(ValueError):
        verify_rs256(id_token, _jwks(provider.discovery()))  # not valid under the main issuer's keys


def test_unverified_email_is_reported_false(stack, provider, app, browser):
    got = _authorize(stack, browser, CAROL)
    r = _exchange(stack, got)
    assert r.status_code == 200, r.text
    claims = split_jwt(r.json()["id_token"])[1]
    assert claims["email"] == CAROL.email and claims["email_verified"] is False
