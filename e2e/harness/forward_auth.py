"""The forward-auth binary under test, started with flags only (no config file), on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .procs import LOOPBACK, Proc, ProcessFailed, free_port, wait_http

DEFAULT_BIN = ".build/release/forward-auth"


def binary_path(repo_root: Path) -> Path:
    p = Path(os.environ.get("FORWARD_AUTH_BIN", DEFAULT_BIN))
    return p if p.is_absolute() else (repo_root / p)


def binary_problem(path: Path) -> str | None:
    """None when `path --help` runs and looks like forward-auth's help, else why not."""
    if not path.exists():
        return f"{path} does not exist (build it: scripts/swift-release --product forward-auth)"
    try:
        r = subprocess.run([str(path), "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{path} --help failed: {e!r}"
    text = r.stdout + r.stderr
    if "provider-uri" not in text:
        return f"{path} --help exited {r.returncode} and does not list --provider-uri: {text[:300]!r}"
    return None


class ForwardAuth:
    def __init__(self, name: str, binary: Path, log_dir: Path, *, provider_uri: str, client_id: str,
                 client_secret: str, secret: str, cookie_domain: str | None = None, auth_host: str | None = None,
                 extra: list[str] | None = None, port: int | None = None):
        self.name = name
        self.binary = Path(binary)
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.argv = [str(self.binary), "--listen-address", LOOPBACK, "--port", str(self.port),
                     "--provider-uri", provider_uri, "--client-id", client_id, "--client-secret", client_secret,
                     "--secret", secret, "--insecure-cookie", "--log-level", "debug", "--log-format", "json"]
        if cookie_domain:
            self.argv += ["--cookie-domain", cookie_domain]
        if auth_host:
            self.argv += ["--auth-host", auth_host]
        self.argv += extra or []
        self.proc: Proc | None = None

    def start(self, ready_timeout: float = 30.0) -> Proc:
        self.proc = Proc(self.name, self.argv, self.log_dir).start()
        try:
            wait_http(f"{self.base}/healthz", 200, proc=self.proc, timeout=ready_timeout)
            # /readyz?require=provider is 200 once the provider's discovery document and JWKS are loaded
            # (plain /readyz is 200 as soon as sessions can be judged, provider or not).
            wait_http(f"{self.base}/readyz?require=provider", 200, proc=self.proc, timeout=ready_timeout)
        except ProcessFailed:
            self.proc.stop()
            raise
        return self.proc

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()

    def log(self, tail: int | None = 80) -> str:
        return self.proc.log(tail) if self.proc else ""

    def log_records(self) -> list[dict]:
        """The JSON log lines (other lines are skipped)."""
        return json_records(self.log(None))


def json_records(text: str) -> list[dict]:
    """The JSON objects among the lines of a log (other lines are skipped)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out
