#!/usr/bin/env python3
"""The chart's alert rules and Grafana dashboard, checked with Prometheus' own promtool (what scripts/test-alerts runs).

1. Rules: `helm template` renders templates/prometheusrule.yaml (tests/values/observability.yaml: every alert, as on a
   DKP cluster; the defaults; a custom selector); the PrometheusRule's spec becomes a rules file and
   `promtool check rules` must accept it (PromQL parses, annotation templates parse, no duplicate rule).
2. Alert unit tests: tests/alerts/*.yaml (promtool's format, `rule_files: [rules.yaml]`) run with
   `promtool test rules` against the rendered rules: synthetic series in, the alerts that fire (labels and
   annotations, exactly) out. Every alert must have a firing case and a silent case (exp_alerts: []).
3. Every metric the rules or the dashboard name is one forward-auth exposes (tests/alerts/metrics.prom, a real
   scrape plus the issue-18 series), with label names it really has.
4. Dashboard (dashboards/forward-auth.json): JSON, unique panel ids, schemaVersion, a `datasource` variable of
   type datasource (prometheus) that every panel and target uses; then each target's query, with the variables
   substituted as Grafana does ($namespace, $job, $__rate_interval), is evaluated by `promtool test rules` over
   synthetic series built from metrics.prom: it must parse and return at least one sample.

Prints "ok - ..." / "not ok - ..." per check and writes "<passed> <failed>" to --counts.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.dirname(HERE)
ALERTS_DIR = os.path.join(HERE, "alerts")
RELEASE, NAMESPACE = "forward-auth", "auth"  # the release the unit tests' series are labelled for
VARS = {"namespace": NAMESPACE, "job": RELEASE, "__rate_interval": "1m", "__interval": "15s", "__range": "1h"}


# The same ok / not ok lines and counts as the chart checks.
from check_chart import Checks  # noqa: E402

C = Checks()


def run(*argv, cwd=None):
    return subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd)


# ------------------------------------------------------------------------------------------- the exposition

def read_exposition(path):
    """{metric family name: (type, [labels dict of each series])} from Prometheus text."""
    types, series = {}, {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
    for line in open(path):
        line = line.strip()
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split()
            types[name] = typ
            continue
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            raise ValueError(f"{path}: not an exposition line: {line!r}")
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        labels = {k: v for k, v in labels.items() if v != ""}  # an empty label is no label to Prometheus
        series.setdefault(m.group(1), []).append(labels)
    return types, series


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count", ""):
        base = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
        if base in types and (suffix == "" or types[base] == "histogram"):
            return base
    return None


def synthetic_series(types, series, instances=("10.0.0.1:4181", "10.0.0.2:4181")):
    """promtool input_series for every series of the exposition, per instance: counters grow, histogram
    buckets grow more in higher buckets (cumulative), gauges hold their value (1, or a timestamp)."""
    out = []
    for n, inst in enumerate(instances):
        common = {"job": RELEASE, "namespace": NAMESPACE, "instance": inst, "pod": f"forward-auth-{n}"}
        out.append({"series": fmt_series("up", common), "values": "1+0x60"})
        for name, items in series.items():
            fam = family_of(name, types)
            typ = types.get(fam)
            for i, labels in enumerate(items):
                lab = {**labels, **common}
                if typ == "gauge":
                    value = float(_last_value_hint(name, labels))
                    values = f"{value:g}+0x60"
                elif name.endswith("_bucket"):
                    le = labels["le"]
                    step = 100 if le == "+Inf" else max(1, min(99, int(round(100 * min(1.0, float(le) * 50)))))
                    values = f"0+{step}x60"
                elif name.endswith("_count"):
                    values = "0+100x60"
                elif name.endswith("_sum"):
                    values = "0+1x60"
                else:
                    values = f"0+{1 + (i % 5)}x60"
                out.append({"series": fmt_series(name, lab), "values": values})
    return out


def _last_value_hint(name, labels):
    return 1.7e9 if name.endswith("_timestamp_seconds") else 1


def fmt_series(name, labels):
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


# ------------------------------------------------------------------------------------------- PromQL names

SELECTOR = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}')
BARE_METRIC = re.compile(r'\b(forward_auth_[a-z0-9_]+|up)\b')


def selectors(expr):
    """[(metric, [label names matched])] of every `metric{...}` selector, and bare forward_auth_* names."""
    found = []
    for m in SELECTOR.finditer(expr):
        if m.group(1) in ("by", "without", "on", "ignoring", "group_left", "group_right"):
            continue
        names = re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)', m.group(2))
        found.append((m.group(1), names))
    for m in BARE_METRIC.finditer(SELECTOR.sub("", expr)):
        found.append((m.group(1), []))
    return found


def check_names(expr, what, types, series):
    target_labels = {"job", "namespace", "instance", "pod"}
    for metric, names in selectors(expr):
        if metric == "up":
            continue
        fam = family_of(metric, types)
        if not C.check(metric in series, f"{what}: {metric} is a series forward-auth exposes (metrics.prom)"):
            continue
        known = set().union(*[set(l) for l in series[metric]]) | target_labels
        bad = [n for n in names if n not in known]
        C.check(not bad, f"{what}: {metric} has the labels matched ({', '.join(sorted(set(names) - target_labels)) or 'only target labels'})",
                f"unknown: {bad}; {fam} has {sorted(known)}")


# ------------------------------------------------------------------------------------------- rendering

def render_rules(args, values_files, release, namespace, sets=()):
    cmd = [args.helm, "template", release, CHART, "--namespace", namespace]
    for f in values_files:
        cmd += ["-f", f]
    for s in sets:
        cmd += ["--set", s]
    proc = run(*cmd)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    rules = [d for d in yaml.safe_load_all(proc.stdout) if d and d.get("kind") == "PrometheusRule"]
    if len(rules) != 1:
        return None, f"{len(rules)} PrometheusRule objects rendered"
    return rules[0], ""


def write_rules(pr, path):
    with open(path, "w") as f:
        yaml.safe_dump({"groups": pr["spec"]["groups"]}, f, sort_keys=False, width=1000)


def alerts_of(pr):
    return [r for g in pr["spec"]["groups"] for r in g["rules"] if "alert" in r]


# ------------------------------------------------------------------------------------------- the checks

def check_rules(args, types, series):
    work = args.work
    values = os.path.join(HERE, "values", "observability.yaml")
    pr, err = render_rules(args, [values], RELEASE, NAMESPACE)
    if not C.check(pr is not None, "helm template renders one PrometheusRule (tests/values/observability.yaml)", err):
        return []
    rules_path = os.path.join(work, "rules.yaml")
    write_rules(pr, rules_path)
    proc = run(args.promtool, "check", "rules", rules_path)
    C.check(proc.returncode == 0, "promtool check rules accepts the rendered rules", (proc.stdout + proc.stderr).strip())
    alerts = alerts_of(pr)
    names = [a["alert"] for a in alerts]
    print(f"# {len(alerts)} alerting rules: {', '.join(names)}")
    for a in alerts:
        check_names(a["expr"], f"rule {a['alert']}", types, series)

    # The defaults (no RBAC: its rule is left out) and a custom selector render rules promtool accepts too.
    for label, sets, want_rbac in (("defaults", ["metrics.prometheusRule.enabled=true"], False),
                                   ("custom selector", ["metrics.prometheusRule.enabled=true", "traefikForwardAuth.enableRBAC=true",
                                                        'metrics.prometheusRule.selector=job=~"kubernetes-pods"\\,app="forward-auth"'], True)):
        other, err = render_rules(args, [], "rel", "default", sets)
        if not C.check(other is not None, f"{label}: helm template renders one PrometheusRule", err):
            continue
        path = os.path.join(work, f"rules-{label.replace(' ', '-')}.yaml")
        write_rules(other, path)
        proc = run(args.promtool, "check", "rules", path)
        C.check(proc.returncode == 0, f"{label}: promtool check rules accepts them", (proc.stdout + proc.stderr).strip())
        got = [a["alert"] for a in alerts_of(other)]
        C.check(("ForwardAuthRBACPolicyNotLoaded" in got) == want_rbac,
                f"{label}: ForwardAuthRBACPolicyNotLoaded rendered iff traefikForwardAuth.enableRBAC", str(got))
        if label == "defaults":
            C.check(all('job="rel-traefik-forward-auth",namespace="default"' in a["expr"] for a in alerts_of(other)),
                    "defaults: every rule selects job=<fullname>, namespace=<release namespace>")
        else:
            C.check(all('job=~"kubernetes-pods",app="forward-auth"' in a["expr"] and 'namespace="default"' not in a["expr"]
                        for a in alerts_of(other)), "custom selector: every rule uses metrics.prometheusRule.selector")
    other, err = render_rules(args, [], "rel", "default", ["metrics.prometheusRule.enabled=true", "traefikForwardAuth.enabled=false"])
    C.check(other is None and "0 PrometheusRule" in err, "no PrometheusRule while traefikForwardAuth.enabled is false", err)
    return names


def check_unit_tests(args, alert_names):
    work = args.work
    files = sorted(glob.glob(os.path.join(ALERTS_DIR, "*.yaml")))
    if not C.check(bool(files), "tests/alerts/*.yaml exist"):
        return
    firing, silent, cases = {}, {}, 0
    for f in files:
        doc = yaml.safe_load(open(f))
        C.check(doc.get("rule_files") == ["rules.yaml"], f"{os.path.basename(f)}: rule_files is [rules.yaml] (the rendered rules)")
        for test in doc.get("tests", []):
            for t in test.get("alert_rule_test", []):
                cases += 1
                target = firing if t.get("exp_alerts") else silent
                target[t["alertname"]] = target.get(t["alertname"], 0) + 1
        shutil.copy(f, os.path.join(work, os.path.basename(f)))
    print(f"# {cases} alert test cases in {len(files)} files")
    proc = run(args.promtool, "test", "rules", *[os.path.basename(f) for f in files], cwd=work)
    C.check(proc.returncode == 0, f"promtool test rules: the {cases} cases of tests/alerts pass", (proc.stdout + proc.stderr).strip())
    for name in alert_names:
        C.check(firing.get(name, 0) >= 1, f"{name}: a test case where it fires ({firing.get(name, 0)})")
        C.check(silent.get(name, 0) >= 1, f"{name}: a test case where it stays silent ({silent.get(name, 0)})")
    unknown = sorted(set(firing) | set(silent) - set(alert_names))
    C.check(not (set(firing) | set(silent)) - set(alert_names), "every alert tested is one the chart renders", str(unknown))


def substitute(expr):
    def repl(m):
        name = m.group(1) or m.group(2)
        return VARS.get(name, m.group(0))
    return re.sub(r"\$\{([A-Za-z_]+)(?::[a-z]+)?\}|\$([A-Za-z_]+)", repl, expr)


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def check_dashboard(args, types, series):
    path = os.path.join(CHART, "dashboards", "forward-auth.json")
    try:
        dash = json.load(open(path))
    except (OSError, ValueError) as e:
        C.check(False, "dashboards/forward-auth.json is JSON", str(e))
        return
    C.check(True, "dashboards/forward-auth.json is JSON")
    C.check(isinstance(dash.get("schemaVersion"), int) and dash["schemaVersion"] >= 36, "dashboard: schemaVersion set (>= 36)",
            str(dash.get("schemaVersion")))
    C.check(bool(dash.get("uid")) and bool(dash.get("title")), "dashboard: uid and title set")
    panels = list(all_panels(dash.get("panels", [])))
    ids = [p.get("id") for p in panels]
    C.check(all(isinstance(i, int) for i in ids) and len(ids) == len(set(ids)), "dashboard: every panel has a unique id", str(ids))
    tvars = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    ds = tvars.get("datasource", {})
    C.check(ds.get("type") == "datasource" and ds.get("query") == "prometheus", "dashboard: a `datasource` variable (type datasource, prometheus)")
    for name in ("namespace", "job"):
        v = tvars.get(name, {})
        C.check(v.get("type") == "query" and v.get("datasource", {}).get("uid") == "${datasource}",
                f"dashboard: a `{name}` query variable on ${{datasource}}")
    used_vars = set()
    queries = []
    for p in panels:
        if p.get("type") == "row":
            continue
        title = p.get("title", "")
        C.check(p.get("datasource", {}).get("uid") == "${datasource}", f"panel {p['id']} ({title}): datasource is ${{datasource}}")
        gp = p.get("gridPos", {})
        C.check(all(isinstance(gp.get(k), int) for k in "hwxy") and gp["x"] + gp["w"] <= 24, f"panel {p['id']} ({title}): gridPos within 24 columns")
        targets = p.get("targets", [])
        C.check(bool(targets), f"panel {p['id']} ({title}): has targets")
        refs = [t.get("refId") for t in targets]
        C.check(len(refs) == len(set(refs)), f"panel {p['id']} ({title}): unique refIds")
        for t in targets:
            C.check(t.get("datasource", {}).get("uid") == "${datasource}", f"panel {p['id']} {t.get('refId')}: target datasource is ${{datasource}}")
            used_vars |= set(re.findall(r"\$\{?([A-Za-z_]+)", t["expr"]))
            q = substitute(t["expr"])
            C.check("$" not in q, f"panel {p['id']} {t.get('refId')}: every variable substituted", q)
            queries.append((p["id"], title, t.get("refId"), q))
            check_names(q, f"panel {p['id']} ({title})", types, series)
    C.check(used_vars <= set(VARS) | set(tvars), "dashboard queries use only defined variables", str(sorted(used_vars)))
    for name in ("namespace", "job"):
        C.check(name in used_vars, f"dashboard queries filter by ${name}")
    print(f"# dashboard: {len([p for p in panels if p.get('type') != 'row'])} panels, {len(queries)} queries")

    # Each query, as Grafana would send it, evaluated by promtool over the synthetic series.
    tests = [{
        "interval": "15s",
        "input_series": synthetic_series(types, series),
        "promql_expr_test": [{"expr": f"clamp_max(count({q}), 1)", "eval_time": "10m",
                              "exp_samples": [{"labels": "{}", "value": 1}]} for _, _, _, q in queries],
    }]
    test_path = os.path.join(args.work, "dashboard-queries.test.yaml")
    with open(test_path, "w") as f:
        yaml.safe_dump({"rule_files": [], "evaluation_interval": "15s", "tests": tests}, f, sort_keys=False, width=1000)
    proc = run(args.promtool, "test", "rules", os.path.basename(test_path), cwd=args.work)
    out = (proc.stdout + proc.stderr).strip()
    C.check(proc.returncode == 0, f"promtool: each of the {len(queries)} dashboard queries parses and returns data", out[-3000:])
    # The test is real: a query on a label value forward-auth never has returns nothing, and promtool says so.
    bad = [{"expr": 'clamp_max(count(sum by (outcome) (rate(forward_auth_decisions_total{outcome="allowed"}[1m]))), 1)',
            "eval_time": "10m", "exp_samples": [{"labels": "{}", "value": 1}]}]
    with open(test_path, "w") as f:
        yaml.safe_dump({"rule_files": [], "evaluation_interval": "15s",
                        "tests": [{**tests[0], "promql_expr_test": bad}]}, f, sort_keys=False, width=1000)
    proc = run(args.promtool, "test", "rules", os.path.basename(test_path), cwd=args.work)
    C.check(proc.returncode != 0, "promtool: a query for outcome=\"allowed\" (no such value) fails the same check")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helm", required=True)
    ap.add_argument("--promtool", required=True)
    ap.add_argument("--work", required=True, help="scratch directory (rendered rules, test copies)")
    ap.add_argument("--counts", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    types, series = read_exposition(os.path.join(ALERTS_DIR, "metrics.prom"))
    names = check_rules(args, types, series)
    if names:
        check_unit_tests(args, names)
    check_dashboard(args, types, series)
    with open(args.counts, "w") as f:
        f.write(f"{C.passed} {C.failed}\n")
    return 1 if C.failed else 0


if __name__ == "__main__":
    sys.exit(main())
