"""The demo (run by scripts/demo): provider, forward-auth, Caddy and the sample app on 127.0.0.1, until Ctrl-C."""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

from harness.identities import ALICE, BOB
from harness.procs import ProcessFailed
from harness.proxies import CaddySite
from harness.stack import APP1, APP2, Ports, Stack


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--forward-auth-bin", required=True)
    p.add_argument("--port", type=int, default=8080, help="Caddy's port (another free one if taken)")
    a = p.parse_args()

    run_dir = Path(tempfile.mkdtemp(prefix="forward-auth-demo-"))
    ports = Ports.pick({"caddy": a.port, "provider": 4593, "fa_main": 4181, "app": 8081})
    stack = Stack(run_dir, forward_auth_bin=Path(a.forward_auth_bin), ports=ports)

    def stop(*_):
        print("\nstopping…", flush=True)
        stack.stop()
        print(f"stopped. configs and logs: {run_dir}")
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print("starting the provider (glewlwyd)…", flush=True)
        stack.start_provider()
        stack.start_app()
        print("starting forward-auth…", flush=True)
        stack.start_forward_auth_main()
        stack.start_caddy([CaddySite(APP1, ports.app, ports.fa_main), CaddySite(APP2, ports.app, ports.fa_main)])
    except (ProcessFailed, Exception) as e:  # noqa: BLE001 - report and clean up whatever failed
        print(f"\nthe demo could not start: {e}", file=sys.stderr)
        print(f"logs: {stack.log_dir}", file=sys.stderr)
        stack.stop()
        return 1

    print(f"""
forward-auth demo is running (everything on 127.0.0.1):

  open      {stack.caddy_url(APP1, '/')}
  also      {stack.caddy_url(APP2, '/')}   (same session: cookie domain apps.localhost)
  log out   {stack.caddy_url(APP1, '/_oauth/logout')}

  log in as {ALICE.username} / {ALICE.password}   ({ALICE.email}, groups {', '.join(ALICE.groups)})
         or {BOB.username} / {BOB.password}   ({BOB.email})

  provider  {stack.provider.issuer()}  (glewlwyd; admin / password at {stack.provider.base}/)
  logs      {stack.log_dir}

*.localhost names resolve to 127.0.0.1 in Chromium, Firefox and curl. Ctrl-C stops everything.
""", flush=True)
    while True:
        for proc in [stack.provider.proc, stack.app_proc, stack.caddy.proc] + [f.proc for f in stack.fa.values()]:
            if proc is not None and not proc.alive():
                print(f"{proc.name} exited; its log:\n{proc.log()}", file=sys.stderr)
                stack.stop()
                return 1
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
