"""Debian's Caddy (forward_auth, the Traefik ForwardAuth look-alike) and nginx (auth_request) in front of the app.

Both listen on 127.0.0.1 only, with configs, state and logs under the run's directory.

The documented wiring (issue 14), in both:
  - the auth subrequest goes to forward-auth's `/` (request line `/`, with X-Forwarded-Uri): the only request that
    may be answered with the upstream-only headers (the service account's Authorization, Impersonate-*, the
    forwarded ID token, claim headers);
  - only the paths a browser must reach go to forward-auth directly, each exactly: `/_oauth` (callback),
    `/_oauth/logout`, `/_oauth/start` (nginx's login start);
  - a client-sent X-Forwarded-Prefix is stripped (towards forward-auth and the app), and so are client-sent identity
    headers the app could trust (X-Forwarded-User, Impersonate-*, the claim and token headers).
`CaddySite(oauth_route="dkp")` instead replays the route of DKP's traefik-forward-auth chart 0.3.10: the whole
`/_oauth*` prefix goes through the forward-auth middleware and then to the forward-auth Service itself.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .procs import LOOPBACK, Proc, free_port, wait_port

CADDY_BIN = "/usr/bin/caddy"
NGINX_BIN = "/usr/sbin/nginx"


# Identity headers a client must never be able to send to the app itself (each proxy overwrites or removes them);
# Caddy removes `Impersonate-*` with one wildcard (Caddy 2.6.2 supports it), nginx names each.
CLIENT_IDENTITY_HEADERS = ("X-Forwarded-User", "Impersonate-User", "Impersonate-Group", "Impersonate-Uid",
                           "X-Id-Token", "X-Auth-Request-Groups")
# What forward-auth serves to the browser directly on every protected host, each path exact.
FA_BROWSER_PATHS = ("/_oauth", "/_oauth/logout", "/_oauth/start")


@dataclass
class CaddySite:
    host: str                         # e.g. app1.apps.localhost (the port is the Caddy port)
    upstream_port: int                # the app
    auth_port: int | None = None      # forward-auth; None = no auth at all
    auth_uri: str = "/"               # forward_auth `uri`
    oauth_port: int | None = None     # who serves the /_oauth endpoints on this host (default: auth_port)
    route_oauth: bool = True          # route the /_oauth endpoints (callback, start, logout) to forward-auth
    copy_headers: list[str] = field(default_factory=lambda: ["X-Forwarded-User"])
    respond: str | None = None        # a fixed answer instead of an upstream (e.g. a "foreign" host)
    # "exact": the documented wiring (FA_BROWSER_PATHS, each exact, straight to forward-auth);
    # "dkp": DKP chart 0.3.10's route (the whole /_oauth* prefix through forward_auth, then to forward-auth).
    oauth_route: str = "exact"
    # Strip client-sent X-Forwarded-Prefix and identity headers at the top of the route (the documented wiring;
    # the DKP replay keeps what a plain route does).
    strip_client_headers: bool = True


def _caddy_strip_lines(s: CaddySite) -> list[str]:
    names = ["X-Forwarded-Prefix", "X-Forwarded-User", "Impersonate-*"]
    # The copied headers too, but not Authorization: a client's own bearer token is for forward-auth to judge.
    for h in list(CLIENT_IDENTITY_HEADERS) + s.copy_headers:
        if h.lower() != "authorization" and not h.lower().startswith("impersonate-") and \
                h.lower() not in {n.lower() for n in names}:
            names.append(h)
    return [f"\t\trequest_header -{n}" for n in names]


def caddyfile(port: int, sites: list[CaddySite], state_dir: Path) -> str:
    out = [
        "{",
        "\tadmin off",
        "\tauto_https off",
        f"\tstorage file_system {{\n\t\troot {state_dir}\n\t}}",
        "}",
        "",
    ]
    for s in sites:
        assert s.oauth_route in ("exact", "dkp"), s.oauth_route
        out.append(f"http://{s.host}:{port} {{")
        out.append(f"\tbind {LOOPBACK}")
        if s.respond is not None:
            out.append(f'\trespond "{s.respond}" 200')
            out.append("}")
            continue
        oauth = (s.oauth_port or s.auth_port) if s.route_oauth else None
        if oauth and s.oauth_route == "exact":
            out.append(f"\t@fa_endpoints path {' '.join(FA_BROWSER_PATHS)}")
        out.append("\troute {")
        if s.strip_client_headers:
            out += _caddy_strip_lines(s)
        if oauth and s.oauth_route == "exact":
            # The callback, the login start and the logout of this host go to forward-auth itself; nothing else.
            out.append(f"\t\treverse_proxy @fa_endpoints {LOOPBACK}:{oauth}")
        if s.auth_port:
            out.append(f"\t\tforward_auth {LOOPBACK}:{s.auth_port} {{")
            out.append(f"\t\t\turi {s.auth_uri}")
            if s.copy_headers:
                out.append(f"\t\t\tcopy_headers {' '.join(s.copy_headers)}")
            out.append("\t\t}")
        if oauth and s.oauth_route == "dkp":
            # DKP: an Ingress for the /_oauth prefix with the forward-auth middleware, to the forward-auth Service.
            out.append(f"\t\treverse_proxy /_oauth* {LOOPBACK}:{oauth}")
        out.append(f"\t\treverse_proxy {LOOPBACK}:{s.upstream_port}")
        out.append("\t}")
        out.append("}")
        out.append("")
    return "\n".join(out) + "\n"


class Caddy:
    """`config`, when given, is the whole Caddyfile (instead of one made from `sites`); `name` names the process
    and its log file (several Caddys may run in one session)."""

    def __init__(self, workdir: Path, log_dir: Path, sites: list[CaddySite], port: int | None = None,
                 name: str = "caddy", config: str | None = None):
        self.dir = Path(workdir)
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.sites = sites
        self.name = name
        self.config = config
        self.proc: Proc | None = None

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> Proc:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "Caddyfile"
        conf.write_text(self.config if self.config is not None else caddyfile(self.port, self.sites, self.dir / "data"))
        home = self.dir / "home"
        home.mkdir(exist_ok=True)
        env = {"HOME": home, "XDG_DATA_HOME": home / "data", "XDG_CONFIG_HOME": home / "config"}
        self.proc = Proc(self.name, [CADDY_BIN, "run", "--config", conf, "--adapter", "caddyfile"],
                         self.log_dir, env=env, cwd=self.dir).start()
        wait_port(self.port, self.proc)
        return self.proc

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()


@dataclass
class NginxSite:
    host: str
    upstream_port: int
    auth_port: int          # forward-auth: its `/` is the auth_request target, FA_BROWSER_PATHS are proxied to it
    pass_headers: tuple[str, ...] = ()  # further identity headers copied from the auth answer to the upstream


def nginx_conf(port: int, sites: list[NginxSite], state_dir: Path, log_dir: Path, name: str = "nginx") -> str:
    fwd = ("\t\t\tproxy_set_header X-Forwarded-Method $request_method;\n"
           "\t\t\tproxy_set_header X-Forwarded-Proto $scheme;\n"
           "\t\t\tproxy_set_header X-Forwarded-Host $http_host;\n"
           "\t\t\tproxy_set_header X-Forwarded-Uri $request_uri;\n"
           "\t\t\tproxy_set_header X-Forwarded-For $remote_addr;\n"
           # A header set to "" is not sent: the client's X-Forwarded-Prefix never reaches forward-auth.
           "\t\t\tproxy_set_header X-Forwarded-Prefix \"\";\n")
    servers = []
    for s in sites:
        fa = f"http://{LOOPBACK}:{s.auth_port}"
        copied = "".join(
            f"\t\t\tauth_request_set $fa_{i} $upstream_http_{h.lower().replace('-', '_')};\n"
            f"\t\t\tproxy_set_header {h} $fa_{i};\n" for i, h in enumerate(s.pass_headers))
        # Client-sent identity headers the app could trust: removed unless overwritten with the auth answer's.
        passed = {h.lower() for h in s.pass_headers} | {"x-forwarded-user"}
        cleared = "".join(f'\t\t\tproxy_set_header {h} "";\n'
                          for h in CLIENT_IDENTITY_HEADERS if h.lower() not in passed)
        endpoints = "".join(f"""
		location = {path} {{
			proxy_pass {fa};
			proxy_set_header Host $http_host;
{fwd}		}}""" for path in FA_BROWSER_PATHS)
        servers.append(f"""
	server {{
		listen {LOOPBACK}:{port};
		server_name {s.host};

		# The auth subrequest, to forward-auth's `/` (the URI part replaces the location: request line `/`).
		# X-Forward-Auth-Redirect off: 200 / 401 / 403, never a redirect (nginx would turn that into a 500).
		location = /_forward_auth_check {{
			internal;
			proxy_pass {fa}/;
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
			proxy_set_header X-Forward-Auth-Redirect off;
{fwd}		}}

		# Callback, logout and login start of this host, each exact: nothing else reaches forward-auth directly.{endpoints}

		location / {{
			auth_request /_forward_auth_check;
			auth_request_set $forward_auth_user $upstream_http_x_forwarded_user;
			proxy_set_header X-Forwarded-User $forward_auth_user;
{copied}{cleared}			proxy_set_header X-Forwarded-Prefix "";
			proxy_set_header Host $http_host;
			error_page 401 = @login;
			proxy_pass http://{LOOPBACK}:{s.upstream_port};
		}}

		location @login {{
			return 302 $scheme://$http_host/_oauth/start?rd=$scheme://$http_host$request_uri;
		}}
	}}
""")
    return nginx_main_conf(port, "".join(servers), state_dir, log_dir, name)


def nginx_main_conf(port: int, http_body: str, state_dir: Path, log_dir: Path, name: str = "nginx") -> str:
    """A whole nginx.conf for a rig instance: in the foreground, pid, temp paths and logs under the run's
    directories (logs/NAME-error.log, logs/NAME-access.log), a default server on `port` answering 404 to unknown
    hosts, and `http_body` (servers, upstreams) inside `http {}` as given."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"\t{d}_temp_path {state_dir}/{d};" for d in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
daemon off;
pid {state_dir}/nginx.pid;
error_log {log_dir}/{name}-error.log info;
events {{ worker_connections 256; }}
http {{
	access_log {log_dir}/{name}-access.log;
	default_type application/octet-stream;
{temp}
	server {{
		listen {LOOPBACK}:{port} default_server;
		server_name _;
		return 404;
	}}
{http_body}}}
"""


class Nginx:
    """`config`, when given, is the whole nginx.conf (instead of one made from `sites`; `nginx_main_conf` makes one
    around servers of one's own); `name` names the process and its log files (several nginx may run in one
    session)."""

    def __init__(self, workdir: Path, log_dir: Path, sites: list[NginxSite], port: int | None = None,
                 name: str = "nginx", config: str | None = None):
        self.dir = Path(workdir)
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.sites = sites
        self.name = name
        self.config = config
        self.proc: Proc | None = None

    @property
    def error_log_path(self) -> Path:
        return self.log_dir / f"{self.name}-error.log"

    def error_log(self) -> str:
        try:
            return self.error_log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> Proc:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config if self.config is not None else
                        nginx_conf(self.port, self.sites, self.dir, self.log_dir, self.name))
        # -e: the error log before the config is read (else /var/log/nginx/error.log is opened).
        self.proc = Proc(self.name, [NGINX_BIN, "-p", self.dir, "-c", conf, "-e", self.error_log_path],
                         self.log_dir, cwd=self.dir).start()
        wait_port(self.port, self.proc)
        return self.proc

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()
