"""A static OpenID provider for load tests: discovery and a JWKS on 127.0.0.1, so forward-auth can start logins
(the 302 path) and verify Bearer ID tokens (the API-client 200 path) without a real provider.

Usage: provider.py PORT [TOKEN_FILE [CLIENT_ID]]
A fresh P-256 key is made at start; with TOKEN_FILE, an ES256 ID token for CLIENT_ID (default "bench") signed with
it, valid for an hour, is written there once the server listens."""
import base64
import http.server
import json
import sys
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

port = int(sys.argv[1])
token_file = sys.argv[2] if len(sys.argv) > 2 else None
client_id = sys.argv[3] if len(sys.argv) > 3 else "bench"
issuer = f"http://127.0.0.1:{port}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


key = ec.generate_private_key(ec.SECP256R1())
numbers = key.public_key().public_numbers()
documents = {
    "/.well-known/openid-configuration": {
        "issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
        "jwks_uri": issuer + "/keys", "response_types_supported": ["code"],
    },
    "/keys": {"keys": [{"kty": "EC", "crv": "P-256", "kid": "bench", "alg": "ES256", "use": "sig",
                        "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}]},
}


def id_token() -> str:
    now = int(time.time())
    header = {"alg": "ES256", "kid": "bench", "typ": "JWT"}
    claims = {"iss": issuer, "sub": "bench-user", "aud": client_id, "iat": now, "exp": now + 3600,
              "email": "bench@example.com", "email_verified": True, "groups": ["bench"]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(documents.get(self.path.split("?")[0], {})).encode()
        self.send_response(200 if self.path.split("?")[0] in documents else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if token_file:
    with open(token_file, "w") as f:
        f.write(id_token())
server.serve_forever()
