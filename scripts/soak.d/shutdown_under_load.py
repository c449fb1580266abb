"""SIGTERM under load: keep-alive clients send checks in a loop; after LOAD_SECONDS forward-auth gets SIGTERM.

What counts as dropped: an answer cut off part-way, or a request on a fresh connection (one the server had just
accepted) that ends without an answer. A kept-alive connection that the server closes before a new request is
read (HTTP/1.1 lets a server close an idle connection at any time, and quiescing does so) is not a drop: the
client retries the request on a new connection, as HTTP clients do for idempotent requests; once connections are
refused, the server has stopped accepting and that client is done. Every answer must be a 200.

The process must be gone within GRACE_SECONDS (its exit status is the caller's to read: it is the caller's child).
Prints one summary line; exits 1 on any drop, a non-200 or a process still running after the grace period.

Usage: shutdown_under_load.py PID PORT COOKIE [CLIENTS] [LOAD_SECONDS] [GRACE_SECONDS]"""
from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time

pid, port, cookie = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 32
load_seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
grace = float(sys.argv[6]) if len(sys.argv) > 6 else 10.0

REQUEST = (f"GET / HTTP/1.1\r\nHost: forward-auth\r\nX-Forwarded-Method: GET\r\nX-Forwarded-Proto: https\r\n"
           f"X-Forwarded-Host: app.example.com\r\nX-Forwarded-Uri: /dashboard\r\nAccept: application/json\r\n"
           f"Cookie: _forward_auth={cookie}\r\n\r\n").encode()

lock = threading.Lock()
totals = {"answered": 0, "dropped": 0, "retried": 0, "refused": 0, "non_200": 0}


def count(key: str) -> None:
    with lock:
        totals[key] += 1


class Truncated(Exception):
    pass


def read_response(sock: socket.socket) -> int | None:
    """The status of one whole response; None when the connection ended before its first byte."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            if data:
                raise Truncated()
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(4096)
        if not chunk:
            raise Truncated()
        body += chunk
    return int(lines[0].split()[1])


def client() -> None:
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=grace)
        except OSError:
            count("refused")
            return
        with sock:
            fresh = True
            while True:
                try:
                    sock.sendall(REQUEST)
                    status = read_response(sock)
                except Truncated:
                    count("dropped")
                    break
                except OSError:
                    status = None
                if status is None:
                    count("dropped" if fresh else "retried")
                    break
                count("answered")
                if status != 200:
                    count("non_200")
                fresh = False


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie waiting for its parent (the caller) to read its status."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        # The file vanishes when the parent reaps the process; reading it after that raises ESRCH.
        return True


threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
for t in threads:
    t.start()
time.sleep(load_seconds)
answered_before = totals["answered"]
signalled = time.monotonic()
os.kill(pid, signal.SIGTERM)
while not gone(pid) and time.monotonic() - signalled < grace:
    time.sleep(0.01)
took = time.monotonic() - signalled
exited = gone(pid)
for t in threads:
    t.join(timeout=grace)
print(f"shutdown under load: {clients} keep-alive clients, {answered_before} answers before SIGTERM, "
      f"{totals['answered'] - answered_before} after; process {'gone' if exited else 'STILL RUNNING'} "
      f"{took:.2f}s after SIGTERM; dropped {totals['dropped']}, retried after an idle close {totals['retried']}, "
      f"refused {totals['refused']}, non-200 {totals['non_200']}")
sys.exit(0 if exited and totals["dropped"] == 0 and totals["non_200"] == 0 else 1)
