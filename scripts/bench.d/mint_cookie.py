"""Mints a forward-auth session cookie from the documented format, for load tests (no login needed).

Format (Sources/ForwardAuth/Session): key = HKDF-SHA256(secret, salt "forward-auth", info "session"), AES-256-GCM
with AAD "forward-auth/session/<cookie name>", value "v1." + base64url(nonce | ciphertext | tag), payload =
version 1 | issuedAt i64 | expiresAt i64 | id (u16 len + bytes) | flags u8 | email | name | u16 count | groups.
"""
import base64
import os
import struct
import sys
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def field(data: bytes) -> bytes:
    return struct.pack(">H", len(data)) + data


def mint(secret: bytes, email: str, cookie_name: str = "_forward_auth", groups=("devs",)) -> str:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"forward-auth", info=b"session").derive(secret)
    now = int(time.time())
    payload = (bytes([1]) + struct.pack(">qq", now, now + 3600) + field(os.urandom(16)) + bytes([0])
               + field(email.encode()) + field(email.split("@")[0].encode()) + struct.pack(">H", len(groups))
               + b"".join(field(g.encode()) for g in groups))
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, payload, f"forward-auth/session/{cookie_name}".encode())
    return "v1." + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


if __name__ == "__main__":
    print(mint(sys.argv[1].encode(), sys.argv[2] if len(sys.argv) > 2 else "bench@example.com"))
