"""forward-auth's memory against checked-in thresholds (BENCH_MEMORY_GUARD=1 scripts/bench; scripts/test's smoke run).

Usage: memory_guard.py THRESHOLDS_JSON SUMMARY_JSON
THRESHOLDS_JSON: Benchmarks/memory-thresholds.json, {"thresholds": {figure: {"kib": threshold, "tolerance": 0.10}}}.
SUMMARY_JSON: scripts/bench's summary (scripts/bench.d/summary.py), whose "memory" holds the figures in KiB.
A figure fails when above threshold x (1 + tolerance). Anonymous memory (heap, stacks, .bss) does not depend on the
page cache, so its tolerance is tight; VmHWM counts the binary's file-backed pages, which do, so its is wider.
Memory only: throughput is scripts/bench-guard's (instructions) and BENCH_BASELINE's (interleaved) business."""
import json
import sys

thresholds = json.load(open(sys.argv[1]))["thresholds"]
measured = json.load(open(sys.argv[2]))["memory"]
failures = []
print(f"\n{'memory guard (KiB)':28} {'measured':>10} {'threshold':>10} {'tolerance':>9} {'limit':>10}")
for figure, rule in thresholds.items():
    if figure not in measured:
        failures.append(f"{figure}: not measured")
        continue
    limit = rule["kib"] * (1 + rule["tolerance"])
    value = measured[figure]
    print(f"{figure:28} {value:>10,} {rule['kib']:>10,} {rule['tolerance']:>+9.0%} {limit:>10,.2f}"
          + ("  ABOVE" if value > limit else ""))
    if value > limit:
        failures.append(f"{figure} ({rule['what']}): measured {value:,} KiB, threshold {rule['kib']:,} KiB "
                        f"{rule['tolerance']:+.0%} = {limit:,.2f} KiB")
if failures:
    sys.exit(f"bench: memory above {sys.argv[1]} (a regression, or a threshold to rewrite with the reason):\n  "
             + "\n  ".join(failures))
print(f"bench: memory within {sys.argv[1]}")
