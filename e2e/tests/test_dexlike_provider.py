"""The Dex-like provider fixture (harness/dexlike.py) on its own, with a plain HTTP client: each of Dex v2.45.1's
refresh rules it claims to follow (../shared/DEX.md, and Dex's source for the exact answers), so that forward-auth's
silent refresh (issue 19) is tested against a provider that behaves like Dex, not like glewlwyd. No browser, no
forward-auth binary; each test starts its own provider."""
from __future__ import annotations

import json
import threading

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.dexlike import (EXPIRED_REFRESH, INVALID_REFRESH, DexClient, DexLike, DexUser, authorize,
                             b64url_decode, login, pkce_pair, token_call)
from harness.oidc import split_jwt, verify_rs256

UI = DexClient("ui", "ui-secret/with:odd&chars", ["http://ui.localhost:4181/_oauth", "http://127.0.0.1:9/cb?x=1"])
# attached trusts ui: ui may ask for audience:server:client_id:attached
ATTACHED = DexClient("attached", "attached-secret", ["http://attached.localhost:4181/_oauth"], trusted_peers=["ui"])
STRANGER = DexClient("stranger", "stranger-secret", ["http://stranger.localhost:4181/_oauth"])

OFFLINE = ["openid", "profile", "email", "groups", "offline_access"]
TO_ATTACHED = "audience:server:client_id:attached"
SERVER_ERROR_BODY = {"error": "invalid_request"}  # Dex v2.45.1's newInternalServerError(), description omitted


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def dex(signing_key):
    """A provider of its own for each test (the users' and clients' state is per provider), with one shared key."""
    with DexLike(clients=[UI, ATTACHED, STRANGER], key=signing_key) as d:
        yield d


def refresh(dex, client, token, auth="basic", **form):
    return token_call(dex, client, {"grant_type": "refresh_token", "refresh_token": token, **form}, auth=auth)


def claims_of(dex, tokens) -> dict:
    jwks = requests.get(dex.url("/keys"), timeout=5).json()
    return verify_rs256(tokens["id_token"], jwks)[1]


def alice(dex) -> DexUser:
    return dex.users["alice"]


# --- discovery, keys, the authorization request -----------------------------------------------------------------

def test_discovery_jwks_and_an_id_token_as_dex_makes_it(dex):
    disc = requests.get(dex.url("/.well-known/openid-configuration"), timeout=5).json()
    assert disc["issuer"] == dex.issuer and dex.issuer.startswith("http://127.0.0.1:")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert disc[key].startswith(dex.issuer + "/")
    assert "S256" in disc["code_challenge_methods_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(disc["token_endpoint_auth_methods_supported"])
    assert disc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert [k["kty"] for k in requests.get(disc["jwks_uri"], timeout=5).json()["keys"]] == ["RSA"]

    got = login(dex, UI, OFFLINE, user=alice(dex), nonce="n-1")
    assert got.status == 200 and {"access_token", "id_token", "refresh_token"} <= set(got.tokens)
    assert got.tokens["token_type"] == "bearer"
    c = claims_of(dex, got.tokens)
    assert c["iss"] == dex.issuer and c["aud"] == "ui" and "azp" not in c  # one audience: a plain string
    assert c["nonce"] == "n-1" and c["exp"] - c["iat"] == 24 * 3600
    assert (c["email"], c["email_verified"], c["groups"], c["name"]) == ("alice@example.com", True,
                                                                           ["devs", "ops"], "alice")
    # Dex's opaque sub: protobuf {1: user id, 2: connector id}, base64url without padding
    raw = b64url_decode(c["sub"])
    assert alice(dex).user_id.encode() in raw and raw.endswith(b"\x12\x05local") and "=" not in c["sub"]
    assert c["sub"] == alice(dex).sub


def test_claims_follow_the_scopes(dex):
    c = claims_of(dex, login(dex, UI, ["openid"], user=alice(dex)).tokens)
    assert not {"email", "email_verified", "groups", "name", "preferred_username"} & set(c)
    c = claims_of(dex, login(dex, UI, ["openid", "email"], user=alice(dex)).tokens)
    assert "email" in c and "groups" not in c and "name" not in c


def test_password_form_is_shown_and_counted(dex):
    loc, q = authorize(dex, UI, OFFLINE, user=alice(dex))
    assert "code" in q
    assert (dex.login_pages_shown, dex.passwords_checked) == (1, 1)
    # a wrong password shows the form again, with Dex's message; no code
    s = requests.Session()
    r = s.get(dex.url("/auth"), params={"response_type": "code", "client_id": "ui", "scope": "openid",
                                       "redirect_uri": UI.redirect_uris[0], "state": "s"}, allow_redirects=False)
    assert r.status_code == 302
    r = s.post(r.headers["Location"], data={"login": "alice@example.com", "password": "nope"},
               allow_redirects=False)
    assert r.status_code == 200 and "Invalid Email Address and password." in r.text
    assert (dex.login_pages_shown, dex.passwords_checked) == (2, 2)  # the form again, not a GET
    assert dex.count("password", ok=False) == 1 and dex.count("code") == 1


def test_auto_login_shows_no_page_and_state_and_the_uris_query_come_back(dex):
    dex.auto_login = "bob"
    loc, q = authorize(dex, UI, ["openid"], redirect_uri="http://127.0.0.1:9/cb?x=1")
    assert loc.startswith("http://127.0.0.1:9/cb?") and q["x"] == "1" and q["code"]
    assert q["state"] and dex.login_pages_shown == 0 and dex.passwords_checked == 0
    assert dex.count("auto_login", user="bob") == 1


def test_redirect_uri_must_be_one_of_the_clients_exactly(dex):
    for wrong in ("http://ui.localhost:4181/_oauth/", "http://ui.localhost:4181/_oauth?a=b",
                  "http://UI.localhost:4181/_oauth", ATTACHED.redirect_uris[0], ""):
        r = requests.get(dex.url("/auth"), params={"response_type": "code", "client_id": "ui", "scope": "openid",
                                                  "redirect_uri": wrong, "state": "s"}, allow_redirects=False)
        assert r.status_code == 400 and "Location" not in r.headers, wrong
        assert "Unregistered redirect_uri." in r.text
    r = requests.get(dex.url("/auth"), params={"response_type": "code", "client_id": "nobody", "scope": "openid",
                                              "redirect_uri": UI.redirect_uris[0]}, allow_redirects=False)
    assert r.status_code == 404 and "Location" not in r.headers
    assert dex.login_pages_shown == 0
    # at the token endpoint: the code's redirect_uri must be the one of its authorization request
    verifier, challenge = pkce_pair()
    _, q = authorize(dex, UI, ["openid"], user=alice(dex), challenge=challenge)
    r = token_call(dex, UI, {"grant_type": "authorization_code", "code": q["code"], "code_verifier": verifier,
                             "redirect_uri": UI.redirect_uris[1]})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


def test_pkce_s256_and_single_use_codes(dex):
    verifier, challenge = pkce_pair()
    _, q = authorize(dex, UI, ["openid"], user=alice(dex), challenge=challenge)
    form = {"grant_type": "authorization_code", "code": q["code"], "redirect_uri": UI.redirect_uris[0]}
    r = token_call(dex, UI, {**form, "code_verifier": verifier + "x"})
    assert (r.status_code, r.json()) == (400, {"error": "invalid_grant", "error_description": "Invalid code_verifier."})
    r = token_call(dex, UI, form)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")  # a PKCE flow needs the verifier
    r = token_call(dex, UI, {**form, "code_verifier": verifier})  # the failures did not spend the code
    assert r.status_code == 200, r.text
    r = token_call(dex, UI, {**form, "code_verifier": verifier})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")  # spent
    # a verifier where no challenge was sent
    _, q = authorize(dex, UI, ["openid"], user=alice(dex))
    r = token_call(dex, UI, {**form, "code": q["code"], "code_verifier": verifier})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


def test_client_authentication_basic_and_post(dex):
    assert login(dex, UI, ["openid"], user=alice(dex), auth="basic").status == 200  # id and secret URL-encoded
    assert login(dex, UI, ["openid"], user=alice(dex), auth="post").status == 200
    verifier, challenge = pkce_pair()
    _, q = authorize(dex, UI, ["openid"], user=alice(dex), challenge=challenge)
    form = {"grant_type": "authorization_code", "code": q["code"], "redirect_uri": UI.redirect_uris[0],
            "code_verifier": verifier}
    r = token_call(dex, DexClient("ui", "wrong", []), form)
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    r = token_call(dex, ATTACHED, form)  # another client's code
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    r = token_call(dex, UI, {**form, "grant_type": "password"})
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")


# --- refresh tokens -------------------------------------------------------------------------------------------

def test_a_refresh_token_only_with_offline_access(dex):
    got = login(dex, UI, ["openid", "email", "groups"], user=alice(dex))
    assert got.status == 200 and "refresh_token" not in got.tokens
    assert dex.refresh_tokens("alice") == []


def test_rotation_without_reuse_window(dex):
    first = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    r = refresh(dex, UI, first)
    assert r.status_code == 200, r.text
    second = r.json()["refresh_token"]
    assert second != first
    r = refresh(dex, UI, first)  # the used token is dead at once
    assert (r.status_code, r.json()) == (400, {"error": "invalid_request", "error_description": INVALID_REFRESH})
    assert refresh(dex, UI, second).status_code == 200
    for bogus in ("", "garbage", second[:-2]):
        r = refresh(dex, UI, bogus)
        assert (r.status_code, r.json()["error"]) == (400, "invalid_request"), bogus
    assert dex.login_pages_shown == 1


def test_refreshed_id_token_keeps_the_nonce_has_a_fresh_iat_and_reads_the_user_again(dex):
    dex.id_token_ttl = 300
    got = login(dex, UI, OFFLINE, user=alice(dex), nonce="the-nonce")
    before = claims_of(dex, got.tokens)
    dex.advance(120)
    dex.set_groups("alice", ["ops", "admins"])
    dex.update_user("alice", email_verified=False)
    r = refresh(dex, UI, got.tokens["refresh_token"])
    assert r.status_code == 200, r.text
    after = claims_of(dex, r.json())
    assert after["nonce"] == "the-nonce"
    assert after["iat"] - before["iat"] >= 120 and after["exp"] - after["iat"] == 300
    assert after["groups"] == ["ops", "admins"] and after["email_verified"] is False
    assert (after["sub"], after["aud"], after["iss"]) == (before["sub"], before["aud"], before["iss"])
    assert 295 <= r.json()["expires_in"] <= 300
    _, access_claims, _, _ = split_jwt(r.json()["access_token"])
    assert access_claims["groups"] == ["ops", "admins"]
    assert dex.login_pages_shown == 1 and dex.passwords_checked == 1  # no login for a refresh


def test_two_concurrent_refreshes_with_one_token_have_one_winner(dex):
    """Both read the token before either rotates it (the connector's refresh, inside Dex's storage update, takes
    0.3 s): the winner gets 200, the loser finds the token rotated in the update and gets Dex's 500."""
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    dex.connector_delay = 0.3
    barrier, results = threading.Barrier(2), [None, None]

    def go(i):
        barrier.wait()
        results[i] = refresh(dex, UI, token)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 500], [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200)
    loser = next(r for r in results if r.status_code != 200)
    assert loser.json() == SERVER_ERROR_BODY
    # one rotation only: the winner's token lives, the shared one is dead (now a 400, read after the rotation)
    dex.connector_delay = 0
    assert refresh(dex, UI, winner.json()["refresh_token"]).status_code == 200
    r = refresh(dex, UI, token)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    answers = dex.refresh_answers()  # the loser may be logged first: the winner still signs its tokens
    assert sorted(answers[:2], key=str) == [(200, None), (500, "invalid_request")]
    assert answers[2:] == [(200, None), (400, "invalid_request")]


def test_many_concurrent_refreshes_without_connector_latency_still_have_one_winner(dex):
    """Without the connector's latency which loser gets which answer is timing: the 400 (read after the rotation)
    or the 500 (read before it); there is always exactly one winner."""
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    barrier, results = threading.Barrier(4), [None] * 4

    def go(i):
        barrier.wait()
        results[i] = refresh(dex, UI, token)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert [r.status_code for r in results].count(200) == 1, [r.text for r in results]
    for r in results:
        if r.status_code != 200:
            assert (r.status_code, r.json()["error"]) in ((400, "invalid_request"), (500, "invalid_request"))
    assert len(dex.refresh_tokens("alice", "ui")) == 1


def test_a_new_login_of_the_same_user_and_client_revokes_the_earlier_token(dex):
    laptop = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    other_client = login(dex, ATTACHED, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    other_user = login(dex, UI, OFFLINE, user=dex.users["bob"]).tokens["refresh_token"]
    phone = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    assert len(dex.refresh_tokens("alice", "ui")) == 1 and len(dex.refresh_tokens("alice")) == 2
    r = refresh(dex, UI, laptop)
    assert (r.status_code, r.json()) == (400, {"error": "invalid_request", "error_description": INVALID_REFRESH})
    assert refresh(dex, UI, phone).status_code == 200
    assert refresh(dex, ATTACHED, other_client).status_code == 200
    assert refresh(dex, UI, other_user).status_code == 200
    assert dex.count("refresh_token_deleted", user="alice", client_id="ui") == 1


def test_only_the_client_a_token_was_issued_to_can_redeem_it(dex):
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    r = refresh(dex, ATTACHED, token)
    assert (r.status_code, r.json()) == (400, {"error": "invalid_grant", "error_description": INVALID_REFRESH})
    assert refresh(dex, UI, token).status_code == 200  # still unused


def test_a_removed_user_makes_the_refresh_answer_500(dex):
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    original = alice(dex)
    dex.remove_user("alice")
    r = refresh(dex, UI, token)
    assert (r.status_code, r.json()) == (500, SERVER_ERROR_BODY)
    # someone new with the same email is not the same user
    dex.add_user(DexUser("alice", "alice@example.com", "x", ["devs"]))
    assert (refresh(dex, UI, token).status_code, dex.refresh_answers()[-1]) == (500, (500, "invalid_request"))
    # the failure rotated nothing: with the user back, the same token works
    dex.add_user(original)
    assert refresh(dex, UI, token).status_code == 200


def test_a_connector_failure_answers_like_a_removal_and_passes(dex):
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    dex.connector_down = True
    r = refresh(dex, UI, token)
    assert (r.status_code, r.json()) == (500, SERVER_ERROR_BODY)
    dex.connector_down = False
    assert refresh(dex, UI, token).status_code == 200


@pytest.mark.parametrize("lifetime", ["absolute", "unused"])
def test_refresh_token_lifetimes(dex, lifetime):
    if lifetime == "absolute":
        dex.absolute_lifetime = 100  # from first issue, whatever the uses
        steps = [(60, 200), (30, 200), (11, 400)]
    else:
        dex.valid_if_not_used_for = 100  # from last use
        steps = [(90, 200), (90, 200), (101, 400)]
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    for seconds, status in steps:
        dex.advance(seconds)
        r = refresh(dex, UI, token)
        assert r.status_code == status, (lifetime, seconds, r.text)
        if status == 200:
            token = r.json()["refresh_token"]
    assert r.json() == {"error": "invalid_request", "error_description": EXPIRED_REFRESH}


def test_refresh_scopes_may_only_narrow(dex):
    token = login(dex, UI, ["openid", "email", "offline_access"], user=alice(dex)).tokens["refresh_token"]
    r = refresh(dex, UI, token, scope="openid email offline_access groups")
    assert r.status_code == 400 and r.json() == {
        "error": "invalid_request", "error_description": 'Requested scopes contain unauthorized scope(s): ["groups"].'}
    r = refresh(dex, UI, token, scope="openid offline_access")  # the refused one rotated nothing
    assert r.status_code == 200, r.text
    assert "email" not in claims_of(dex, r.json())
    # narrowing is per request: without `scope` the original ones apply again
    r = refresh(dex, UI, r.json()["refresh_token"])
    assert claims_of(dex, r.json())["email"] == "alice@example.com"


def test_trusted_peers_audience_only_at_the_authorization_request(dex):
    got = login(dex, UI, OFFLINE + [TO_ATTACHED], user=alice(dex))
    c = claims_of(dex, got.tokens)
    assert (c["aud"], c["azp"]) == (["attached", "ui"], "ui")
    r = refresh(dex, UI, got.tokens["refresh_token"])  # kept
    assert r.status_code == 200
    c = claims_of(dex, r.json())
    assert (c["aud"], c["azp"]) == (["attached", "ui"], "ui")
    r = refresh(dex, UI, r.json()["refresh_token"], scope=" ".join(OFFLINE))  # dropped
    c = claims_of(dex, r.json())
    assert c["aud"] == "ui" and "azp" not in c
    # never added by a refresh
    plain = login(dex, ATTACHED, OFFLINE, user=dex.users["bob"]).tokens["refresh_token"]
    r = refresh(dex, ATTACHED, plain, scope=" ".join(OFFLINE + ["audience:server:client_id:ui"]))
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


def test_an_audience_the_peer_does_not_trust_the_client_for_is_refused(dex):
    # attached trusts ui, not stranger; nor does ui trust attached
    for client, scope in ((STRANGER, TO_ATTACHED), (ATTACHED, "audience:server:client_id:ui")):
        loc, q = authorize(dex, client, ["openid", scope], user=alice(dex))
        assert loc.startswith(client.redirect_uris[0] + "?")
        assert q["error"] == "invalid_scope" and scope in q["error_description"] and q["state"]
        assert "code" not in q
    assert dex.login_pages_shown == 0 and dex.count("code") == 0
    # a peer that stops trusting: the refresh fails as Dex's newIDToken does (500)
    token = login(dex, UI, OFFLINE + [TO_ATTACHED], user=alice(dex)).tokens["refresh_token"]
    no_trust = DexClient("attached", ATTACHED.secret, ATTACHED.redirect_uris, trusted_peers=[])
    dex.add_client(no_trust)
    r = refresh(dex, UI, token)
    assert (r.status_code, r.json()) == (500, SERVER_ERROR_BODY)


def test_refresh_answers_without_an_id_token_and_userinfo(dex):
    got = login(dex, UI, OFFLINE, user=alice(dex))
    sub = claims_of(dex, got.tokens)["sub"]
    dex.omit_refresh_id_token = True
    r = refresh(dex, UI, got.tokens["refresh_token"])
    assert r.status_code == 200 and "id_token" not in r.json() and r.json()["refresh_token"]
    info = requests.get(dex.url("/userinfo"), headers={"Authorization": "Bearer " + r.json()["access_token"]},
                        timeout=5)
    assert info.status_code == 200 and info.json()["sub"] == sub
    assert requests.get(dex.url("/userinfo"), timeout=5).status_code == 401
    forged = r.json()["access_token"][:-4] + "AAAA"
    assert requests.get(dex.url("/userinfo"), headers={"Authorization": "Bearer " + forged},
                        timeout=5).status_code == 403


@pytest.mark.parametrize("mode", [503, "drop", "hang"])
def test_an_outage_of_the_token_endpoint_ends_nothing(dex, mode):
    token = login(dex, UI, OFFLINE, user=alice(dex)).tokens["refresh_token"]
    dex.set_outage(mode)
    if mode == 503:
        r = refresh(dex, UI, token)
        assert r.status_code == 503 and "application/json" not in r.headers["Content-Type"]
    else:
        with pytest.raises(requests.ConnectionError if mode == "drop" else requests.Timeout):
            token_call(dex, UI, {"grant_type": "refresh_token", "refresh_token": token}, timeout=0.5)
    assert requests.get(dex.url("/keys"), timeout=5).status_code == 200  # only the token endpoint is out
    assert dex.count("outage", endpoint="token", mode=mode) == 1
    dex.set_outage(None)
    assert refresh(dex, UI, token).status_code == 200  # the token survived the outage
    assert dex.refresh_answers() == [(200, None)]


def test_stop_ends_every_connection(signing_key):
    d = DexLike(clients=[UI], key=signing_key).start()
    kept = requests.Session()
    url = d.url("/keys")
    assert kept.get(url, timeout=5).status_code == 200  # leaves a kept-alive connection open
    d.set_outage("hang", endpoints=("discovery",))
    hung: list = []
    t = threading.Thread(target=lambda: hung.append(
        _try(lambda: requests.get(d.url("/.well-known/openid-configuration"), timeout=5))))
    t.start()
    while d.count("outage") == 0:
        threading.Event().wait(0.01)
    d.stop()
    t.join(5)
    assert not t.is_alive() and isinstance(hung[0], requests.ConnectionError), hung  # released, unanswered
    with pytest.raises(requests.ConnectionError):
        kept.get(url, timeout=2)
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def _try(f):
    try:
        return f()
    except Exception as e:  # noqa: BLE001
        return e


def test_event_log_records_what_was_asked(dex):
    got = login(dex, UI, OFFLINE, user=alice(dex))
    refresh(dex, UI, got.tokens["refresh_token"])
    refresh(dex, UI, got.tokens["refresh_token"])
    assert [e["event"] for e in dex.events] == ["authorize", "login_page", "password", "code", "token", "token",
                                                "token"]
    assert dex.count("token", grant_type="authorization_code", status=200) == 1
    assert dex.refresh_answers() == [(200, None), (400, "invalid_request")]
    assert json.dumps(dex.events)  # plain data, for a failed test's report
    dex.reset_events()
    assert dex.events == [] and dex.login_pages_shown == 0
