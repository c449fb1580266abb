"""A static OpenID provider for load tests: discovery and a JWKS on 127.0.0.1, so forward-auth can start logins
(the 302 path) without a real provider. Usage: provider.py PORT"""
import http.server
import json
import sys

port = int(sys.argv[1])
issuer = f"http://127.0.0.1:{port}"
documents = {
    "/.well-known/openid-configuration": {
        "issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
        "jwks_uri": issuer + "/keys", "response_types_supported": ["code"],
    },
    # One P-256 key (public part only): the 302 path needs the key set loaded, never a signature.
    "/keys": {"keys": [{"kty": "EC", "crv": "P-256", "kid": "bench", "alg": "ES256", "use": "sig",
                        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]},
}


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


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
