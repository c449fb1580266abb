"""The whole rig: provider, sample app, forward-auth instances, Caddy and nginx, with their ports chosen up front
(so every redirect URI can be registered at the provider before anything else starts) and started on demand.

Host names (all under `*.localhost`, which Chromium resolves to 127.0.0.1; the proxies add their port):
  app1/app2.apps.localhost   Caddy -> forward-auth "main" (cookie domain apps.localhost) -> app
  short.apps.localhost       Caddy -> forward-auth "short" (sessions live a few seconds) -> app
  mixup.apps.localhost       Caddy -> forward-auth "mixup", whose discovery document names the second provider's
                             endpoints under another issuer: its ID tokens carry the wrong issuer
  open.apps.localhost        Caddy -> forward_auth to the app's /_allow (200, no identity header) -> app
  evil.localhost             Caddy answers a fixed text: a host no forward-auth protects (return-URL tests)
  nginx.apps.localhost       nginx auth_request -> forward-auth "main" -> app
  filtered.apps.localhost    nginx auth_request -> forward-auth "filtered" (groups-filter, claim-header) -> app
  rp.localhost               the app itself, as the redirect URI for the provider-only test
The upstream-only headers (issue 14; tests/test_upstream_only_headers.py), forward-auth "headers" (impersonation
with a service-account token, the ID token in X-Id-Token, X-Auth-Request-Groups, a rule allowing /public):
  headers.apps.localhost        Caddy, the documented wiring -> forward-auth "headers" -> app
  headers-nginx.apps.localhost  nginx, the documented wiring -> forward-auth "headers" -> app
  dkp.apps.localhost            Caddy replaying DKP chart 0.3.10's route: /_oauth* through forward_auth, then to
                                forward-auth "headers" itself; everything else through forward_auth to the app
  prefix.apps.localhost         Caddy -> forward-auth "prefix" (--trust-forwarded-prefix, the /public rule) -> app
  prefix-nginx.apps.localhost   nginx -> forward-auth "prefix" -> app
README.md's nginx snippet, verbatim (tests/test_readme_nginx.py), on an nginx of its own on `Ports.readme_nginx`:
  readme-nginx.apps.localhost   nginx running the snippet -> forward-auth "main" -> app (`upstream app`)
The multi-cluster scenarios run their own forward-auth instances behind a Caddy of their own on `Ports.clusters`;
their host names are in harness/clusters.py. The SSO broker's scenarios likewise on `Ports.broker`
(harness/broker.py).
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import broker, clusters, identities
from .forward_auth import ForwardAuth
from .glewlwyd import Glewlwyd
from .procs import LOOPBACK, Proc, free_port, wait_port
from .proxies import Caddy, CaddySite, Nginx, NginxSite

COOKIE_DOMAIN = "apps.localhost"
APP1, APP2 = "app1.apps.localhost", "app2.apps.localhost"
SHORT, MIXUP, OPEN = "short.apps.localhost", "mixup.apps.localhost", "open.apps.localhost"
NGINX_HOST = "nginx.apps.localhost"
FILTERED_HOST = "filtered.apps.localhost"
FILTERED_GROUPS = "devs|ops"  # the groups-filter of forward-auth "filtered"
FOREIGN = "evil.localhost"
RP = "rp.localhost"
HEADERS_CADDY, HEADERS_NGINX = "headers.apps.localhost", "headers-nginx.apps.localhost"
DKP_REPLAY = "dkp.apps.localhost"
PREFIX_CADDY, PREFIX_NGINX = "prefix.apps.localhost", "prefix-nginx.apps.localhost"
README_NGINX = "readme-nginx.apps.localhost"
# What forward-auth "headers" answers an auth subrequest with, for the upstream only (besides X-Forwarded-User),
# and what the proxies in front of it copy to the app.
UPSTREAM_ONLY_HEADERS = ("Authorization", "Impersonate-User", "Impersonate-Group", "X-Id-Token",
                         "X-Auth-Request-Groups")
HEADERS_COPIED = ["X-Forwarded-User", *UPSTREAM_ONLY_HEADERS]
PUBLIC_RULE = ["--rule.public.action=allow", "--rule.public.rule=PathPrefix(`/public`)"]
SHORT_LIFETIME = 4  # seconds

APP_SCRIPT = Path(__file__).with_name("app.py")


def _port_or_free(preferred: int | None) -> int:
    if preferred:
        import socket
        with socket.socket() as s:
            try:
                s.bind((LOOPBACK, preferred))
                return preferred
            except OSError:
                pass
    return free_port()


@dataclass
class Ports:
    provider: int
    app: int
    caddy: int
    nginx: int
    fa_main: int
    fa_short: int
    fa_mixup: int
    fa_filtered: int
    fa_headers: int
    fa_prefix: int
    clusters: int  # the Caddy of the multi-cluster scenarios (harness/clusters.py)
    broker: int  # the Caddy of the SSO broker scenarios (harness/broker.py)
    readme_nginx: int  # the nginx running README.md's snippet (tests/test_readme_nginx.py)

    @classmethod
    def pick(cls, preferred: dict | None = None) -> "Ports":
        preferred = preferred or {}
        chosen: dict[str, int] = {}
        for name in cls.__dataclass_fields__:
            p = _port_or_free(preferred.get(name))
            while p in chosen.values():
                p = free_port()
            chosen[name] = p
        return cls(**chosen)


@dataclass
class Stack:
    run_dir: Path
    forward_auth_bin: Path | None = None
    ports: Ports = field(default_factory=Ports.pick)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def __post_init__(self):
        self.run_dir = Path(self.run_dir)
        self.log_dir = self.run_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.provider = Glewlwyd(self.run_dir / "glewlwyd", self.log_dir, self.ports.provider)
        self.app_proc: Proc | None = None
        self.fa: dict[str, ForwardAuth] = {}
        self.caddy: Caddy | None = None
        self.nginx: Nginx | None = None
        self.readme_nginx: Nginx | None = None
        self.mixup_discovery = self.run_dir / "mixup-discovery.json"
        # The service-account token forward-auth "headers" sends upstream: fake, and easy to find in any answer.
        self.sa_token = "sa-token-" + secrets.token_hex(16)
        self.sa_token_path = self.run_dir / "sa-token"

    # ---- addresses -------------------------------------------------------------------------------------------
    @property
    def provider_netloc(self) -> str:
        return f"{LOOPBACK}:{self.ports.provider}"

    def caddy_url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.ports.caddy}{path}"

    def nginx_url(self, host: str = NGINX_HOST, path: str = "/") -> str:
        return f"http://{host}:{self.ports.nginx}{path}"

    def rp_redirect_uri(self) -> str:
        return f"http://{RP}:{self.ports.app}/callback"

    @property
    def mixup_issuer(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.app}/mixup"

    def redirect_uris(self) -> list[str]:
        uris = [f"http://{h}:{self.ports.caddy}/_oauth" for h in (APP1, APP2, SHORT, MIXUP)]
        uris += [f"http://{h}:{self.ports.caddy}/_oauth" for h in (HEADERS_CADDY, DKP_REPLAY, PREFIX_CADDY)]
        uris += [f"http://{h}:{self.ports.nginx}/_oauth" for h in (NGINX_HOST, FILTERED_HOST, HEADERS_NGINX,
                                                                   PREFIX_NGINX)]
        uris.append(f"http://{README_NGINX}:{self.ports.readme_nginx}/_oauth")
        uris.append(self.rp_redirect_uri())
        uris += clusters.redirect_uris(self.ports.clusters)
        uris += broker.redirect_uris(self.ports.broker)[0]
        return uris

    def attached_redirect_uris(self) -> list[str]:
        """The callback URLs of the provider's second client (the SSO broker's attached clusters)."""
        return broker.redirect_uris(self.ports.broker)[1]

    # ---- components ------------------------------------------------------------------------------------------
    def start_provider(self) -> Glewlwyd:
        self.provider.prepare()
        self.provider.start()
        self.provider.setup(self.redirect_uris(), attached_redirect_uris=self.attached_redirect_uris())
        # The "mix-up" issuer: the second provider's real endpoints and keys under an issuer of its own, so that
        # discovery passes but every ID token it leads to names another issuer (the second plugin's).
        doc = dict(self.provider.discovery(identities.PLUGIN_OTHER))
        doc["issuer"] = self.mixup_issuer
        self.mixup_discovery.write_text(json.dumps(doc, indent=2))
        return self.provider

    def start_app(self) -> Proc:
        import sys
        self.app_proc = Proc("app", [sys.executable, APP_SCRIPT, "--port", self.ports.app, "--name", "sample-app",
                                     "--json-file", f"/mixup/.well-known/openid-configuration={self.mixup_discovery}"],
                             self.log_dir).start()
        wait_port(self.ports.app, self.app_proc)
        return self.app_proc

    def _forward_auth(self, name: str, port: int, provider_uri: str, secret: str, **kw) -> ForwardAuth:
        assert self.forward_auth_bin is not None, "no forward-auth binary"
        fa = ForwardAuth(f"forward-auth-{name}", self.forward_auth_bin, self.log_dir, provider_uri=provider_uri,
                         client_id=identities.CLIENT_ID, client_secret=self.provider.client_secret, secret=secret,
                         port=port, **kw)
        self.fa[name] = fa
        fa.start()
        return fa

    def start_forward_auth_main(self) -> ForwardAuth:
        return self._forward_auth("main", self.ports.fa_main, self.provider.issuer(), self.secret,
                                  cookie_domain=COOKIE_DOMAIN)

    def start_forward_auth_short(self) -> ForwardAuth:
        return self._forward_auth("short", self.ports.fa_short, self.provider.issuer(),
                                  secrets.token_urlsafe(32), extra=["--lifetime", str(SHORT_LIFETIME)])

    def start_forward_auth_mixup(self) -> ForwardAuth:
        return self._forward_auth("mixup", self.ports.fa_mixup, self.mixup_issuer, secrets.token_urlsafe(32))

    def start_forward_auth_filtered(self) -> ForwardAuth:
        """Host-only cookies of its own; keeps only the groups FILTERED_GROUPS matches and sends them upstream."""
        return self._forward_auth("filtered", self.ports.fa_filtered, self.provider.issuer(),
                                  secrets.token_urlsafe(32),
                                  extra=["--cookie-name", "_fa_filtered", "--claims-session-name", "_fa_filtered_claims",
                                         "--groups-filter", FILTERED_GROUPS,
                                         "--claim-header", "X-Auth-Request-Groups=groups"])

    def start_forward_auth_headers(self) -> ForwardAuth:
        """Sends every upstream-only header: impersonation with the fake service-account token in `sa_token_path`,
        the ID token in X-Id-Token, the groups in X-Auth-Request-Groups; allows /public to anyone; does not trust
        X-Forwarded-Prefix (the default). Cookies on apps.localhost, named apart from "main"'s."""
        self.sa_token_path.write_text(self.sa_token + "\n")
        self.sa_token_path.chmod(0o600)
        return self._forward_auth("headers", self.ports.fa_headers, self.provider.issuer(), secrets.token_urlsafe(32),
                                  cookie_domain=COOKIE_DOMAIN,
                                  extra=["--cookie-name", "_fa_headers", "--csrf-cookie-name", "_fa_headers_csrf",
                                         "--claims-session-name", "_fa_headers_claims",
                                         "--user-cookie-name", "_fa_headers_name",
                                         "--enable-impersonation",
                                         "--service-account-token-path", str(self.sa_token_path),
                                         "--forward-token-header-name", "X-Id-Token",
                                         "--claim-header", "X-Auth-Request-Groups=groups", *PUBLIC_RULE])

    def start_forward_auth_prefix(self) -> ForwardAuth:
        """Trusts X-Forwarded-Prefix (--trust-forwarded-prefix) and allows /public: a client's prefix /public
        would open any path, were the proxies to let it through. Host-only cookies of its own."""
        return self._forward_auth("prefix", self.ports.fa_prefix, self.provider.issuer(), secrets.token_urlsafe(32),
                                  extra=["--cookie-name", "_fa_prefix", "--csrf-cookie-name", "_fa_prefix_csrf",
                                         "--claims-session-name", "_fa_prefix_claims",
                                         "--user-cookie-name", "_fa_prefix_name", "--trust-forwarded-prefix",
                                         *PUBLIC_RULE])

    def caddy_sites(self) -> list[CaddySite]:
        p = self.ports
        return [
            CaddySite(APP1, p.app, p.fa_main),
            CaddySite(APP2, p.app, p.fa_main),
            CaddySite(SHORT, p.app, p.fa_short),
            CaddySite(MIXUP, p.app, p.fa_mixup),
            CaddySite(OPEN, p.app, p.app, auth_uri="/_allow", route_oauth=False),
            CaddySite(FOREIGN, p.app, respond="foreign host: not protected by forward-auth"),
            CaddySite(HEADERS_CADDY, p.app, p.fa_headers, copy_headers=list(HEADERS_COPIED)),
            CaddySite(DKP_REPLAY, p.app, p.fa_headers, copy_headers=list(HEADERS_COPIED), oauth_route="dkp",
                      strip_client_headers=False),
            CaddySite(PREFIX_CADDY, p.app, p.fa_prefix),
        ]

    def start_caddy(self, sites: list[CaddySite] | None = None) -> Caddy:
        self.caddy = Caddy(self.run_dir / "caddy", self.log_dir, sites or self.caddy_sites(), self.ports.caddy)
        self.caddy.start()
        return self.caddy

    def start_nginx(self) -> Nginx:
        sites = [NginxSite(NGINX_HOST, self.ports.app, self.ports.fa_main),
                 NginxSite(FILTERED_HOST, self.ports.app, self.ports.fa_filtered,
                           pass_headers=("X-Auth-Request-Groups",)),
                 NginxSite(HEADERS_NGINX, self.ports.app, self.ports.fa_headers, pass_headers=UPSTREAM_ONLY_HEADERS),
                 NginxSite(PREFIX_NGINX, self.ports.app, self.ports.fa_prefix)]
        self.nginx = Nginx(self.run_dir / "nginx", self.log_dir, sites, self.ports.nginx)
        self.nginx.start()
        return self.nginx

    def start_readme_nginx(self, config: str) -> Nginx:
        """An nginx of its own on `ports.readme_nginx` running `config` (a whole nginx.conf) as given."""
        self.readme_nginx = Nginx(self.run_dir / "nginx-readme", self.log_dir, [], self.ports.readme_nginx,
                                  name="nginx-readme", config=config)
        self.readme_nginx.start()
        return self.readme_nginx

    def stop(self) -> None:
        for stopper in ([self.readme_nginx.stop] if self.readme_nginx else []) + \
                       ([self.nginx.stop] if self.nginx else []) + ([self.caddy.stop] if self.caddy else []) + \
                       [fa.stop for fa in self.fa.values()] + \
                       ([self.app_proc.stop] if self.app_proc else []) + [self.provider.stop]:
            try:
                stopper()
            except Exception:  # noqa: BLE001 - stop everything we can
                pass


def wait_forever() -> None:
    while True:
        time.sleep(3600)
