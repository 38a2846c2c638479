"""`python -m benchmarks [--quick] [--latency-ms 50] [--sizes 1000 10000 50000]`.

Prints the side-by-side table, the cold start and the targets; writes the results as JSON and
the wall-time chart as PNG (latest.json and wall_time.png for a full run, quick.json and
wall_time_quick.png for --quick) to .bench/, ignored by git, or with --update-committed to the
committed benchmarks/results/ that docs/performance.md quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import bounds
from benchmarks.coldstart import measure_cold_start
from benchmarks.output import add_output_arguments, resolve_output_dir, shown
from benchmarks.plan import Plan, run_plan
from benchmarks.record import JANITOR, JANITOR_PER_JOB, PROGRAM_ORDER
from benchmarks.report import chart, cold_start_table, ratios, table, write_json
from benchmarks.run import JANITOR_CONCURRENCY, QUOTA_OPERATIONS, Scenario
from benchmarks.targets import targets, targets_table
from localdev.lambda_runtime import CHILD_PYTHONPATH, REPO, lambda_runtime_environment
from localdev.services import local_aws

#: Under the quota at 10,000 jobs; perJob and naive would spend 500 s each on 5,000 tag lookups.
QUOTA_PROGRAMS = (JANITOR, "naive-unsafe")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced set (about a minute): the batched janitor at every size and under the quota, "
        "the perJob janitor at 1,000 jobs, naive-unsafe up to 10,000, no naive, one quota sample",
    )
    parser.add_argument("--latency-ms", type=float, default=50.0, help="per-request latency (default 50)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="job counts, latency-bound (default 1000 10000 50000)"
    )
    parser.add_argument(
        "--naive-max-jobs",
        type=int,
        help="largest latency-bound size naive runs at (default 10000; 0, not at all, with --quick)",
    )
    parser.add_argument(
        "--programs",
        nargs="+",
        choices=PROGRAM_ORDER,
        metavar="PROGRAM",
        help=f"run only these (default all: {', '.join(repr(p) for p in PROGRAM_ORDER)})",
    )
    parser.add_argument("--quota-jobs", type=int, help="jobs in the quota-bound scenario (default 10000)")
    parser.add_argument(
        "--quota-rate", type=float, default=10.0, help="requests/s per quota-limited operation (default 10)"
    )
    parser.add_argument(
        "--quota-burst", type=float, default=10.0, help="token-bucket size, requests (default 10)"
    )
    parser.add_argument(
        "--quota-repeats",
        type=int,
        help="samples of the janitor under the quota; the median is judged (default 3; 1 with --quick)",
    )
    parser.add_argument("--no-quota", action="store_true", help="skip the quota-bound scenario")
    parser.add_argument("--cold-start-repeats", type=int, help="samples each (default 20; 10 with --quick)")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the cold-start measurement")
    parser.add_argument(
        "--serial",
        action="store_true",
        help="run everything one after another (by default the quota-bound runs overlap the longest "
        "naive run; both only wait, and the full run stays under ten minutes)",
    )
    parser.add_argument("--profile", type=Path, metavar="DIR", help="cProfile each program into DIR/*.prof")
    parser.add_argument(
        "--replot", type=Path, metavar="JSON", help="only redraw the chart of a results file beside it"
    )
    add_output_arguments(parser)
    return resolve_output_dir(parser.parse_args(argv))


def make_plan(args: argparse.Namespace) -> Plan:
    latency = Scenario("latency", args.latency_ms / 1000)
    quota = Scenario(
        "quota",
        args.latency_ms / 1000,
        quotas=dict.fromkeys(QUOTA_OPERATIONS, args.quota_rate),
        burst=args.quota_burst,
    )
    quick = bool(args.quick)
    sizes = tuple(args.sizes or (1000, 10_000, 50_000))
    naive_max = args.naive_max_jobs if args.naive_max_jobs is not None else (0 if quick else 10_000)
    # --quick keeps every target that fits in about a minute: naive takes 28 s per 1,000 jobs,
    # so it is left out with its 100x target; the perJob janitor (no target of its own) runs at
    # 1,000 jobs only, naive-unsafe up to 10,000 (its 5x target), and every quota run once.
    max_jobs = {
        JANITOR: max(sizes),
        JANITOR_PER_JOB: 1000 if quick else max(sizes),
        "naive-unsafe": 10_000 if quick else naive_max,
        "naive": naive_max,
    }
    chosen = args.programs or PROGRAM_ORDER
    return Plan(
        latency=latency,
        quota=None if args.no_quota else quota,
        latency_sizes=sizes,
        max_jobs={program: limit for program, limit in max_jobs.items() if program in chosen},
        quota_jobs=args.quota_jobs or 10_000,
        quota_programs=tuple(p for p in ((JANITOR,) if quick else QUOTA_PROGRAMS) if p in chosen),
        quota_repeats=args.quota_repeats or (1 if quick else 3),
    )


def _git(*args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return completed.stdout.strip()


def environment_info() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "boto3": version("boto3"),
        "botocore": version("botocore"),
        "gitCommit": _git("rev-parse", "HEAD"),
        "gitDirty": bool(_git("status", "--porcelain", "--", "lambda_src")),
    }


def replot(results: Path) -> int:
    document = json.loads(results.read_text())
    quick = results.name == "quick.json"
    png_path = results.parent / ("wall_time_quick.png" if quick else "wall_time.png")
    chart(png_path, document["runs"], document["settings"]["latencyMs"])
    print(f"Wrote {png_path}")
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.replot is not None:
        return replot(args.replot)
    plan = make_plan(args)
    started = time.perf_counter()
    cold: dict[str, Any] | None = None
    with local_aws() as local:
        if not args.no_cold_start:
            repeats = args.cold_start_repeats or (10 if args.quick else 20)
            print(f"Cold start: {repeats} fresh processes each ...", flush=True)
            # The deployed function's environment: the runtime's variables, and tracing on.
            env = {
                **os.environ,
                **local.function_environment(POWERTOOLS_TRACE_DISABLED="false"),
                **lambda_runtime_environment(),
                "PYTHONPATH": CHILD_PYTHONPATH,
            }
            cold = measure_cold_start(env, repeats)
        print(f"Runs ({len(plan.runs())}), each in a fresh process against a freshly seeded emulator:")
        records = run_plan(local, plan, args.profile, overlap=not args.serial)
    elapsed = time.perf_counter() - started

    found = targets(records, cold)
    print()
    print(table(records))
    if cold is not None:
        print()
        print(cold_start_table(cold))
    print()
    print(targets_table(found))
    print(f"\nTotal benchmark time: {elapsed:.0f} s")

    suffix = "_quick" if args.quick else ""
    json_path = args.output_dir / ("quick.json" if args.quick else "latest.json")
    png_path = args.output_dir / f"wall_time{suffix}.png"
    write_json(
        json_path,
        {
            "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["python -m benchmarks", *argv]),
            "environment": environment_info(),
            "settings": {
                "latencyMs": args.latency_ms,
                "janitorMaxConcurrency": JANITOR_CONCURRENCY,
                "latencySizes": list(plan.latency_sizes),
                "maxJobsByProgram": dict(plan.max_jobs),
                "quota": plan.quota.describe() if plan.quota else None,
                "quotaJobs": plan.quota_jobs if plan.quota else None,
                "quotaRepeats": plan.quota_repeats if plan.quota else None,
                "overlap": not args.serial,
            },
            "bounds": (bounds.__doc__ or "").strip(),
            "runs": [record.to_dict() for record in records],
            "ratios": ratios(records),
            "coldStart": cold,
            "targets": [target.to_dict() for target in found],
            "totalSeconds": elapsed,
        },
    )
    chart(png_path, [record.to_dict() for record in records], args.latency_ms)
    print(f"Wrote {shown(json_path)}")
    print(f"Wrote {shown(png_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
