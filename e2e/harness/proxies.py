"""Debian's Caddy (forward_auth, the Traefik ForwardAuth look-alike) and nginx (auth_request) in front of the app.

Both listen on 127.0.0.1 only, with configs, state and logs under the run's directory.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .procs import LOOPBACK, Proc, free_port, wait_port

CADDY_BIN = "/usr/bin/caddy"
NGINX_BIN = "/usr/sbin/nginx"


@dataclass
class CaddySite:
    host: str                         # e.g. app1.apps.localhost (the port is the Caddy port)
    upstream_port: int                # the app
    auth_port: int | None = None      # forward-auth; None = no auth at all
    auth_uri: str = "/"               # forward_auth `uri`
    oauth_port: int | None = None     # who serves /_oauth* on this host (default: auth_port)
    route_oauth: bool = True          # route /_oauth* (callback, start, logout) to forward-auth
    copy_headers: list[str] = field(default_factory=lambda: ["X-Forwarded-User"])
    respond: str | None = None        # a fixed answer instead of an upstream (e.g. a "foreign" host)


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
        out.append(f"http://{s.host}:{port} {{")
        out.append(f"\tbind {LOOPBACK}")
        if s.respond is not None:
            out.append(f'\trespond "{s.respond}" 200')
            out.append("}")
            continue
        out.append("\troute {")
        oauth = (s.oauth_port or s.auth_port) if s.route_oauth else None
        if oauth:
            # The callback, the login start and the logout of this host go to forward-auth itself.
            out.append(f"\t\treverse_proxy /_oauth* {LOOPBACK}:{oauth}")
        if s.auth_port:
            out.append(f"\t\tforward_auth {LOOPBACK}:{s.auth_port} {{")
            out.append(f"\t\t\turi {s.auth_uri}")
            if s.copy_headers:
                out.append(f"\t\t\tcopy_headers {' '.join(s.copy_headers)}")
            out.append("\t\t}")
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
    auth_port: int          # forward-auth: /_oauth/auth is the auth_request target, /_oauth* is proxied to it
    pass_headers: tuple[str, ...] = ()  # further identity headers copied from the auth answer to the upstream


def nginx_conf(port: int, sites: list[NginxSite], state_dir: Path, log_dir: Path) -> str:
    fwd = ("\t\t\tproxy_set_header X-Forwarded-Method $request_method;\n"
           "\t\t\tproxy_set_header X-Forwarded-Proto $scheme;\n"
           "\t\t\tproxy_set_header X-Forwarded-Host $http_host;\n"
           "\t\t\tproxy_set_header X-Forwarded-Uri $request_uri;\n"
           "\t\t\tproxy_set_header X-Forwarded-For $remote_addr;\n")
    servers = []
    for s in sites:
        fa = f"http://{LOOPBACK}:{s.auth_port}"
        copied = "".join(
            f"\t\t\tauth_request_set $fa_{i} $upstream_http_{h.lower().replace('-', '_')};\n"
            f"\t\t\tproxy_set_header {h} $fa_{i};\n" for i, h in enumerate(s.pass_headers))
        servers.append(f"""
	server {{
		listen {LOOPBACK}:{port};
		server_name {s.host};

		# The auth subrequest: forward-auth answers 200 / 401 / 403 here, never a redirect.
		location = /_forward_auth_check {{
			internal;
			proxy_pass {fa}/_oauth/auth;
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
{fwd}		}}

		# Callback, login start and logout of this host.
		location = /_oauth {{
			proxy_pass {fa};
			proxy_set_header Host $http_host;
{fwd}		}}
		location /_oauth/ {{
			proxy_pass {fa};
			proxy_set_header Host $http_host;
{fwd}		}}

		location / {{
			auth_request /_forward_auth_check;
			auth_request_set $forward_auth_user $upstream_http_x_forwarded_user;
			proxy_set_header X-Forwarded-User $forward_auth_user;
{copied}			proxy_set_header Host $http_host;
			error_page 401 = @login;
			proxy_pass http://{LOOPBACK}:{s.upstream_port};
		}}

		location @login {{
			return 302 $scheme://$http_host/_oauth/start?rd=$scheme://$http_host$request_uri;
		}}
	}}
""")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"\t{d}_temp_path {state_dir}/{d};" for d in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
daemon off;
pid {state_dir}/nginx.pid;
error_log {log_dir}/nginx-error.log info;
events {{ worker_connections 256; }}
http {{
	access_log {log_dir}/nginx-access.log;
	default_type application/octet-stream;
{temp}
	server {{
		listen {LOOPBACK}:{port} default_server;
		server_name _;
		return 404;
	}}
{''.join(servers)}}}
"""


class Nginx:
    def __init__(self, workdir: Path, log_dir: Path, sites: list[NginxSite], port: int | None = None):
        self.dir = Path(workdir)
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.sites = sites
        self.proc: Proc | None = None

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> Proc:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(nginx_conf(self.port, self.sites, self.dir, self.log_dir))
        # -e: the error log before the config is read (else /var/log/nginx/error.log is opened).
        self.proc = Proc("nginx", [NGINX_BIN, "-p", self.dir, "-c", conf, "-e", self.log_dir / "nginx-error.log"],
                         self.log_dir, cwd=self.dir).start()
        wait_port(self.port, self.proc)
        return self.proc

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()
