"""Silent refresh's rig (issue 19 part 2; tests/test_silent_refresh.py): forward-auth instances started with
`--refresh-sessions --refresh-interval 10`, each with a Dex-like provider of its own (harness/dexlike.py, in this
process), behind one Caddy with the documented wiring (harness/clusters.py's Caddyfile), and the sample app.

One scenario per host, each with its own provider and its own forward-auth, so that one scenario's provider knobs
(an outage, a removed user, a slow connector, refreshes without an ID token) never touch another's, and all
sessions can be started first and wait for their soft end together:

  silent.refresh.localhost     a refresh after the soft end, XHR and fetch passing
  race.refresh.localhost       two tabs refreshing at once (the provider's connector takes a second: the window in
                               which Dex answers the loser 500, then 400)
  removed.refresh.localhost    the user removed at the provider
  outage.refresh.localhost     the provider's token endpoint answering 503, then dropping the connection
  userinfo.refresh.localhost   refresh answers without an ID token (as glewlwyd's): userinfo's `sub`

Caddy routes only `/_oauth`, `/_oauth/logout` and `/_oauth/start` to forward-auth directly (each exact, as the chart
does); `/_oauth/refresh` reaches forward-auth through the `forward_auth` subrequest (X-Forwarded-Uri), as it does
through Traefik's ForwardAuth, whose non-2xx answer (the 302 with the renewed cookie) the proxy passes to the browser.
"""
from __future__ import annotations

import secrets
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from selenium.webdriver.common.by import By

from .clusters import Site, caddyfile
from .dexlike import DexClient, DexLike, DexUser
from .forward_auth import ForwardAuth
from .identities import ALICE, CLIENT_ID
from .procs import LOOPBACK, Proc, free_port, wait_port
from .proxies import Caddy

REFRESH_INTERVAL = 10  # seconds: the least forward-auth accepts
SESSION = "_forward_auth"
MARKER = "_forward_auth_refresh"
URL_PATH = "/_oauth"
REFRESH_PATH = URL_PATH + "/refresh"
RETRY_DELAY = 60  # seconds a refresh waits after the provider could not be reached (fixed in forward-auth)
RESULTS = ("refreshed", "refused", "ended", "unavailable", "invalid_token", "skipped")
REFRESH_METRIC = "forward_auth_refreshes_total"

APP_SCRIPT = Path(__file__).with_name("app.py")


def host_of(name: str) -> str:
    return f"{name}.refresh.localhost"


@dataclass
class Scenario:
    name: str
    dex: DexLike
    user: DexUser
    port: int                  # the Caddy's
    args: list[str] = field(default_factory=list)  # forward-auth flags of this scenario's instance only
    fa: ForwardAuth | None = None
    logged_in_at: float = 0.0  # time.time() when the app page showed after the login

    @property
    def host(self) -> str:
        return host_of(self.name)

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.netloc}{path}"

    @property
    def dex_netloc(self) -> str:
        return f"{LOOPBACK}:{self.dex.port}"

    @property
    def soft_end(self) -> float:
        """No earlier than forward-auth's soft end: the session was issued (whole seconds) before this login
        showed the app."""
        return self.logged_in_at + REFRESH_INTERVAL

    def refreshes(self) -> list[tuple[int, str | None]]:
        return self.dex.refresh_answers()


class RefreshRig:
    """The app, one Dex-like provider and one forward-auth per scenario, one Caddy. `stop()` ends them all."""

    def __init__(self, run_dir: Path, log_dir: Path, binary: Path, scenarios: dict[str, dict],
                 refresh_args: list[str] | None = None):
        """scenarios: name -> {"provider": the provider's knobs (DexLike attributes, set before it starts),
        "user": the username who logs in (default alice), "args": forward-auth flags of this instance only}.
        refresh_args: the flags every instance gets besides provider, client and key (None: `--refresh-sessions
        --refresh-interval 10`)."""
        self.dir = Path(run_dir) / "silent-refresh"
        self.log_dir = Path(log_dir)
        self.binary = Path(binary)
        self.port = free_port()
        self.app_port = free_port()
        self.args = refresh_args if refresh_args is not None else \
            ["--refresh-sessions", "--refresh-interval", str(REFRESH_INTERVAL)]
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one for all, as generating costs
        self.scenarios: dict[str, Scenario] = {}
        for name, spec in scenarios.items():
            client = DexClient(CLIENT_ID, secrets.token_urlsafe(24), [self.url_of(name, URL_PATH)])
            dex = DexLike(clients=[client], key=key)
            for knob, value in spec.get("provider", {}).items():
                if not hasattr(dex, knob):
                    raise AttributeError(knob)
                setattr(dex, knob, value)
            user = dex.users[spec.get("user", ALICE.username)]
            self.scenarios[name] = Scenario(name, dex, user, self.port, args=list(spec.get("args", [])))
        self.app: Proc | None = None
        self.caddy: Caddy | None = None

    def url_of(self, name: str, path: str = "/") -> str:
        return f"http://{host_of(name)}:{self.port}{path}"

    # ---- processes ---------------------------------------------------------------------------------------------
    def start(self) -> "RefreshRig":
        self.dir.mkdir(parents=True, exist_ok=True)
        self.app = Proc("app-refresh", [sys.executable, APP_SCRIPT, "--port", self.app_port, "--name",
                                        "sample-app"], self.log_dir).start()
        for s in self.scenarios.values():
            s.dex.start()
            client = s.dex.clients[CLIENT_ID]
            s.fa = ForwardAuth(f"forward-auth-refresh-{s.name}", self.binary, self.log_dir, provider_uri=s.dex.issuer,
                               client_id=client.id, client_secret=client.secret, secret=secrets.token_urlsafe(32),
                               extra=self.args + s.args)
            s.fa.start()
        wait_port(self.app_port, self.app)
        conf = caddyfile(self.port, self.app_port, [Site(s.host, s.fa.port) for s in self.scenarios.values()],
                         self.dir / "caddy" / "data")
        self.caddy = Caddy(self.dir / "caddy", self.log_dir, [], self.port, name="caddy-refresh", config=conf)
        self.caddy.start()
        return self

    def stop(self) -> None:
        stoppers = [self.caddy.stop] if self.caddy else []
        stoppers += [s.fa.stop for s in self.scenarios.values() if s.fa]
        stoppers += [s.dex.stop for s in self.scenarios.values()]
        stoppers += [self.app.stop] if self.app else []
        for stop in stoppers:
            try:
                stop()
            except Exception:  # noqa: BLE001 - stop everything we can
                pass

    def logs(self, tail: int = 40) -> str:
        parts = [f"--- {s.fa.name} log (tail):\n{s.fa.log(tail)}" for s in self.scenarios.values() if s.fa]
        if self.caddy and self.caddy.proc:
            parts.append(f"--- caddy-refresh log (tail):\n{self.caddy.proc.log(15)}")
        return "\n".join(parts)

    # ---- what forward-auth counted -----------------------------------------------------------------------------
    def refresh_counts(self, name: str) -> dict[str, float]:
        """forward_auth_refreshes_total of a scenario's instance, by result (zeros included)."""
        from .broker import metric
        r = requests.get(f"{self.scenarios[name].fa.base}/metrics", timeout=5)
        assert r.status_code == 200, r.status_code
        return {result: metric(r.text, REFRESH_METRIC, result=result) for result in RESULTS}


# ---- the browser at the Dex-like provider ---------------------------------------------------------------------
def at_login_page(browser, scenario: Scenario) -> bool:
    """The browser shows the provider's password form."""
    if browser.host != scenario.dex_netloc:
        return False
    fields = browser.driver.find_elements(By.ID, "password")
    return bool(fields) and fields[0].is_displayed()


def login(browser, scenario: Scenario) -> dict:
    """Opens the scenario's app, types the user's email and password into the provider's form like a person,
    and returns the app's data once it shows."""
    browser.get(scenario.url("/"))
    browser.wait_until(lambda: at_login_page(browser, scenario), f"the provider's login page for {scenario.name}")
    for field_id, text in (("login", scenario.user.email), ("password", scenario.user.password)):
        el = browser.driver.find_element(By.ID, field_id)
        el.clear()
        for ch in text:
            el.send_keys(ch)
    browser.driver.find_element(By.ID, "submit-login").click()
    return browser.wait_app(host=scenario.netloc)


def marker_of(browser, scenario: Scenario) -> dict | None:
    """The refresh marker cookie of a scenario's host, or None."""
    found = [c for c in browser.cookies(MARKER) if c["domain"].lstrip(".") == scenario.host]
    assert len(found) <= 1, found
    return found[0] if found else None


def session_of(browser, scenario: Scenario) -> str | None:
    found = [c["value"] for c in browser.cookies(SESSION) if c["domain"].lstrip(".") == scenario.host]
    assert len(found) <= 1, found
    return found[0] if found else None


def parse_marker(value: str) -> tuple[str, int]:
    """`<base64url session id>.<retryAt>`."""
    session_id, _, retry_at = value.partition(".")
    return session_id, int(retry_at)


def refresh_hops(navigations: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The navigations that went through `<url-path>/refresh`."""
    return [(u, s) for u, s in navigations if urllib.parse.urlsplit(u).path == REFRESH_PATH]


def wait_until_time(t: float) -> None:
    delay = t - time.time()
    if delay > 0:
        time.sleep(delay)
