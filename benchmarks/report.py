"""The side-by-side table, the targets, latest.json and the wall-time chart."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.run import RunRecord

PROGRAM_ORDER = ("janitor", "naive", "naive-unsafe")
COLORS = {"janitor": "C0", "naive": "C1", "naive-unsafe": "C2"}
MB = 1024


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.name, "goal": self.goal, "measured": self.measured, "met": self.met}


def _samples(records: Sequence[RunRecord], scenario: str, jobs: int, program: str) -> list[RunRecord]:
    return [r for r in records if (r.scenario, r.jobs, r.program) == (scenario, jobs, program)]


def _find(records: Sequence[RunRecord], scenario: str, jobs: int, program: str) -> RunRecord | None:
    """The run, or with repeated samples the one with the median wall time (the lower for even counts)."""
    samples = sorted(_samples(records, scenario, jobs, program), key=lambda r: r.wall_s)
    return samples[(len(samples) - 1) // 2] if samples else None


def _groups(records: Sequence[RunRecord]) -> list[tuple[str, int]]:
    return list(dict.fromkeys((r.scenario, r.jobs) for r in records))


def ratios(records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    out = []
    for scenario, jobs in _groups(records):
        janitor = _find(records, scenario, jobs, "janitor")
        if janitor is None:
            continue
        naive = _find(records, scenario, jobs, "naive")
        unsafe = _find(records, scenario, jobs, "naive-unsafe")
        out.append(
            {
                "scenario": scenario,
                "jobs": jobs,
                "naiveOverJanitorWall": naive.wall_s / janitor.wall_s if naive else None,
                "naiveUnsafeOverJanitorWall": unsafe.wall_s / janitor.wall_s if unsafe else None,
                "janitorOverTimeBound": janitor.wall_s / janitor.time_bound_s,
                "janitorRequestsOverBound": janitor.total_requests / janitor.request_bound,
                "janitorAcceptedRequestsOverBound": janitor.accepted_requests / janitor.request_bound,
            }
        )
    return out


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def table(records: Sequence[RunRecord]) -> str:
    header = (
        f"{'scenario':8} {'jobs':>6} {'program':14} {'wall s':>7} {'CPU s':>6} {'CPU ms':>7} "
        f"{'list':>4} {'tags':>6} {'del':>4} {'req':>6} {'429s':>5} {'req/bnd':>7} "
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
            lines.append(
                f"{r.scenario:8} {r.jobs:>6} {name:14} {r.wall_s:>7.1f} {r.cpu_s:>6.2f} {cpu_per_k:>7.0f} "
                f"{r.requests.get('ListEvaluationJobs', 0):>4} {r.requests.get('ListTagsForResource', 0):>6} "
                f"{r.requests.get('BatchDeleteEvaluationJob', 0):>4} {r.total_requests:>6} "
                f"{sum(r.refused.values()):>5} {r.total_requests / r.request_bound:>7.2f} "
                f"{r.time_bound_s:>7.1f} {r.wall_s / r.time_bound_s:>8.2f} {r.peak_rss_kb / MB:>6.1f} "
                f"{r.deleted:>7} {r.failed:>6} {r.retained_left:>5}"
            )
        lines.append("")
    lines.append(
        "CPU ms = CPU ms per 1,000 requests; req/bnd = requests / lower bound (429s included); "
        "kept = retained jobs still there"
    )
    if any(r.overlapped for r in records):
        lines.append(
            "* ran at the same time as another run (the quota-bound runs overlap the longest naive run)"
        )
    lines.append("")
    lines.append(
        f"{'scenario':8} {'jobs':>6} {'naive/janitor':>13} {'unsafe/janitor':>14} "
        f"{'janitor/bound':>13} {'janitor req/bnd':>15}"
    )
    for ratio in ratios(records):
        lines.append(
            f"{ratio['scenario']:8} {ratio['jobs']:>6} {_fmt(ratio['naiveOverJanitorWall']):>13} "
            f"{_fmt(ratio['naiveUnsafeOverJanitorWall']):>14} {_fmt(ratio['janitorOverTimeBound']):>13} "
            f"{_fmt(ratio['janitorRequestsOverBound']):>15}"
        )
    return "\n".join(lines)


def cold_start_table(cold: Mapping[str, Any]) -> str:
    handler, bare = cold["handler"], cold["bareBoto3Client"]
    lines = [
        f"{'cold start (median of ' + str(handler['samples']) + ')':34} {'import s':>9} {'process s':>10} "
        f"{'CPU s':>6} {'RSS MB':>7}",
    ]
    for name, row in (
        ("janitor.handler import + clients", handler),
        ("import boto3; client('bedrock')", bare),
    ):
        lines.append(
            f"{name:34} {row['medianSeconds']:>9.3f} {row['medianProcessWallSeconds']:>10.3f} "
            f"{row['medianProcessCpuSeconds']:>6.2f} {row['medianPeakRssMb']:>7.1f}"
        )
    lines.append(
        f"ratio handler/bare: {cold['ratio']:.2f} (import section), {cold['processWallRatio']:.2f} (whole process)"
    )
    lines.append("python -X importtime -c 'import janitor.handler', top 10 by cumulative time:")
    for entry in cold["importTime"]["topCumulative"]:
        lines.append(f"  {entry['cumulativeMs']:>8.1f} ms  (self {entry['selfMs']:>6.1f})  {entry['module']}")
    lines.append("top 10 by self time:")
    for entry in cold["importTime"]["topSelf"]:
        lines.append(f"  {entry['selfMs']:>8.1f} ms  {entry['module']}")
    return "\n".join(lines)


def targets(
    records: Sequence[RunRecord], cold: Mapping[str, Any] | None, quota_target_jobs: int = 1000
) -> list[Target]:
    out: list[Target] = []
    latency = [r for r in records if r.scenario == "latency" and r.program == "janitor"]
    if latency:
        shown = ", ".join(f"{r.jobs}: {r.total_requests}/{r.request_bound}" for r in latency)
        out.append(
            Target(
                "requests janitor / lower bound",
                "1.00 at every size",
                shown,
                all(r.total_requests == r.request_bound for r in latency),
            )
        )
    janitor_10k = _find(records, "latency", 10_000, "janitor")
    naive_10k = _find(records, "latency", 10_000, "naive")
    if janitor_10k is not None and naive_10k is not None:
        speedup = naive_10k.wall_s / janitor_10k.wall_s
        out.append(
            Target(
                "latency-bound 10,000: naive / janitor wall",
                ">= 5x",
                f"{speedup:.1f}x ({naive_10k.wall_s:.1f} s / {janitor_10k.wall_s:.1f} s)",
                speedup >= 5,
            )
        )
    if janitor_10k is not None:
        over = janitor_10k.wall_s / janitor_10k.time_bound_s
        out.append(
            Target(
                "latency-bound 10,000: janitor / time bound",
                "<= 1.3",
                f"{over:.2f} ({janitor_10k.wall_s:.1f} s / {janitor_10k.time_bound_s:.1f} s)",
                over <= 1.3,
            )
        )
    quota_runs = [r for r in records if r.scenario == "quota" and r.program == "janitor"]
    quota = _find(records, "quota", quota_runs[0].jobs, "janitor") if quota_runs else None
    samples = sorted(r.wall_s for r in quota_runs)
    sample_note = (
        f" [median of {len(samples)}: walls {', '.join(f'{w:.1f}' for w in samples)} s]"
        if len(samples) > 1
        else ""
    )
    if quota is not None and quota.jobs != quota_target_jobs:
        quota_note = f" (the target is defined at {quota_target_jobs:,} jobs: not judged here)"
    else:
        quota_note = ""
    if quota is not None and quota.quota is not None:
        share = quota.time_bound_s / quota.wall_s
        tags = quota.quota.get("ListTagsForResource", {})
        rate = tags.get("acceptedPerSecond")
        limit = tags.get("quotaPerSecond")
        server_share = rate / limit if rate and limit else None
        out.append(
            Target(
                f"quota-bound {quota.jobs}: share of the quota's throughput, failed deletions",
                ">= 90%, 0 failed",
                f"{share:.0%} by wall (bound {quota.time_bound_s:.1f} s / wall {quota.wall_s:.1f} s), "
                f"{_fmt(server_share, '.0%')} by accepted ListTagsForResource/s at the server "
                f"({_fmt(rate)}/s of {limit}/s), {quota.failed} failed, {sum(quota.refused.values())} 429s"
                f"{sample_note}; failed in all samples: {sum(r.failed for r in quota_runs)}" + quota_note,
                None if quota_note else share >= 0.9 and not any(r.failed for r in quota_runs),
            )
        )
    if cold is not None:
        out.append(
            Target(
                "cold start: handler import + clients / bare boto3 client",
                "<= 1.5x",
                f"{cold['ratio']:.2f}x ({cold['handler']['medianSeconds']:.3f} s / "
                f"{cold['bareBoto3Client']['medianSeconds']:.3f} s, medians of {cold['handler']['samples']})",
                cold["ratio"] <= 1.5,
            )
        )
    if len(latency) >= 2:
        small, large = min(latency, key=lambda r: r.jobs), max(latency, key=lambda r: r.jobs)
        growth = (large.peak_rss_kb - small.peak_rss_kb) / MB
        out.append(
            Target(
                f"memory: janitor peak RSS growth {small.jobs:,} -> {large.jobs:,} jobs",
                "< 30 MB",
                f"{growth:+.1f} MB ({small.peak_rss_kb / MB:.1f} -> {large.peak_rss_kb / MB:.1f} MB)",
                growth < 30,
            )
        )
    unsafe_ok = [
        r for r in records if r.program != "naive-unsafe" and (r.retained_left != r.population.retained)
    ]
    out.append(
        Target(
            "safety: janitor and naive keep every retained job, touch nothing else",
            "0 retained deleted, 0 other jobs lost",
            f"{len(unsafe_ok)} runs lost retained jobs; {sum(r.others_lost for r in records)} other jobs lost",
            not unsafe_ok and not any(r.others_lost for r in records),
        )
    )
    return out


def targets_table(found: Sequence[Target]) -> str:
    lines = []
    for target in found:
        verdict = {True: "MET   ", False: "MISSED", None: "n/a   "}[target.met]
        lines.append(f"{verdict} {target.name}: {target.measured} (goal {target.goal})")
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
    fig, axes = plt.subplots(1, 2 if quota else 1, figsize=(12 if quota else 7, 5), squeeze=False)
    ax = axes[0][0]
    styles = {"janitor": "o-", "naive": "s-", "naive-unsafe": "^--"}
    for program in PROGRAM_ORDER:
        points = sorted((r["jobs"], r["wallSeconds"]) for r in latency if r["program"] == program)
        if points:
            ax.plot(*zip(*points, strict=True), styles[program], color=COLORS[program], label=program)
    bounds = sorted({(r["jobs"], r["timeBoundSeconds"]) for r in latency if r["program"] == "janitor"})
    if bounds:
        ax.plot(*zip(*bounds, strict=True), "k:", label="time bound (16 in flight)")
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
    ax.legend()
    for r in latency:
        ax.annotate(
            f"{r['wallSeconds']:.1f}",
            (r["jobs"], r["wallSeconds"]),
            textcoords="offset points",
            # naive-unsafe sits on the time bound, close under the janitor: label it below.
            xytext=(4, -11) if r["program"] == "naive-unsafe" else (4, 4),
            fontsize=7,
        )
    if quota:
        ax2 = axes[0][1]
        ordered = [run for p in PROGRAM_ORDER if (run := _median_run(quota, p)) is not None]
        repeated = {r["program"] for r in quota if r.get("sample", 1) > 1}
        names = [r["program"] + (" (median)" if r["program"] in repeated else "") for r in ordered]
        values = [r["wallSeconds"] for r in ordered] + [ordered[0]["timeBoundSeconds"]]
        bars = ax2.bar(
            [*names, "time bound"], values, color=[COLORS[r["program"]] for r in ordered] + ["0.6"]
        )
        ax2.bar_label(bars, fmt="%.1f s")
        ax2.set_ylabel("wall time, s")
        rates = ordered[0].get("quota") or {}
        quota_text = ", ".join(f"{op} {info['quotaPerSecond']:g}/s" for op, info in rates.items())
        ax2.set_title(f"Quota-bound, {ordered[0]['jobs']:,} jobs\n{quota_text}", fontsize=9)
        ax2.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
