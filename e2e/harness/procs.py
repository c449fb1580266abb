"""Starting and stopping the processes of the rig.

Every process runs in its own session (process group) with its output in a log file; `stop()` ends exactly that
group (SIGTERM, then SIGKILL), by its id. A registry stops whatever is still running when the interpreter exits,
so a failing or interrupted run leaves nothing behind.
"""
from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"

_running: list["Proc"] = []


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class ProcessFailed(RuntimeError):
    pass


class Proc:
    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict | None = None, cwd: Path | None = None,
                 inherit_env: bool = True):
        """`env` is added to the test's environment, or with `inherit_env=False` is the whole environment."""
        self.name = name
        self.inherit_env = inherit_env
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_dir) / f"{name}.log"
        self.env = env
        self.cwd = cwd
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Proc":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab", buffering=0)
        log.write(f"$ {' '.join(self.argv)}\n".encode())
        if not self.inherit_env:
            log.write(f"  (environment: {' '.join(sorted((self.env or {}).keys()))})\n".encode())
        env = dict(os.environ) if self.inherit_env else {}
        if self.env:
            env.update({k: str(v) for k, v in self.env.items()})
        self.popen = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=env, cwd=self.cwd, start_new_session=True)
        log.close()
        _running.append(self)
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log(self, tail: int | None = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        if tail is None:
            return text
        return "\n".join(text.splitlines()[-tail:])

    def check_alive(self) -> None:
        if not self.alive():
            raise ProcessFailed(f"{self.name} exited with {self.popen.returncode if self.popen else '?'}:\n{self.log()}")

    def signal_group(self, sig: int) -> None:
        if self.alive():
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 5.0) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.signal_group(signal.SIGCONT)  # a stopped (SIGSTOP) process must be able to handle SIGTERM
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.popen.wait(5)
        if self in _running:
            _running.remove(self)


def stop_all() -> None:
    for p in list(reversed(_running)):
        try:
            p.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(stop_all)


def wait_port(port: int, proc: Proc | None = None, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None:
            proc.check_alive()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex((LOOPBACK, port)) == 0:
                return
        time.sleep(0.05)
    raise ProcessFailed(f"nothing listens on {LOOPBACK}:{port} after {timeout}s" +
                        (f"; {proc.name} log:\n{proc.log()}" if proc else ""))


def http_status(url: str, timeout: float = 2.0, headers: dict | None = None) -> int | None:
    """GET url (127.0.0.1 only) and return the status, or None when nothing answered."""
    assert url.startswith(f"http://{LOOPBACK}:"), url
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def wait_http(url: str, want: int = 200, proc: Proc | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None:
            proc.check_alive()
        last = http_status(url)
        if last == want:
            return
        time.sleep(0.1)
    raise ProcessFailed(f"GET {url} answered {last}, not {want}, within {timeout}s" +
                        (f"; {proc.name} log:\n{proc.log()}" if proc else ""))
