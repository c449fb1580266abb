#!/usr/bin/env python3
"""Renders charts/forward-auth with Helm (`helm template`, `helm lint --strict`) for several value sets and checks
the result.

For every case: `helm lint --strict` with the case's values, then the coalesced values against values.schema.json
(python jsonschema), every rendered object against the Kubernetes OpenAPI schemas (kubernetes-validate, strict,
oldest supported and newest version), the Middleware against Traefik's CRD schema, and the wiring between objects
(Service <-> Deployment <-> Middleware/Ingress/IngressRoute, Secrets and ConfigMaps the pod uses, probes, RBAC
rules, security context), and that a second rendering gives the same objects.
Then chart-wide checks: the Ingress/IngressRoute route only the exact paths a browser must reach (issue 14) and
TRUST_FORWARDED_PREFIX, negative schema cases (helm template and helm lint refuse them), the swap into DKP (issue 17:
Kommander's values for chart 0.3.10, the image rule, allowedUser ignored, the CA Secret, resources as given, every
0.3.10 key accepted, the README's upgrade section and docs/swap-guide.md), values.yaml comments, the
README values table, Chart.yaml, and Helm's own view (version, kubeVersion, NOTES as helm install prints them,
helm package).

Rendering: `helm template` of a copy of the chart with one extra template, chart-test-probe.yaml, a ConfigMap
that carries what the templates saw (.Values) and NOTES.txt as Helm renders it (`helm template` prints neither);
the probe is taken out of the objects before any check. `lookup` answers only from a cluster: the upgrade cases
render with --dry-run=server against fake_apiserver.py, which serves the Secrets of tests/cluster/*.yaml.

Prints one line per check ("ok - ..." / "not ok - ...") and writes "<passed> <failed>" to --counts.
"""

import argparse
import base64
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

import jsonschema
import yaml
from kubernetes_validate import utils as kv

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import values_doc  # noqa: E402
from fake_apiserver import FakeAPIServer  # noqa: E402

SA_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
LEGACY_SELECTOR_NAME = "traefik-forward-auth"
K8S_VERSIONS = ["1.25.0", kv.latest_version()]
KUBE_VERSION = "v1.30.0"  # .Capabilities.KubeVersion of every rendering (helm template --kube-version, fake cluster)
PROBE_NAME = "chart-test-probe"
PROBE_TEMPLATE = """{{- /* Added by check_chart.py to its copy of the chart (never to the chart): what templates saw. */ -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
data:
  values.json: {{ toJson .Values | toJson }}
  NOTES.txt: {{ include (print .Template.BasePath "/NOTES.txt") . | toJson }}
""" % PROBE_NAME


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.case = ""

    def check(self, cond, what, detail=""):
        label = f"[{self.case}] {what}" if self.case else what
        if cond:
            self.passed += 1
            print(f"ok - {label}")
        else:
            self.failed += 1
            print(f"not ok - {label}" + (f": {detail}" if detail else ""))
        return cond


C = Checks()


# ---------------------------------------------------------------------------------------------- rendering

class Rendering:
    def __init__(self, objects, values, stdout, notes):
        self.objects = objects
        self.values = values
        self.stdout = stdout
        self.notes = notes

    def of_kind(self, kind):
        return [o for o in self.objects if o.get("kind") == kind]

    def one(self, kind, name=None):
        found = [o for o in self.of_kind(kind) if name is None or o["metadata"]["name"] == name]
        return found[0] if len(found) == 1 else None

    def named(self, kind, name):
        return next((o for o in self.of_kind(kind) if o["metadata"]["name"] == name), None)


def helm(args, *argv, env=None):
    return subprocess.run([args.helm, *argv], capture_output=True, text=True, env={**os.environ, **(env or {})})


def render(args, values_files, release, namespace, lookup=None, expect_fail=False, skip_schema=False):
    """`helm template` of the probed copy of the chart. With `lookup` (a YAML stream of cluster objects), an
    upgrade rendered with --dry-run=server against the fake API server, which answers `lookup` with them."""
    cmd = ["template", release, args.probed_chart, "--namespace", namespace]
    for f in values_files:
        cmd += ["-f", f]
    if skip_schema:
        cmd += ["--skip-schema-validation"]
    env = None
    if lookup:
        args.api.objects = [d for d in yaml.safe_load_all(open(lookup)) if d]
        args.api.requests.clear()
        cmd += ["--dry-run=server", "--is-upgrade", "--disable-openapi-validation"]
        env = args.api.env()
    else:
        cmd += ["--kube-version", KUBE_VERSION]
    proc = helm(args, *cmd, env=env)
    if expect_fail or proc.returncode != 0:
        return proc
    objects = [d for d in yaml.safe_load_all(proc.stdout) if d is not None]
    probe = next((o for o in objects if o.get("kind") == "ConfigMap" and o["metadata"]["name"] == PROBE_NAME), None)
    if probe is None:
        proc.returncode, proc.stderr = 1, f"no {PROBE_NAME} ConfigMap in helm template's output"
        return proc
    objects = [o for o in objects if o is not probe]
    return Rendering(objects, json.loads(probe["data"]["values.json"]), proc.stdout, probe["data"]["NOTES.txt"])


def lint(args, values_files, namespace, label=""):
    """`helm lint --strict` of the chart itself with these values: Helm's lint rules, the schema, rendering."""
    cmd = ["lint", "--strict", args.chart, "--namespace", namespace, "--kube-version", KUBE_VERSION]
    for f in values_files:
        cmd += ["-f", f]
    proc = helm(args, *cmd)
    ok = proc.returncode == 0 and "1 chart(s) linted, 0 chart(s) failed" in proc.stdout
    C.check(ok, f"{label}helm lint --strict passes", (proc.stdout + proc.stderr).strip())
    return ok


def probed_chart(chart, dest):
    """A copy of the chart (without tests/) with the probe template added."""
    copy_ = os.path.join(dest, os.path.basename(chart.rstrip("/")))
    shutil.copytree(chart, copy_, ignore=shutil.ignore_patterns("tests"))
    with open(os.path.join(copy_, "templates", PROBE_NAME + ".yaml"), "w") as f:
        f.write(PROBE_TEMPLATE)
    return copy_


# ------------------------------------------------------------------------------------------------ schemas

@functools.lru_cache(maxsize=None)
def values_schema(chart):
    return json.load(open(os.path.join(chart, "values.schema.json")))


def schema_errors(chart, values):
    v = jsonschema.Draft7Validator(values_schema(chart))
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(values))


# kubernetes-validate reloads its schema files on every call; they do not change within a run.
kv.schema_contents = functools.lru_cache(maxsize=None)(kv.schema_contents)


def crd_to_jsonschema(node):
    """Traefik's CRD openAPIV3Schema -> JSON Schema as the API server applies it with strict field
    validation (kubectl's default): unknown fields are errors, int-or-string accepts both, nullable null."""
    if isinstance(node, list):
        return [crd_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k.startswith("x-kubernetes-") or k == "nullable":
            continue
        out[k] = crd_to_jsonschema(v)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out \
            and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


@functools.lru_cache(maxsize=None)
def middleware_schema(crd_path):
    crd = yaml.safe_load(open(crd_path))
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    schema = crd_to_jsonschema(version["schema"]["openAPIV3Schema"])
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def validate_objects(args, r):
    for o in r.objects:
        kind, name = o.get("kind"), (o.get("metadata") or {}).get("name")
        ident = f"{kind}/{name}"
        C.check(bool(o.get("apiVersion")) and bool(kind) and bool(name), f"{ident} has apiVersion, kind, name")
        C.check(bool(name) and len(name) <= 253 and DNS1123.match(name) is not None, f"{ident} name is a DNS-1123 name")
        if kind == "Middleware":
            errs = sorted(e.message for e in jsonschema.Draft7Validator(middleware_schema(args.crd)).iter_errors(o))
            C.check(not errs, f"{ident} valid against Traefik's Middleware CRD schema", "; ".join(errs))
            continue
        if kind == "IngressRoute":
            check_ingressroute_shape(o)
            continue
        if kind == "ServiceMonitor":
            check_servicemonitor_shape(o)
            continue
        if kind == "PrometheusRule":
            check_prometheusrule_shape(o)
            continue
        for version in K8S_VERSIONS:
            try:
                kv.validate(o, version, strict=True)
                C.check(True, f"{ident} valid for Kubernetes {version} (strict)")
            except kv.ValidationError as e:
                path = ".".join(map(str, e.path))
                C.check(False, f"{ident} valid for Kubernetes {version} (strict)", f"{path}: {e.message}")
            except kv.SchemaNotFoundError as e:
                C.check(False, f"{ident} has a Kubernetes {version} schema", e.message)


def check_ingressroute_shape(o):
    # No IngressRoute CRD schema is at hand: check the fields Traefik requires and their types.
    spec = o.get("spec", {})
    routes = spec.get("routes")
    ok = o["apiVersion"] == "traefik.io/v1alpha1" and isinstance(routes, list) and routes and all(
        isinstance(rt.get("match"), str) and rt.get("kind") == "Rule" and isinstance(rt.get("services"), list)
        and all(isinstance(s.get("name"), str) and isinstance(s.get("port"), (int, str)) for s in rt["services"])
        and all(isinstance(m, dict) and "name" in m for m in rt.get("middlewares", []))
        for rt in routes)
    ok = ok and set(spec) <= {"entryPoints", "routes", "tls", "parentRefs"}
    ok = ok and all(isinstance(e, str) for e in spec.get("entryPoints", []))
    ok = ok and isinstance(spec.get("tls", {}), dict)
    C.check(ok, f"IngressRoute/{o['metadata']['name']} has Traefik's IngressRoute shape", json.dumps(spec))


def check_servicemonitor_shape(o):
    spec = o.get("spec", {})
    eps = spec.get("endpoints")
    ok = o["apiVersion"] == "monitoring.coreos.com/v1" and isinstance(eps, list) and eps and \
        isinstance(spec.get("selector", {}).get("matchLabels"), dict) and \
        all(isinstance(e.get("port"), str) and e.get("path", "/metrics").startswith("/") for e in eps)
    C.check(ok, f"ServiceMonitor/{o['metadata']['name']} has the operator's ServiceMonitor shape", json.dumps(spec))


def check_prometheusrule_shape(o):
    # The operator's PrometheusRule CRD: spec.groups[] of {name, rules[]}, each rule an alert or a record with an
    # expr, string labels and annotations, a duration `for`. (promtool checks the PromQL: scripts/test-alerts.)
    groups = o.get("spec", {}).get("groups")
    dur = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
    ok = o["apiVersion"] == "monitoring.coreos.com/v1" and set(o["spec"]) == {"groups"} and isinstance(groups, list) and groups
    for g in groups or []:
        ok = ok and isinstance(g.get("name"), str) and isinstance(g.get("rules"), list) and g["rules"]
        for rule in g.get("rules") or []:
            ok = ok and (("alert" in rule) != ("record" in rule)) and isinstance(rule.get("expr"), str)
            ok = ok and set(rule) <= {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
            ok = ok and ("for" not in rule or dur.match(str(rule["for"])) is not None)
            ok = ok and all(isinstance(v, str) for k in ("labels", "annotations") for v in (rule.get(k) or {}).values())
    C.check(bool(ok), f"PrometheusRule/{o['metadata']['name']} has the operator's PrometheusRule shape", json.dumps(o.get("spec"))[:2000])


# ------------------------------------------------------------------------------------------------- wiring

def container(dep):
    return next(c for c in dep["spec"]["template"]["spec"]["containers"] if c["name"] == "forward-auth")


def env_map(c):
    return {e["name"]: e for e in c.get("env", [])}


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def mount_for(c, path):
    """The volumeMount whose mountPath holds `path`, and the rest of the path below it."""
    best = None
    for m in c.get("volumeMounts", []):
        mp = m["mountPath"].rstrip("/") + "/"
        if path.startswith(mp) and (best is None or len(mp) > len(best[0]["mountPath"])):
            best = (m, path[len(mp):])
    return best


def volume_provides(r, vol, sub, ns, external):
    """Whether volume `vol` provides file `sub`, and from which object (checked to exist)."""
    if "configMap" in vol:
        cm = r.named("ConfigMap", vol["configMap"]["name"])
        items = vol["configMap"].get("items")
        key = next((i["key"] for i in items if i["path"] == sub), None) if items else sub
        return cm is not None and key in cm.get("data", {}), f"ConfigMap {vol['configMap']['name']} key {key}"
    if "secret" in vol:
        name = vol["secret"]["secretName"]
        items = vol["secret"].get("items")
        key = next((i["key"] for i in items if i["path"] == sub), None) if items else sub
        return secret_has(r, name, key, external), f"Secret {name} key {key}"
    if "projected" in vol:
        for src in vol["projected"]["sources"]:
            s = src.get("secret")
            if s:
                for it in s.get("items", []):
                    if it["path"] == sub:
                        return secret_has(r, s["name"], it["key"], external), f"Secret {s['name']} key {it['key']}"
        return False, f"no projected item {sub}"
    return False, f"volume {vol['name']} of an unexpected type"


def secret_has(r, name, key, external):
    s = r.named("Secret", name)
    if s is not None:
        return key in (s.get("data") or {}) or key in (s.get("stringData") or {})
    return (name, key) in external


def check_wiring(r, case):
    ns, rel = case["namespace"], case["release"]
    vals = r.values
    tfa = vals["traefikForwardAuth"]
    fullname = case["fullname"]
    external = {tuple(x) for x in case.get("external_secrets", [])}

    svc = r.named("Service", fullname)
    C.check(svc is not None, f"Service is named {fullname} (the old chart's full name)")
    if svc is None:
        return
    C.check(svc["spec"]["ports"][0]["port"] == vals["service"]["port"], "Service port is service.port")
    for kind in ("Secret",):
        for o in r.of_kind(kind):
            C.check(kind != "Secret" or o["metadata"]["name"] not in (f"{fullname}-secret", f"{fullname}-session-key"),
                    f"{kind}/{o['metadata']['name']} is not one of the old hook-created Secrets' names")

    dep = r.named("Deployment", fullname)
    if not tfa["enabled"]:
        C.check(dep is None, "no Deployment when traefikForwardAuth.enabled is false")
        return
    C.check(dep is not None, f"Deployment {fullname} rendered")
    if dep is None:
        return
    pod = dep["spec"]["template"]
    podspec = pod["spec"]
    labels = pod["metadata"]["labels"]
    c = container(dep)
    env = env_map(c)

    C.check(dep["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": LEGACY_SELECTOR_NAME,
                                                       "app.kubernetes.io/instance": rel},
            "Deployment selector is the old chart's (immutable across the upgrade)")
    C.check(matches(svc["spec"]["selector"], labels), "Service selector matches the pod labels")
    port = next((p for p in c["ports"] if p["name"] == svc["spec"]["ports"][0]["targetPort"]), None)
    C.check(port is not None and port["containerPort"] == 4181, "Service targetPort is the container's port 4181")
    C.check(c["image"].startswith(vals["image"]["repository"]), "container image is image.repository")
    if case.get("image"):
        C.check(c["image"] == case["image"], f"image is {case['image']}", c["image"])

    # Probes hit the service's real endpoints on its port.
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        p = c.get(probe, {}).get("httpGet", {})
        C.check(p.get("path") == path and p.get("port") in ("http", 4181), f"{probe} is GET {path} on port 4181",
                json.dumps(p))

    # Hardening.
    sc, psc = c.get("securityContext", {}), podspec.get("securityContext", {})
    C.check(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
            and sc.get("capabilities", {}).get("drop") == ["ALL"], "container: read-only root, no escalation, no capabilities")
    C.check((sc.get("runAsNonRoot") or psc.get("runAsNonRoot")) is True and psc.get("runAsUser") == 65532,
            "pod runs as non-root 65532")
    C.check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "seccomp profile RuntimeDefault")
    tmp = mount_for(c, "/tmp/x")
    C.check(tmp is not None and tmp[1] == "x", "/tmp is a writable volume (root filesystem is read-only)")

    # Config checksum annotation (that it follows the config is checked by check_config_change_rolls_pods).
    C.check(re.match(r"^[0-9a-f]{64}$", pod["metadata"].get("annotations", {}).get("checksum/config", "")) is not None,
            "pod template has a checksum/config annotation (sha256)")

    # Scrape annotations only when asked for, and then for the container's http port.
    ann = pod["metadata"].get("annotations", {})
    http_port = next((p["containerPort"] for p in c.get("ports", []) if p.get("name") == "http"), None)
    if vals["metrics"].get("scrapeAnnotations"):
        C.check(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == str(http_port)
                and ann.get("prometheus.io/path") == "/metrics", "pods carry prometheus.io scrape annotations for the http port", json.dumps(ann))
    else:
        C.check(not any(k.startswith("prometheus.io/") for k in ann), "no prometheus.io annotations unless metrics.scrapeAnnotations")

    # Every env var naming a file points into a mounted volume that provides it.
    volumes = {v["name"]: v for v in podspec.get("volumes", [])}
    for name in ("CONFIG", "SECRET_FILE", "ENCRYPTION_KEY_FILE", "CLIENT_SECRET_FILE", "SSL_CERT_FILE"):
        if name not in env:
            continue
        path = env[name].get("value", "")
        if name == "SSL_CERT_FILE" and path == SA_CA:
            C.check(podspec.get("automountServiceAccountToken") is not False, "SSL_CERT_FILE: the service-account CA is mounted")
            continue
        m = mount_for(c, path)
        ok, what = (False, "not under any volumeMount") if m is None else volume_provides(r, volumes[m[0]["name"]], m[1], ns, external)
        C.check(ok, f"{name}={path} is provided by a mounted volume ({what})")
    for required in ("CONFIG", "SECRET_FILE", "ENCRYPTION_KEY_FILE"):
        C.check(required in env, f"env {required} is set")

    # SSL_CERT_FILE as the old chart chose it.
    has_ca = bool(tfa.get("caCertificate") or tfa.get("caSecretName"))
    want_ca = None if tfa.get("useSystemCA") else ("/etc/forward-auth/ca/ca.crt" if has_ca else SA_CA)
    if "SSL_CERT_FILE" not in (vals.get("env") or {}):
        C.check(env.get("SSL_CERT_FILE", {}).get("value") == want_ca if want_ca else "SSL_CERT_FILE" not in env,
                f"SSL_CERT_FILE is {want_ca}")

    # Env refs to Secrets exist (or are declared external for the case); optional refs may be absent.
    for e in c.get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref and not ref.get("optional"):
            C.check(secret_has(r, ref["name"], ref["key"], external), f"env {e['name']} from Secret {ref['name']} key {ref['key']} exists")
    names = [e["name"] for e in c.get("env", [])]
    C.check(len(names) == len(set(names)), "env names are unique", str(names))
    for e in c.get("env", []):
        for dep_var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", e.get("value", "")):
            C.check(dep_var in names[:names.index(e["name"])], f"env {e['name']} references {dep_var} defined before it")

    # traefikForwardAuth.allowedUser is ignored, as chart 0.3.10 ignored it (issue 17): WHITELIST is exactly the
    # whitelist, never the bootstrap user alone (which would shut out every other user).
    if "WHITELIST" not in (vals.get("env") or {}):
        want_wl = ",".join(tfa.get("whitelist") or []) or None
        C.check(env.get("WHITELIST", {}).get("value") == want_wl and "FORWARD_AUTH_ALLOWED_USER" not in env,
                "WHITELIST is exactly traefikForwardAuth.whitelist (allowedUser is ignored, as in chart 0.3.10)",
                json.dumps([env.get("WHITELIST"), env.get("FORWARD_AUTH_ALLOWED_USER")]))

    # Resources exactly as given (nothing merged in: no limit DKP did not ask for); {} the chart's default.
    if "resources" not in vals:
        C.check("resources" not in c, "resources: null renders no container resources", json.dumps(c.get("resources")))
    elif vals["resources"]:
        C.check(c.get("resources") == vals["resources"], "container resources are exactly the values' resources (nothing merged in)",
                json.dumps(c.get("resources")))
    else:
        C.check(c.get("resources") == DEFAULT_RESOURCES, "empty resources: the chart's default", json.dumps(c.get("resources")))

    # An inline CA lives where chart 0.3.10 put it: the Secret <fullname>-ca-certificate, key ca.crt (or, with
    # caCertificateKind: ConfigMap, a ConfigMap of that name), mounted as the CA file.
    if tfa.get("caCertificate") and not tfa.get("useSystemCA"):
        kind = "ConfigMap" if tfa.get("caCertificateKind") == "ConfigMap" else "Secret"
        other = "Secret" if kind == "ConfigMap" else "ConfigMap"
        obj = r.named(kind, f"{fullname}-ca-certificate")
        data = (obj or {}).get("data", {}).get("ca.crt", "")
        pem = base64.b64decode(data).decode() if kind == "Secret" and data else data
        C.check(obj is not None and pem.strip() == tfa["caCertificate"].strip() and r.named(other, f"{fullname}-ca-certificate") is None,
                f"caCertificate is in the {kind} {fullname}-ca-certificate, key ca.crt" + (" (where chart 0.3.10 put it)" if kind == "Secret" else ""))
        vol = volumes.get("ca", {})
        src = vol.get("secret", {}).get("secretName") if kind == "Secret" else vol.get("configMap", {}).get("name")
        C.check(src == f"{fullname}-ca-certificate", f"the ca volume mounts that {kind}", json.dumps(vol))

    # The client secret: from the reference, else the chart's Secret, else absent.
    ref = (((tfa.get("clientSecret") or {}).get("valueFrom") or {}).get("secretKeyRef") or {})
    if ref.get("name") or (tfa.get("clientSecret") or {}).get("value"):
        C.check("CLIENT_SECRET_FILE" in env, "CLIENT_SECRET_FILE is set when a client secret is configured")

    # Values the old chart turned into env vars.
    if tfa.get("oidcUri"):
        C.check(env.get("PROVIDER_URI", {}).get("value") == tfa["oidcUri"], "PROVIDER_URI is traefikForwardAuth.oidcUri")
    if tfa.get("whitelist"):
        C.check(all(w in env.get("WHITELIST", {}).get("value", "").split(",") for w in tfa["whitelist"]), "WHITELIST holds the whitelist")
    if tfa.get("rbacPassThroughPaths"):
        C.check(env.get("AUTHZ_PASS_THROUGH", {}).get("value") == ",".join(tfa["rbacPassThroughPaths"]), "AUTHZ_PASS_THROUGH is the joined list")
    C.check(("ENABLE_RBAC" in env) == bool(tfa.get("enableRBAC")), "ENABLE_RBAC follows enableRBAC")
    C.check(("ENABLE_IMPERSONATION" in env) == bool(tfa.get("enableImpersonation")), "ENABLE_IMPERSONATION follows enableImpersonation")
    for k, v in (case.get("env") or {}).items():
        got = env.get(k, {}).get("value") if v is not None else (k in env)
        C.check(got == (v if v is not None else False), f"env {k} is {v!r}" if v is not None else f"env {k} is not set", repr(got))

    # The ini file: client id, user cookie name and every extraConfig line.
    ini = r.named("ConfigMap", f"{rel}-configmap")
    C.check(ini is not None, f"ConfigMap {rel}-configmap (the old chart's name) holds the ini file")
    if ini is not None:
        text = ini["data"]["config.ini"]
        lines = [l.strip() for l in text.splitlines()]
        C.check(f"client-id = {tfa['clientId']}" in lines, "config.ini sets client-id")
        extra = [l.strip() for l in (tfa.get("extraConfig") or "").splitlines() if l.strip()]
        C.check(all(l in lines for l in extra), "config.ini carries every extraConfig line")
        C.check(all(re.match(r"^([#;].*|[A-Za-z0-9_.-]+ *= *.*)?$", l) for l in lines), "config.ini lines are key = value")

    # Service account and RBAC.
    sa = podspec.get("serviceAccountName")
    C.check(r.named("ServiceAccount", sa) is not None or not vals["serviceAccount"]["create"], f"ServiceAccount {sa} rendered")
    cr = r.named("ClusterRole", fullname)
    rules = cr["rules"] if cr else []

    def grants(group, resource, verb):
        return any(group in ru.get("apiGroups", []) and resource in ru.get("resources", []) and verb in ru.get("verbs", []) for ru in rules)

    for res in ("clusterroles", "clusterrolebindings"):
        for verb in ("list", "watch"):
            C.check(grants("rbac.authorization.k8s.io", res, verb) == bool(tfa.get("enableRBAC")), f"ClusterRole grants {verb} {res} iff enableRBAC")
    for group, res in (("", "users"), ("", "groups"), ("", "serviceaccounts"), ("authentication.k8s.io", "userextras/scopes")):
        C.check(grants(group, res, "impersonate") == bool(tfa.get("enableImpersonation")), f"ClusterRole grants impersonate {res or group} iff enableImpersonation")
    if cr:
        crb = r.named("ClusterRoleBinding", fullname)
        C.check(crb is not None and crb["roleRef"]["name"] == fullname and
                {"kind": "ServiceAccount", "name": sa, "namespace": ns} in crb["subjects"], "ClusterRoleBinding binds the ClusterRole to the pods' ServiceAccount")
    if vals["clusterStorage"]["enabled"]:
        store_ns = vals["clusterStorage"]["namespace"] or ns
        role = next((o for o in r.of_kind("Role") if o["metadata"]["namespace"] == store_ns), None)
        C.check(role is not None and any("secrets" in ru["resources"] and "create" in ru["verbs"] for ru in role["rules"]),
                "cluster storage: a Role grants Secrets in CLUSTER_STORE_NAMESPACE")
        C.check(env.get("CLUSTER_STORE_NAMESPACE", {}).get("value") == store_ns, "CLUSTER_STORE_NAMESPACE is the storage namespace")

    # Middleware -> Service.
    for mw in r.of_kind("Middleware"):
        fa = mw["spec"]["forwardAuth"]
        want = f"http://{fullname}.{ns}.svc:{svc['spec']['ports'][0]['port']}/"
        C.check(fa["address"] == want, f"Middleware address is the Service's DNS name and port ({want})", fa["address"])
        C.check("X-Forwarded-User" in fa.get("authResponseHeaders", []), "Middleware copies X-Forwarded-User")
        if tfa.get("enableImpersonation"):
            C.check(fa.get("authResponseHeadersRegex") == "^Impersonate-" and "Authorization" in fa.get("authResponseHeaders", []),
                    "impersonation: Middleware strips client Impersonate-* (regex) and copies Authorization")
        else:
            C.check("authResponseHeadersRegex" not in fa, "no impersonation: no authResponseHeadersRegex")
    if case.get("middleware"):
        C.check(len(r.of_kind("Middleware")) == 1, "a Middleware is rendered")

    # Ingress / IngressRoute -> Service, on the exact browser paths of each callback path (no prefix route); with the
    # SSO broker also P/sso (UI cluster) and P/sso/callback (attached cluster).
    sso = vals.get("ssoBroker") or {}
    sso_ui, sso_attached = bool(sso.get("callbacks")), bool(sso.get("url"))
    sso_what = (" + P/sso" if sso_ui else "") + (" + P/sso/callback" if sso_attached else "")
    svc_ports = {p["name"]: p["port"] for p in svc["spec"]["ports"]}
    for ing in r.of_kind("Ingress"):
        paths = [p for rule in ing["spec"]["rules"] for p in rule["http"]["paths"]]
        C.check(all(p["backend"]["service"]["name"] == fullname and p["backend"]["service"]["port"].get("name") in svc_ports for p in paths),
                "Ingress backends are the Service's http port")
        want_paths = [p if isinstance(p, str) else p["path"] for p in vals["ingress"]["paths"]]
        check_ingress_exact(ing, browser_paths(*want_paths, sso_ui=sso_ui, sso_callback=sso_attached),
                            f"ingress.paths {want_paths}{sso_what}")
    for ir in r.of_kind("IngressRoute"):
        svcs = [s for rt in ir["spec"]["routes"] for s in rt["services"]]
        C.check(all(s["name"] == fullname and s["port"] in svc_ports.values() for s in svcs), "IngressRoute services are the Service and its port")
        ir_path = vals["ingressRoute"]["path"]
        want_routes = [browser_paths(ir_path, sso_ui=sso_ui)] + ([sso_callback_paths(ir_path)] if sso_attached else [])
        check_ingressroute_exact(ir, want_routes, f"ingressRoute.path {ir_path}{sso_what}")
        if tfa.get("authHost") and not vals["ingressRoute"].get("host"):
            C.check(all(f"Host(`{tfa['authHost']}`)" in rt["match"] for rt in ir["spec"]["routes"]), "IngressRoute matches the auth host")
        check_sso_callback_route(r, ir, vals, fullname, ns)
    check_sso_env(vals, env)

    # X-Forwarded-Prefix is judged unless traefikForwardAuth.trustForwardedPrefix is false (or env replaces it).
    if "TRUST_FORWARDED_PREFIX" not in (vals.get("env") or {}):
        want_tfp = "false" if tfa.get("trustForwardedPrefix") is False else "true"
        C.check(env.get("TRUST_FORWARDED_PREFIX", {}).get("value") == want_tfp,
                f"env TRUST_FORWARDED_PREFIX is {want_tfp!r} (traefikForwardAuth.trustForwardedPrefix)", json.dumps(env.get("TRUST_FORWARDED_PREFIX")))

    # Objects that select the pods.
    for kind in ("PodDisruptionBudget",):
        for o in r.of_kind(kind):
            C.check(matches(o["spec"]["selector"]["matchLabels"], labels), f"{kind} selects the pods")
    for hpa in r.of_kind("HorizontalPodAutoscaler"):
        C.check(hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": fullname}, "HPA scales the Deployment")
        C.check("replicas" not in dep["spec"], "with an HPA the Deployment leaves replicas alone")
    for sm in r.of_kind("ServiceMonitor"):
        C.check(matches(sm["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"]) and all(e["port"] in svc_ports for e in sm["spec"]["endpoints"])
                and all(e.get("path") == "/metrics" for e in sm["spec"]["endpoints"]), "ServiceMonitor scrapes /metrics on the Service's http port")
    for np in r.of_kind("NetworkPolicy"):
        C.check(matches(np["spec"]["podSelector"]["matchLabels"], labels), "NetworkPolicy selects the pods")
        C.check(any(p.get("port") in ("http", 4181) for ing in np["spec"].get("ingress", []) for p in ing.get("ports", [])), "NetworkPolicy admits port 4181")
    for tsc in podspec.get("topologySpreadConstraints", []):
        C.check(matches(tsc["labelSelector"]["matchLabels"], labels), f"topology spread on {tsc['topologyKey']} selects the pods")

    # The cookie keys' source.
    keys = case.get("keys")
    if keys:
        proj = next(v for v in podspec["volumes"] if v["name"] == "secrets")["projected"]["sources"]
        by_path = {it["path"]: (s["secret"]["name"], it["key"]) for s in proj for it in s["secret"]["items"]}
        for path, want in keys.items():
            C.check(by_path.get(path) == tuple(want), f"{path} comes from Secret {want[0]} key {want[1]}", str(by_path.get(path)))
    managed = r.named("Secret", f"{fullname}-keys")
    if case.get("managed_data"):
        got = (managed or {}).get("data", {})
        C.check(got == case["managed_data"], "the generated keys Secret keeps the data already in the cluster", json.dumps(got))
    if case.get("managed") is not None:
        C.check((managed is not None) == case["managed"], f"keys Secret {fullname}-keys {'rendered' if case['managed'] else 'not rendered'}")
    if managed is not None:
        for k in ("secret", "encryption-key"):
            raw = base64.b64decode(managed["data"][k])
            C.check(len(raw) >= 32, f"generated {k} has at least 32 bytes")


# ------------------------------------------------------------------------------------ routes (issue 14)

def browser_paths(*callback_paths, sso_ui=False, sso_callback=False):
    """What a browser must reach for each callback path P (url-path): P, P/logout, P/start; with the SSO broker
    also P/sso (the UI cluster's broker endpoint) and P/sso/callback (an attached cluster's); nothing else."""
    out = set()
    for p in callback_paths:
        p = p[:-1] if p.endswith("/") else p
        out |= {p, p + "/logout", p + "/start"}
        if sso_ui:
            out.add(p + "/sso")
        if sso_callback:
            out |= sso_callback_paths(p)
    return out


def sso_callback_paths(p):
    return {(p[:-1] if p.endswith("/") else p) + "/sso/callback"}


def check_sso_callback_route(r, ir, vals, fullname, ns):
    """The IngressRoute's broker callback route (an attached cluster): exactly P/sso/callback, through the
    forward-auth Middleware (ssoBroker.callbackMiddlewares, else ingressRoute.middlewares and the chart's Middleware);
    the other route carries only ingressRoute.middlewares. Without ssoBroker.url no route names /sso/callback."""
    sso = vals.get("ssoBroker") or {}
    routes = ir["spec"]["routes"]
    callback = [rt for rt in routes if "/sso/callback" in rt["match"]]
    if not sso.get("url"):
        C.check(callback == [], "no ssoBroker.url: no IngressRoute route for P/sso/callback", json.dumps([rt["match"] for rt in callback]))
        return
    if not C.check(len(callback) == 1 and len(routes) == 2, "ssoBroker.url: one IngressRoute route of its own for P/sso/callback",
                   json.dumps([rt["match"] for rt in routes])):
        return
    want = list(sso.get("callbackMiddlewares") or [])
    if not want:
        want = list(vals["ingressRoute"].get("middlewares") or [])
        if vals["middleware"]["enabled"]:
            want.append({"name": vals["middleware"].get("name") or fullname, "namespace": ns})
    got = callback[0].get("middlewares") or []
    C.check(got == want, "the P/sso/callback route's middlewares: callbackMiddlewares, else ingressRoute.middlewares + the chart's Middleware",
            json.dumps(got))
    mws = r.of_kind("Middleware")
    if vals["middleware"]["enabled"] and not sso.get("callbackMiddlewares"):
        C.check(len(mws) == 1 and {"name": mws[0]["metadata"]["name"], "namespace": mws[0]["metadata"]["namespace"]} in got,
                "the P/sso/callback route goes through the rendered forward-auth Middleware (bodyless check, then the POST to the Service)",
                json.dumps(got))
    other = [rt for rt in routes if rt is not callback[0]][0]
    C.check((other.get("middlewares") or []) == list(vals["ingressRoute"].get("middlewares") or []),
            "the browser-paths route keeps ingressRoute.middlewares only", json.dumps(other.get("middlewares")))
    host = vals["ingressRoute"].get("host") or vals["traefikForwardAuth"].get("authHost")
    if host:
        C.check(all(f"Host(`{host}`)" in rt["match"] for rt in routes), f"every IngressRoute route matches Host(`{host}`)",
                json.dumps([rt["match"] for rt in routes]))


def check_sso_env(vals, env):
    """SSO_BROKER_CALLBACKS (comma-joined), SSO_BROKER_URL, SSO_BROKER_AUDIENCE from ssoBroker, absent when unset."""
    sso = vals.get("ssoBroker") or {}
    user = vals.get("env") or {}
    for name, value in (("SSO_BROKER_CALLBACKS", ",".join(sso.get("callbacks") or [])), ("SSO_BROKER_URL", sso.get("url") or ""),
                        ("SSO_BROKER_AUDIENCE", sso.get("audience") or "")):
        if name in user:
            continue
        got = env.get(name)
        if value:
            C.check(got == {"name": name, "value": value}, f"env {name} is {value!r}", json.dumps(got))
        else:
            C.check(got is None, f"env {name} absent (ssoBroker unset)", json.dumps(got))


MATCHER = re.compile(r"([A-Za-z]+)\(`([^`]*)`\)")


def ingressroute_paths(ir):
    """Per route: the matcher names its rule uses and the Path() arguments."""
    out = []
    for rt in ir["spec"]["routes"]:
        found = MATCHER.findall(rt["match"])
        out.append(({name for name, _ in found}, {arg for name, arg in found if name == "Path"}, rt["match"]))
    return out


def check_ingressroute_exact(ir, want, what):
    """`want`: the Path() set of the one route, or a list of such sets, one per route in order."""
    routes = ingressroute_paths(ir)
    want_routes = want if isinstance(want, list) else [want]
    C.check(bool(routes) and all(names <= {"Host", "Path"} and "PathPrefix" not in m and "PathRegexp" not in m
                                 for names, _, m in routes),
            f"IngressRoute: every route matches with Path( only (no PathPrefix) for {what}", json.dumps([m for _, _, m in routes]))
    C.check(bool(routes) and [paths for _, paths, _ in routes] == want_routes,
            f"IngressRoute: its routes match exactly {[sorted(w) for w in want_routes]}", json.dumps([m for _, _, m in routes]))


def check_ingress_exact(ing, want, what):
    paths = [p for rule in ing["spec"]["rules"] for p in rule["http"]["paths"]]
    C.check(bool(paths) and all(p.get("pathType") == "Exact" for p in paths),
            f"Ingress: every path is pathType Exact for {what}", json.dumps([(p.get("path"), p.get("pathType")) for p in paths]))
    per_rule = [{p["path"] for p in rule["http"]["paths"]} for rule in ing["spec"]["rules"]]
    C.check(bool(per_rule) and all(got == want for got in per_rule),
            f"Ingress: each rule routes exactly {sorted(want)}", json.dumps([sorted(g) for g in per_rule]))


def write_values(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        yaml.safe_dump(data, f)
    return path


def check_exact_routes(args):
    """Issue 14: routes send the Service only the exact paths a browser must reach (P, P/logout, P/start)."""
    C.case = "routes"
    vdir = os.path.join(args.chart, "tests/values")
    both_on = {"ingress": {"enabled": True}, "ingressRoute": {"enabled": True}}
    with tempfile.TemporaryDirectory() as tmp:
        on = write_values(tmp, "on.yaml", both_on)
        custom = write_values(tmp, "custom.yaml", {"ingress": {"enabled": True, "paths": ["/auth/cb/"]},
                                                   "ingressRoute": {"enabled": True, "path": "/auth/cb", "host": "auth.example.com"}})
        objects = write_values(tmp, "objects.yaml", {"ingress": {"enabled": True, "pathType": "Exact", "hosts": ["a.example.com", "b.example.com"],
                                                                 "paths": [{"path": "/_oauth", "pathType": "Exact"}, "/_oauth", "/_sso"]}})
        renders = [
            ("defaults", [on], "/_oauth", "/_oauth", None),
            ("dkp.yaml", [os.path.join(vdir, "dkp.yaml")], "/_oauth", None, None),
            ("dkp-defaults.yaml", [os.path.join(vdir, "dkp-defaults.yaml")], "/_oauth_kommander", None, None),
            ("full.yaml", [os.path.join(vdir, "full.yaml")], None, "/_oauth", "auth.example.com"),
            ("custom url-path /auth/cb", [custom], "/auth/cb", "/auth/cb", "auth.example.com"),
        ]
        for label, files, ing_p, ir_p, host in renders:
            if not label.endswith(".yaml"):  # the tests/values files are linted with their cases
                lint(args, files, "default", f"{label}: ")
            r = render(args, files, "rel", "default")
            if not C.check(isinstance(r, Rendering), f"{label}: renders", getattr(r, "stderr", "")):
                continue
            ings, irs = r.of_kind("Ingress"), r.of_kind("IngressRoute")
            if ing_p:
                if C.check(len(ings) == 1, f"{label}: one Ingress"):
                    check_ingress_exact(ings[0], browser_paths(ing_p), f"{label} (P={ing_p})")
            if ir_p:
                if C.check(len(irs) == 1, f"{label}: one IngressRoute"):
                    check_ingressroute_exact(irs[0], browser_paths(ir_p), f"{label} (P={ir_p})")
                    if host:
                        want = f"Host(`{host}`) && (Path(`{ir_p}`) || Path(`{ir_p}/logout`) || Path(`{ir_p}/start`))"
                        C.check([rt["match"] for rt in irs[0]["spec"]["routes"]] == [want], f"{label}: IngressRoute rule is {want}",
                                json.dumps([rt["match"] for rt in irs[0]["spec"]["routes"]]))
            if label == "dkp-defaults.yaml":
                # Kommander's defaults move url-path in extraConfig; the routed paths follow ingress.paths, which match it.
                url_path = re.search(r"^\s*url-path\s*=\s*(\S+)", r.values["traefikForwardAuth"]["extraConfig"], re.M).group(1)
                C.check(url_path == ing_p, f"{label}: the routed callback path is extraConfig's url-path {url_path}")
        r = render(args, [on], "rel", "default")
        if isinstance(r, Rendering):
            routed = "exact paths only (pathType Exact): /_oauth, /_oauth/logout, /_oauth/start"
            C.check(f"Ingress: {routed}" in r.notes and "IngressRoute: exact paths only (Path): /_oauth, /_oauth/logout, /_oauth/start" in r.notes
                    and "PathPrefix" not in r.notes, "NOTES list the exact routed paths", r.notes)
        lint(args, [objects], "default", "object entries, repeats and several hosts: ")
        r = render(args, [objects], "rel", "default")
        if C.check(isinstance(r, Rendering), "object entries, repeats and several hosts: renders", getattr(r, "stderr", "")):
            check_ingress_exact(r.one("Ingress"), browser_paths("/_oauth", "/_sso"), "object entries, repeats, two hosts")
            paths = [p["path"] for p in r.one("Ingress")["spec"]["rules"][0]["http"]["paths"]]
            C.check(len(paths) == len(set(paths)), "Ingress paths are not repeated", str(paths))

        # A prefix pathType never renders: the schema refuses it, and without the schema the template fails.
        for label, data in (("ingress.pathType: Prefix", {"ingress": {"enabled": True, "pathType": "Prefix"}}),
                            ("ingress.pathType: ImplementationSpecific", {"ingress": {"enabled": True, "pathType": "ImplementationSpecific"}}),
                            ("ingress.paths[].pathType: Prefix", {"ingress": {"enabled": True, "paths": [{"path": "/_oauth", "pathType": "Prefix"}]}})):
            f = write_values(tmp, "bad.yaml", data)
            proc = render(args, [f], "rel", "default", expect_fail=True)
            C.check(proc.returncode != 0 and "ingress" in proc.stderr and "pathType" in proc.stderr,
                    f"{label}: helm template (Helm's schema check) refuses it", proc.stderr.strip())
            proc = helm(args, "lint", "--strict", args.chart, "-f", f)
            C.check(proc.returncode != 0 and "pathType" in proc.stdout + proc.stderr,
                    f"{label}: helm lint --strict refuses it", (proc.stdout + proc.stderr).strip())
            proc = render(args, [f], "rel", "default", expect_fail=True, skip_schema=True)
            bad = data["ingress"].get("pathType") or data["ingress"]["paths"][0]["pathType"]
            C.check(proc.returncode != 0 and f"pathType \"{bad}\"" in proc.stderr and "only Exact is allowed" in proc.stderr,
                    f"{label}: without the schema (--skip-schema-validation) rendering fails naming the value", proc.stderr.strip())
        for label, data, what in (("ingressRoute.path: /", {"ingressRoute": {"enabled": True, "path": "/"}}, "ingressRoute.path"),
                                  ("ingress.paths: [\"/a b\"]", {"ingress": {"enabled": True, "paths": ["/a b"]}}, "ingress.paths")):
            f = write_values(tmp, "bad.yaml", data)
            proc = render(args, [f], "rel", "default", expect_fail=True)
            C.check(proc.returncode != 0 and what in proc.stderr and "not a callback path" in proc.stderr,
                    f"{label}: rendering fails with a clear message", proc.stderr.strip())

        # The SSO broker (issue 19): UI P/sso, attached P/sso/callback, each exact, on both kinds of route; a URL the
        # service would refuse at start (or SSO_BROKER_CALLBACKS could not carry) never renders.
        ui = os.path.join(vdir, "sso-ui.yaml")
        at = os.path.join(vdir, "sso-attached.yaml")
        both = write_values(tmp, "sso-both.yaml", {"traefikForwardAuth": {"authHost": "auth.both.example.net"},
                                                   "ingress": {"enabled": True, "paths": ["/auth/cb"]},
                                                   "ingressRoute": {"enabled": True, "path": "/auth/cb"},
                                                   "ssoBroker": {"callbacks": ["https://a.example.net/auth/cb/sso/callback"],
                                                                 "url": "https://ui.example.com/auth/cb/sso",
                                                                 "callbackMiddlewares": [{"name": "forwardauth-full", "namespace": "kommander"}]}})
        lint(args, [both], "default", "sso both roles, custom url-path: ")
        for label, files, ing_want, ir_want in (
                ("sso-ui.yaml", [ui], browser_paths("/_oauth", sso_ui=True), [browser_paths("/_oauth", sso_ui=True)]),
                ("sso-attached.yaml", [at], browser_paths("/_oauth", sso_callback=True),
                 [browser_paths("/_oauth"), {"/_oauth/sso/callback"}]),
                ("sso both roles, custom url-path", [both], browser_paths("/auth/cb", sso_ui=True, sso_callback=True),
                 [browser_paths("/auth/cb", sso_ui=True), {"/auth/cb/sso/callback"}])):
            r = render(args, files, "rel", "default")
            if not C.check(isinstance(r, Rendering), f"{label}: renders", getattr(r, "stderr", "")):
                continue
            check_ingress_exact(r.one("Ingress"), ing_want, label)
            check_ingressroute_exact(r.one("IngressRoute"), ir_want, label)
            if "both" in label:
                cb = [rt for rt in r.one("IngressRoute")["spec"]["routes"] if "/sso/callback" in rt["match"]]
                C.check(len(cb) == 1 and cb[0].get("middlewares") == [{"name": "forwardauth-full", "namespace": "kommander"}],
                        f"{label}: the callback route takes ssoBroker.callbackMiddlewares as given", json.dumps(cb))
        for label, data, needle in (
                ("ssoBroker.callbacks: http without insecureCookie", {"ssoBroker": {"callbacks": ["http://a.example.net/_oauth/sso/callback"]}},
                 "insecureCookie"),
                ("ssoBroker.url: http without insecureCookie", {"ssoBroker": {"url": "http://ui.example.com/_oauth/sso"}}, "insecureCookie"),
                ("ssoBroker.callbacks: a comma", {"ssoBroker": {"callbacks": ["https://a.example.net/_oauth/sso/callback,https://b.example.net/x"]}},
                 "comma"),
                ("ssoBroker.callbacks: a query", {"ssoBroker": {"callbacks": ["https://a.example.net/_oauth/sso/callback?x=1"]}}, "query"),
                ("ssoBroker.url: userinfo", {"ssoBroker": {"url": "https://user@ui.example.com/_oauth/sso"}}, "userinfo"),
                ("ssoBroker.url: relative", {"ssoBroker": {"url": "/_oauth/sso"}}, "absolute")):
            f = write_values(tmp, "bad-sso.yaml", data)
            proc = render(args, [f], "rel", "default", expect_fail=True, skip_schema=True)
            what = label.split(":")[0].split(".")[1]
            C.check(proc.returncode != 0 and f"ssoBroker.{what}" in proc.stderr and needle in proc.stderr,
                    f"{label}: without the schema rendering fails naming the value", proc.stderr.strip())
            if needle != "insecureCookie":
                proc = render(args, [f], "rel", "default", expect_fail=True)
                C.check(proc.returncode != 0 and "ssoBroker" in proc.stderr, f"{label}: the schema refuses it", proc.stderr.strip())
        f = write_values(tmp, "sso-http.yaml", {"traefikForwardAuth": {"insecureCookie": True, "authHost": "auth.a.example.net"},
                                                "ssoBroker": {"url": "http://ui.example.com/_oauth/sso"}})
        r = render(args, [f], "rel", "default")
        C.check(isinstance(r, Rendering) and env_map(container(r.one("Deployment"))).get("SSO_BROKER_URL", {}).get("value")
                == "http://ui.example.com/_oauth/sso", "ssoBroker.url over http renders with insecureCookie", getattr(r, "stderr", ""))
        # An attached cluster without an auth host: its callback path would be an app's on every app host.
        f = write_values(tmp, "sso-no-auth-host.yaml", {"traefikForwardAuth": {"authHost": ""},
                                                        "ssoBroker": {"url": "https://ui.example.com/_oauth/sso"}})
        proc = render(args, [f], "rel", "default", expect_fail=True)
        C.check(proc.returncode != 0 and "ssoBroker.url needs traefikForwardAuth.authHost" in proc.stderr,
                "ssoBroker.url without traefikForwardAuth.authHost: rendering fails naming both", proc.stderr.strip())

        # TRUST_FORWARDED_PREFIX.
        for label, files, want in (("default", [], "true"),
                                   ("trustForwardedPrefix: false", [write_values(tmp, "tfp-false.yaml", {"traefikForwardAuth": {"trustForwardedPrefix": False}})], "false"),
                                   ("trustForwardedPrefix: true", [write_values(tmp, "tfp-true.yaml", {"traefikForwardAuth": {"trustForwardedPrefix": True}})], "true"),
                                   ("dkp.yaml", [os.path.join(vdir, "dkp.yaml")], "true")):
            if label.startswith("trustForwardedPrefix"):
                lint(args, files, "default", f"{label}: ")
            r = render(args, files, "rel", "default")
            got = env_map(container(r.one("Deployment"))).get("TRUST_FORWARDED_PREFIX") if isinstance(r, Rendering) else None
            C.check(got == {"name": "TRUST_FORWARDED_PREFIX", "value": want}, f"{label}: env TRUST_FORWARDED_PREFIX is {want!r}", json.dumps(got))


# ------------------------------------------------------------------------------ swap into DKP (issue 17)

SWAP_GUIDE = "docs/swap-guide.md"
OPERATIONS = "docs/operations.md"
ALERTS = ["ForwardAuthDown", "ForwardAuthProviderNotReady", "ForwardAuthProviderErrors", "ForwardAuthLoginFailures",
          "ForwardAuthTokenVerificationFailures", "ForwardAuthRBACPolicyNotLoaded", "ForwardAuthDecisionLatencyHigh"]


def github_anchors(markdown):
    """The anchors GitHub gives the headings of a Markdown file (lower case, punctuation dropped, spaces -> -)."""
    anchors = set()
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            anchors.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return anchors


def check_observability(args, r, case):
    """Issue 18: the dashboard ConfigMap (sidecar label, folder annotation, namespace, the repository's JSON) and the
    PrometheusRule (its labels, every alert's severity, summary, description and a runbook_url whose anchor is a
    section of docs/operations.md), each only when its value turns it on."""
    vals, ns, fullname = r.values, case["namespace"], case["fullname"]
    m = vals["metrics"]
    d = m["dashboard"]
    cms = [o for o in r.of_kind("ConfigMap") if o["metadata"]["name"] == f"{fullname}-dashboard"]
    if not d["enabled"]:
        C.check(not cms, "no dashboard ConfigMap unless metrics.dashboard.enabled")
    elif C.check(len(cms) == 1, f"dashboard ConfigMap {fullname}-dashboard rendered"):
        cm = cms[0]
        md = cm["metadata"]
        C.check(md.get("namespace") == (d.get("namespace") or ns), f"dashboard ConfigMap in namespace {d.get('namespace') or ns} (metrics.dashboard.namespace)",
                str(md.get("namespace")))
        C.check(md.get("labels", {}).get(d["labelKey"]) == str(d["labelValue"]),
                f"dashboard ConfigMap labelled {d['labelKey']}: \"{d['labelValue']}\" (the Grafana sidecar's label)", json.dumps(md.get("labels")))
        C.check(all(md.get("labels", {}).get(k) == v for k, v in (d.get("labels") or {}).items()), "dashboard ConfigMap carries metrics.dashboard.labels")
        if d.get("folderAnnotation"):
            C.check(md.get("annotations", {}).get(d["folderAnnotation"]) == (d.get("folder") or ""),
                    f"dashboard ConfigMap annotation {d['folderAnnotation']}: {d.get('folder')!r} (the sidecar's folder)", json.dumps(md.get("annotations")))
        data = cm.get("data", {})
        try:
            got = json.loads(data.get("forward-auth.json", ""))
        except ValueError as e:
            got = None
            C.check(False, "dashboard ConfigMap's forward-auth.json parses as JSON", str(e))
        want = json.load(open(os.path.join(args.chart, "dashboards", "forward-auth.json")))
        C.check(got == want, "dashboard ConfigMap's forward-auth.json is the repository's dashboards/forward-auth.json")
    pr = m["prometheusRule"]
    rules = r.of_kind("PrometheusRule")
    if not (pr["enabled"] and vals["traefikForwardAuth"]["enabled"]):
        C.check(not rules, "no PrometheusRule unless metrics.prometheusRule.enabled (and a Deployment)")
        return
    if not C.check(len(rules) == 1, "one PrometheusRule rendered"):
        return
    o = rules[0]
    C.check(o["metadata"].get("namespace") == (pr.get("namespace") or ns), "PrometheusRule in metrics.prometheusRule.namespace (or the release's)")
    C.check(all(o["metadata"].get("labels", {}).get(k) == v for k, v in (pr.get("labels") or {}).items()),
            f"PrometheusRule carries metrics.prometheusRule.labels {json.dumps(pr.get('labels'))} (Prometheus' ruleSelector)",
            json.dumps(o["metadata"].get("labels")))
    ops_path = os.path.join(args.root, OPERATIONS)
    anchors = github_anchors(open(ops_path).read()) if os.path.exists(ops_path) else set()
    alerts = [rule for g in o["spec"]["groups"] for rule in g["rules"] if "alert" in rule]
    names = [a["alert"] for a in alerts]
    want = [a for a in ALERTS if a != "ForwardAuthRBACPolicyNotLoaded" or vals["traefikForwardAuth"].get("enableRBAC")]
    want = [a for a in want if pr["rules"][{"ForwardAuthDown": "down", "ForwardAuthProviderNotReady": "providerNotReady",
                                           "ForwardAuthProviderErrors": "providerErrors", "ForwardAuthLoginFailures": "loginFailures",
                                           "ForwardAuthTokenVerificationFailures": "tokenVerificationFailures",
                                           "ForwardAuthRBACPolicyNotLoaded": "rbacPolicyNotLoaded",
                                           "ForwardAuthDecisionLatencyHigh": "decisionLatency"}[a]]["enabled"]]
    C.check(names == want, f"PrometheusRule has the alerts {want} (RBAC's only with enableRBAC)", str(names))
    selector = pr.get("selector") or f'job="{fullname}",namespace="{ns}"'
    for a in alerts:
        name, labels, ann = a["alert"], a.get("labels", {}), a.get("annotations", {})
        C.check(bool(labels.get("severity")), f"{name}: severity label ({labels.get('severity')})")
        C.check(all(labels.get(k) == v for k, v in (pr.get("additionalLabels") or {}).items() if k != "severity"),
                f"{name}: carries metrics.prometheusRule.additionalLabels")
        C.check(bool(ann.get("summary")) and bool(ann.get("description")), f"{name}: summary and description annotations")
        url = ann.get("runbook_url", "")
        base, _, anchor = url.partition("#")
        C.check(base == pr["runbookUrl"] and anchor == name.lower(), f"{name}: runbook_url is metrics.prometheusRule.runbookUrl#{name.lower()}", url)
        C.check(anchor in anchors, f"{name}: runbook anchor #{anchor} is a section of {OPERATIONS}", str(sorted(anchors)))
        C.check(selector in a["expr"], f"{name}: expr selects {selector}", a["expr"])




def set_path(values, path, value):
    node = values
    parts = path.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {}) if isinstance(node, dict) else node[int(p)]
    node[parts[-1]] = value
    return values


def check_swap(args):
    """Issue 17: an operator swaps the image (or image and chart) under DKP's HelmRelease of chart 0.3.10."""
    C.case = "swap"
    vdir = os.path.join(args.chart, "tests/values")
    mgmt, attached = os.path.join(vdir, "dkp-0.3.10-mgmt.yaml"), os.path.join(vdir, "dkp-0.3.10-attached.yaml")
    placeholder = yaml.safe_load(open(os.path.join(args.chart, "values.yaml")))["image"]["repository"]
    with tempfile.TemporaryDirectory() as tmp:
        # 1. Image: DKP pins the Go image's tag (v3.3.0) without a repository. With the chart's placeholder
        # repository that is never pullable: rendering fails naming image.repository (even staged, even without
        # the schema), helm lint too. A repository (or a digest) given with it is taken as given.
        for label, files in (("mgmt", [mgmt]), ("attached (staged)", [attached]),
                             ("tag only", [write_values(tmp, "v.yaml", {"image": {"tag": "v3.3.0"}})])):
            proc = render(args, files, "traefik-forward-auth-mgmt", "kommander", expect_fail=True)
            C.check(proc.returncode != 0 and "'/image/repository'" in proc.stderr,
                    f"DKP's image.tag v3.3.0 without image.repository ({label}): helm template (schema) fails naming image.repository",
                    proc.stderr.strip())
            proc = render(args, files, "traefik-forward-auth-mgmt", "kommander", expect_fail=True, skip_schema=True)
            C.check(proc.returncode != 0 and "Set image.repository" in proc.stderr and '"v3.3.0"' in proc.stderr,
                    f"DKP's image.tag v3.3.0 without image.repository ({label}): without the schema the template fails naming image.repository",
                    proc.stderr.strip())
            proc = helm(args, "lint", "--strict", args.chart, "-f", files[0])
            C.check(proc.returncode != 0 and "'/image/repository'" in proc.stdout + proc.stderr,
                    f"helm lint --strict refuses DKP's image.tag v3.3.0 without image.repository ({label})", (proc.stdout + proc.stderr).strip())
        for label, image, want in (
                ("v3.3.0 with a repository", {"repository": "registry.example.com/fa", "tag": "v3.3.0"}, "registry.example.com/fa:v3.3.0"),
                ("v3.3.0 with a digest", {"tag": "v3.3.0", "digest": "sha256:" + "ab" * 32}, f"{placeholder}@sha256:" + "ab" * 32),
                ("an X.Y.Z tag on the placeholder", {"tag": "3.3.7"}, f"{placeholder}:3.3.7"),
                ("no tag", {}, f"{placeholder}:{args.app_version}")):
            r = render(args, [write_values(tmp, "img.yaml", {"image": image})], "rel", "default")
            got = container(r.one("Deployment"))["image"] if isinstance(r, Rendering) else getattr(r, "stderr", "")
            C.check(got == want, f"image {label}: renders {want}", got)
        readme = open(os.path.join(args.chart, "README.md")).read()
        C.check("v3.3.0" in readme and "image.repository" in readme and "placeholder" in readme,
                "README documents the image rule (DKP's v3.3.0 with the placeholder repository fails; set image.repository)")

        # 2. allowedUser: ignored as in chart 0.3.10 (never a lock-out), with a note in NOTES; a name without a key
        # renders (0.3.10 never read it).
        for label, data in (("allowedUser alone", {"traefikForwardAuth": {"allowedUser": {"valueFrom": {"secretKeyRef": {"name": "dkp-credentials", "key": "username"}}}}}),
                            ("allowedUser without key", {"traefikForwardAuth": {"allowedUser": {"valueFrom": {"secretKeyRef": {"name": "dkp-credentials"}}}}})):
            f = write_values(tmp, "au.yaml", data)
            lint(args, [f], "default", f"{label}: ")
            r = render(args, [f], "rel", "default")
            if not C.check(isinstance(r, Rendering), f"{label}: renders", getattr(r, "stderr", "")):
                continue
            env = env_map(container(r.one("Deployment")))
            refs = [e for e in env.values() if "dkp-credentials" in json.dumps(e)]
            C.check("WHITELIST" not in env and not refs, f"{label}: no WHITELIST and nothing read from its Secret (ignored, as chart 0.3.10)",
                    json.dumps([env.get("WHITELIST")] + refs))
            C.check("traefikForwardAuth.allowedUser is ignored" in r.notes, f"{label}: NOTES say allowedUser is ignored", r.notes)
        r = render(args, [], "rel", "default")
        C.check(isinstance(r, Rendering) and "allowedUser" not in r.notes, "no allowedUser note when it is not set")
        C.check("allowedUser" in readme and "ignored" in readme[readme.index("allowedUser"):readme.index("allowedUser") + 400]
                and "FORWARD_AUTH_ALLOWED_USER" not in readme, "README documents allowedUser as ignored")

        # 3. The OIDC CA where chart 0.3.10 put it: the Secret <fullname>-ca-certificate (which Kommander's
        # reloader annotation names); caCertificateKind: ConfigMap keeps the ConfigMap form.
        pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        ca = write_values(tmp, "ca.yaml", {"traefikForwardAuth": {"caCertificate": pem}})
        swap = os.path.join(vdir, "dkp-0.3.10-swap.yaml")
        r = render(args, [mgmt, swap, ca], "traefik-forward-auth-mgmt", "kommander")
        if C.check(isinstance(r, Rendering), "DKP mgmt values + caCertificate: renders", getattr(r, "stderr", "")):
            reload = r.one("Deployment")["metadata"]["annotations"].get("secret.reloader.stakater.com/reload")
            sec = r.named("Secret", reload)
            C.check(sec is not None and base64.b64decode(sec["data"]["ca.crt"]).decode() == pem,
                    f"the CA is in the Secret Kommander's reloader annotation names ({reload}), as chart 0.3.10 kept it")
            vol = next((v for v in r.one("Deployment")["spec"]["template"]["spec"]["volumes"] if v["name"] == "ca"), {})
            C.check(vol.get("secret", {}).get("secretName") == reload, "the pods mount the CA from that Secret", json.dumps(vol))
        for kind in ("ConfigMap", "Secret"):
            f = write_values(tmp, f"ca-{kind}.yaml", {"traefikForwardAuth": {"caCertificate": pem, "caCertificateKind": kind}})
            lint(args, [f], "default", f"caCertificateKind {kind}: ")
            r = render(args, [f], "rel", "default")
            if not C.check(isinstance(r, Rendering), f"caCertificateKind {kind}: renders", getattr(r, "stderr", "")):
                continue
            name = "rel-traefik-forward-auth-ca-certificate"
            obj = r.named(kind, name)
            other = r.named("Secret" if kind == "ConfigMap" else "ConfigMap", name)
            data = (obj or {}).get("data", {}).get("ca.crt", "")
            got = base64.b64decode(data).decode() if kind == "Secret" and data else data
            C.check(obj is not None and other is None and got == pem, f"caCertificateKind {kind}: the CA is in the {kind} {name} only")
            vol = next((v for v in r.one("Deployment")["spec"]["template"]["spec"]["volumes"] if v["name"] == "ca"), {})
            src = vol.get("configMap", {}).get("name") if kind == "ConfigMap" else vol.get("secret", {}).get("secretName")
            C.check(src == name, f"caCertificateKind {kind}: the ca volume mounts it", json.dumps(vol))
            f2 = write_values(tmp, f"ca2-{kind}.yaml", {"traefikForwardAuth": {"caCertificate": pem.replace("MIIB", "MIIC"), "caCertificateKind": kind}})
            r2 = render(args, [f2], "rel", "default")
            ann = lambda rr: rr.one("Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
            C.check(isinstance(r2, Rendering) and ann(r) != ann(r2), f"caCertificateKind {kind}: a CA change rolls the pods (checksum/config)")

        # 4. No resource limits DKP did not ask for: DKP's requests-only resources render as given.
        r = render(args, [mgmt, swap], "traefik-forward-auth-mgmt", "kommander")
        res = container(r.one("Deployment")).get("resources") if isinstance(r, Rendering) else None
        C.check(res == {"requests": {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "200Mi"}},
                "DKP's requests-only resources render as given: no limits added", json.dumps(res))
        for label, data, want in (("defaults", {}, DEFAULT_RESOURCES),
                                  ("resources: {}", {"resources": {}}, DEFAULT_RESOURCES),
                                  ("resources: null", {"resources": None}, None),
                                  ("limits only", {"resources": {"limits": {"memory": "64Mi"}}}, {"limits": {"memory": "64Mi"}})):
            f = write_values(tmp, "res.yaml", data)
            r = render(args, [f], "rel", "default")
            got = container(r.one("Deployment")).get("resources") if isinstance(r, Rendering) else getattr(r, "stderr", "")
            C.check(got == want, f"resources ({label}) render as {json.dumps(want)}", json.dumps(got))

        # 5. Every key chart 0.3.10 accepted (it had no schema and ignored unknown sub-keys) is accepted; what is
        # dangerous today is still refused, also inside chart 0.3.10-shaped values.
        keys_file = os.path.join(vdir, "chart-0.3.10-keys.yaml")
        old_values = yaml.safe_load(open(keys_file))
        defaults = yaml.safe_load(open(os.path.join(args.chart, "values.yaml")))
        accepted = [
            ("image.registry", "x"), ("service.nodePort", 30000), ("traefikForwardAuth.someOldSetting", "x"),
            ("traefikForwardAuth.clientSecret.extra", "x"), ("traefikForwardAuth.clientSecret.valueFrom.extra", "x"),
            ("traefikForwardAuth.clientSecret.valueFrom.secretKeyRef", {"name": "n", "key": "k", "extra": "x"}),
            ("traefikForwardAuth.allowedUser", {"valueFrom": {"secretKeyRef": {"name": "dkp-credentials"}}, "extra": "x"}),
            ("traefikForwardAuth.domain", None), ("traefikForwardAuth.authHost", None),
            ("ingress.extra", "x"), ("ingress.tls", [{"secretName": "s", "hosts": ["a.example.com"], "extra": "x"}]),
            ("clusterStorage.extra", "x"), ("clusterStorage.cacheTTL", "60"), ("resources", {}), ("someTopLevelKey", "x"),
        ]
        for path, value in accepted:
            v = set_path(copy.deepcopy(defaults), path, value)
            errs = schema_errors(args.chart, v)
            C.check(not errs, f"schema accepts {path}={value!r} (chart 0.3.10 accepted it)", "; ".join(errs))
        errs = schema_errors(args.chart, {**defaults, **old_values})
        C.check(not errs, "schema accepts chart-0.3.10-keys.yaml (every 0.3.10 key, unknown sub-keys in each object)", "; ".join(errs))
        refused = [
            ("ingress.pathType", "Prefix"), ("ingress.paths", [{"path": "/_oauth", "pathType": "Prefix"}]),
            ("ingress.pathType", "ImplementationSpecific"),
            ("traefikForwardAuth.clientSecret.valueFrom.secretKeyRef", {"name": "x"}),
            ("traefikForwardAuth.clientSecret.valueFrom.secretKeyRef", {"name": "x", "keys": "y"}),
            ("traefikForwardAuth.caCertificateKind", "Pod"), ("traefikForwardAuth.logLevel", "verbose"),
            ("image.pullPolicy", "Sometimes"), ("middleware.unknown", True),
            ("image", {"repository": placeholder, "tag": "v3.3.0", "pullPolicy": "IfNotPresent"}),
        ]
        for path, value in refused:
            v = set_path(copy.deepcopy({**defaults, **old_values}), path, value)
            C.check(bool(schema_errors(args.chart, v)), f"schema still refuses {path}={value!r} in chart 0.3.10-shaped values")
        f = write_values(tmp, "old-prefix.yaml", set_path(copy.deepcopy(old_values), "ingress.pathType", "Prefix"))
        proc = render(args, [f], "rel", "default", expect_fail=True)
        C.check(proc.returncode != 0 and "pathType" in proc.stderr, "helm template refuses pathType Prefix in chart 0.3.10-shaped values",
                proc.stderr.strip())

        # 6. The README's upgrade section tells the truth about sessions sealed by the Go fork: read with the kept
        # keys (accept-go-cookies), with the rollout's crossings in docs/swap-rollout.md.
        section = readme[readme.index("## Cookie keys and upgrades from the old chart"):]
        section = section[:section.index("\n## ", 5)]
        C.check("keeps every session" not in readme and "Sessions survive the swap" in section
                and "accept-go-cookies" in section and "swap-rollout.md" in section,
                "README: an upgrade from the Go fork keeps sessions when the keys are kept (accept-go-cookies)", section[:400])

        # 7. docs/swap-guide.md covers the image-only swap, the overrides ConfigMap and the known differences.
        path = os.path.join(args.root, SWAP_GUIDE)
        guide = open(path).read() if os.path.exists(path) else ""
        for what, needle in (("exists", "# "), ("TRUST_FORWARDED_PREFIX through 0.3.10's env", "TRUST_FORWARDED_PREFIX"),
                             ("extraConfig", "extraConfig"), ("the mgmt overrides ConfigMap", "traefik-forward-auth-mgmt-overrides"),
                             ("attached clusters change with a Kommander app version", "app version"),
                             ("email_verified", "email_verified"), ("azp", "azp"), ("cookie-domains", "cookie-domains"),
                             ("session-key", "session-key"), ("LOG_LEVEL=verbose", "LOG_LEVEL=verbose"),
                             ("ENABLE_IMPERSONATION=t", "ENABLE_IMPERSONATION=t"), ("CONFIG precedence", "CONFIG"),
                             ("HTTP_PROXY", "HTTP_PROXY"), ("IPv4", "IPv4"), ("kommander_profile_name", "kommander_profile_name"),
                             ("what it relied on for chart 0.3.10", "mesosphere/charts")):
            C.check(needle in guide, f"{SWAP_GUIDE}: {what}")


# ------------------------------------------------------------------------------------------------ runners

def run_case(args, case):
    C.case = case["name"]
    files = [os.path.join(args.root, f) for f in case["values"]]
    lookup = os.path.join(args.root, case["lookup"]) if case.get("lookup") else None
    lint(args, files, case["namespace"])
    r = render(args, files, case["release"], case["namespace"], lookup)
    if not C.check(isinstance(r, Rendering), "helm template renders", getattr(r, "stderr", "")):
        return None
    if lookup:
        # The upgrade really asked the cluster: each Secret of the cluster file was looked up by name.
        wanted = {f"/api/v1/namespaces/{o['metadata']['namespace']}/secrets/{o['metadata']['name']}" for o in args.api.objects}
        C.check(wanted <= set(args.api.requests), "helm looked the cluster's Secrets up (--dry-run=server, lookup)",
                f"asked: {sorted(set(args.api.requests))}")
    # Rendering again gives the same objects, apart from keys generated afresh (no cluster to keep them):
    # nothing random reaches the pods, so a `helm upgrade` with unchanged values rolls nothing.
    again = render(args, files, case["release"], case["namespace"], lookup)
    fresh_keys = f"{case['fullname']}-keys"
    unkeyed = lambda rr: [o for o in rr.objects if case.get("managed_data") or not (o["kind"] == "Secret" and o["metadata"]["name"] == fresh_keys)]
    C.check(isinstance(again, Rendering) and unkeyed(again) == unkeyed(r) and again.values == r.values and again.notes == r.notes,
            "a second helm template renders the same objects (but freshly generated keys), values and NOTES")
    errs = schema_errors(args.chart, r.values)
    C.check(not errs, "coalesced values valid against values.schema.json (python jsonschema)", "; ".join(errs))
    C.check(bool(r.notes.strip()), "NOTES.txt renders")
    validate_objects(args, r)
    check_wiring(r, case)
    check_observability(args, r, case)
    for want in case.get("notes_contain", []):
        C.check(want in r.notes, f"NOTES mention {want!r}")
    return r


def check_config_change_rolls_pods(args):
    C.case = "checksum"
    base = [os.path.join(args.root, "charts/forward-auth/tests/values/dkp.yaml")]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump({"traefikForwardAuth": {"extraConfig": "lifetime = 3600\n"}}, f)
        extra = f.name
    try:
        a = render(args, base, "traefik-forward-auth-mgmt", "kommander")
        lint(args, base + [extra], "kommander", "dkp.yaml + extraConfig: ")
        b = render(args, base + [extra], "traefik-forward-auth-mgmt", "kommander")
        ann = lambda r: r.one("Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        C.check(ann(a) != ann(b), "an extraConfig change changes checksum/config (the pods roll)")
        with open(extra, "w") as f:
            yaml.safe_dump({"traefikForwardAuth": {"caCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}}, f)
        lint(args, base + [extra], "kommander", "dkp.yaml + caCertificate: ")
        d = render(args, base + [extra], "traefik-forward-auth-mgmt", "kommander")
        C.check(ann(a) != ann(d), "a CA change changes checksum/config (the pods roll)")
        c = render(args, base, "traefik-forward-auth-mgmt", "kommander")
        C.check(ann(a) == ann(c), "the same values give the same checksum/config (no needless rollout)")
    finally:
        os.unlink(extra)


def check_negative_schema(args):
    C.case = "schema"
    defaults = yaml.safe_load(open(os.path.join(args.chart, "values.yaml")))
    bad = [
        ("replicaCount", "two"),
        ("service.port", "4181"),
        ("service.port", 70000),
        ("image.pullPolicy", "Sometimes"),
        ("traefikForwardAuth.whitelist", "a@example.com"),
        ("traefikForwardAuth.enableRBAC", "yes"),
        ("traefikForwardAuth.clientSecret.valueFrom.secretKeyRef", {"name": "x", "keys": "y"}),
        ("traefikForwardAuth.oidcUri", "dex.example.com/dex"),
        ("ingress.paths", 5),
        ("ingress.pathType", "Prefix"),
        ("ingress.pathType", "ImplementationSpecific"),
        ("ingress.paths", [{"path": "/_oauth", "pathType": "Prefix"}]),
        ("traefikForwardAuth.trustForwardedPrefix", "yes"),
        ("middleware.unknown", True),
        ("autoscaling.minReplicas", 0),
        ("env", ["NAME=value"]),
        ("metrics.dashboard.labelValue", 1),
        ("metrics.dashboard.labelKey", "grafana dashboard"),
        ("metrics.dashboard.namespace", "Monitoring"),
        ("metrics.dashboard.unknown", True),
        ("metrics.prometheusRule.labels", {"release": 1}),
        ("metrics.prometheusRule.runbookUrl", "https://example.com/ops.md#x"),
        ("metrics.prometheusRule.selector", '{job="x"}'),
        ("metrics.prometheusRule.rules.down.for", "5 minutes"),
        ("metrics.prometheusRule.rules.loginFailures.ratio", 2),
        ("metrics.prometheusRule.rules.decisionLatency.p99Seconds", "100ms"),
        ("metrics.prometheusRule.rules.unknown", {"enabled": True}),
    ]
    for path, value in bad:
        v = copy.deepcopy(defaults)
        node = v
        parts = path.split(".")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
        C.check(bool(schema_errors(args.chart, v)), f"schema rejects {path}={value!r}")
    C.check(not schema_errors(args.chart, defaults), "schema accepts the chart's defaults")
    # Helm itself (values.schema.json, checked by helm template and helm lint) refuses such values too.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("service:\n  port: \"4181\"\n")
        bad_file = f.name
    try:
        proc = render(args, [bad_file], "x", "default", expect_fail=True)
        C.check(proc.returncode != 0 and "/service/port" in proc.stderr and "want integer" in proc.stderr,
                "helm template (Helm's schema check) refuses service.port: \"4181\"", proc.stderr.strip())
        proc = helm(args, "lint", "--strict", args.chart, "-f", bad_file)
        C.check(proc.returncode != 0 and "want integer" in proc.stdout + proc.stderr,
                "helm lint --strict refuses service.port: \"4181\"", (proc.stdout + proc.stderr).strip())
    finally:
        os.unlink(bad_file)
    # A secretKeyRef naming a Secret without a key: refused by the schema, and by the template's `required` when
    # the schema is skipped (chart 0.3.10 failed the same way). allowedUser is ignored (issue 17): it renders.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("traefikForwardAuth:\n  clientSecret:\n    valueFrom:\n      secretKeyRef:\n        name: oidc-client\n")
        no_key = f.name
    try:
        proc = render(args, [no_key], "x", "default", expect_fail=True)
        C.check(proc.returncode != 0 and "secretKeyRef" in proc.stderr and "key" in proc.stderr,
                "helm template (schema) refuses clientSecret.valueFrom.secretKeyRef with a name and no key", proc.stderr.strip())
        proc = render(args, [no_key], "x", "default", expect_fail=True, skip_schema=True)
        C.check(proc.returncode != 0 and "clientSecret.valueFrom.secretKeyRef.key is required" in proc.stderr,
                "a secretKeyRef without key fails with `required`'s message", proc.stderr.strip())
    finally:
        os.unlink(no_key)


def check_helm(args):
    """Helm's own view of the chart: the pinned version runs, Chart.yaml's kubeVersion is enforced, the probe
    shows NOTES.txt as `helm install` prints it, and `helm package` leaves tests/ out (.helmignore)."""
    C.case = "helm"
    proc = helm(args, "version", "--template", "{{ .Version }}")
    C.check(proc.returncode == 0 and proc.stdout.strip() == args.helm_version, f"helm version is {args.helm_version}",
            (proc.stdout + proc.stderr).strip())
    proc = helm(args, "template", "rel", args.chart, "--kube-version", "v1.24.17")
    C.check(proc.returncode != 0 and "kubeVersion" in proc.stderr, "helm template refuses Kubernetes 1.24 (Chart.yaml kubeVersion)",
            proc.stderr.strip())
    proc = helm(args, "template", "rel", args.chart, "--kube-version", "v1.25.0")
    C.check(proc.returncode == 0, "helm template renders for Kubernetes 1.25.0, the oldest supported", proc.stderr.strip())
    r = render(args, [], "rel", "default")
    proc = helm(args, "install", "rel", args.chart, "--namespace", "default", "--dry-run=client", "-o", "json")
    try:
        notes = json.loads(proc.stdout)["info"]["notes"]
    except (ValueError, KeyError):
        notes = None
    C.check(isinstance(r, Rendering) and notes is not None and r.notes.strip() == notes.strip(),
            "the probe's NOTES.txt is what helm install --dry-run prints", (proc.stderr or "").strip())
    with tempfile.TemporaryDirectory() as tmp:
        proc = helm(args, "package", args.chart, "--destination", tmp)
        pkgs = [f for f in os.listdir(tmp) if f.endswith(".tgz")]
        if C.check(proc.returncode == 0 and len(pkgs) == 1, "helm package builds the chart archive", (proc.stdout + proc.stderr).strip()):
            with tarfile.open(os.path.join(tmp, pkgs[0])) as t:
                names = t.getnames()
            chart_name = os.path.basename(args.chart.rstrip("/"))
            C.check(not any(n.startswith(f"{chart_name}/tests/") for n in names) and f"{chart_name}/values.schema.json" in names
                    and f"{chart_name}/templates/NOTES.txt" in names,
                    "the archive has the templates and values.schema.json, not tests/ (.helmignore)", str(names))


def check_chart_files(args):
    C.case = "chart"
    meta = yaml.safe_load(open(os.path.join(args.chart, "Chart.yaml")))
    C.check(meta.get("apiVersion") == "v2" and meta.get("name") == os.path.basename(args.chart.rstrip("/")), "Chart.yaml: apiVersion v2, name = directory")
    C.check(str(meta.get("appVersion")) == str(meta.get("version")), "Chart.yaml: appVersion is tied to the release (= version)")
    C.check(re.match(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", str(meta.get("version"))) is not None, "Chart.yaml: version is SemVer")
    # The image tag defaults to appVersion: it must be a tag scripts/build-image makes (plain X.Y.Z) and pass DKP's
    # chart 0.3.10 gate (semver above 3.0.0, no pre-release), or that chart hands the key over as SESSION_KEY.
    app = re.match(r"^(\d+)\.(\d+)\.(\d+)$", str(meta.get("appVersion")))
    C.check(app is not None and tuple(map(int, app.groups())) > (3, 0, 0),
            "Chart.yaml: appVersion is a plain X.Y.Z above 3.0.0 (chart 0.3.10's ENCRYPTION_KEY gate)", str(meta.get("appVersion")))
    swift_version = re.search(r'current = "([^"]+)"', open(os.path.join(args.chart, "..", "..", "Sources", "ForwardAuth",
                                                                       "ForwardAuthVersion.swift")).read())
    C.check(swift_version is not None and swift_version.group(1) == str(meta.get("appVersion")),
            "Chart.yaml: appVersion is the binary's own version (ForwardAuthVersion.current)")
    text = open(os.path.join(args.chart, "values.yaml")).read()
    uncommented = values_doc.uncommented_keys(text)
    C.check(not uncommented, "values.yaml: every key has a comment", ", ".join(uncommented))
    readme = open(os.path.join(args.chart, "README.md")).read()
    table = values_doc.values_table(text)
    C.check(table in readme, "README.md values table is up to date (run charts/forward-auth/tests/values_doc.py --update)")
    for name in ("ui-cluster.yaml", "attached-cluster.yaml"):
        C.check(os.path.exists(os.path.join(args.chart, "examples", name)), f"examples/{name} exists")
    # Every DKP key in COMPAT.md's list is in values.yaml (drop-in values).
    defaults = yaml.safe_load(text)
    for path in DKP_KEYS:
        node, ok = defaults, True
        for p in path.split("."):
            if not isinstance(node, dict) or p not in node:
                ok = False
                break
            node = node[p]
        C.check(ok, f"values.yaml has DKP key {path}")


DEFAULT_RESOURCES = {"requests": {"cpu": "20m", "memory": "32Mi"}, "limits": {"memory": "256Mi"}}

DKP_KEYS = [
    "replicaCount", "image.repository", "image.tag", "image.pullPolicy", "service.type", "service.port",
    "traefikForwardAuth.enabled", "traefikForwardAuth.logLevel", "traefikForwardAuth.oidcUri",
    "traefikForwardAuth.clientId", "traefikForwardAuth.clientSecret.value",
    "traefikForwardAuth.clientSecret.valueFrom.secretKeyRef", "traefikForwardAuth.allowedUser.valueFrom.secretKeyRef",
    "traefikForwardAuth.cookieSecure", "traefikForwardAuth.domain", "traefikForwardAuth.authHost",
    "traefikForwardAuth.whitelist", "traefikForwardAuth.caCertificate", "traefikForwardAuth.caSecretName",
    "traefikForwardAuth.useSystemCA", "traefikForwardAuth.extraConfig", "traefikForwardAuth.userCookieName",
    "traefikForwardAuth.enableRBAC", "traefikForwardAuth.enableImpersonation", "traefikForwardAuth.rbacPassThroughPaths",
    "ingress.enabled", "ingress.annotations", "ingress.paths", "ingress.hosts", "ingress.tls",
    "clusterStorage.enabled", "clusterStorage.cacheTTL", "clusterStorage.namespace", "resources", "env",
    "nodeSelector", "tolerations", "affinity", "initContainers", "deploymentAnnotations", "priorityClassName",
    "addonsInitializer",
]


def cases(args):
    crt_ref = [["traefik-forward-auth-kommander-client-secret", "client_secret"], ["dkp-credentials", "username"]]
    dkp_keys = {"secret": ["traefik-forward-auth-mgmt-keys", "secret"],
                "encryption-key": ["traefik-forward-auth-mgmt-keys", "encryption-key"],
                "client-secret": ["traefik-forward-auth-kommander-client-secret", "client_secret"]}
    return [
        dict(name="defaults", values=[], release="my-release", namespace="default",
             fullname="my-release-traefik-forward-auth", image="ghcr.io/forward-auth/forward-auth:" + args.app_version,
             managed=True, notes_contain=["traefikForwardAuth.oidcUri is empty", "no OAuth client secret"]),
        dict(name="dkp", values=["charts/forward-auth/tests/values/dkp.yaml"], release="traefik-forward-auth-mgmt",
             namespace="kommander", fullname="traefik-forward-auth-mgmt", external_secrets=crt_ref, keys=dkp_keys,
             managed=True, env={"URL_PATH": "/_oauth", "LOG_LEVEL": "info", "COOKIE_SECURE": None,
                                "WHITELIST": "platform-admins@example.com,oncall@example.com", "FORWARD_AUTH_ALLOWED_USER": None},
             notes_contain=["cookieSecure is ignored", "traefikForwardAuth.allowedUser is ignored, as chart 0.3.10 ignored it"]),
        dict(name="dkp-defaults", values=["charts/forward-auth/tests/values/dkp-defaults.yaml"], release="traefik-forward-auth-mgmt",
             namespace="kommander", fullname="traefik-forward-auth-mgmt", managed=True,
             keys={"client-secret": ["traefik-forward-auth-mgmt-clientsecret", "clientSecret"]},
             env={"WHITELIST": None, "FORWARD_AUTH_ALLOWED_USER": None}),
        dict(name="dkp-upgrade-from-hook-secrets", values=["charts/forward-auth/tests/values/dkp.yaml"], release="traefik-forward-auth-mgmt",
             namespace="kommander", fullname="traefik-forward-auth-mgmt", lookup="charts/forward-auth/tests/cluster/legacy-secrets.yaml",
             external_secrets=crt_ref + [["traefik-forward-auth-mgmt-secret", "secret"], ["traefik-forward-auth-mgmt-session-key", "secret"]],
             managed=False, env={"PREVIOUS_SECRETS": None},
             keys={"secret": ["traefik-forward-auth-mgmt-secret", "secret"],
                   "encryption-key": ["traefik-forward-auth-mgmt-session-key", "secret"]}),
        dict(name="dkp-upgrade-keeps-generated-keys", values=["charts/forward-auth/tests/values/dkp.yaml"], release="traefik-forward-auth-mgmt",
             namespace="kommander", fullname="traefik-forward-auth-mgmt", lookup="charts/forward-auth/tests/cluster/managed-secret.yaml",
             external_secrets=crt_ref, managed=True, keys=dkp_keys,
             managed_data={"secret": "a2VwdC1hY3Jvc3MtdXBncmFkZXMtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMw==", "encryption-key": "a2VwdC1hY3Jvc3MtdXBncmFkZXMta2V5LTAxMjM0NTY=",
                           "previous-secrets": "cmV0aXJlZC1zZWNyZXQ="}),
        dict(name="ui-cluster", values=["charts/forward-auth/examples/ui-cluster.yaml"], release="forward-auth", namespace="auth",
             fullname="forward-auth", middleware=True, managed=True,
             external_secrets=[["forward-auth-oidc-client", "client-secret"], ["example-ingress-ca", "ca.crt"]],
             env={"COOKIE_DOMAIN": "example.com", "AUTH_HOST": "auth.example.com", "ALLOWED_GROUPS": "platform,developers"}),
        dict(name="attached-cluster", values=["charts/forward-auth/examples/attached-cluster.yaml"], release="forward-auth",
             namespace="auth", fullname="forward-auth", middleware=True, managed=False,
             external_secrets=[["forward-auth-oidc-client", "client-secret"], ["forward-auth-ui-keys", "secret"],
                               ["forward-auth-ui-keys", "encryption-key"]],
             keys={"secret": ["forward-auth-ui-keys", "secret"], "encryption-key": ["forward-auth-ui-keys", "encryption-key"]},
             env={"COOKIE_DOMAIN": "example.com", "AUTH_HOST": "auth.edge-1.example.com"}),
        # Issue 19: the SSO broker's UI cluster and an attached cluster on another domain (docs/multi-cluster.md).
        dict(name="sso-broker-ui", values=["charts/forward-auth/tests/values/sso-ui.yaml"], release="forward-auth",
             namespace="auth", fullname="forward-auth", middleware=True, managed=True,
             env={"SSO_BROKER_CALLBACKS": "https://auth.edge-1.example.net/_oauth/sso/callback,https://auth.edge-2.example.org/_oauth/sso/callback",
                  "SSO_BROKER_URL": None, "SSO_BROKER_AUDIENCE": None},
             notes_contain=["Path): /_oauth, /_oauth/logout, /_oauth/start, /_oauth/sso", "SSO broker (UI cluster)"]),
        dict(name="sso-broker-attached", values=["charts/forward-auth/tests/values/sso-attached.yaml"], release="forward-auth",
             namespace="auth", fullname="forward-auth", middleware=True, managed=True,
             env={"SSO_BROKER_URL": "https://auth.ui.example.com/_oauth/sso", "SSO_BROKER_AUDIENCE": "kommander",
                  "SSO_BROKER_CALLBACKS": None},
             notes_contain=["/_oauth/sso/callback (a route of its own, through the forward-auth Middleware)", "SSO broker (attached cluster)"]),
        dict(name="all-features", values=["charts/forward-auth/tests/values/full.yaml"], release="forward-auth", namespace="auth",
             fullname="forward-auth", middleware=True, managed=True,
             image="registry.example.com/platform/forward-auth@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
             env={"LOG_LEVEL": "trace", "SSL_CERT_FILE": None, "DOMAIN": "example.com,example.org", "LOG_FORMAT": "json"}),
        # Issue 17: Kommander's own values for chart 0.3.10 with the operator's image overrides (a chart swap).
        dict(name="dkp-0.3.10-mgmt-swap", values=["charts/forward-auth/tests/values/dkp-0.3.10-mgmt.yaml",
                                                  "charts/forward-auth/tests/values/dkp-0.3.10-swap.yaml"],
             release="traefik-forward-auth-mgmt", namespace="kommander", fullname="traefik-forward-auth-mgmt", managed=True,
             image="registry.example.com/platform/forward-auth:3.3.7",
             keys={"client-secret": ["traefik-forward-auth-mgmt-clientsecret", "clientSecret"]},
             env={"WHITELIST": None, "FORWARD_AUTH_ALLOWED_USER": None, "TRUST_FORWARDED_PREFIX": "true", "COOKIE_SECURE": None},
             notes_contain=["cookieSecure is ignored"]),
        dict(name="dkp-0.3.10-attached-swap-staged", values=["charts/forward-auth/tests/values/dkp-0.3.10-attached.yaml",
                                                             "charts/forward-auth/tests/values/dkp-0.3.10-swap.yaml"],
             release="traefik-forward-auth", namespace="kommander", fullname="traefik-forward-auth"),
        dict(name="dkp-0.3.10-attached-swap-enabled", values=["charts/forward-auth/tests/values/dkp-0.3.10-attached.yaml",
                                                              "charts/forward-auth/tests/values/dkp-0.3.10-swap.yaml",
                                                              "charts/forward-auth/tests/values/enabled.yaml"],
             release="traefik-forward-auth", namespace="kommander", fullname="traefik-forward-auth", managed=True,
             image="registry.example.com/platform/forward-auth:3.3.7",
             external_secrets=[["traefik-forward-auth-kommander-client-secret", "client_secret"]],
             keys={"client-secret": ["traefik-forward-auth-kommander-client-secret", "client_secret"]},
             env={"WHITELIST": None, "TRUST_FORWARDED_PREFIX": "true"}),
        dict(name="chart-0.3.10-keys", values=["charts/forward-auth/tests/values/chart-0.3.10-keys.yaml"], release="my-release",
             namespace="default", fullname="my-release-traefik-forward-auth", managed=True,
             image="registry.example.com/platform/forward-auth:3.3.7", external_secrets=[["oidc-client", "client-secret"]],
             keys={"client-secret": ["oidc-client", "client-secret"]}, env={"WHITELIST": None, "FORWARD_AUTH_ALLOWED_USER": None},
             notes_contain=["traefikForwardAuth.allowedUser is ignored"]),
        # Issue 18: the dashboard ConfigMap and the PrometheusRule for kube-prometheus-stack (scripts/test-alerts runs
        # promtool on the same rules).
        dict(name="observability", values=["charts/forward-auth/tests/values/observability.yaml"], release="forward-auth",
             namespace="auth", fullname="forward-auth", managed=True,
             external_secrets=[["forward-auth-oidc-client", "client-secret"]],
             env={"ENABLE_RBAC": "true"}),
        dict(name="observability-staged", values=["charts/forward-auth/tests/values/observability.yaml",
                                                  "charts/forward-auth/tests/values/disabled.yaml"],
             release="forward-auth", namespace="auth", fullname="forward-auth"),
        dict(name="staged-disabled", values=["charts/forward-auth/tests/values/dkp-defaults.yaml", "charts/forward-auth/tests/values/disabled.yaml"],
             release="traefik-forward-auth", namespace="kommander", fullname="traefik-forward-auth"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True, help="repository root (value files are named relative to it)")
    ap.add_argument("--helm", required=True, help="the helm binary")
    ap.add_argument("--helm-version", required=True, help="the version `helm version` must print (v4.1.4)")
    ap.add_argument("--crd", required=True, help="Traefik Middleware CRD (YAML)")
    ap.add_argument("--counts", required=True, help="file to write '<passed> <failed>' to")
    args = ap.parse_args()
    args.chart = os.path.join(args.root, "charts/forward-auth")
    args.app_version = str(yaml.safe_load(open(os.path.join(args.chart, "Chart.yaml")))["appVersion"])
    with tempfile.TemporaryDirectory() as tmp, FakeAPIServer(kube_version=KUBE_VERSION) as api:
        args.probed_chart = probed_chart(args.chart, tmp)
        args.api = api
        check_helm(args)
        for case in cases(args):
            run_case(args, case)
        check_config_change_rolls_pods(args)
        check_exact_routes(args)
        check_negative_schema(args)
        check_swap(args)
        check_chart_files(args)
    with open(args.counts, "w") as f:
        f.write(f"{C.passed} {C.failed}\n")
    return 1 if C.failed else 0


if __name__ == "__main__":
    sys.exit(main())
