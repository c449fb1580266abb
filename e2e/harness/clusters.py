"""Several forward-auth instances side by side, standing for several Kubernetes clusters (or several releases in one
cluster), behind a Caddy of their own: the multi-cluster scenarios of tests/test_two_clusters.py.

Each scenario starts its instances and its Caddy itself and stops them when it ends, failed or not (`Clusters`
is used through a function-scoped fixture). The Caddy listens on the port `Ports.clusters`, chosen with the
others at the start of the session, so that every callback URL below is registered at the provider up front.

Host names (all `*.localhost`, resolved to 127.0.0.1 by Chromium and harness/localclient.py):
  one parent domain, shared key            app.ui.example.localhost         forward-auth "UI cluster"
  (cookie domain example.localhost)        app.c1.example.localhost         forward-auth "attached cluster"
  two domains, a key each                  app.ui.localhost                 forward-auth "UI cluster" (ui.localhost)
                                           app.attached.localhost           forward-auth "attached" (attached.localhost)
  two instances on one host                console.one.localhost            /kommander/* -> "kommander" instance,
                                                                            everything else -> "main" instance
  one auth host, two cookie domains        app.apps.a.localhost, auth.apps.a.localhost, wiki.tools.a.localhost
                                           (on port 80: forward-auth's auth host carries no port)
"""
from __future__ import annotations

import json
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from . import identities
from .forward_auth import ForwardAuth, json_records
from .identities import CLIENT_ID, SCOPES, User
from .oidc import Pkce, authorization_url, b64url, split_jwt, token_request
from .procs import LOOPBACK
from .proxies import Caddy

# (a) one parent domain: the session cookie is set on example.localhost and read by both clusters.
PARENT = "example.localhost"
UI_APP, C1_APP = "app.ui.example.localhost", "app.c1.example.localhost"
# (b) two domains: each cluster's cookie lives on its own domain.
UI_DOMAIN, ATTACHED_DOMAIN = "ui.localhost", "attached.localhost"
UI_SITE, ATTACHED_SITE = "app.ui.localhost", "app.attached.localhost"
# (e) two instances on one host, as DKP runs `_forward_auth` and `_forward_auth_kommander`.
ONE_HOST = "console.one.localhost"
KOMMANDER_PREFIX = "/kommander/"
KOMMANDER_URL_PATH = "/_oauth_kommander"
KOMMANDER_COOKIES = {"cookie-name": "_forward_auth_kommander", "csrf-cookie-name": "_forward_auth_csrf_kommander",
                     "claims-session-name": "_forward_auth_kommander_claims",
                     "user-cookie-name": "_forward_auth_kommander_name"}
# (f) one instance, one auth host, two cookie domains (the auth host lies under the first only).
A_APPS_DOMAIN, A_TOOLS_DOMAIN = "apps.a.localhost", "tools.a.localhost"
A_APP, A_AUTH, A_TOOL = "app.apps.a.localhost", "auth.apps.a.localhost", "wiki.tools.a.localhost"


# forward-auth takes `--auth-host` without a port and builds the auth host's callback URL without one: the
# auth-host scenario runs its Caddy on the default HTTP port, as an ingress would.
DEFAULT_HTTP_PORT = 80


def netloc(host: str, port: int) -> str:
    return host if port == DEFAULT_HTTP_PORT else f"{host}:{port}"


def redirect_uris(port: int) -> list[str]:
    """Every callback URL the multi-cluster scenarios make the provider send browsers to."""
    def u(host: str, path: str = "/_oauth", on: int = port) -> str:
        return f"http://{netloc(host, on)}{path}"
    return [u(UI_SITE), u(ATTACHED_SITE), u(C1_APP), u(UI_APP), u(ONE_HOST), u(ONE_HOST, KOMMANDER_URL_PATH),
            u(A_AUTH), u(A_TOOL), u(A_AUTH, on=DEFAULT_HTTP_PORT), u(A_TOOL, on=DEFAULT_HTTP_PORT)]


def port_is_free(port: int) -> bool:
    import socket
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
            return True
        except OSError:
            return False


# ---- Caddy ----------------------------------------------------------------------------------------------------
@dataclass
class Site:
    """A host behind the scenario's Caddy: `auth_port`'s forward-auth judges it and serves its `url_path`;
    `parts` hands paths below a prefix to another instance: (path prefix, that instance's url-path, its port)."""
    host: str
    auth_port: int
    url_path: str = "/_oauth"
    parts: list[tuple[str, str, int]] = field(default_factory=list)
    # The SSO broker (tests/test_sso_broker.py), wired as the chart does: on the UI cluster `<url_path>/sso` goes to
    # forward-auth as one more exact path; on an attached cluster `<url_path>/sso/callback` (exact) goes through the
    # forward_auth check first (a bodyless GET subrequest, as Traefik's ForwardAuth), then to forward-auth itself.
    sso_broker: bool = False
    sso_callback: bool = False


def _forward_auth_block(port: int, upstream: int, indent: str) -> list[str]:
    return [f"{indent}forward_auth {LOOPBACK}:{port} {{",
            f"{indent}\turi /",
            f"{indent}\tcopy_headers X-Forwarded-User",
            f"{indent}}}",
            f"{indent}reverse_proxy {LOOPBACK}:{upstream}"]


def caddyfile(port: int, upstream: int, sites: list[Site], state_dir: Path) -> str:
    # grace_period: Chromium keeps pre-connected sockets that Go's graceful shutdown waits ~5 s for.
    out = ["{", "\tadmin off", "\tauto_https off", "\tgrace_period 200ms",
           f"\tstorage file_system {{\n\t\troot {state_dir}\n\t}}", "}", ""]
    for s in sites:
        out += [f"http://{s.host}:{port} {{", f"\tbind {LOOPBACK}"]
        # Each instance's callback, logout and login start, each path exact (the documented wiring: nothing else
        # under its url-path reaches forward-auth directly).
        oauth = [(s.url_path, s.auth_port)] + [(p, fa) for _, p, fa in s.parts]
        sso = f" {s.url_path}/sso" if s.sso_broker else ""
        out += [f"\t@fa_endpoints_{i} path {path} {path}/logout {path}/start{sso if i == 0 else ''}"
                for i, (path, _) in enumerate(oauth)]
        if s.sso_callback:
            out.append(f"\t@sso_callback path {s.url_path}/sso/callback")
        out += ["\troute {", "\t\trequest_header -X-Forwarded-Prefix", "\t\trequest_header -X-Forwarded-User"]
        out += [f"\t\treverse_proxy @fa_endpoints_{i} {LOOPBACK}:{fa}" for i, (_, fa) in enumerate(oauth)]
        if s.sso_callback:
            # No copy_headers here: Caddy 2.6.2 would put its placeholder text upstream for the identity header
            # the answer lacks, where Traefik copies only what is there.
            out += ["\t\troute @sso_callback {", f"\t\t\tforward_auth {LOOPBACK}:{s.auth_port} {{",
                    "\t\t\t\turi /", "\t\t\t}", f"\t\t\treverse_proxy {LOOPBACK}:{s.auth_port}", "\t\t}"]
        for prefix, _, fa in s.parts:
            out.append(f"\t\troute {prefix}* {{")
            out += _forward_auth_block(fa, upstream, "\t\t\t")
            out.append("\t\t}")
        out += _forward_auth_block(s.auth_port, upstream, "\t\t")
        out += ["\t}", "}", ""]
    return "\n".join(out) + "\n"


# ---- the scenario's processes -----------------------------------------------------------------------------------
class Clusters:
    """The forward-auth instances and the Caddy of one scenario. `stop()` ends every process started here."""

    def __init__(self, stack, tag: str, port: int | None = None):
        self.stack = stack
        self.tag = re.sub(r"[^A-Za-z0-9_.-]", "_", tag)[:80]
        self.port = port or stack.ports.clusters
        self.dir = Path(stack.run_dir) / "clusters" / self.tag
        self.fa: dict[str, ForwardAuth] = {}
        self.caddy: Caddy | None = None

    def start_forward_auth(self, name: str, *, secret: str, provider_uri: str | None = None,
                           cookie_domain: str | None = None, auth_host: str | None = None,
                           extra: list[str] | None = None, client_id: str = CLIENT_ID) -> ForwardAuth:
        fa = ForwardAuth(f"forward-auth-{name}", self.stack.forward_auth_bin, self.stack.log_dir,
                         provider_uri=provider_uri or self.stack.provider.issuer(), client_id=client_id,
                         client_secret=self.stack.provider.secret_of(client_id), secret=secret,
                         cookie_domain=cookie_domain, auth_host=auth_host, extra=extra)
        self.fa[name] = fa  # registered before start: stop() ends it even when it never became ready
        fa.start()
        return fa

    def start_caddy(self, sites: list[Site]) -> Caddy:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = caddyfile(self.port, self.stack.ports.app, sites, self.dir / "caddy" / "data")
        self.caddy = Caddy(self.dir / "caddy", self.stack.log_dir, [], self.port, name=f"caddy-{self.tag}",
                           config=conf)
        self.caddy.start()
        return self.caddy

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{self.netloc(host)}{path}"

    def netloc(self, host: str) -> str:
        """host:port as the browser shows it (no port for 80)."""
        return netloc(host, self.port)

    def logs(self, tail: int = 40) -> str:
        parts = [f"--- {fa.name} log (tail):\n{fa.log(tail)}" for fa in self.fa.values()]
        if self.caddy and self.caddy.proc:
            parts.append(f"--- {self.caddy.name} log (tail):\n{self.caddy.proc.log(15)}")
        return "\n".join(parts)

    def stop(self) -> None:
        for stopper in ([self.caddy.stop] if self.caddy else []) + [fa.stop for fa in self.fa.values()]:
            try:
                stopper()
            except Exception:  # noqa: BLE001 - stop everything we can
                pass


class LogMark:
    """The JSON log records a forward-auth instance wrote after this mark."""

    def __init__(self, fa: ForwardAuth):
        self.fa = fa
        self.offset = len(fa.log(None))

    def records(self) -> list[dict]:
        return json_records(self.fa.log(None)[self.offset:])

    def messages(self, msg: str) -> list[dict]:
        return [r for r in self.records() if r.get("msg") == msg]


# ---- what the provider saw --------------------------------------------------------------------------------------
class ProviderLog:
    """glewlwyd's own account of what happened after this mark: it logs one `Event - User 'NAME' authenticated
    with password` per accepted password and one `id_token generated` per ID token it issues."""

    def __init__(self, provider):
        self.provider = provider
        self.offset = len(provider.proc.log(None))

    def text(self) -> str:
        return self.provider.proc.log(None)[self.offset:]

    def password_logins(self, user: User) -> int:
        return self.text().count(f"Event - User '{user.username}' authenticated with password")

    def id_tokens(self, plugin: str = identities.PLUGIN_MAIN) -> int:
        return self.text().count(f"Plugin '{plugin}' - id_token generated")


def password_submissions(requests: list[dict], provider_netloc: str) -> list[dict]:
    """The browser's POSTs of a password to the provider's login API (glewlwyd's page sends
    {"username", "password"} to /api/auth/)."""
    out = []
    for r in requests:
        parts = urllib.parse.urlsplit(r["url"] or "")
        if r["method"] == "POST" and parts.netloc == provider_netloc and parts.path.rstrip("/") == "/api/auth" \
                and '"password"' in (r["post_data"] or ""):
            out.append(r)
    return out


def provider_requests(requests: list[dict], provider_netloc: str) -> list[str]:
    return [r["url"] for r in requests if urllib.parse.urlsplit(r["url"] or "").netloc == provider_netloc]


# ---- ID tokens for the Bearer checks ----------------------------------------------------------------------------
def id_token_from_provider(stack, browser, user: User, plugin: str = identities.PLUGIN_MAIN,
                           expect_password: bool | None = None) -> str:
    """An ID token for the forward-auth client, as an API client would hold one: the browser authorizes at
    `plugin` with the rig's relying-party callback, the code is redeemed here."""
    disc = stack.provider.discovery(plugin)
    pkce, state, nonce = Pkce(), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    browser.get(authorization_url(disc, CLIENT_ID, stack.rp_redirect_uri(), " ".join(SCOPES), state, nonce, pkce))
    browser.login_at_provider(stack.provider_netloc, user, expect_password=expect_password)
    data = browser.wait_app(host=urllib.parse.urlsplit(stack.rp_redirect_uri()).netloc)
    query = urllib.parse.parse_qs(data["query"])
    assert query.get("state") == [state] and "code" in query, query
    r = token_request(disc, CLIENT_ID, stack.provider.client_secret, {
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": stack.rp_redirect_uri(),
        "code_verifier": pkce.verifier})
    assert r.status_code == 200, r.text
    return r.json()["id_token"]


def resign(token: str, private_key_pem: str, **claim_changes) -> str:
    """The token with some claims changed, signed again (RS256, same header and kid) with the given key."""
    header, claims, _, _ = split_jwt(token)
    claims = {**claims, **claim_changes}
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    signing_input = f"{b64url(json.dumps(header, separators=(',', ':')).encode())}." \
                    f"{b64url(json.dumps(claims, separators=(',', ':')).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def jwt_claims(token: str) -> dict:
    return split_jwt(token)[1]

