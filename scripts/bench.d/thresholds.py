"""Compares measured costs with the checked-in thresholds, or writes them (scripts/bench-guard).

Usage: thresholds.py check|--update THRESHOLDS_JSON RESULTS
RESULTS: lines "scenario instructions allocations" (per operation).

Tolerances: instructions may exceed their threshold by 3 %; allocations by none. A server scenario's allocations
are an average over its requests, which once-a-second work (the date header, the connection sweep) nudges by a few
hundredths, so they may exceed by at most 0.25: a whole allocation more per request still fails."""
import json
import sys

mode, path, results_path = sys.argv[1:4]
measured = {}
for line in open(results_path):
    scenario, instructions, allocations = line.split()
    measured[scenario] = {"instructions": int(instructions), "allocations": float(allocations)}

if mode == "--update":
    with open(path, "w") as out:
        json.dump(measured, out, indent=2, sort_keys=True)
        out.write("\n")
    for scenario, figures in sorted(measured.items()):
        print(f"{scenario:24} {figures['instructions']:>9,} instructions {figures['allocations']:>7} allocations")
    print(f"bench-guard: wrote {path}")
    sys.exit(0)

thresholds = json.load(open(path))
failures = []
print(f"{'scenario':24} {'instructions':>12} {'threshold':>10} {'allocations':>11} {'threshold':>9}")
for scenario, figures in sorted(measured.items()):
    limit = thresholds.get(scenario)
    if limit is None:
        failures.append(f"{scenario}: no threshold in {path} (run scripts/bench-guard --update)")
        continue
    print(f"{scenario:24} {figures['instructions']:>12,} {limit['instructions']:>10,} "
          f"{figures['allocations']:>11} {limit['allocations']:>9}")
    if figures["instructions"] > limit["instructions"] * 1.03:
        change = 100 * (figures["instructions"] / limit["instructions"] - 1)
        failures.append(f"{scenario}: {figures['instructions']:,} instructions, {change:+.1f} % over the threshold")
    allowance = 0.25 if scenario.startswith("server-") else 0.005
    if figures["allocations"] > limit["allocations"] + allowance:
        failures.append(f"{scenario}: {figures['allocations']} allocations, threshold {limit['allocations']}")
for scenario in sorted(set(thresholds) - set(measured)):
    failures.append(f"{scenario}: in {path} but not measured")
if failures:
    print("bench-guard: regression (or a stale threshold):\n  " + "\n  ".join(failures))
    sys.exit(1)
print("bench-guard: every figure within its threshold")
