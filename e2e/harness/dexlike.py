"""A small OpenID Connect provider that answers as Dex v2.45.1 does where refresh tokens are concerned.

Released Dex cannot run here, and glewlwyd (the rig's real provider) refreshes differently: it keeps a login session,
keeps the refresh token across uses and answers a refresh without an ID token. This fixture is a real HTTP server on
127.0.0.1 (an ephemeral port, a thread of the test process) that follows Dex's rules as read from Dex's source at
tag v2.45.1 (server/refreshhandlers.go, handlers.go, oauth2.go, the local-password connector's Refresh); see
../shared/DEX.md. Start and stop it as a context manager:

    with DexLike(clients=[DexClient("ui", "secret", ["http://ui.localhost:8080/_oauth"])]) as dex:
        dex.issuer  # http://127.0.0.1:PORT/dex

Endpoints, under the issuer: `/.well-known/openid-configuration`, `/keys` (one RS256 key), `/auth` (authorization
code flow only; PKCE S256 or plain; `state` and `nonce` carried), `/auth/local/login` (the password form:
fields `login` and `password`, as Dex's local connector), `/token` (client_secret_basic or client_secret_post;
grant types authorization_code and refresh_token), `/userinfo` (the access token is a JWT; its claims are the answer).

Dex's rules this follows (each pinned by tests/test_dexlike_provider.py):
  - `redirect_uri` must be one of the client's, byte for byte: otherwise an error page (400), never a redirect;
    an unknown client_id: 404. Scope errors go back to the redirect URI as `error=invalid_scope`.
  - `audience:server:client_id:B` asked by client A: only if B lists A in `trustedPeers` (else invalid_scope);
    the ID token then has `aud = [B, A]` and `azp = A` (`azp` only with several audiences; one audience is a
    plain string). A refresh may keep or drop such a scope, never add one (the scope-subset rule); trust is
    checked again when the token is made, so a peer that stopped trusting A makes the refresh answer 500.
  - claims by scope: `email`/`email_verified` with `email`, `groups` with `groups`, `name`/`preferred_username`
    with `profile`; `sub` is Dex's opaque form (base64url of the user id and connector id).
  - a refresh token only with `offline_access`. One per (user, client): redeeming a new login's code deletes the
    earlier token of that user and client (a second browser's login ends the first browser's refresh).
  - rotation on, reuse interval 0: each refresh returns a new refresh token and the used one dies.
  - the refreshed ID token has a fresh `iat`/`exp`, the nonce of the original authorization request, and the
    user's claims read again (groups, name, email_verified), as the local connector's Refresh does; a user that is
    gone (or replaced by another with the same email) makes the refresh fail.
  - `absoluteLifetime` counts from the token's first issue, `validIfNotUsedFor` from its last use.

Dex v2.45.1's answers, exactly (status, `error`, `error_description`):
  - unknown, already used (rotated away), deleted by a newer login, or expired refresh token:
    400 `invalid_request` "Refresh token is invalid or has already been claimed by another client." (or
    "Refresh token expired."). Not `invalid_grant`: Dex builds these with newBadRequestError.
  - another client's refresh token: 400 `invalid_grant` (same description).
  - scopes beyond the original ones: 400 `invalid_request` "Requested scopes contain unauthorized scope(s): ...".
  - the connector's refresh fails (user removed; also an LDAP or upstream outage): 500 `{"error":"invalid_request"}`.
  - two refreshes racing with one token: the one that reads the token after the other has rotated it gets the 400
    above; the one that read it before, and then finds it rotated inside Dex's storage update, gets
    **500 `{"error":"invalid_request"}`** (the storage updater's "refresh token claimed twice" becomes
    newInternalServerError), the same bytes as a removed user. The connector's refresh runs inside that update,
    so its latency (`connector_delay`) is the window in which a concurrent refresh gets the 500.
  - bad client credentials: 401 `invalid_client`; a code that is unknown, used, expired or another client's:
    400 `invalid_grant`; a wrong PKCE verifier: 400 `invalid_grant` "Invalid code_verifier." (the code stays
    usable, as in Dex); a redirect_uri differing from the authorization request's: 400 `invalid_request`.

Knobs (attributes, settable while it runs):
  id_token_ttl            ID (and access) token lifetime, seconds (Dex: idTokens, default 24h)
  absolute_lifetime       refresh token: seconds from first issue, None = off (Dex: absoluteLifetime)
  valid_if_not_used_for   refresh token: seconds from last use, None = off (Dex: validIfNotUsedFor)
  connector_delay         seconds the connector's Refresh takes (inside the storage update, as in Dex)
  connector_down          the connector's Refresh fails for everyone (500, like a removed user)
  omit_refresh_id_token   refresh answers carry no id_token (as glewlwyd's): the client must use userinfo's sub
  auto_login              a username: /auth approves that user at once, no form (None: the password form)
  set_outage(mode, endpoints=("token",))   None (off), an HTTP status such as 503 (answered with a plain body),
                          "drop" (connection closed without an answer) or "hang" (no answer until the outage
                          ends or the server stops)
  advance(seconds)        moves the provider's clock forward (only for tests of the fixture itself: forward-auth
                          checks iat/exp against its own clock with 60 s leeway)
Users: add_user(), remove_user(), set_groups(), update_user(). Observation: `events` (a list of dicts, each with
"event"), count(event, **match), login_pages_shown, passwords_checked, refresh_answers(), refresh_tokens(user,
client) (the live ones), reset_events().
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import socket
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .procs import LOOPBACK

CONNECTOR_ID = "local"
CROSS_CLIENT_PREFIX = "audience:server:client_id:"
KNOWN_SCOPES = {"openid", "offline_access", "email", "profile", "groups", "federated:id"}
CODE_TTL = 30 * 60

INVALID_REFRESH = "Refresh token is invalid or has already been claimed by another client."
EXPIRED_REFRESH = "Refresh token expired."


# --- Dex's wire forms ------------------------------------------------------------------------------------------

def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _proto_strings(*fields: str) -> bytes:
    """A protobuf message of string fields 1, 2, ... (what Dex's internal.Marshal encodes), short strings only."""
    out = b""
    for number, value in enumerate(fields, start=1):
        data = value.encode()
        if not data:
            continue
        assert len(data) < 128
        out += bytes([(number << 3) | 2, len(data)]) + data
    return out


def _proto_parse_strings(data: bytes) -> dict[int, str]:
    out, i = {}, 0
    while i < len(data):
        tag = data[i]
        if tag & 7 != 2 or i + 1 >= len(data) or data[i + 1] >= 128:
            raise ValueError("not a message of short strings")
        n = data[i + 1]
        if i + 2 + n > len(data):
            raise ValueError("truncated")
        out[tag >> 3] = data[i + 2:i + 2 + n].decode()
        i += 2 + n
    return out


def dex_subject(user_id: str, connector_id: str = CONNECTOR_ID) -> str:
    """Dex's `sub`: internal.Marshal(IDTokenSubject{UserId, ConnId})."""
    return b64url(_proto_strings(user_id, connector_id))


def new_id() -> str:
    """Dex's storage.NewID(): 16 random bytes, base32 (lowercase, no padding)."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def _hash_half(value: str) -> str:
    return b64url(hashlib.sha256(value.encode()).digest()[:16])


# --- the model -------------------------------------------------------------------------------------------------

@dataclass
class DexUser:
    username: str
    email: str
    password: str
    groups: list[str] = field(default_factory=list)
    preferred_username: str = ""
    email_verified: bool = True
    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def from_identity(cls, u) -> "DexUser":
        """From a harness.identities.User."""
        return cls(u.username, u.email, u.password, list(u.groups), u.username, u.email_verified)

    @property
    def sub(self) -> str:
        return dex_subject(self.user_id)


@dataclass
class DexClient:
    id: str
    secret: str
    redirect_uris: list[str]
    trusted_peers: list[str] = field(default_factory=list)


@dataclass
class _AuthRequest:
    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str
    nonce: str
    challenge: str
    challenge_method: str


@dataclass
class _AuthCode:
    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    nonce: str
    challenge: str
    challenge_method: str
    claims: dict
    expiry: float


@dataclass
class _RefreshToken:
    id: str
    token: str
    client_id: str
    scopes: list[str]
    nonce: str
    claims: dict           # user_id, username, preferred_username, email, email_verified, groups
    created_at: float
    last_used: float
    obsolete_token: str = ""


class _Answer(Exception):
    """Ends a handler with a JSON token error (Dex's tokenErr)."""

    def __init__(self, status: int, error: str, description: str = ""):
        super().__init__(f"{status} {error} {description}")
        self.status, self.error, self.description = status, error, description


# --- the provider ----------------------------------------------------------------------------------------------

class DexLike:
    def __init__(self, users: list[DexUser] | None = None, clients: list[DexClient] | None = None, *,
                 issuer_path: str = "/dex", id_token_ttl: float = 24 * 3600,
                 absolute_lifetime: float | None = None, valid_if_not_used_for: float | None = None,
                 auto_login: str | None = None, connector_delay: float = 0.0, key: rsa.RSAPrivateKey | None = None):
        """`key`: the RSA signing key (default: a new 2048-bit one; tests that start many providers may share one,
        as generating it costs tens of milliseconds, more on a busy machine)."""
        if users is None:
            from . import identities
            users = [DexUser.from_identity(u) for u in identities.USERS]
        self.users: dict[str, DexUser] = {u.username: u for u in users}
        self.clients: dict[str, DexClient] = {c.id: c for c in (clients or [])}
        self.issuer_path = issuer_path.rstrip("/")
        self.id_token_ttl = id_token_ttl
        self.absolute_lifetime = absolute_lifetime
        self.valid_if_not_used_for = valid_if_not_used_for
        self.auto_login = auto_login
        self.connector_delay = connector_delay
        self.connector_down = False
        self.omit_refresh_id_token = False
        self.clock_offset = 0.0

        self._key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(20)
        self._lock = threading.RLock()               # the storage
        self._token_locks: dict[str, threading.Lock] = {}  # Dex's per-refresh-token lock in UpdateRefreshToken
        self._auth_requests: dict[str, _AuthRequest] = {}
        self._codes: dict[str, _AuthCode] = {}
        self._refresh: dict[str, _RefreshToken] = {}
        self._offline: dict[tuple[str, str], str] = {}  # (user_id, client_id) -> refresh token id
        self._outage: object = None
        self._outage_endpoints: tuple[str, ...] = ()
        self._outage_over = threading.Event()
        self.events: list[dict] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # lifecycle ------------------------------------------------------------------------------------------------
    def start(self) -> "DexLike":
        handler = type("DexLikeHandler", (_Handler,), {"dex": self})
        self._server = _Server((LOOPBACK, 0), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"dexlike:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._outage_over.set()  # releases hanging answers
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(5)
        self._server = None

    def __enter__(self) -> "DexLike":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def issuer(self) -> str:
        return self.base_url + self.issuer_path

    def url(self, path: str) -> str:
        return self.issuer + path

    # knobs ----------------------------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        self.clock_offset += seconds

    def set_outage(self, mode: object, endpoints: tuple[str, ...] = ("token",)) -> None:
        """mode: None (off), an HTTP status (int), "drop" or "hang"; endpoints: names among discovery, keys,
        auth, login, token, userinfo."""
        if mode is not None and not isinstance(mode, int) and mode not in ("drop", "hang"):
            raise ValueError(f"unknown outage mode {mode!r}")
        with self._lock:
            self._outage, self._outage_endpoints = mode, tuple(endpoints)
            if mode == "hang":
                self._outage_over.clear()
            else:
                self._outage_over.set()

    def add_user(self, user: DexUser) -> None:
        with self._lock:
            self.users[user.username] = user

    def remove_user(self, username: str) -> None:
        with self._lock:
            del self.users[username]

    def set_groups(self, username: str, groups: list[str]) -> None:
        self.update_user(username, groups=list(groups))

    def update_user(self, username: str, **changes) -> None:
        with self._lock:
            user = self.users[username]
            for k, v in changes.items():
                if not hasattr(user, k):
                    raise AttributeError(k)
                setattr(user, k, v)

    def add_client(self, client: DexClient) -> None:
        with self._lock:
            self.clients[client.id] = client

    # observation ----------------------------------------------------------------------------------------------
    def _event(self, event: str, **data) -> None:
        with self._lock:
            self.events.append({"event": event, "t": self.now(), **data})

    def count(self, event: str, **match) -> int:
        with self._lock:
            return sum(1 for e in self.events
                       if e["event"] == event and all(e.get(k) == v for k, v in match.items()))

    def reset_events(self) -> None:
        with self._lock:
            self.events.clear()

    @property
    def login_pages_shown(self) -> int:
        return self.count("login_page")

    @property
    def passwords_checked(self) -> int:
        return self.count("password")

    def refresh_answers(self) -> list[tuple[int, str | None]]:
        """(status, error) of every refresh_token grant so far, in order."""
        with self._lock:
            return [(e["status"], e.get("error")) for e in self.events
                    if e["event"] == "token" and e.get("grant_type") == "refresh_token"]

    def refresh_tokens(self, username: str | None = None, client_id: str | None = None) -> list[str]:
        """Ids of the live refresh tokens (of a user's email, of a client)."""
        with self._lock:
            email = self.users[username].email if username else None
            return [r.id for r in self._refresh.values()
                    if (email is None or r.claims["email"] == email) and (client_id is None or r.client_id == client_id)]

    # tokens ---------------------------------------------------------------------------------------------------
    def jwks(self) -> dict:
        pub = self._key.public_key().public_numbers()
        n = pub.n.to_bytes((pub.n.bit_length() + 7) // 8, "big")
        e = pub.e.to_bytes((pub.e.bit_length() + 7) // 8, "big")
        return {"keys": [{"use": "sig", "kty": "RSA", "kid": self.kid, "alg": "RS256",
                          "n": b64url(n), "e": b64url(e)}]}

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.url("/auth"),
            "token_endpoint": self.url("/token"),
            "jwks_uri": self.url("/keys"),
            "userinfo_endpoint": self.url("/userinfo"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "scopes_supported": ["openid", "email", "groups", "profile", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "claims_supported": ["iss", "sub", "aud", "iat", "exp", "email", "email_verified", "locale", "name",
                                 "preferred_username", "at_hash"],
        }

    def sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "kid": self.kid}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig)

    def _trusts(self, client_id: str, peer_id: str) -> bool:
        if peer_id == client_id:
            return True
        peer = self.clients.get(peer_id)
        return peer is not None and client_id in peer.trusted_peers

    def _id_token(self, client_id: str, claims: dict, scopes: list[str], nonce: str, access_token: str,
                  code: str = "") -> tuple[str, float]:
        """Dex's newIDToken; raises _Answer(500) when a cross-client peer no longer trusts the client."""
        issued = self.now()
        expiry = issued + self.id_token_ttl
        tok: dict = {"iss": self.issuer, "sub": dex_subject(claims["user_id"])}
        audience: list[str] = []
        extra: dict = {}
        for scope in scopes:
            if scope == "email":
                extra["email"] = claims["email"]
                extra["email_verified"] = claims["email_verified"]
            elif scope == "groups":
                if claims["groups"]:
                    extra["groups"] = list(claims["groups"])
            elif scope == "profile":
                if claims["username"]:
                    extra["name"] = claims["username"]
                if claims["preferred_username"]:
                    extra["preferred_username"] = claims["preferred_username"]
            elif scope == "federated:id":
                extra["federated_claims"] = {"connector_id": CONNECTOR_ID, "user_id": claims["user_id"]}
            elif scope.startswith(CROSS_CLIENT_PREFIX):
                peer = scope[len(CROSS_CLIENT_PREFIX):]
                if not self._trusts(client_id, peer):
                    raise _Answer(500, "invalid_request")
                audience.append(peer)
        if not audience:
            audience = [client_id]
        elif client_id not in audience:
            audience.append(client_id)
        tok["aud"] = audience[0] if len(audience) == 1 else audience
        tok["exp"] = int(expiry)
        tok["iat"] = int(issued)
        if len(audience) > 1:
            tok["azp"] = client_id
        if nonce:
            tok["nonce"] = nonce
        if access_token:
            tok["at_hash"] = _hash_half(access_token)
        if code:
            tok["c_hash"] = _hash_half(code)
        tok.update(extra)
        return self.sign(tok), expiry

    def _token_answer(self, client_id: str, claims: dict, scopes: list[str], nonce: str, refresh: str = "",
                      code: str = "", with_id_token: bool = True) -> dict:
        access, _ = self._id_token(client_id, claims, scopes, nonce, new_id())
        id_token, expiry = self._id_token(client_id, claims, scopes, nonce, access, code)
        answer = {"access_token": access, "token_type": "bearer", "expires_in": int(expiry - self.now())}
        if refresh:
            answer["refresh_token"] = refresh
        if with_id_token:
            answer["id_token"] = id_token
        return answer

    def verify(self, token: str) -> dict | None:
        """The claims of a token this provider signed and that has not expired, else None (userinfo's check)."""
        try:
            h, p, s = token.split(".")
            self._key.public_key().verify(b64url_decode(s), f"{h}.{p}".encode(), padding.PKCS1v15(),
                                          hashes.SHA256())
            claims = json.loads(b64url_decode(p))
        except Exception:  # noqa: BLE001 - any malformed or forged token
            return None
        if claims.get("iss") != self.issuer or claims.get("exp", 0) < self.now():
            return None
        return claims

    # the flows ------------------------------------------------------------------------------------------------
    def _claims_of(self, user: DexUser) -> dict:
        return {"user_id": user.user_id, "username": user.username, "preferred_username": user.preferred_username,
                "email": user.email, "email_verified": user.email_verified, "groups": list(user.groups)}

    def _user_by_login(self, login: str) -> DexUser | None:
        with self._lock:
            for u in self.users.values():
                if login in (u.username, u.email):
                    return u
        return None

    def issue_code(self, req: _AuthRequest, user: DexUser) -> str:
        code = new_id()
        with self._lock:
            self._auth_requests.pop(req.id, None)
            self._codes[code] = _AuthCode(code, req.client_id, req.redirect_uri, req.scopes, req.nonce,
                                          req.challenge, req.challenge_method, self._claims_of(user),
                                          self.now() + CODE_TTL)
        self._event("code", client_id=req.client_id, user=user.username)
        return code

    def redeem_code(self, client: DexClient, form: dict) -> dict:
        """handleAuthCode + exchangeAuthCode."""
        code = form.get("code", "")
        if not code:
            raise _Answer(400, "invalid_request", "Required param: code.")
        with self._lock:
            auth = self._codes.get(code)
        if auth is None or self.now() > auth.expiry or auth.client_id != client.id:
            raise _Answer(400, "invalid_grant", "Invalid or expired code parameter.")
        verifier = form.get("code_verifier", "")
        if verifier and auth.challenge:
            calc = verifier if auth.challenge_method == "plain" else \
                b64url(hashlib.sha256(verifier.encode()).digest())
            if calc != auth.challenge:
                raise _Answer(400, "invalid_grant", "Invalid code_verifier.")
        elif verifier:
            raise _Answer(400, "invalid_request", "No PKCE flow started. Cannot check code_verifier.")
        elif auth.challenge:
            raise _Answer(400, "invalid_grant", "Expecting parameter code_verifier in PKCE flow.")
        if auth.redirect_uri != form.get("redirect_uri", ""):
            raise _Answer(400, "invalid_request", "redirect_uri did not match URI from initial request.")
        try:  # exchangeAuthCode: the tokens first, then the code is deleted, then the refresh token is stored
            answer = self._token_answer(client.id, auth.claims, auth.scopes, auth.nonce, code=code)
        except _Answer:
            raise _Answer(500, "server_error")
        with self._lock:
            if self._codes.pop(code, None) is None:  # redeemed meanwhile by a concurrent request
                raise _Answer(400, "invalid_grant", "Invalid or expired code parameter.")
        if "offline_access" in auth.scopes:
            now = self.now()
            rt = _RefreshToken(new_id(), new_id(), client.id, list(auth.scopes), auth.nonce, dict(auth.claims),
                               now, now)
            with self._lock:
                self._refresh[rt.id] = rt
                key = (auth.claims["user_id"], client.id)
                old = self._offline.get(key)
                if old is not None:  # one refresh token per user (and connector) and client
                    self._refresh.pop(old, None)
                    self._event("refresh_token_deleted", client_id=client.id, user=auth.claims["username"],
                                refresh_id=old)
                self._offline[key] = rt.id
            answer["refresh_token"] = b64url(_proto_strings(rt.id, rt.token))
        return answer

    def refresh(self, client: DexClient, form: dict) -> dict:
        """handleRefreshToken."""
        raw = form.get("refresh_token", "")
        if not raw:
            raise _Answer(400, "invalid_request", "No refresh token is found in request.")
        try:
            parts = _proto_parse_strings(b64url_decode(raw))
            refresh_id, token = parts.get(1, ""), parts.get(2, "")
        except Exception:  # noqa: BLE001 - Dex takes an undecodable value as a bare id
            refresh_id, token = raw, ""
        # getRefreshTokenFromStorage
        with self._lock:
            rt = self._refresh.get(refresh_id)
            snapshot = None if rt is None else (rt.client_id, rt.token, rt.created_at, rt.last_used,
                                                list(rt.scopes), dict(rt.claims), rt.nonce)
        if snapshot is None:
            raise _Answer(400, "invalid_request", INVALID_REFRESH)
        rt_client, rt_token, created_at, last_used, rt_scopes, rt_claims, nonce = snapshot
        if rt_client != client.id:
            raise _Answer(400, "invalid_grant", INVALID_REFRESH)
        if rt_token != token:  # reuse interval 0: no obsolete token is ever accepted
            raise _Answer(400, "invalid_request", INVALID_REFRESH)
        now = self.now()
        if self.absolute_lifetime is not None and now > created_at + self.absolute_lifetime:
            raise _Answer(400, "invalid_request", EXPIRED_REFRESH)
        if self.valid_if_not_used_for is not None and now > last_used + self.valid_if_not_used_for:
            raise _Answer(400, "invalid_request", EXPIRED_REFRESH)
        # getRefreshScopes
        requested = form.get("scope", "")
        if requested:
            scopes = requested.split()
            unauthorized = [s for s in scopes if s not in rt_scopes]
            if unauthorized:
                quoted = "[" + " ".join(json.dumps(s) for s in unauthorized) + "]"
                raise _Answer(400, "invalid_request", f"Requested scopes contain unauthorized scope(s): {quoted}.")
        else:
            scopes = rt_scopes
        # updateRefreshToken: the storage update, holding the token's lock, with the connector's refresh inside
        with self._lock:
            lock = self._token_locks.setdefault(refresh_id, threading.Lock())
        with lock:
            with self._lock:
                cur = self._refresh.get(refresh_id)
                if cur is None or cur.token != token:  # deleted meanwhile, or "refresh token claimed twice"
                    raise _Answer(500, "invalid_request")
            claims = self._connector_refresh(rt_claims)  # raises _Answer(500) when the user is gone
            with self._lock:
                new_token = new_id()
                cur.obsolete_token, cur.token, cur.last_used = cur.token, new_token, now
                cur.claims = dict(claims)
                # updateOfflineSession: the user's token for this client must still be this one
                if self._offline.get((cur.claims["user_id"], client.id)) != refresh_id:
                    raise _Answer(500, "invalid_request")
        raw_new = b64url(_proto_strings(refresh_id, new_token))
        return self._token_answer(client.id, claims, scopes, nonce, raw_new,
                                  with_id_token=not self.omit_refresh_id_token)

    def _connector_refresh(self, claims: dict) -> dict:
        """The local-password connector's Refresh (v2.45.1): by email; the same user id; name, preferred name,
        email_verified and groups read again."""
        if self.connector_delay:
            time.sleep(self.connector_delay)
        with self._lock:
            if self.connector_down:
                raise _Answer(500, "invalid_request")
            user = next((u for u in self.users.values() if u.email == claims["email"]), None)
            if user is None or user.user_id != claims["user_id"]:
                raise _Answer(500, "invalid_request")
            return self._claims_of(user)


class _Server(ThreadingHTTPServer):
    """Keeps its open connections, so that stop() ends kept-alive ones too (their threads would answer on)."""
    daemon_threads = True
    block_on_close = False

    def __init__(self, *args, **kwargs):
        self.connections: set = set()
        self.connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request_thread(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            for sock in list(self.connections):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(BaseHTTPRequestHandler):
    dex: DexLike
    protocol_version = "HTTP/1.1"
    server_version = "dexlike/2.45.1"

    def log_message(self, fmt, *args):  # quiet: the provider's story is in dex.events
        pass

    # plumbing -------------------------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: dict, extra: dict | None = None) -> None:
        self._send(status, json.dumps(data, separators=(",", ":")).encode(), "application/json", extra)

    def _token_error(self, e: _Answer) -> None:
        body = {"error": e.error}
        if e.description:
            body["error_description"] = e.description
        self._json(e.status, body)

    def _page(self, status: int, text: str) -> None:
        self._send(status, f"<!DOCTYPE html><html><body><h2>{html.escape(text)}</h2></body></html>".encode(),
                   "text/html; charset=utf-8")

    def _redirect(self, location: str, status: int = 303) -> None:
        self._send(status, b"", "text/html; charset=utf-8", {"Location": location})

    def _form(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype and ctype != "application/x-www-form-urlencoded":
            return {}
        return {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}

    def _outage(self, endpoint: str) -> bool:
        dex = self.dex
        with dex._lock:
            mode, endpoints = dex._outage, dex._outage_endpoints
        if mode is None or endpoint not in endpoints:
            return False
        dex._event("outage", endpoint=endpoint, mode=mode)
        if mode == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return True
        if mode == "hang":
            dex._outage_over.wait()
            self.close_connection = True
            return True
        self.close_connection = True
        phrase = HTTPStatus(int(mode)).phrase if int(mode) in HTTPStatus._value2member_map_ else "Outage"
        self._send(int(mode), f"{phrase}\n".encode(), "text/plain; charset=utf-8", {"Connection": "close"})
        return True

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self._route(self._query())

    def do_POST(self):
        form = self._form()
        self._route({**self._query(), **form} if self.path.split("?")[0].endswith("/auth") else form,
                    posted=form)

    def _query(self) -> dict:
        q = urllib.parse.urlsplit(self.path).query
        return {k: v[0] for k, v in urllib.parse.parse_qs(q, keep_blank_values=True).items()}

    def _route(self, params: dict, posted: dict | None = None) -> None:
        dex = self.dex
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith(dex.issuer_path + "/"):
            return self._page(404, "Not found.")
        sub = path[len(dex.issuer_path):]
        routes = {"/.well-known/openid-configuration": ("discovery", self._discovery),
                  "/keys": ("keys", self._keys), "/auth": ("auth", self._auth),
                  "/auth/local/login": ("login", self._login), "/token": ("token", self._token),
                  "/userinfo": ("userinfo", self._userinfo)}
        if sub not in routes:
            return self._page(404, "Not found.")
        name, handler = routes[sub]
        if self._outage(name):
            return
        handler(params, posted)

    # endpoints ------------------------------------------------------------------------------------------------
    def _discovery(self, params, posted):
        self.dex._event("discovery")
        self._json(200, self.dex.discovery())

    def _keys(self, params, posted):
        self.dex._event("keys")
        self._json(200, self.dex.jwks(), {"Cache-Control": "max-age=60, must-revalidate"})

    def _auth(self, q, posted):
        """parseAuthorizationRequest, then the connector: auto_login, or the password form."""
        dex = self.dex
        client = dex.clients.get(q.get("client_id", ""))
        scopes = q.get("scope", "").split()
        dex._event("authorize", client_id=q.get("client_id"), scopes=scopes)
        if client is None:
            return self._page(404, "Invalid client_id.")
        redirect_uri = q.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            dex._event("auth_error", client_id=client.id, error="unregistered redirect_uri")
            return self._page(400, "Unregistered redirect_uri.")
        state = q.get("state", "")

        def back_with(error: str, description: str):
            dex._event("auth_error", client_id=client.id, error=error, description=description)
            sep = "&" if "?" in redirect_uri else "?"
            return self._redirect(redirect_uri + sep + urllib.parse.urlencode(
                {"error": error, "error_description": description, "state": state}))

        method = q.get("code_challenge_method", "") or "plain"
        if method not in ("S256", "plain"):
            return back_with("invalid_request", f'Unsupported PKCE challenge method ("{method}").')
        unrecognized, untrusted = [], []
        for s in scopes:
            if s in KNOWN_SCOPES:
                continue
            if not s.startswith(CROSS_CLIENT_PREFIX):
                unrecognized.append(s)
            elif not dex._trusts(client.id, s[len(CROSS_CLIENT_PREFIX):]):
                untrusted.append(s)
        quote = lambda xs: "[" + " ".join(json.dumps(x) for x in xs) + "]"  # noqa: E731 - Go's %q of []string
        if "openid" not in scopes:
            return back_with("invalid_scope", 'Missing required scope(s) ["openid"].')
        if unrecognized:
            return back_with("invalid_scope", f"Unrecognized scope(s) {quote(unrecognized)}")
        if untrusted:
            return back_with("invalid_scope", f"Client can't request scope(s) {quote(untrusted)}")
        response_types = q.get("response_type", "").split()
        if response_types != ["code"]:
            return back_with("unsupported_response_type", f"Unsupported response type {q.get('response_type')!r}")
        req = _AuthRequest(new_id(), client.id, redirect_uri, scopes, state, q.get("nonce", ""),
                           q.get("code_challenge", ""), method)
        with dex._lock:
            dex._auth_requests[req.id] = req
        if dex.auto_login is not None:
            user = dex.users.get(dex.auto_login)
            if user is None:
                return self._page(500, "auto_login names no user.")
            dex._event("auto_login", client_id=client.id, user=user.username)
            return self._send_code(req, user)
        return self._redirect(dex.url("/auth/local/login") + "?" + urllib.parse.urlencode(
            {"back": "", "state": req.id}), status=302)

    def _login(self, q, posted):
        dex = self.dex
        req_id = self._query().get("state", "")
        with dex._lock:
            req = dex._auth_requests.get(req_id)
        if req is None:
            return self._page(400, "Requested resource does not exist.")
        if posted is None:
            dex._event("login_page", client_id=req.client_id)
            return self._login_page(req, invalid=False)
        login, password = posted.get("login", ""), posted.get("password", "")
        user = dex._user_by_login(login)
        ok = user is not None and secrets.compare_digest(user.password.encode(), password.encode())
        dex._event("password", client_id=req.client_id, login=login, ok=ok)
        if not ok:
            dex._event("login_page", client_id=req.client_id)
            return self._login_page(req, invalid=True, login=login)
        return self._send_code(req, user)

    def _login_page(self, req: _AuthRequest, invalid: bool, login: str = "") -> None:
        action = html.escape(self.dex.url("/auth/local/login") + "?" + urllib.parse.urlencode(
            {"back": "", "state": req.id}))
        error = '<div id="login-error">Invalid Email Address and password.</div>' if invalid else ""
        body = (f'<!DOCTYPE html><html><head><title>dexlike</title></head><body><h2>Log in to Your Account</h2>'
                f'{error}<form method="post" action="{action}">'
                f'<input id="login" name="login" type="text" value="{html.escape(login)}" placeholder="email address">'
                f'<input id="password" name="password" type="password" placeholder="password">'
                f'<button type="submit" id="submit-login">Login</button></form></body></html>')
        self._send(200, body.encode(), "text/html; charset=utf-8")

    def _send_code(self, req: _AuthRequest, user: DexUser) -> None:
        code = self.dex.issue_code(req, user)
        parts = urllib.parse.urlsplit(req.redirect_uri)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + [("code", code), ("state", req.state)]
        self._redirect(urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query))))

    def _token(self, params, posted):
        dex = self.dex
        if self.command != "POST":
            return self._token_error(_Answer(400, "invalid_request", "method not allowed"))
        form = posted or {}
        grant = form.get("grant_type", "")
        client_id = None
        try:
            if grant not in ("authorization_code", "refresh_token"):
                raise _Answer(400, "unsupported_grant_type")
            client = self._client(form)
            client_id = client.id
            answer = dex.redeem_code(client, form) if grant == "authorization_code" else dex.refresh(client, form)
        except _Answer as e:
            dex._event("token", grant_type=grant, client_id=client_id, status=e.status, error=e.error,
                       description=e.description)
            return self._token_error(e)
        dex._event("token", grant_type=grant, client_id=client_id, status=200,
                   id_token="id_token" in answer, refresh_token="refresh_token" in answer)
        self._json(200, answer, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _client(self, form: dict) -> DexClient:
        """withClientFromStorage: HTTP Basic (URL-encoded id and secret, as Dex unescapes them) or the form."""
        auth = self.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                cid, secret = urllib.parse.unquote(cid), urllib.parse.unquote(secret)
            except Exception:  # noqa: BLE001
                raise _Answer(400, "invalid_request", "client_id improperly encoded")
        else:
            cid, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = self.dex.clients.get(cid)
        if client is None or not secrets.compare_digest(client.secret.encode(), secret.encode()):
            raise _Answer(401, "invalid_client", "Invalid client credentials.")
        return client

    def _userinfo(self, params, posted):
        dex = self.dex
        auth = self.headers.get("Authorization", "")
        if auth[:7].lower() != "bearer ":
            dex._event("userinfo", status=401)
            return self._json(401, {"error": "access_denied", "error_description": "Invalid bearer token."},
                              {"WWW-Authenticate": "Bearer"})
        claims = dex.verify(auth[7:])
        if claims is None:
            dex._event("userinfo", status=403)
            return self._json(403, {"error": "access_denied", "error_description": "Invalid bearer token."})
        dex._event("userinfo", status=200, sub=claims.get("sub"))
        self._json(200, claims)


# --- a relying party in plain HTTP (for tests that need a login without a browser) ------------------------------

@dataclass
class Login:
    status: int
    tokens: dict
    nonce: str
    state: str
    verifier: str


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


def authorize(dex: DexLike, client: DexClient, scopes: list[str], *, user: DexUser | None = None,
              nonce: str | None = None, redirect_uri: str | None = None, challenge: str | None = None,
              session=None) -> tuple[str, dict]:
    """Runs the authorization request (and the password form when no auto_login) without following the final
    redirect; returns (Location, its query as a dict)."""
    import requests
    s = session or requests.Session()
    s.trust_env = False
    q = {"response_type": "code", "client_id": client.id, "redirect_uri": redirect_uri or client.redirect_uris[0],
         "scope": " ".join(scopes), "state": secrets.token_urlsafe(12)}
    if nonce is not None:
        q["nonce"] = nonce
    if challenge is not None:
        q["code_challenge"], q["code_challenge_method"] = challenge, "S256"
    r = s.get(dex.url("/auth"), params=q, allow_redirects=False, timeout=5)
    if r.status_code == 302:  # to the password form
        form_url = r.headers["Location"]
        page = s.get(form_url, timeout=5)
        assert page.status_code == 200 and 'name="password"' in page.text, page.text
        assert user is not None, "the provider shows its password form: name a user"
        r = s.post(form_url, data={"login": user.email, "password": user.password}, allow_redirects=False,
                   timeout=5)
    if r.status_code != 303:
        return "", {"status": r.status_code, "body": r.text}
    loc = r.headers["Location"]
    return loc, {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query).items()}


def login(dex: DexLike, client: DexClient, scopes: list[str], *, user: DexUser | None = None,
          nonce: str | None = None, auth: str = "basic") -> Login:
    """A whole code flow with PKCE S256: authorization, then the code at the token endpoint."""
    import requests
    nonce = nonce if nonce is not None else secrets.token_urlsafe(12)
    verifier, challenge = pkce_pair()
    _, q = authorize(dex, client, scopes, user=user, nonce=nonce, challenge=challenge)
    assert "code" in q, q
    r = token_call(dex, client, {"grant_type": "authorization_code", "code": q["code"],
                                 "redirect_uri": client.redirect_uris[0], "code_verifier": verifier}, auth=auth)
    return Login(r.status_code, r.json(), nonce, q.get("state", ""), verifier)


def token_call(dex: DexLike, client: DexClient, form: dict, auth: str = "basic", timeout: float = 5):
    import requests
    s = requests.Session()
    s.trust_env = False
    if auth == "basic":
        return s.post(dex.url("/token"), data=form, timeout=timeout,
                      auth=(urllib.parse.quote(client.id, safe=""), urllib.parse.quote(client.secret, safe="")))
    return s.post(dex.url("/token"), data={**form, "client_id": client.id, "client_secret": client.secret},
                  timeout=timeout)
