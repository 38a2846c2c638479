"""What each of the janitor's retry layers buys: `python -m benchmarks.retry_layers`.

The janitor (batched tag lookups, the default) runs with every layer, then with one layer taken
out at a time, in the two scenarios that make it retry, each against a freshly seeded emulator
at 50 ms a request:

- `quota`: the benchmark's quota scenario (10 requests/s, bucket of 10, for
  BatchDeleteEvaluationJob, ListTagsForResource and GetResources; 10,000 jobs);
- `throttling`: 30% of every operation's requests throttled and 5% answered 500, at random
  whatever the rate (the fault test's mix; 4,000 jobs, 1,900 of them to delete);
- `item errors`: 5% of the jobs in each BatchDeleteEvaluationJob answered with a per-item 500
  inside the 202 (a transient failure of one job, which no SDK retries; 4,000 jobs).

The layers: the SDK's retries (standard mode, 8 attempts; off: AWS_MAX_ATTEMPTS=1, which also
leaves the pacer nothing to retry with), the pacer (janitor.aws.pacing) and the run's retry rounds
at its end (janitor.run.service.RETRY_ROUNDS). A layer earns its keep when some scenario loses jobs,
or time, without it; a fourth, the listing's resume after the SDK's attempts, lost nothing
anywhere and was removed (docs/safety.md). Results: .bench/retry_layers.json (ignored by git), or
with --update-committed the committed benchmarks/results/retry_layers.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.dataset import job_specs
from benchmarks.output import add_output_arguments, resolve_output_dir, shown
from benchmarks.programs import LAYERS_OFF_ENV
from benchmarks.record import JANITOR, RunRecord
from benchmarks.report import write_json
from benchmarks.run import QUOTA_OPERATIONS, Scenario, run_program
from benchmarks.targets import binding_share
from localdev.services import local_aws

LATENCY_S = 0.05


@dataclass(frozen=True)
class Layers:
    """A janitor with some retry layers switched off."""

    name: str
    environment: Mapping[str, str] = field(default_factory=dict)


ALL_LAYERS = Layers("every layer")
VARIANTS = (
    ALL_LAYERS,
    Layers("no SDK retries", {"AWS_MAX_ATTEMPTS": "1"}),
    Layers("no pacer", {LAYERS_OFF_ENV: "pacer"}),
    Layers("no retry rounds", {LAYERS_OFF_ENV: "rounds"}),
    # botocore's own client-side rate limiter in place of the pacer, on one client all workers
    # share (its token bucket is per client), as the SDK would be used without our mechanisms.
    Layers("adaptive, 1 client", {LAYERS_OFF_ENV: "pacer,perThreadClients", "AWS_RETRY_MODE": "adaptive"}),
)
SCENARIOS = {
    "quota": (
        Scenario("quota", LATENCY_S, quotas=dict.fromkeys(QUOTA_OPERATIONS, 10.0), burst=10.0),
        10_000,
    ),
    "throttling": (Scenario("throttling", LATENCY_S, throttle_rate=0.30, server_error_rate=0.05), 4_000),
    "item errors": (Scenario("item errors", LATENCY_S, item_failure_rate=0.05), 4_000),
}


def row(scenario: str, layers: Layers, record: RunRecord) -> dict[str, object]:
    share = binding_share(record) if record.scenario == "quota" else None
    return {
        "scenario": scenario,
        "layers": layers.name,
        "wallSeconds": round(record.wall_s, 2),
        "deletable": record.population.deletable,
        "deletableLeft": record.deletable_left,
        "retainedLeft": record.retained_left,
        "failed": record.failed,
        "requests": record.total_requests,
        "faults": record.throttled,
        "bindingQuotaShare": None if share is None else round(share[0], 3),
        "complete": record.summary.get("complete"),
        "stoppedBy": record.summary.get("stoppedBy"),
        "error": record.error,
    }


def table(rows: Sequence[Mapping[str, object]]) -> str:
    head = (
        f"{'scenario':<13}{'layers':<19}{'wall s':>8}{'left':>6}{'failed':>8}{'req':>7}"
        f"{'faults':>8}{'quota use':>11}  outcome"
    )
    lines = [head, "-" * (len(head) + 30)]
    for r in rows:
        quota = "" if r["bindingQuotaShare"] is None else f"{r['bindingQuotaShare']:.0%}"
        outcome = r["error"] or ("complete" if r["complete"] else f"stopped by {r['stoppedBy']}")
        lines.append(
            f"{r['scenario']:<13}{r['layers']:<19}{r['wallSeconds']:>8.2f}{r['deletableLeft']:>6}"
            f"{r['failed']:>8}{r['requests']:>7}{r['faults']:>8}{quota:>11}  {outcome}"
        )
    lines.append(
        "left = deletable jobs still there after the run; faults = requests answered 429 or 500, "
        "and jobs answered 500 inside a 202"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.retry_layers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=[layers.name for layers in VARIANTS],
        default=[layers.name for layers in VARIANTS],
    )
    add_output_arguments(parser)
    return resolve_output_dir(parser.parse_args(argv))


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    rows: list[dict[str, object]] = []
    with local_aws() as local, tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios:
            scenario, jobs = SCENARIOS[name]
            specs = job_specs(jobs)
            for layers in [layers for layers in VARIANTS if layers.name in args.variants]:
                record = run_program(
                    local,
                    scenario,
                    specs,
                    JANITOR,
                    Path(tmp),
                    extra_env=layers.environment,
                    tolerate_failed_invocation=True,
                )
                rows.append(row(name, layers, record))
                print(f"  {name:<13}{layers.name:<19}{record.wall_s:6.1f} s", flush=True)
    print()
    print(table(rows))
    path = args.output_dir / "retry_layers.json"
    write_json(
        path,
        {
            "createdAt": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["python -m benchmarks.retry_layers", *argv]),
            "runs": rows,
        },
    )
    print(f"Wrote {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
