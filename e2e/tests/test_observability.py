"""Issue 18: the chart's dashboard and alerts against a real Prometheus scraping a running forward-auth.

A Prometheus (Debian's, the one scripts/test-alerts installs) on 127.0.0.1 scrapes, every second, the rig's "main"
forward-auth and a forward-auth of this test's own whose provider is gone (its provider URI is a closed port), both
as job "forward-auth" with namespace "e2e" (the labels a ServiceMonitor scrape gives a release "forward-auth" in
namespace "e2e"), and evaluates the PrometheusRule that `helm template` renders for that release (windows and
`for` shortened). Meanwhile a person logs in, another is refused (unverified email), an API client's Bearer token
is refused and anonymous requests are sent to the login. Then:
  - every query of charts/forward-auth/dashboards/forward-auth.json (variables substituted as Grafana does) returns
    data through Prometheus' HTTP API;
  - the provider-down alerts (ForwardAuthProviderErrors; ForwardAuthProviderNotReady once the binary has
    forward_auth_provider_ready) are pending or firing for the instance without a provider, not for "main", and
    ForwardAuthDown is not.
Queries on series the binary does not expose yet (issue 18 adds them in Swift) are listed, and the test ends as
xfail naming them, after everything else was asserted.
With E2E_KEEP=1 each panel's data over the test's window is also plotted (harness/panel_plots.py, matplotlib) into
the run dir's `panels/`, printed at the end of the run.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from harness import identities, panel_plots
from harness.forward_auth import ForwardAuth
from harness.identities import ALICE, CAROL
from harness.procs import LOOPBACK, Proc, free_port, wait_http
from harness.stack import APP1

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts/forward-auth"
HELM = REPO / ".build-chart/bin/helm"
JOB, NAMESPACE = "forward-auth", "e2e"
VARS = {"namespace": NAMESPACE, "job": JOB, "__rate_interval": "1m", "__interval": "15s", "__range": "1h"}
# Empty on purpose without RBAC: the policy was never loaded (timestamp 0), so "time since" has no line.
RBAC_ONLY = {"forward_auth_rbac_policy_last_update_timestamp_seconds"}


def substitute(expr: str) -> str:
    return re.sub(r"\$\{([A-Za-z_]+)(?::[a-z]+)?\}|\$([A-Za-z_]+)",
                  lambda m: VARS.get(m.group(1) or m.group(2), m.group(0)), expr)


def dashboard_queries() -> list[tuple[str, str]]:
    dash = json.loads((CHART / "dashboards/forward-auth.json").read_text())
    out = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            out.append((f"{p['id']} {p['title']} / {t['refId']}", substitute(t["expr"])))
    return out


def families_in(expr: str) -> set[str]:
    return {re.sub(r"_(bucket|sum|count)$", "", n) for n in re.findall(r"\b(forward_auth_[a-z0-9_]+)", expr)}


def exposed_families(text: str) -> set[str]:
    return set(re.findall(r"^# TYPE (\S+) ", text, re.MULTILINE))


class Prometheus:
    def __init__(self, run_dir: Path, log_dir: Path, targets: list[str], rules: Path):
        self.dir = run_dir / "prometheus"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        config = {
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules)],
            "scrape_configs": [{"job_name": JOB, "static_configs": [{"targets": targets, "labels": {"namespace": NAMESPACE}}]}],
        }
        (self.dir / "prometheus.yml").write_text(json.dumps(config, indent=2))  # JSON is YAML
        self.proc = Proc("prometheus", [shutil.which("prometheus"), f"--config.file={self.dir / 'prometheus.yml'}",
                                        f"--storage.tsdb.path={self.dir / 'data'}",
                                        f"--web.listen-address={LOOPBACK}:{self.port}"], log_dir)

    def start(self) -> "Prometheus":
        self.proc.start()
        wait_http(f"{self.base}/-/ready", 200, proc=self.proc, timeout=30)
        return self

    def stop(self) -> None:
        self.proc.stop()

    def api(self, client, path: str, **params) -> dict:
        r = client.get(f"{self.base}/api/v1/{path}", params=params, timeout=10)
        body = r.json()
        assert r.status_code == 200 and body.get("status") == "success", f"{path} {params}: {r.status_code} {r.text[:500]}"
        return body["data"]

    def query(self, client, expr: str) -> list:
        return self.api(client, "query", query=expr)["result"]


def render_rules(path: Path) -> None:
    sets = ["fullnameOverride=forward-auth", "metrics.prometheusRule.enabled=true",
            "metrics.prometheusRule.rules.providerNotReady.for=5s",
            "metrics.prometheusRule.rules.providerErrors.for=0s",
            "metrics.prometheusRule.rules.providerErrors.window=2m",
            "metrics.prometheusRule.rules.down.for=5s"]
    cmd = [str(HELM), "template", JOB, str(CHART), "--namespace", NAMESPACE, "--show-only", "templates/prometheusrule.yaml"]
    for s in sets:
        cmd += ["--set", s]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    # The rule file is the object's spec (`groups:`), dedented: the e2e environment has no YAML library.
    lines = out.splitlines()
    spec = lines[lines.index("spec:") + 1:]
    assert spec and spec[0] == "  groups:", out[:500]
    path.write_text("\n".join(line[2:] for line in spec) + "\n")


def wait_for(predicate, what: str, timeout: float):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"{what} within {timeout}s; last: {last!r}")


def plot_panels(prom: Prometheus, client, start: float, exposed: set[str] | None, out_dir: Path,
                aliases: dict[str, str]) -> list[str]:
    """E2E_KEEP=1: one PNG per dashboard panel from the Prometheus answers over [start, now] (harness/panel_plots.py)."""
    def why_empty(expr: str) -> str | None:
        fams = families_in(expr)
        if exposed is not None and fams - exposed:
            return "this binary does not expose " + ", ".join(sorted(fams - exposed))
        if fams & RBAC_ONLY:
            return "RBAC is off: the policy was never loaded"
        return None

    dash = json.loads((CHART / "dashboards/forward-auth.json").read_text())
    lines = panel_plots.plot_dashboard(dash, substitute, lambda path, **params: prom.api(client, path, **params),
                                       start, time.time(), out_dir, step=1, explain_empty=why_empty,
                                       aliases=aliases)
    (out_dir / "summary.txt").write_text("\n".join(lines) + "\n")
    return lines


def test_dashboard_queries_and_provider_alerts_against_a_real_prometheus(rig, forward_auth, browser, client, run_dir,
                                                                         summary_note):
    if not shutil.which("prometheus"):
        pytest.skip("no prometheus binary (scripts/test-alerts installs Debian's prometheus package)")
    if not HELM.exists():
        pytest.skip(f"no {HELM} (scripts/test-chart installs it)")
    rules = run_dir / "forward-auth-rules.yaml"
    render_rules(rules)

    # A forward-auth whose provider is gone: nothing listens on its provider's port.
    gone = f"http://{LOOPBACK}:{free_port()}/dex"
    down = ForwardAuth("forward-auth-no-provider", rig.forward_auth_bin, rig.log_dir, provider_uri=gone,
                       client_id=identities.CLIENT_ID, client_secret="unused", secret="x" * 32)
    down.proc = Proc(down.name, down.argv, rig.log_dir).start()
    prom = None
    exposed = None
    window_start = time.time()
    try:
        wait_http(f"{down.base}/healthz", 200, proc=down.proc, timeout=30)
        main_target, down_target = f"{LOOPBACK}:{forward_auth.port}", f"{LOOPBACK}:{down.port}"
        window_start = time.time()
        prom = Prometheus(run_dir, rig.log_dir, [main_target, down_target], rules).start()
        # Prometheus scrapes a few seconds after it is ready (its scrape manager takes new targets every 5s): the
        # traffic waits for a first scrape of both targets, so that the dashboard's rate() queries see it as increases
        # (the counters' first samples would otherwise hold it all, and every rate would be 0).
        wait_for(lambda: len(prom.query(client, f'up{{job="{JOB}",namespace="{NAMESPACE}"}}')) == 2,
                 "a first scrape of both targets", 30)

        # Traffic: a login, a refused login, a refused Bearer token, anonymous checks (302 to the provider).
        browser.get(rig.caddy_url(APP1, "/"))
        browser.login_at_provider(rig.provider_netloc, ALICE, expect_password=True)
        assert browser.wait_app(host=f"{APP1}:{rig.ports.caddy}")["user"] == ALICE.email
        browser.reset()
        browser.get(rig.caddy_url(APP1, "/"))
        browser.login_at_provider(rig.provider_netloc, CAROL)
        browser.wait_until(lambda: browser.host == f"{APP1}:{rig.ports.caddy}" and browser.text(), "the refusal page")
        assert browser.app_data() is None
        fwd = {"X-Forwarded-Host": APP1, "X-Forwarded-Proto": "http", "X-Forwarded-Uri": "/api", "X-Forwarded-Method": "GET"}
        r = client.get(forward_auth.base + "/", headers={**fwd, "Authorization": "Bearer not.a.token"}, allow_redirects=False)
        assert r.status_code == 401, r.status_code
        for _ in range(5):
            r = client.get(forward_auth.base + "/", headers=fwd, allow_redirects=False)
            assert r.status_code == 302, r.status_code

        exposed = exposed_families(client.get(forward_auth.base + "/metrics").text)
        # The scrape scripts/test-alerts checks the dashboard and rules against (tests/alerts/metrics.prom) lists
        # every family the binary exposes; those it lists beyond are issue 18's, still to come.
        fixture = exposed_families((CHART / "tests/alerts/metrics.prom").read_text())
        assert exposed <= fixture, f"families missing from tests/alerts/metrics.prom: {sorted(exposed - fixture)}"
        missing = [f"metrics.prom: {sorted(fixture - exposed)}"] if fixture - exposed else []
        # Prometheus has scraped after the traffic (a few intervals), and both targets are up.
        time.sleep(4)
        ups = prom.query(client, f'up{{job="{JOB}",namespace="{NAMESPACE}"}}')
        assert sorted((u["metric"]["instance"], u["value"][1]) for u in ups) == sorted([(main_target, "1"), (down_target, "1")]), ups
        logins = prom.query(client, f'sum by (result) (forward_auth_logins_total{{job="{JOB}",instance="{main_target}"}})')
        by_result = {x["metric"]["result"]: float(x["value"][1]) for x in logins}
        assert by_result.get("success", 0) >= 1 and sum(v for k, v in by_result.items() if k != "success") >= 1, by_result

        # Every dashboard query returns data (those on series this binary lacks are listed instead).
        empty = []
        for name, expr in dashboard_queries():
            result = prom.query(client, expr)
            fams = families_in(expr)
            if fams - exposed:
                missing.append(f"{name}: {sorted(fams - exposed)}")
            elif fams & RBAC_ONLY:
                assert result == [], f"{name}: RBAC is off, so the policy was never loaded and the query is empty: {result}"
            elif not result:
                empty.append(f"{name}: {expr}")
        assert not empty, "dashboard queries without data:\n" + "\n".join(empty)

        # The provider-down alerts: pending or firing for the instance without a provider only; ForwardAuthDown not.
        def alerts():
            return [a for a in prom.api(client, "alerts")["alerts"]]

        def provider_alerts(name):
            return [a for a in alerts() if a["labels"]["alertname"] == name and a["state"] in ("pending", "firing")]

        idp = f'{{job="{JOB}",instance="{down_target}",endpoint="discovery"}}'
        errs = wait_for(lambda: provider_alerts("ForwardAuthProviderErrors"), "ForwardAuthProviderErrors pending or firing "
                        f"(the instance without a provider: requests {prom.query(client, 'forward_auth_idp_requests_total' + idp)}, "
                        f"errors {prom.query(client, 'sum(forward_auth_idp_request_errors_total' + idp + ')')}, "
                        f"rules {prom.api(client, 'rules')})", 40)
        assert {a["labels"].get("endpoint") for a in errs} == {"discovery"}, errs
        if "forward_auth_provider_ready" in exposed:
            ready = wait_for(lambda: provider_alerts("ForwardAuthProviderNotReady"), "ForwardAuthProviderNotReady pending or firing", 40)
            assert {a["labels"]["instance"] for a in ready} == {down_target}, ready
            assert all(a["annotations"]["runbook_url"].endswith("#forwardauthprovidernotready") for a in ready), ready
        else:
            missing.append("alert ForwardAuthProviderNotReady: ['forward_auth_provider_ready']")
        assert not [a for a in alerts() if a["labels"]["alertname"] == "ForwardAuthDown"], alerts()
    finally:
        if prom:
            if os.environ.get("E2E_KEEP"):
                out = run_dir / "panels"
                plot_panels(prom, client, window_start, exposed, out,
                            {main_target: f"main ({main_target})", down_target: f"no provider ({down_target})"})
                summary_note(f"dashboard panels plotted from Prometheus (E2E_KEEP): {out} (summary.txt says what each shows)")
            prom.stop()
        down.stop()
    if missing:
        pytest.xfail("the binary does not expose these series yet (issue 18's Swift): " + "; ".join(missing))
