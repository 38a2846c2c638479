"""The targets the benchmark is judged by (issue 12), each MET, MISSED or n/a for a run.

All are judged on the janitor as deployed by default, `janitor (batched)`; the perJob janitor and
the naive programs are measured beside it for comparison. A target whose size was not run (e.g.
naive at 10,000 jobs in --quick) is left out, and the quota-bound ones are n/a at any size but
the one they are defined at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.record import JANITOR, RunRecord

MB = 1024
#: Where the targets are defined, latency-bound and quota-bound alike.
TARGET_JOBS = 10_000


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not judged in this run

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.name, "goal": self.goal, "measured": self.measured, "met": self.met}


def samples(records: Sequence[RunRecord], scenario: str, jobs: int, program: str) -> list[RunRecord]:
    return [r for r in records if (r.scenario, r.jobs, r.program) == (scenario, jobs, program)]


def find(records: Sequence[RunRecord], scenario: str, jobs: int, program: str) -> RunRecord | None:
    """The run, or with repeated samples the one with the median wall time (the lower for even counts)."""
    ordered = sorted(samples(records, scenario, jobs, program), key=lambda r: r.wall_s)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def binding_share(record: RunRecord) -> tuple[float, float, str] | None:
    """(share, requests/s, operation): the binding quota's throughput beyond its burst.

    The bucket is full when the operation's first request arrives, so no run can let its
    `accepted - burst` further requests through faster than `(accepted - burst) / rate` seconds;
    the share is that time over the time the run took, from the first request of the operation
    (accepted or not) to its last accepted one. None when no quota binds or nothing went past
    the burst.
    """
    op = record.binding_quota
    if op is None or record.quota is None:
        return None
    info = record.quota[op]
    beyond, busy = info["accepted"] - info["burst"], info["busySeconds"]
    if beyond <= 0 or not busy:
        return None
    return beyond / info["quotaPerSecond"] / busy, beyond / busy, op


def _request_target(records: Sequence[RunRecord]) -> list[Target]:
    latency = sorted(
        (r for r in records if r.scenario == "latency" and r.program == JANITOR), key=lambda r: r.jobs
    )
    if not any(r.jobs == TARGET_JOBS for r in latency):
        return []
    shown = ", ".join(f"{r.jobs:,}: {r.total_requests}/{r.request_bound}" for r in latency)
    return [
        Target(
            f"latency-bound {TARGET_JOBS:,}: {JANITOR} requests / lower bound",
            "= the bound (checked at every size run)",
            shown,
            all(r.total_requests == r.request_bound for r in latency),
        )
    ]


def _latency_targets(records: Sequence[RunRecord]) -> list[Target]:
    janitor = find(records, "latency", TARGET_JOBS, JANITOR)
    if janitor is None:
        return []
    out: list[Target] = []
    for baseline, factor in (("naive-unsafe", 5), ("naive", 100)):
        other = find(records, "latency", TARGET_JOBS, baseline)
        if other is not None:
            speedup = other.wall_s / janitor.wall_s
            out.append(
                Target(
                    f"latency-bound {TARGET_JOBS:,}: {baseline} / {JANITOR} wall",
                    f">= {factor}x",
                    f"{speedup:.1f}x ({other.wall_s:.1f} s / {janitor.wall_s:.2f} s)",
                    speedup >= factor,
                )
            )
    over = janitor.wall_s / janitor.time_bound_s
    out.append(
        Target(
            f"latency-bound {TARGET_JOBS:,}: {JANITOR} wall / time bound",
            "<= 1.3",
            f"{over:.2f} ({janitor.wall_s:.2f} s / {janitor.time_bound_s:.2f} s; start-up "
            f"{janitor.startup_s:.2f} s of it, {(janitor.wall_s - janitor.startup_s) / janitor.time_bound_s:.2f} without)",
            over <= 1.3,
        )
    )
    return out


def _quota_targets(records: Sequence[RunRecord]) -> list[Target]:
    runs = sorted(
        (r for r in records if r.scenario == "quota" and r.program == JANITOR), key=lambda r: r.sample
    )
    if not runs:
        return []
    median = find(records, "quota", runs[0].jobs, JANITOR)
    assert median is not None
    judged = median.jobs == TARGET_JOBS
    note = "" if judged else f" (defined at {TARGET_JOBS:,} jobs: not judged here)"
    of = f" [median of {len(runs)} by wall]" if len(runs) > 1 else ""
    share = binding_share(median)
    by_wall = median.time_bound_s / median.wall_s
    each = ", ".join(f"{s[0]:.0%}" if (s := binding_share(r)) else "-" for r in runs)
    measured = (
        f"{share[0]:.0%} ({share[2]} {share[1]:.1f}/s beyond the burst of "
        f"{median.quota[share[2]]['quotaPerSecond']:g}/s; samples {each})"
        if share is not None and median.quota is not None
        else "no quota binds"
    )
    measured += f"; by wall {by_wall:.0%} (bound {median.time_bound_s:.2f} s / wall {median.wall_s:.2f} s)"
    throttled = ", ".join(f"{r.throttled}/{r.total_requests}" for r in runs)
    share_of_requests = median.throttled / median.total_requests
    return [
        Target(
            f"quota-bound {median.jobs:,}: {JANITOR} share of the binding quota's throughput",
            ">= 90%",
            measured + of + note,
            None if not judged else share is not None and share[0] >= 0.9,
        ),
        Target(
            f"quota-bound {median.jobs:,}: {JANITOR} failed jobs",
            "0 in every sample",
            ", ".join(str(r.failed) for r in runs) + note,
            None if not judged else not any(r.failed for r in runs),
        ),
        Target(
            f"quota-bound {median.jobs:,}: {JANITOR} requests answered with a throttle",
            "<= 10%",
            f"{share_of_requests:.0%} ({median.throttled}/{median.total_requests}){of}; samples {throttled}"
            + note,
            None if not judged else share_of_requests <= 0.10,
        ),
    ]


def targets(records: Sequence[RunRecord], cold: Mapping[str, Any] | None) -> list[Target]:
    out = _request_target(records) + _latency_targets(records) + _quota_targets(records)
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
    latency = [r for r in records if r.scenario == "latency" and r.program == JANITOR]
    if len(latency) >= 2:
        small, large = min(latency, key=lambda r: r.jobs), max(latency, key=lambda r: r.jobs)
        growth = (large.peak_rss_kb - small.peak_rss_kb) / MB
        out.append(
            Target(
                f"memory: {JANITOR} peak RSS growth {small.jobs:,} -> {large.jobs:,} jobs",
                "< 30 MB",
                f"{growth:+.1f} MB ({small.peak_rss_kb / MB:.1f} -> {large.peak_rss_kb / MB:.1f} MB)",
                growth < 30,
            )
        )
    unsafe = [r for r in records if r.program != "naive-unsafe" and r.retained_left != r.population.retained]
    # Not part of the verdict, but a run that leaves jobs behind makes its figures look better.
    incomplete = sum(1 for r in records if r.deletable_left)
    out.append(
        Target(
            "safety: both janitors and naive keep every retained job, touch nothing else",
            "0 retained deleted, 0 other jobs lost",
            f"{len(unsafe)} runs lost retained jobs; {sum(r.others_lost for r in records)} other jobs lost; "
            f"{incomplete} runs left deletable jobs behind",
            not unsafe and not any(r.others_lost for r in records),
        )
    )
    return out


def targets_table(found: Sequence[Target]) -> str:
    lines = []
    for target in found:
        verdict = {True: "MET   ", False: "MISSED", None: "n/a   "}[target.met]
        lines.append(f"{verdict} {target.name}: {target.measured} (goal {target.goal})")
    return "\n".join(lines)
