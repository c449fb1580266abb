"""PNGs of the dashboard's panels, plotted from a real Prometheus' answers (tests/test_observability.py, E2E_KEEP=1).

One file per panel that has queries, `NN-title.png`: time series panels as lines from a `query_range` over the
test's window (each target's legendFormat, as Grafana fills it in, names the lines; series at 0 or NaN throughout,
of which the binary exposes many, are thin grey lines counted in one legend entry when a panel has more than a
few series); stat, gauge and table panels
(and instant targets) as bars of the value at the window's end, each bar labelled with its value. The y axis says the
panel's unit where it declares one. A panel whose queries return nothing says so in the plot, with the test's
reason where it has one (a series this binary does not expose, RBAC off).

matplotlib is imported here only, so the suite needs it only with E2E_KEEP=1 (e2e/setup-env.sh installs it then).
"""
from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Callable

# Grafana unit ids -> the y axis' label.
UNITS = {
    "reqps": "requests / s",
    "ops": "operations / s",
    "s": "seconds",
    "ms": "milliseconds",
    "percentunit": "share",
    "percent": "percent",
    "bytes": "bytes",
}
BAR_PANELS = {"stat", "gauge", "bargauge", "table"}
LEGEND_MAX = 38
STYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "x"]
COLLAPSE_ABOVE = 6


def file_name(panel: dict) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", panel["title"].lower()).strip("-")
    return f"{panel['id']:02d}-{slug}.png"


def legend(fmt: str | None, metric: dict, ref: str) -> str:
    """The series' name as Grafana shows it (legendFormat filled in), shortened."""
    if fmt:
        text = re.sub(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}", lambda m: metric.get(m.group(1), ""), fmt)
    else:
        text = ", ".join(f"{k}={v}" for k, v in sorted(metric.items()) if k not in ("__name__", "job", "namespace"))
    text = " ".join(text.split()) or ref
    return text if len(text) <= LEGEND_MAX else text[:LEGEND_MAX - 1] + "…"


def _aliased(metric: dict, aliases: dict[str, str] | None) -> dict:
    return {k: aliases.get(v, v) for k, v in metric.items()} if aliases else metric


def _num(v: str) -> float:
    return float(v)  # Prometheus sends "NaN", "+Inf", "-Inf" as strings float() reads


def _fmt(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if v == 0 or 0.01 <= abs(v) < 10000:
        return f"{v:.3g}"
    return f"{v:.2e}"


def plot_dashboard(dashboard: dict, substitute: Callable[[str], str], api: Callable[..., dict], start: float,
                   end: float, out_dir: Path, step: float = 1.0,
                   explain_empty: Callable[[str], str | None] = lambda expr: None,
                   aliases: dict[str, str] | None = None) -> list[str]:
    """Writes one PNG per panel with targets into out_dir; returns one line per panel describing what it plotted.

    api(path, **params) is Prometheus' HTTP API (`query_range`, `query`), answering the `data` object; aliases
    rename label values in legends (an instance's address -> "main (address)").
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    out_dir.mkdir(parents=True, exist_ok=True)
    window = time.strftime("%H:%M:%S", time.localtime(start)) + "–" + time.strftime("%H:%M:%S", time.localtime(end))
    lines = []
    for panel in dashboard["panels"]:
        targets = [t for t in panel.get("targets", []) if t.get("expr")]
        if not targets:
            continue
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
        bars = panel.get("type") in BAR_PANELS
        fig, ax = plt.subplots(figsize=(9, 4.8))
        summary, notes, drawn = [], [], 0
        series, zero_series, nan_series = [], [], []
        bar_labels, bar_values = [], []
        for t in targets:
            expr = substitute(t["expr"])
            if bars or t.get("instant"):
                result = api("query", query=expr, time=end)["result"]
                for s in result:
                    name, v = legend(t.get("legendFormat"), _aliased(s["metric"], aliases), t["refId"]), _num(s["value"][1])
                    bar_labels.append(name)
                    bar_values.append(v)
                    summary.append(f"{name}={_fmt(v)}")
            else:
                result = api("query_range", query=expr, start=start, end=end, step=step)["result"]
                for s in result:
                    series.append((legend(t.get("legendFormat"), _aliased(s["metric"], aliases), t["refId"]),
                                   [float(x) - start for x, _ in s["values"]], [_num(y) for _, y in s["values"]]))
            if not result:
                why = explain_empty(expr)
                notes.append(f"{t['refId']}: no data" + (f" ({why})" if why else ""))
                summary.append(f"{t['refId']} empty" + (f" ({why})" if why else ""))
        # Many label sets the binary exposes stay at 0 without traffic: with more than a few series, those are thin
        # grey lines under one legend entry. NaN throughout (a quantile of nothing: 0/0) has nothing to draw.
        collapse = len(series) > COLLAPSE_ABOVE
        for name, xs, ys in series:
            finite = [y for y in ys if math.isfinite(y)]
            drawn += 1
            if not finite:
                nan_series.append(name)
            elif collapse and not any(finite):
                ax.plot(xs, ys, color="0.75", linewidth=0.8, zorder=1)
                zero_series.append(name)
            else:
                # Styles and widths vary (later lines thinner, on top) so that lines lying on each other stay visible.
                k = len(ax.get_lines()) - len(zero_series)
                ax.plot(xs, ys, label=name, linewidth=max(1.2, 3.2 - 0.5 * k), zorder=3 + k, color=f"C{k % 10}",
                        linestyle=STYLES[k % len(STYLES)], marker=MARKERS[k % len(MARKERS)] if len(xs) < 40 else None,
                        markersize=4)
                summary.append(f"{name}: {len(xs)} points from {xs[0]:.0f}s, {_fmt(min(finite))}..{_fmt(max(finite))}, "
                               f"last {_fmt(ys[-1])}")
        if bar_values:
            shown = [0 if math.isnan(v) else v for v in bar_values]
            rects = ax.bar(range(len(shown)), shown, color=[f"C{i}" for i in range(len(shown))])
            ax.set_xticks(range(len(shown)), bar_labels, rotation=15 if len(shown) > 3 else 0, ha="right" if len(shown) > 3 else "center")
            for r, v in zip(rects, bar_values):
                ax.annotate(_fmt(v), (r.get_x() + r.get_width() / 2, r.get_height()), ha="center", va="bottom",
                            fontsize=13, fontweight="bold", xytext=(0, 3), textcoords="offset points")
            ax.set_ylim(0, max(max(shown) * 1.25, 1))
            ax.set_xlabel(f"value at {time.strftime('%H:%M:%S', time.localtime(end))} (end of the test's window)")
            drawn = len(bar_values)
        elif not all(t.get("instant") for t in targets):
            ax.set_xlabel(f"seconds since Prometheus started, {time.strftime('%H:%M:%S', time.localtime(start))} "
                          f"(query_range step {step:g}s)")
            ax.set_xlim(0, end - start)
            handles, labels = ax.get_legend_handles_labels()
            if zero_series:
                handles.append(Line2D([], [], color="0.75", linewidth=0.8))
                labels.append(f"{len(zero_series)} more at 0 throughout" if labels else f"{len(zero_series)} series, all 0 throughout")
                summary.append(f"{len(zero_series)} at 0 throughout ({', '.join(zero_series)})")
            if nan_series:
                handles.append(Line2D([], [], color="none"))
                labels.append(f"{len(nan_series)} more NaN throughout (0/0: nothing observed)")
                summary.append(f"{len(nan_series)} NaN throughout ({', '.join(nan_series)})")
            if handles:
                ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
            if series and all(not any(y for y in ys if math.isfinite(y)) for _, _, ys in series):
                ax.set_ylim(-0.05, 1)  # all 0: the line along the bottom, not mid-plot between ±0.05
            ax.grid(True, alpha=0.3)
        if unit in UNITS:
            ax.set_ylabel(UNITS[unit])
        if unit == "percentunit":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        if notes:
            ax.text(0.5, 0.5 if not drawn else 0.95, "\n".join(notes), transform=ax.transAxes, ha="center",
                    va="center" if not drawn else "top", fontsize=10, color="0.35", wrap=True)
        ax.set_title(f"{panel['title']}", fontsize=12, loc="left")
        fig.suptitle(f"panel {panel['id']} ({panel.get('type')}) · Prometheus {window}", fontsize=8, x=0.01,
                     ha="left", color="0.4")
        path = out_dir / file_name(panel)
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        lines.append(f"{path.name}: " + ("; ".join(summary) or "nothing"))
    return lines
