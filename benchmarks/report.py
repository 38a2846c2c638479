"""The side-by-side table, the ratios, latest.json and the wall-time chart (targets: benchmarks.targets)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.record import JANITOR, JANITOR_PER_JOB, PROGRAM_ORDER, RunRecord
from benchmarks.targets import binding_share, find

COLORS = {JANITOR: "C0", JANITOR_PER_JOB: "C4", "naive": "C1", "naive-unsafe": "C2"}
STYLES = {JANITOR: "o-", JANITOR_PER_JOB: "D-", "naive": "s-", "naive-unsafe": "^--"}
MB = 1024


def _groups(records: Sequence[RunRecord]) -> list[tuple[str, int]]:
    return list(dict.fromkeys((r.scenario, r.jobs) for r in records))


def ratios(records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    """Per scenario and size: the others' wall over the batched janitor's, and each janitor's over its bounds."""
    out = []
    for scenario, jobs in _groups(records):
        janitor = find(records, scenario, jobs, JANITOR)
        per_job = find(records, scenario, jobs, JANITOR_PER_JOB)
        if janitor is None and per_job is None:
            continue

        def over(other: RunRecord | None, base: RunRecord | None) -> float | None:
            return other.wall_s / base.wall_s if other and base else None

        row: dict[str, Any] = {
            "scenario": scenario,
            "jobs": jobs,
            "naiveOverJanitorWall": over(find(records, scenario, jobs, "naive"), janitor),
            "naiveUnsafeOverJanitorWall": over(find(records, scenario, jobs, "naive-unsafe"), janitor),
            "perJobOverBatchedWall": over(per_job, janitor),
        }
        for key, record in (("janitor", janitor), ("janitorPerJob", per_job)):
            share = binding_share(record) if record else None
            row |= {
                f"{key}OverTimeBound": record.wall_s / record.time_bound_s if record else None,
                f"{key}RequestsOverBound": record.total_requests / record.request_bound if record else None,
                f"{key}AcceptedRequestsOverBound": (
                    record.accepted_requests / record.request_bound if record else None
                ),
                f"{key}BindingQuotaShare": share[0] if share else None,
            }
        out.append(row)
    return out


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def table(records: Sequence[RunRecord]) -> str:
    header = (
        f"{'scenario':8} {'jobs':>6} {'program':21} {'wall s':>7} {'start s':>7} {'CPU s':>6} {'CPU ms':>7} "
        f"{'list':>4} {'tags':>6} {'del':>4} {'req':>6} {'thr':>5} {'bound':>6} {'req/bnd':>7} "
        f"{'bound s':>7} {'wall/bnd':>8} {'RSS MB':>6} {'deleted':>7} {'failed':>6} {'kept':>5}"
    )
    lines = [header, "-" * len(header)]
    for scenario, jobs in _groups(records):
        group = sorted(
            (r for r in records if (r.scenario, r.jobs) == (scenario, jobs)),
            key=lambda r: (PROGRAM_ORDER.index(r.program), r.sample),
        )
        for r in group:
            cpu_per_k = 1000 * 1000 * r.cpu_s / max(1, r.total_requests)
            name = r.label + ("*" if r.overlapped else "")
            tags = r.requests.get("ListTagsForResource", 0) + r.requests.get("GetResources", 0)
            lines.append(
                f"{r.scenario:8} {r.jobs:>6} {name:21} {r.wall_s:>7.2f} {r.startup_s:>7.2f} {r.cpu_s:>6.2f} "
                f"{cpu_per_k:>7.0f} {r.requests.get('ListEvaluationJobs', 0):>4} {tags:>6} "
                f"{r.requests.get('BatchDeleteEvaluationJob', 0):>4} {r.total_requests:>6} {r.throttled:>5} "
                f"{r.request_bound:>6} {r.total_requests / r.request_bound:>7.2f} {r.time_bound_s:>7.2f} "
                f"{r.wall_s / r.time_bound_s:>8.2f} {r.peak_rss_kb / MB:>6.1f} "
                f"{r.deleted:>7} {r.failed:>6} {r.retained_left:>5}"
            )
        lines.append("")
    lines += [
        "start s = the program's start-up (imports, clients; for the janitor the handler's cold start), "
        "inside wall s; CPU ms = CPU ms per 1,000 requests",
        "tags = GetResources calls for janitor (batched), ListTagsForResource calls otherwise; "
        "thr = requests answered with a throttle (included in req)",
        "bound, bound s = the lower bounds of the program's tag-lookup mode (naive: perJob; naive-unsafe, "
        "which reads no tags: batched); kept = retained jobs still there",
    ]
    if any(r.overlapped for r in records):
        lines.append(
            "* ran at the same time as another run (the perJob and naive quota-bound runs overlap the "
            "longest naive run)"
        )
    lines.append("")
    lines.append(
        f"{'scenario':8} {'jobs':>6} {'naive/batched':>13} {'unsafe/batched':>14} {'perJob/batched':>14} "
        f"{'batched/bound':>13} {'perJob/bound':>12} {'batched req/bnd':>15} {'perJob req/bnd':>14}"
    )
    for ratio in ratios(records):
        lines.append(
            f"{ratio['scenario']:8} {ratio['jobs']:>6} {_fmt(ratio['naiveOverJanitorWall'], '.1f'):>13} "
            f"{_fmt(ratio['naiveUnsafeOverJanitorWall'], '.1f'):>14} {_fmt(ratio['perJobOverBatchedWall'], '.1f'):>14} "
            f"{_fmt(ratio['janitorOverTimeBound']):>13} {_fmt(ratio['janitorPerJobOverTimeBound']):>12} "
            f"{_fmt(ratio['janitorRequestsOverBound']):>15} {_fmt(ratio['janitorPerJobRequestsOverBound']):>14}"
        )
    return "\n".join(lines)


def cold_start_table(cold: Mapping[str, Any]) -> str:
    handler, bare = cold["handler"], cold["bareBoto3Client"]
    lines = [
        f"{'cold start (median of ' + str(handler['samples']) + ')':34} {'import s':>9} {'process s':>10} "
        f"{'CPU s':>6} {'RSS MB':>7}",
    ]
    for name, row in (
        ("janitor.handlers.cleanup import + clients", handler),
        ("import boto3; client('bedrock')", bare),
    ):
        lines.append(
            f"{name:34} {row['medianSeconds']:>9.3f} {row['medianProcessWallSeconds']:>10.3f} "
            f"{row['medianProcessCpuSeconds']:>6.2f} {row['medianPeakRssMb']:>7.1f}"
        )
    lines.append(
        f"ratio handler/bare: {cold['ratio']:.2f} (import section), {cold['processWallRatio']:.2f} (whole process)"
    )
    lines.append("python -X importtime -c 'import janitor.handlers.cleanup', top 10 by cumulative time:")
    for entry in cold["importTime"]["topCumulative"]:
        lines.append(f"  {entry['cumulativeMs']:>8.1f} ms  (self {entry['selfMs']:>6.1f})  {entry['module']}")
    lines.append("top 10 by self time:")
    for entry in cold["importTime"]["topSelf"]:
        lines.append(f"  {entry['selfMs']:>8.1f} ms  {entry['module']}")
    return "\n".join(lines)


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _median_run(runs: Sequence[Mapping[str, Any]], program: str) -> Mapping[str, Any] | None:
    samples = sorted((r for r in runs if r["program"] == program), key=lambda r: float(r["wallSeconds"]))
    return samples[(len(samples) - 1) // 2] if samples else None


def chart(path: Path, runs: Sequence[Mapping[str, Any]], latency_ms: float) -> None:
    """Wall time vs jobs (latency-bound, log-log) and, when measured, the quota-bound runs as bars.

    Takes the `runs` of latest.json, so `python -m benchmarks --replot FILE` can redraw it.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    latency = [r for r in runs if r["scenario"] == "latency"]
    quota = [r for r in runs if r["scenario"] == "quota"]
    fig, axes = plt.subplots(1, 2 if quota else 1, figsize=(13 if quota else 7, 5.5), squeeze=False)
    ax = axes[0][0]
    for program in PROGRAM_ORDER:
        points = sorted((r["jobs"], r["wallSeconds"]) for r in latency if r["program"] == program)
        if points:
            ax.plot(*zip(*points, strict=True), STYLES[program], color=COLORS[program], label=program)
    for program, mode in ((JANITOR, "batched"), (JANITOR_PER_JOB, "perJob")):
        bounds = sorted({(r["jobs"], r["timeBoundSeconds"]) for r in latency if r["program"] == program})
        if bounds:
            color = "k" if mode == "batched" else COLORS[program]
            ax.plot(
                *zip(*bounds, strict=True),
                ":x",  # the marker shows a bound measured at one size only
                color=color,
                markersize=4,
                label=f"time bound, {mode} (16 in flight)",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("evaluation jobs in the account")
    ax.set_ylabel("wall time, s (log)")
    ax.set_title(f"Latency-bound: {latency_ms:g} ms per request")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    for r in latency:
        if r["program"] in COLORS:
            ax.annotate(
                f"{r['wallSeconds']:.1f}",
                (r["jobs"], r["wallSeconds"]),
                textcoords="offset points",
                # naive-unsafe sits close under the perJob janitor: label it below.
                xytext=(4, -11) if r["program"] == "naive-unsafe" else (4, 4),
                fontsize=7,
            )
    if quota:
        _quota_bars(axes[0][1], quota)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _quota_bars(ax: Any, quota: Sequence[Mapping[str, Any]]) -> None:
    """The median run of each program under the quota, and the time bound of each janitor's mode."""
    ordered = [run for p in PROGRAM_ORDER if (run := _median_run(quota, p)) is not None]
    repeated = {r["program"] for r in quota if r.get("sample", 1) > 1}
    names = [r["program"] + ("\n(median)" if r["program"] in repeated else "") for r in ordered]
    values = [r["wallSeconds"] for r in ordered]
    colors = [COLORS[r["program"]] for r in ordered]
    for r in ordered:
        if r["program"] in (JANITOR, JANITOR_PER_JOB):
            names.append(f"time bound\n{r['boundTagLookup']}")
            values.append(r["timeBoundSeconds"])
            colors.append("0.6")
    bars = ax.bar(names, values, color=colors)
    # Linear, so bar heights compare; the batched janitor's bars are short, their labels say it.
    ax.bar_label(bars, labels=[f"{v:.2f} s" if v < 10 else f"{v:.1f} s" for v in values], fontsize=8)
    ax.set_ylabel("wall time, s")
    ax.tick_params(axis="x", labelsize=8)
    rates = ordered[0].get("quota") or {}
    quota_text = ", ".join(f"{op} {info['quotaPerSecond']:g}/s" for op, info in rates.items())
    ax.set_title(f"Quota-bound, {ordered[0]['jobs']:,} jobs\n{quota_text}", fontsize=9)
    ax.grid(True, axis="y", alpha=0.3)
