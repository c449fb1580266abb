"""Debian's glewlwyd as the rig's OpenID Connect provider (standing in for Dex).

One glewlwyd process with its own SQLite database, config and copy of the web app under a temp dir, bound to
127.0.0.1, configured entirely through its admin API:
  - scopes openid/profile/email/groups that need the user's password (so the login form really asks for it),
  - the database user backend extended with `groups` (multi-valued) and `email_verified`,
  - users with passwords, groups and an email,
  - a confidential client (client_secret_basic) with every redirect URI the rig uses, and each user's consent;
    a second one (ATTACHED_CLIENT_ID, a secret of its own) for the attached clusters of the SSO broker scenarios,
  - two OIDC plugin instances, each with its own RSA key and issuer: PKCE and refresh tokens on, RS256 ID tokens
    carrying `email`, `email_verified`, `name` and `groups`.

Traits of glewlwyd worth knowing (they are forward-auth's problem only where noted in the tests):
  - it requires a `nonce` when `openid` is asked for: without one it still shows the login page, then sends the
    browser back with `error=` instead of a code;
  - `sub` is opaque, `aud` is a plain string; with subject type "pairwise" the same user got a new
    `sub` on every login, so the rig uses "public" (stable, still opaque);
  - the Debian package's webapp/config.json is a symlink to a *directory*: the webapp must be copied and given a
    real config.json;
  - POST /api/mod/plugin/ can answer 400 (bad parameters) yet leave a half-made instance behind: delete it first;
  - the consent API (PUT /api/auth/grant/{client}) takes a space-separated scope list, whatever its doc says;
  - after a password login the login page still waits for a click on "Continue"; a second authorization in the
    same provider session shows only that button;
  - it never closes the files of its web app it serves (about 15 descriptors per login page), and refuses every
    connection once a descriptor reaches 1,024: `renew_if_leaking` restarts it between tests before that.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import identities
from .identities import ATTACHED_CLIENT_ID, CLIENT_ID, SCOPES, User
from .procs import LOOPBACK, Proc, free_port, wait_http

DEBIAN_WEBAPP = Path("/usr/share/glewlwyd/webapp")
DEBIAN_WEBAPP_CONFIG = Path("/etc/glewlwyd/config-2.7.json/config.json")  # shipped as a directory of that name
DEBIAN_SCHEMA = Path("/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3")  # core schema + admin/password
GLEWLWYD_BIN = "/usr/bin/glewlwyd"
ADMIN_USER, ADMIN_PASSWORD = "admin", "password"  # the Debian schema's administrator

_MIME = [(".html", "text/html"), (".css", "text/css"), (".js", "application/javascript"),
         (".json", "application/json"), (".png", "image/png"), (".ico", "image/x-icon"), (".ttf", "font/ttf"),
         (".woff", "font/woff"), (".woff2", "font/woff2"), (".eot", "application/vnd.ms-fontobject"),
         (".svg", "image/svg+xml"), (".map", "application/octet-stream")]


class SetupError(RuntimeError):
    pass


def _rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


RUNNING: list["Glewlwyd"] = []


class Glewlwyd:
    def __init__(self, workdir: Path, log_dir: Path, port: int | None = None):
        self.dir = Path(workdir)
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.proc: Proc | None = None
        self.client_secret = "fa-" + __import__("secrets").token_urlsafe(24)
        self.attached_client_secret = "fa-attached-" + __import__("secrets").token_urlsafe(24)
        self.redirect_uris: list[str] = []
        self._admin: requests.Session | None = None

    # ---- addresses -------------------------------------------------------------------------------------------
    def issuer(self, plugin: str = identities.PLUGIN_MAIN) -> str:
        return f"{self.base}/api/{plugin}"

    def discovery_url(self, plugin: str = identities.PLUGIN_MAIN) -> str:
        return f"{self.issuer(plugin)}/.well-known/openid-configuration"

    def discovery(self, plugin: str = identities.PLUGIN_MAIN) -> dict:
        r = requests.get(self.discovery_url(plugin), timeout=5)
        r.raise_for_status()
        return r.json()

    # ---- files and process -----------------------------------------------------------------------------------
    def prepare(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        db = self.dir / "glewlwyd.db"
        if db.exists():
            db.unlink()
        with sqlite3.connect(db) as conn:
            conn.executescript(DEBIAN_SCHEMA.read_text())
        webapp = self.dir / "webapp"
        if webapp.exists():
            shutil.rmtree(webapp)
        # Copy, following symlinks (js/ points into other packages); config.json is a symlink to a directory.
        shutil.copytree(DEBIAN_WEBAPP, webapp, symlinks=False,
                        ignore=lambda d, names: ["config.json"] if Path(d) == DEBIAN_WEBAPP else [])
        webapp_config = json.loads(DEBIAN_WEBAPP_CONFIG.read_text())
        webapp_config["providerMainstreamList"] = []  # links to public sites: not wanted on a loopback rig
        (webapp / "config.json").write_text(json.dumps(webapp_config, indent=2))
        mime = ",\n".join(f'  {{ extension = "{e}"; mime_type = "{m}"; }}' for e, m in _MIME)
        (self.dir / "glewlwyd.conf").write_text(f"""\
port={self.port}
bind_address="{LOOPBACK}"
external_url="{self.base}"
login_url="login.html"
api_prefix="api"
static_files_path="{webapp}/"
allow_origin="*"
log_mode="console"
log_level="INFO"
cookie_secure=0
cookie_same_site="empty"
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
plugin_api_run_enabled=""
add_x_frame_option_header_deny=true
max_post_size=16778240
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
use_secure_connection=false
secure_connection_key_file=""
secure_connection_pem_file=""
hash_algorithm="SHA512"
database = {{ type = "sqlite3"; path = "{db}"; }};
static_files_mime_types = (
{mime}
);
""")

    def start(self) -> Proc:
        self.proc = Proc("glewlwyd", [GLEWLWYD_BIN, f"--config-file={self.dir / 'glewlwyd.conf'}"],
                         self.log_dir, cwd=self.dir).start()
        wait_http(f"{self.base}/config", proc=self.proc, timeout=20)
        if self not in RUNNING:
            RUNNING.append(self)
        return self.proc

    # glewlwyd 2.7.5 keeps a descriptor open for each static file of its webapp it serves (about 15 per login page
    # a browser loads), and its libmicrohttpd, polling with select(), refuses every connection once a descriptor
    # reaches 1,024 (FD_SETSIZE): the suite loads the login page often enough to get there.
    DESCRIPTOR_LIMIT = 600

    def renew_if_leaking(self) -> bool:
        """Restarts glewlwyd when it holds more than DESCRIPTOR_LIMIT descriptors, between tests (conftest.py).
        Nothing is lost: clients, users, sessions, codes and refresh tokens live in its database, the signing keys
        in files, and the port stays the same."""
        if self.proc is None or not self.proc.alive():
            return False
        try:
            held = len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        except OSError:
            return False
        if held <= self.DESCRIPTOR_LIMIT:
            return False
        self.proc.stop()
        self.start()
        return True

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()

    # ---- admin API -------------------------------------------------------------------------------------------
    def _call(self, session: requests.Session, method: str, path: str, body=None, ok=(200,)) -> requests.Response:
        r = session.request(method, f"{self.base}/api{path}", json=body, timeout=15)
        if r.status_code not in ok:
            raise SetupError(f"{method} /api{path} -> {r.status_code} {r.text[:500]}")
        return r

    def login(self, username: str, password: str) -> requests.Session:
        s = requests.Session()
        self._call(s, "POST", "/auth/", {"username": username, "password": password})
        return s

    @property
    def admin(self) -> requests.Session:
        if self._admin is None:
            self._admin = self.login(ADMIN_USER, ADMIN_PASSWORD)
        return self._admin

    def secret_of(self, client_id: str) -> str:
        return {CLIENT_ID: self.client_secret, ATTACHED_CLIENT_ID: self.attached_client_secret}[client_id]

    def setup(self, redirect_uris: list[str], users: list[User] = identities.USERS,
              attached_redirect_uris: list[str] = ()) -> None:
        a = self.admin
        # Scopes: the OIDC ones need the password (max age 0 = once per provider session).
        for name in SCOPES:
            body = {"name": name, "display_name": name, "description": f"OIDC scope {name}",
                    "password_required": True, "password_max_age": 0, "scheme": {}}
            if name == "openid":
                self._call(a, "PUT", "/scope/openid", body)
            else:
                self._call(a, "POST", "/scope/", body)
        # User backend: store `groups` (several values) and `email_verified` besides the built-in properties.
        mod = self._call(a, "GET", "/mod/user/database").json()
        fmt = mod["parameters"].setdefault("data-format", {})
        fmt["groups"] = {"multiple": True, "read": True, "write": True, "profile-read": True, "profile-write": False}
        fmt["email_verified"] = {"multiple": False, "read": True, "write": True, "profile-read": True,
                                 "profile-write": False}
        self._call(a, "PUT", "/mod/user/database", {k: mod[k] for k in
                   ("module", "name", "display_name", "order_rank", "parameters", "enabled", "readonly")})
        self._call(a, "PUT", "/mod/user/database/reset")  # the new data format counts only after a reset
        for u in users:
            self._call(a, "POST", "/user/", {
                "username": u.username, "name": u.name, "email": u.email, "password": u.password,
                "scope": SCOPES + ["g_profile"], "enabled": True, "groups": list(u.groups),
                "email_verified": "true" if u.email_verified else "false"})
        # The confidential client forward-auth uses.
        self.redirect_uris = list(dict.fromkeys(redirect_uris))
        self._call(a, "POST", "/client/", {
            "client_id": CLIENT_ID, "name": "forward-auth (e2e)", "enabled": True, "confidential": True,
            "client_secret": self.client_secret, "token_endpoint_auth_method": ["client_secret_basic"],
            "redirect_uri": self.redirect_uris, "authorization_type": ["code", "refresh_token"], "scope": []})
        # The attached clusters' client (glewlwyd names one client per ID token: `aud` is always this one string).
        self._call(a, "POST", "/client/", {
            "client_id": ATTACHED_CLIENT_ID, "name": "forward-auth attached cluster (e2e)", "enabled": True,
            "confidential": True, "client_secret": self.attached_client_secret,
            "token_endpoint_auth_method": ["client_secret_basic"],
            "redirect_uri": list(dict.fromkeys(attached_redirect_uris)) or ["http://unused.localhost/_oauth"],
            "authorization_type": ["code", "refresh_token"], "scope": []})
        for plugin in (identities.PLUGIN_MAIN, identities.PLUGIN_OTHER):
            self.add_oidc_plugin(plugin)
        # Each user's consent for the client, so the browser sees the password form and "Continue" only.
        for u in users:
            s = self.login(u.username, u.password)
            for client in (CLIENT_ID, ATTACHED_CLIENT_ID):
                self._call(s, "PUT", f"/auth/grant/{client}", {"scope": " ".join(SCOPES)})

    def set_redirect_uris(self, redirect_uris: list[str]) -> None:
        client = self._call(self.admin, "GET", f"/client/{CLIENT_ID}").json()
        client["redirect_uri"] = list(dict.fromkeys(redirect_uris))
        client.pop("source", None)
        self._call(self.admin, "PUT", f"/client/{CLIENT_ID}", client)
        self.redirect_uris = client["redirect_uri"]

    def add_oidc_plugin(self, name: str, iss: str | None = None) -> None:
        """A plugin instance `name` with a key of its own. `iss` (default `issuer(name)`) is the issuer it names in
        discovery and ID tokens; its endpoints are always on 127.0.0.1."""
        iss = iss or self.issuer(name)
        private_pem, public_pem = _rsa_pem_pair()
        (self.dir / f"{name}.key.pem").write_text(private_pem)
        params = {
            "iss": iss,
            "jwt-type": "rsa", "jwt-key-size": "256", "key": private_pem, "cert": public_pem,  # RS256
            "access-token-duration": 3600, "refresh-token-duration": 1209600, "code-duration": 600,
            "refresh-token-rolling": True, "allow-non-oidc": False,
            "auth-type-code-enabled": True, "auth-type-refresh-enabled": True,
            "auth-type-token-enabled": False, "auth-type-id-token-enabled": False, "auth-type-none-enabled": False,
            "auth-type-password-enabled": False, "auth-type-client-enabled": False,
            "auth-type-device-enabled": False,
            "subject-type": "public", "jwks-show": True,  # pairwise gave a new sub on every login
            "allowed-scope": list(SCOPES),
            "name-claim": "mandatory", "email-claim": "mandatory", "scope-claim": "no",
            "claims": [
                {"name": "groups", "user-property": "groups", "type": "string", "mandatory": True},
                {"name": "email_verified", "user-property": "email_verified", "type": "boolean",
                 "boolean-value-true": "true", "boolean-value-false": "false", "mandatory": True},
            ],
            "pkce-allowed": True, "pkce-method-plain-allowed": False,
            "session-management-allowed": False, "request-parameter-allow": False,
        }
        body = {"module": "oidc", "name": name, "display_name": f"OIDC {name}", "enabled": True,
                "parameters": params}
        r = self.admin.post(f"{self.base}/api/mod/plugin/", json=body, timeout=15)
        if r.status_code != 200:
            # A refused POST may still leave a half-made instance: remove it so a corrected retry can work.
            self.admin.delete(f"{self.base}/api/mod/plugin/{name}", timeout=15)
            raise SetupError(f"adding OIDC plugin {name}: {r.status_code} {r.text[:500]}")
        disc = self.discovery(name)
        if disc.get("issuer") != iss:
            raise SetupError(f"plugin {name}: discovery issuer {disc.get('issuer')!r} != {iss!r}")
