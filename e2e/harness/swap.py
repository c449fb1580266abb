"""The swap (issue 17): forward-auth started exactly as mesosphere's chart 0.3.10 starts the Go traefik-forward-auth
v3.3.0 on a DKP cluster (harness/chart0310.py renders it), behind a Caddy of its own, with the real provider.

What a pod gets, and what the rig changes (nothing else):
  - args: the chart's (`--enable-impersonation`, `--enable-rbac`), then `--listen-address 127.0.0.1 --port N`
    (the Go fork listens on :4181; the rig picks free ports on loopback);
  - env: the chart's entries in order, secretKeyRef values resolved to this rig's secrets, and only PATH and HOME
    besides (not the test's environment). Rewritten: CONFIG (the mounted config.ini -> a file in the run dir),
    SSL_CERT_FILE (the service-account CA; dropped: the provider is plain http), SERVICE_ACCOUNT_TOKEN_PATH (a fake
    token in the run dir); added when the chart passes --enable-rbac: RBAC_FILE (outside a pod forward-auth reads
    ClusterRoles and ClusterRoleBindings from a file; the Go fork has no such option and would list them from the
    API server);
  - config.ini: the ConfigMap's text with only the `provider-uri` value replaced by the rig's issuer (kept quoted,
    as the chart quotes it).
The provider knows the chart's client ids (`traefik-forward-auth` for the management cluster,
`traefik-forward-auth-kommander` for attached ones): `add_client` registers them with the rig's client secret.

Host names (Caddy on `SwapRig.caddy_port`, the documented wiring: each pod's callback, logout and login start
exact, everything else through forward_auth, the identity headers of DKP's `forwardauth-full` Middleware copied):
  mgmt.swap.localhost       the management cluster's pod (url-path /_oauth)
  attached.swap.localhost   an attached cluster's pod (url-path /_oauth_kommander, from Kommander's extraConfig)
  variant.swap.localhost    a pod rendered with other values by one test at a time (url-path /_oauth)
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import identities
from .chart0310 import CONFIG_INI, SA_CA, SA_TOKEN, PodSecrets, Rendered, container_env
from .procs import LOOPBACK, Proc, ProcessFailed, free_port, wait_http, wait_port
from .proxies import Caddy

REPO = Path(__file__).resolve().parents[2]
MGMT_HOST, ATTACHED_HOST, VARIANT_HOST = "mgmt.swap.localhost", "attached.swap.localhost", "variant.swap.localhost"
MGMT_CLIENT, ATTACHED_CLIENT = "traefik-forward-auth", "traefik-forward-auth-kommander"
# Kommander's Traefik Middleware `forwardauth-full` (kommander-applications, applications/traefik/…/cm.yaml).
DKP_AUTH_RESPONSE_HEADERS = ["X-Forwarded-User", "Impersonate-User", "Impersonate-Group", "Authorization"]
# The one ClusterRole the rig's RBAC file holds: everything, for GET, to the group `oidc:devs` (alice is in devs;
# bob is in no group and bound to nothing).
RBAC_GROUP = "oidc:devs"
RBAC_YAML = f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: swap-everything}}
rules:
- nonResourceURLs: ["*"]
  verbs: ["get", "head"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: swap-devs-everything}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: swap-everything}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "{RBAC_GROUP}"}}
"""


def new_key(n: int = 32) -> str:
    """n bytes of printable key material, as the chart's hook jobs make (they write random text)."""
    return secrets.token_urlsafe(n)[:n]


def new_secrets(client_secret: str) -> PodSecrets:
    return PodSecrets(client_secret=client_secret, secret=new_key(), session_key=new_key())


# ---- the provider ---------------------------------------------------------------------------------------------
def add_client(provider, client_id: str, redirect_uris: list[str], users=identities.USERS) -> None:
    """A confidential client `client_id` with the rig's client secret and these redirect URIs, and each user's
    consent for it (as harness/glewlwyd.py does for the rig's own client)."""
    a = provider.admin
    r = a.get(f"{provider.base}/api/client/{client_id}", timeout=15)
    body = {"client_id": client_id, "name": f"{client_id} (e2e swap)", "enabled": True, "confidential": True,
            "client_secret": provider.client_secret, "token_endpoint_auth_method": ["client_secret_basic"],
            "redirect_uri": list(dict.fromkeys(redirect_uris)), "authorization_type": ["code", "refresh_token"],
            "scope": []}
    if r.status_code == 200:
        provider._call(a, "PUT", f"/client/{client_id}", body)
    else:
        provider._call(a, "POST", "/client/", body)
    for u in users:
        s = provider.login(u.username, u.password)
        provider._call(s, "PUT", f"/auth/grant/{client_id}", {"scope": " ".join(identities.SCOPES)})


# ---- Caddy ----------------------------------------------------------------------------------------------------
@dataclass
class SwapSite:
    host: str
    pod_port: int
    url_path: str = "/_oauth"


def caddyfile(port: int, app_port: int, sites: list[SwapSite], state_dir: Path) -> str:
    out = ["{", "\tadmin off", "\tauto_https off", "\tgrace_period 200ms",
           f"\tstorage file_system {{\n\t\troot {state_dir}\n\t}}", "}", ""]
    for s in sites:
        p = s.url_path
        out += [f"http://{s.host}:{port} {{", f"\tbind {LOOPBACK}",
                f"\t@fa_endpoints path {p} {p}/logout {p}/start",
                "\troute {",
                "\t\trequest_header -X-Forwarded-Prefix",
                "\t\trequest_header -X-Forwarded-User",
                "\t\trequest_header -Impersonate-*",
                f"\t\treverse_proxy @fa_endpoints {LOOPBACK}:{s.pod_port}",
                f"\t\tforward_auth {LOOPBACK}:{s.pod_port} {{",
                "\t\t\turi /",
                f"\t\t\tcopy_headers {' '.join(DKP_AUTH_RESPONSE_HEADERS)}",
                "\t\t}",
                f"\t\treverse_proxy {LOOPBACK}:{app_port}",
                "\t}", "}", ""]
    return "\n".join(out) + "\n"


# ---- a pod ----------------------------------------------------------------------------------------------------
@dataclass
class PodSpec:
    """What the container would run: args and env, and the config.ini text (already pointing at the rig)."""
    name: str
    args: list[str]
    env: dict[str, str]
    config_ini: str
    secrets: PodSecrets
    port: int
    extra_files: dict[str, str] = field(default_factory=dict)  # path -> text, written before the start


def pod_spec(name: str, rendered: Rendered, secrets_: PodSecrets, *, workdir: Path, provider_uri: str, port: int,
             sa_token: str, extra_config: str | None = None) -> PodSpec:
    """Chart 0.3.10's container, pointed at the rig (see the module docstring for the exact rewrites).
    `extra_config` is appended to config.ini (as a test's own extraConfig would be, after the chart's lines)."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = container_env(rendered, secrets_)
    files: dict[str, str] = {}
    ini = rendered.config_ini
    ini, n = re.subn(r'(?m)^provider-uri = "[^"\n]*"$', f'provider-uri = "{provider_uri}"', ini)
    assert n == 1, f"config.ini has no quoted provider-uri line to point at the rig:\n{ini}"
    if extra_config:
        ini = ini.rstrip("\n") + "\n" + extra_config.rstrip("\n") + "\n"
    assert env.get("CONFIG") == CONFIG_INI, env.get("CONFIG")
    env["CONFIG"] = str(workdir / "config.ini")
    files[env["CONFIG"]] = ini
    if env.get("SSL_CERT_FILE") == SA_CA:
        del env["SSL_CERT_FILE"]  # the rig's provider is plain http
    assert env.get("SERVICE_ACCOUNT_TOKEN_PATH") == SA_TOKEN, env.get("SERVICE_ACCOUNT_TOKEN_PATH")
    env["SERVICE_ACCOUNT_TOKEN_PATH"] = str(workdir / "token")
    files[env["SERVICE_ACCOUNT_TOKEN_PATH"]] = sa_token + "\n"
    args = list(rendered.args)
    if "--enable-rbac" in args:
        env["RBAC_FILE"] = str(workdir / "rbac.yaml")
        files[env["RBAC_FILE"]] = RBAC_YAML
    args += ["--listen-address", LOOPBACK, "--port", str(port)]
    return PodSpec(name=name, args=args, env=env, config_ini=ini, secrets=secrets_, port=port, extra_files=files)


class Pod:
    """forward-auth started with a PodSpec: that env plus PATH and HOME, nothing of the test's environment."""

    def __init__(self, binary: Path, spec: PodSpec, log_dir: Path, home: Path):
        self.binary = Path(binary)
        self.spec = spec
        self.log_dir = Path(log_dir)
        self.home = Path(home)
        self.base = f"http://{LOOPBACK}:{spec.port}"
        self.proc: Proc | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def start(self, ready_timeout: float = 30.0, require_provider: bool = True) -> "Pod":
        for path, text in self.spec.extra_files.items():
            Path(path).write_text(text)
        self.home.mkdir(parents=True, exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home), **self.spec.env}
        self.proc = Proc(self.name, [str(self.binary), *self.spec.args], self.log_dir, env=env,
                         inherit_env=False).start()
        try:
            wait_http(f"{self.base}/healthz", 200, proc=self.proc, timeout=ready_timeout)
            if require_provider:
                wait_http(f"{self.base}/readyz?require=provider", 200, proc=self.proc, timeout=ready_timeout)
        except ProcessFailed:
            self.proc.stop()
            raise
        return self

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()

    def log(self, tail: int | None = 80) -> str:
        return self.proc.log(tail) if self.proc else ""


# ---- forward-auth's text log (chart 0.3.10 sets no LOG_FORMAT: logfmt-like `time=… level=… msg=…`) --------------
LEVEL_RE = re.compile(r"(?:^|\s)level=(\w+)")


def log_lines(text: str, level: str | None = None) -> list[str]:
    out = []
    for line in text.splitlines():
        m = LEVEL_RE.search(line)
        if m and (level is None or m.group(1) == level):
            out.append(line)
    return out


# ---- the Go fork's cookies (e2e/go-cookies on the real gorilla libraries) ---------------------------------------
GO_COOKIES_SRC = REPO / "e2e" / "go-cookies" / "main.go"
GOPATH = "/usr/share/gocode"


def build_go_cookies() -> Path:
    """e2e/go-cookies built offline in GOPATH mode (Debian's gorilla packages), cached in .build-e2e by the hash of
    its source."""
    digest = hashlib.sha256(GO_COOKIES_SRC.read_bytes()).hexdigest()[:16]
    out_dir = REPO / ".build-e2e"
    out = out_dir / f"go-cookies-{digest}"
    if out.exists():
        return out
    if not shutil.which("go") or not (Path(GOPATH) / "src/github.com/gorilla/securecookie").is_dir():
        raise FileNotFoundError("go or the gorilla packages are missing (scripts/test-e2e installs golang-go, "
                                "golang-github-gorilla-securecookie-dev, golang-github-gorilla-sessions-dev)")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(out_dir), "GO111MODULE": "off",
           "GOPATH": GOPATH, "GOCACHE": str(out_dir / "gocache"), "GOFLAGS": ""}
    r = subprocess.run(["go", "build", "-o", str(out) + ".tmp", "./e2e/go-cookies"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"building e2e/go-cookies failed:\n{r.stderr}")
    os.replace(str(out) + ".tmp", out)
    return out


@dataclass
class GoCookies:
    """A browser's pair of cookies as the Go fork's callback writes them."""
    id_name: str
    id_value: str
    claims_name: str
    claims_value: str

    def header(self) -> str:
        return f"{self.id_name}={self.id_value}; {self.claims_name}={self.claims_value}"


def mint_go_cookies(tool: Path, *, secret: str, encryption_key: str, email: str, name: str, groups: list[str],
                    cookie_name: str, claims_name: str) -> GoCookies:
    argv = [str(tool), "mint", "-email", email, "-name", name, "-cookie-name", cookie_name,
            "-claims-session-name", claims_name]
    for g in groups:
        argv += ["-group", g]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SECRET": secret, "ENCRYPTION_KEY": encryption_key}
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"go-cookies mint failed: {r.stderr}")
    m = json.loads(r.stdout)
    return GoCookies(cookie_name, m["id"], claims_name, m["claims"])


# ---- tinyproxy (Debian's), the egress proxy ---------------------------------------------------------------------
TINYPROXY_BIN = "/usr/bin/tinyproxy"


class Tinyproxy:
    """tinyproxy on 127.0.0.1, in the foreground, logging every request. With `hosts`, it runs in a mount
    namespace of its own (`unshare -m`) where a private file is bind-mounted over /etc/hosts, so that it (and only
    it) resolves those names; forward-auth, outside, cannot resolve them and reaches them only through the proxy."""

    def __init__(self, workdir: Path, log_dir: Path, hosts: dict[str, str] | None = None, port: int | None = None):
        self.dir = Path(workdir)
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.hosts = hosts or {}
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def request_log(self) -> Path:
        return self.log_dir / "tinyproxy-requests.log"

    def start(self) -> "Tinyproxy":
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "tinyproxy.conf"
        conf.write_text(f"""\
Port {self.port}
Listen {LOOPBACK}
Timeout 30
LogFile "{self.request_log}"
LogLevel Connect
PidFile "{self.dir / 'tinyproxy.pid'}"
MaxClients 20
Allow 127.0.0.1
DisableViaHeader Yes
""")
        argv = [TINYPROXY_BIN, "-d", "-c", str(conf)]
        if self.hosts:
            hosts_file = self.dir / "hosts"
            hosts_file.write_text("127.0.0.1 localhost\n" +
                                  "".join(f"{ip} {name}\n" for name, ip in self.hosts.items()))
            script = f'mount --bind "{hosts_file}" /etc/hosts && exec "$@"'
            argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *argv]
        self.proc = Proc("tinyproxy", argv, self.log_dir).start()
        wait_port(self.port, self.proc)
        return self

    def requests_seen(self) -> str:
        try:
            return self.request_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


def namespaces_usable() -> str | None:
    """None when `unshare -m` with a bind mount works here, else why not."""
    if os.geteuid() != 0:
        return "not root: unshare -m and a bind mount over /etc/hosts need root"
    if not shutil.which("unshare"):
        return "no unshare"
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        "mount --bind /etc/hostname /etc/hosts && true"], capture_output=True, text=True)
    return None if r.returncode == 0 else f"unshare -m with a bind mount failed: {r.stderr.strip()[:200]}"


def wait_until(predicate, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# ---- the scenario's rig -------------------------------------------------------------------------------------------
class SwapRig:
    """The swap scenario's Caddy (on a port of its own), the chart's clients at the provider, and the pods the
    tests start. `stop_pods()` ends every pod started so far; `stop()` also ends Caddy and tinyproxy."""

    def __init__(self, stack, binary: Path):
        self.stack = stack
        self.binary = Path(binary)
        self.dir = Path(stack.run_dir) / "swap"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = stack.log_dir
        self.caddy_port = free_port()
        self.ports = {MGMT_HOST: free_port(), ATTACHED_HOST: free_port(), VARIANT_HOST: free_port()}
        self.sa_token = "swap-sa-token-" + secrets.token_hex(12)
        self.sites = [SwapSite(MGMT_HOST, self.ports[MGMT_HOST], "/_oauth"),
                      SwapSite(ATTACHED_HOST, self.ports[ATTACHED_HOST], "/_oauth_kommander"),
                      SwapSite(VARIANT_HOST, self.ports[VARIANT_HOST], "/_oauth")]
        self.caddy: Caddy | None = None
        self.pods: list[Pod] = []
        self.tinyproxy: Tinyproxy | None = None

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.caddy_port}{path}"

    def netloc(self, host: str) -> str:
        return f"{host}:{self.caddy_port}"

    def callback_url(self, host: str, url_path: str | None = None) -> str:
        site = next(s for s in self.sites if s.host == host)
        return self.url(host, url_path or site.url_path)

    def start(self) -> "SwapRig":
        provider = self.stack.provider
        add_client(provider, MGMT_CLIENT, [self.callback_url(MGMT_HOST), self.callback_url(VARIANT_HOST)])
        add_client(provider, ATTACHED_CLIENT, [self.callback_url(ATTACHED_HOST)])
        conf = caddyfile(self.caddy_port, self.stack.ports.app, self.sites, self.dir / "caddy" / "data")
        self.caddy = Caddy(self.dir / "caddy", self.log_dir, [], self.caddy_port, name="caddy-swap", config=conf)
        self.caddy.start()
        return self

    def spec(self, name: str, rendered: Rendered, host: str, *, secrets_: PodSecrets | None = None,
             provider_uri: str | None = None, extra_config: str | None = None) -> PodSpec:
        return pod_spec(name, rendered, secrets_ or new_secrets(self.stack.provider.client_secret),
                        workdir=self.dir / name, provider_uri=provider_uri or self.stack.provider.issuer(),
                        port=self.ports[host], sa_token=self.sa_token, extra_config=extra_config)

    def start_pod(self, spec: PodSpec, **kw) -> Pod:
        pod = Pod(self.binary, spec, self.log_dir, self.dir / spec.name / "home")
        self.pods.append(pod)  # registered first: stop_pods() ends it even when it never became ready
        return pod.start(**kw)

    def start_tinyproxy(self, hosts: dict[str, str]) -> Tinyproxy:
        self.tinyproxy = Tinyproxy(self.dir / "tinyproxy", self.log_dir, hosts=hosts)
        return self.tinyproxy.start()

    def stop_pods(self) -> None:
        for pod in self.pods:
            try:
                pod.stop()
            except Exception:  # noqa: BLE001 - stop everything we can
                pass
        self.pods = []

    def stop(self) -> None:
        self.stop_pods()
        for stopper in ([self.tinyproxy.stop] if self.tinyproxy else []) + ([self.caddy.stop] if self.caddy else []):
            try:
                stopper()
            except Exception:  # noqa: BLE001
                pass
