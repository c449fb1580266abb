"""scripts/bench's machine-readable summary (BENCH_JSON), and with BENCH_BASELINE the old and new binaries' verdict.

Usage: summary.py single|compare ROWS OUT [name=value ...]
ROWS: one tab-separated line per measured wrk run, as scripts/bench's `measure` writes them: binary (forward-auth,
old or new), round, key, name, rps, ratio, req_per_cpu_s, cpu_ratio, cpu_us_per_req, p50, p99 (as wrk prints them),
requests, cpu_s. The name=value pairs go to the top level, or with a `_kib` name to "memory" (single).

single: OUT = {"paths": {key: {name, rps, ratio, req_per_cpu_s, cpu_ratio, cpu_us_per_req, p50, p99, requests,
cpu_s}}, "memory": {idle_rss_kib, idle_anon_kib, peak_rss_kib, peak_anon_kib, rss_1k_kib, anon_1k_kib,
per_conn_kib, per_conn_anon_kib, ...}, ...}. Keys: nginx, healthz, cookie-200, browser-302, api-401, bearer-200;
ratios are to nginx (its own are 1); p50 and p99 in µs; memory in KiB.
compare: prints each path's median ratio to nginx, old and new, and its median CPU µs per request (shown, not
judged: both binaries ran in the same session, and nginx's own CPU per request varies by 10 % between rounds);
fails when a path's median ratio to nginx is below 0.95x the old binary's. OUT = {"runs": [{binary, round, paths}],
"median": {old|new: {key: {ratio, cpu_ratio, cpu_us_per_req}}}, "passed": bool, ...}."""
import json
import statistics
import sys

UNITS = {"us": 1, "ms": 1e3, "s": 1e6, "m": 60e6}
mode, rows_path, out_path = sys.argv[1:4]
extra = dict(pair.split("=", 1) for pair in sys.argv[4:])


def micros(latency):
    """wrk's "327.00us", "1.02ms", "2.00s" in µs."""
    number = latency.rstrip("mus")
    return round(float(number) * UNITS[latency[len(number):]], 1)


def number(text):
    value = float(text)
    return int(value) if value.is_integer() else value


runs = {}
for line in open(rows_path):
    binary, round_, key, name, rps, ratio, rpc, cpu_ratio, us, p50, p99, requests, cpu_s = line.rstrip("\n").split("\t")
    runs.setdefault((binary, int(round_)), {})[key] = {
        "name": name, "rps": float(rps), "ratio": float(ratio), "req_per_cpu_s": int(rpc),
        "cpu_ratio": float(cpu_ratio), "cpu_us_per_req": float(us), "p50": micros(p50), "p99": micros(p99),
        "requests": int(requests), "cpu_s": float(cpu_s)}
summary = {name: value if name in ("binary", "baseline") else number(value)
           for name, value in extra.items() if not name.endswith("_kib")}
summary["units"] = {"rps": "requests/s", "req_per_cpu_s": "requests per CPU-second of the server",
                    "cpu_us_per_req": "µs", "p50": "µs", "p99": "µs", "memory": "KiB"}
failed = False
if mode == "single":
    summary["paths"] = runs[("forward-auth", 1)]
    summary["memory"] = {name: number(value) for name, value in extra.items() if name.endswith("_kib")}
else:
    summary["runs"] = [{"binary": binary, "round": round_, "paths": paths} for (binary, round_), paths in runs.items()]
    keys = [key for key in runs[("new", 1)] if key != "nginx"]
    median = {binary: {key: {figure: statistics.median(paths[key][figure]
                                                       for (which, _), paths in runs.items() if which == binary)
                             for figure in ("ratio", "cpu_ratio", "cpu_us_per_req")} for key in keys}
              for binary in ("old", "new")}
    summary["median"] = median
    print(f"\n{'path (median ratio to nginx)':36} {'old':>6} {'new':>6} {'new/old':>8}"
          f"   {'CPU µs/req: old':>15} {'new':>6} {'new/old':>8}")
    for key in keys:
        old, new = median["old"][key], median["new"][key]
        verdict = "" if new["ratio"] >= 0.95 * old["ratio"] else "  BELOW 0.95x"
        failed |= bool(verdict)
        print(f"{runs[('new', 1)][key]['name']:36} {old['ratio']:6.2f} {new['ratio']:6.2f} "
              f"{new['ratio'] / old['ratio']:8.2f}   {old['cpu_us_per_req']:15.1f} {new['cpu_us_per_req']:6.1f} "
              f"{new['cpu_us_per_req'] / old['cpu_us_per_req']:8.2f}{verdict}")
    summary["passed"] = not failed
with open(out_path, "w") as out:
    json.dump(summary, out, indent=2, ensure_ascii=False)
    out.write("\n")
if failed:
    sys.exit("bench: a path's median ratio to nginx fell below 0.95x the old binary's")
if mode == "compare":
    print("bench: every path at least 0.95x the old binary's ratio to nginx (CPU per request shown, not judged)")
