"""A static OpenID provider for the proxy test: discovery and a JWKS, over http on PORT and https on TLS_PORT.

Usage: provider.py ADDRESS PORT TLS_PORT CERT_PEM KEY_PEM MODULUS_HEX
The issuer is the URL the request came to (scheme and Host), so one process serves both providers. Every request
line is appended to stdout: the test reads it to tell whether forward-auth got here (through the proxy).
Standard library only."""
import base64
import http.server
import json
import ssl
import sys
import threading

address, port, tls_port, cert, key, modulus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:7]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


jwks = {"keys": [{"kty": "RSA", "kid": "proxy-test", "alg": "RS256", "use": "sig",
                  "n": b64url(bytes.fromhex(modulus)), "e": "AQAB"}]}


class Handler(http.server.BaseHTTPRequestHandler):
    scheme = "http"

    def do_GET(self):
        issuer = f"{self.scheme}://{self.headers.get('Host', '')}"
        path = self.path.split("?")[0]
        documents = {
            "/.well-known/openid-configuration": {
                "issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
                "jwks_uri": issuer + "/keys", "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
            },
            "/keys": jwks,
        }
        body = json.dumps(documents.get(path, {})).encode()
        self.send_response(200 if path in documents else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print(f"{self.scheme} {self.command} {self.path}", flush=True)

    def log_message(self, *args):
        pass


class TLSHandler(Handler):
    scheme = "https"


plain = http.server.ThreadingHTTPServer((address, port), Handler)
secure = http.server.ThreadingHTTPServer((address, tls_port), TLSHandler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
secure.socket = context.wrap_socket(secure.socket, server_side=True)
threading.Thread(target=secure.serve_forever, daemon=True).start()
print("listening", flush=True)
plain.serve_forever()
