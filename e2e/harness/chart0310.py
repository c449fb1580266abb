"""mesosphere's chart `traefik-forward-auth` 0.3.10, the one DKP deploys the Go fork with, rendered by real Helm:
what its Deployment hands the container (args, env) and what its ConfigMap puts in config.ini.

The chart's files come from a git copy of mesosphere/charts (this repository holds none): `E2E_CHART_0310` names
either a directory holding the chart (its Chart.yaml says version 0.3.10) or a git directory of mesosphere/charts,
default /work/.mirror/mesosphere+charts/repo. From a git directory the chart is taken at `CHART_COMMIT`, the last
commit that changed `staging/traefik-forward-auth` while its version was 0.3.10 (docs/swap-guide.md "Sources").
Helm is `E2E_HELM` (scripts/test-e2e installs Helm 4.1.4 into .build-chart/bin), else `.build-chart/bin/helm`.

Where the chart's files are not on the machine (a CI machine has no mirror), the scenario uses what Helm rendered
from them on a machine that had them: `RECORDED` holds each render's container args, env and config.ini (the
chart's output for DKP's values, facts about what the Go pod was given, no template). With the chart present,
every render is compared with the recording, so the recording cannot drift (`E2E_RECORD=1` rewrites it).
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART_COMMIT = "baf79d84"
CHART_PATH = "staging/traefik-forward-auth"
DEFAULT_CHART_GIT = Path("/work/.mirror/mesosphere+charts/repo")
HELM_VERSION = "v4.1.4"
VALUES_DIR = REPO / "charts" / "forward-auth" / "tests" / "values"
MGMT_VALUES = VALUES_DIR / "dkp-0.3.10-mgmt.yaml"
ATTACHED_VALUES = VALUES_DIR / "dkp-0.3.10-attached.yaml"
# What chart 0.3.10 mounts and points the container at.
CONFIG_INI = "/etc/traefik-forward-auth/config/config.ini"
SA_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
SA_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"


RECORDED = REPO / "e2e" / "fixtures" / "chart-0.3.10-renders.json"


class Unavailable(RuntimeError):
    """Helm or the chart's files are not on this machine (the scenario is skipped, naming what is missing)."""


def helm_binary() -> Path:
    helm = Path(os.environ.get("E2E_HELM") or REPO / ".build-chart" / "bin" / "helm")
    if not helm.exists():
        raise Unavailable(f"no Helm at {helm} (scripts/test-e2e installs Helm {HELM_VERSION}; or set E2E_HELM)")
    return helm


def checkout_chart(dest: Path) -> Path:
    """The chart's files under `dest`; returns the chart directory."""
    source = Path(os.environ.get("E2E_CHART_0310") or DEFAULT_CHART_GIT)
    if (source / "Chart.yaml").exists():
        chart = source
    elif source.exists():
        r = subprocess.run(["git", "-C", str(source), "archive", CHART_COMMIT, CHART_PATH], capture_output=True,
                           timeout=60)
        if r.returncode != 0:
            raise Unavailable(f"git archive {CHART_COMMIT} {CHART_PATH} in {source}: {r.stderr.decode()[:300]}")
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(r.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:
                tar.extractall(dest)
        chart = dest / CHART_PATH
    else:
        raise Unavailable(f"chart 0.3.10 not found: {source} does not exist (set E2E_CHART_0310 to the chart's "
                          f"directory or to a git copy of mesosphere/charts)")
    version = yaml.safe_load((chart / "Chart.yaml").read_text()).get("version")
    if str(version) != "0.3.10":
        raise Unavailable(f"{chart} is chart version {version}, not 0.3.10")
    return chart


@dataclass
class Rendered:
    """One release of chart 0.3.10 as `helm template` renders it."""
    release: str
    fullname: str
    args: list[str]
    env: list[dict]              # the container's env entries, in order (value or valueFrom.secretKeyRef)
    config_ini: str              # the ConfigMap's `config` (mounted as config.ini)
    manifests: list[dict] = field(repr=False, default_factory=list)

    def env_names(self) -> list[str]:
        return [e["name"] for e in self.env]

    def env_value(self, name: str) -> str | None:
        found = [e for e in self.env if e["name"] == name]
        return found[-1].get("value") if found else None  # Kubernetes: the last entry of a name wins


def render(helm: Path, chart: Path, work: Path, release: str, values: list[Path], sets: list[str] | None = None,
           namespace: str = "kommander") -> Rendered:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
           "HELM_CACHE_HOME": str(work / "helm-cache"), "HELM_CONFIG_HOME": str(work / "helm-config"),
           "HELM_DATA_HOME": str(work / "helm-data")}
    argv = [str(helm), "template", release, str(chart), "--namespace", namespace]
    for v in values:
        argv += ["-f", str(v)]
    for s in sets or []:
        argv += ["--set", s]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"helm template failed ({' '.join(argv)}):\n{r.stderr}")
    docs = [d for d in yaml.safe_load_all(r.stdout) if d]
    deployments = [d for d in docs if d["kind"] == "Deployment"]
    configmaps = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == f"{release}-configmap"]
    assert len(deployments) == 1 and len(configmaps) == 1, [(d["kind"], d["metadata"]["name"]) for d in docs]
    dep = deployments[0]
    containers = dep["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, containers
    c = containers[0]
    return Rendered(release=release, fullname=dep["metadata"]["name"], args=list(c.get("args") or []),
                    env=list(c.get("env") or []), config_ini=configmaps[0]["data"]["config"], manifests=docs)


@dataclass
class PodSecrets:
    """The values of the Secrets chart 0.3.10's env refers to (its hook jobs create two of them in a cluster)."""
    client_secret: str
    secret: str
    session_key: str

    def resolve(self, fullname: str, name: str, key: str) -> str:
        table = {(f"{fullname}-clientsecret", "clientSecret"): self.client_secret,
                 (f"{fullname}-secret", "secret"): self.secret,
                 (f"{fullname}-session-key", "secret"): self.session_key}
        if (name, key) not in table:
            raise AssertionError(f"the chart refers to a Secret this rig does not know: {name}/{key}")
        return table[(name, key)]


def container_env(rendered: Rendered, secrets: PodSecrets) -> dict[str, str]:
    """The environment Kubernetes would give the container: entries in order (a later one of the same name
    wins), secretKeyRef values resolved."""
    env: dict[str, str] = {}
    for e in rendered.env:
        if "value" in e:
            env[e["name"]] = str(e["value"])
        else:
            ref = e["valueFrom"]["secretKeyRef"]
            env[e["name"]] = secrets.resolve(rendered.fullname, ref["name"], ref["key"])
    return env


def render_key(release: str, values: list[Path], sets: list[str] | None) -> str:
    """A render's identity: the release, each values file (DKP's by name, the test's own by content), the sets."""
    files = [p.name if p.parent == VALUES_DIR else yaml.safe_load(p.read_text()) for p in values]
    return json.dumps([release, files, list(sets or [])], sort_keys=True)


def recorded(key: str) -> Rendered:
    if not RECORDED.exists():
        raise Unavailable(f"chart 0.3.10 is not on this machine and {RECORDED} is missing")
    table = json.loads(RECORDED.read_text())
    if key not in table:
        raise Unavailable(f"chart 0.3.10 is not on this machine and {RECORDED.name} has no render {key}: record it "
                          "with E2E_RECORD=1 where the chart is")
    r = table[key]
    return Rendered(release=r["release"], fullname=r["fullname"], args=r["args"], env=r["env"],
                    config_ini=r["config_ini"])


def check_recorded(key: str, rendered: Rendered) -> None:
    """Compares a real render with the recording (or records it with E2E_RECORD=1)."""
    table = json.loads(RECORDED.read_text()) if RECORDED.exists() else {}
    entry = {"release": rendered.release, "fullname": rendered.fullname, "args": rendered.args,
             "env": rendered.env, "config_ini": rendered.config_ini}
    if os.environ.get("E2E_RECORD") == "1":
        table[key] = entry
        RECORDED.parent.mkdir(parents=True, exist_ok=True)
        RECORDED.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    elif key in table:
        assert table[key] == entry, f"{RECORDED.name} differs from chart 0.3.10's render {key}: E2E_RECORD=1 rewrites it"
    else:
        raise AssertionError(f"{RECORDED.name} has no render {key}: run the scenario once with E2E_RECORD=1")


def with_env(rendered: Rendered, env: dict[str, str]) -> Rendered:
    """The render with chart 0.3.10's `env` value applied as its deployment.yaml does: one entry per key, in key
    order (Go templates range over a map sorted), before the chart's own entries (each value through `tpl`: plain
    strings here)."""
    entries = [{"name": k, "value": str(env[k])} for k in sorted(env)]
    return Rendered(release=rendered.release, fullname=rendered.fullname, args=rendered.args,
                    env=entries + rendered.env, config_ini=rendered.config_ini)
