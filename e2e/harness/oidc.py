"""Just enough OpenID Connect client code for the provider test: PKCE, the token call and RS256 verification."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.parse

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Pkce:
    def __init__(self) -> None:
        self.verifier = secrets.token_urlsafe(48)
        self.challenge = b64url(hashlib.sha256(self.verifier.encode()).digest())


def authorization_url(discovery: dict, client_id: str, redirect_uri: str, scope: str, state: str,
                      nonce: str | None, pkce: Pkce | None) -> str:
    q = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
         "state": state}
    if nonce is not None:
        q["nonce"] = nonce
    if pkce is not None:
        q["code_challenge"] = pkce.challenge
        q["code_challenge_method"] = "S256"
    return discovery["authorization_endpoint"] + "?" + urllib.parse.urlencode(q, quote_via=urllib.parse.quote)


def token_request(discovery: dict, client_id: str, client_secret: str, form: dict) -> requests.Response:
    return requests.post(discovery["token_endpoint"], data=form, auth=(client_id, client_secret), timeout=10)


def split_jwt(token: str) -> tuple[dict, dict, bytes, bytes]:
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), f"{h}.{p}".encode(), b64url_decode(s)


def verify_rs256(token: str, jwks: dict) -> tuple[dict, dict]:
    """Verify an RS256 JWT against a JWKS (raises on failure) and return (header, claims)."""
    header, claims, signing_input, signature = split_jwt(token)
    if header.get("alg") != "RS256":
        raise ValueError(f"alg {header.get('alg')!r} is not RS256")
    candidates = [k for k in jwks["keys"] if k.get("kty") == "RSA" and
                  (header.get("kid") is None or k.get("kid") == header.get("kid"))]
    if not candidates:
        raise ValueError(f"no RSA key with kid {header.get('kid')!r} in the JWKS")
    last = None
    for k in candidates:
        pub = rsa.RSAPublicNumbers(int.from_bytes(b64url_decode(k["e"]), "big"),
                                   int.from_bytes(b64url_decode(k["n"]), "big")).public_key()
        try:
            pub.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return header, claims
        except Exception as e:  # noqa: BLE001 - try the next key
            last = e
    raise ValueError(f"RS256 signature does not verify: {last!r}")
