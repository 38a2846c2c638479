"""The measured programs, each run in a fresh child process: `python -m benchmarks.programs NAME OUT`.

- `naive`: what a careful user writes by hand, with the janitor's safety rules and retry settings:
  the paginator with no page size, old finished jobs kept client-side, one ListTagsForResource
  per kept job for the retain tag, then BatchDeleteEvaluationJob 25 ARNs a call, one call after
  another on one thread.
- `naive-unsafe`: the same without the tag lookups (it deletes retained jobs); for reference.
- `janitor`: the real handler, cold-started with `cold_start_handler_module()` and invoked once
  with `{}` and a `LocalLambdaContext`, in the TAG_LOOKUP mode the parent sets (benchmarks.run
  runs it as two programs, `janitor (batched)` and `janitor (perJob)`).

The environment (endpoints, credentials, settings) comes from the parent. Every program imports
the same harness first (`localdev.lambda_runtime`, which pulls in boto3 and moto), outside the
measured section, so the section holds only the program's own work: its setup (client
creation; for the janitor the handler's import and cold start) and its run. The result, with the
section's wall and CPU time and the process's RSS, is written as JSON to OUT; stdout (the
janitor's log lines) is whatever the parent attached.
"""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localdev.lambda_runtime import LocalLambdaContext, cold_start_handler_module

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_bedrock.type_defs import TagTypeDef

RETENTION_DAYS = 30
RETAIN_TAG_KEY = "janitor:retain"
FINISHED_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
BATCH_SIZE = 25
#: Set by the parent to a file path: the measured section runs under cProfile, stats saved there.
PROFILE_ENV = "BENCH_PROFILE_OUT"
#: Set by benchmarks.retry_layers: the janitor's retry layers to switch off, comma-separated
#: (`pacer`, `rounds`; the SDK's own retries go with AWS_MAX_ATTEMPTS=1).
LAYERS_OFF_ENV = "BENCH_RETRY_LAYERS_OFF"
#: The janitor's own retry and concurrency mechanisms a benchmark may take out: the pacer, the
#: run's retry rounds, and a client per worker thread (out: one client shared by the workers).
RETRY_LAYERS = ("pacer", "rounds", "perThreadClients")


@dataclass
class Outcome:
    deleted: int = 0
    failed: int = 0
    protected: int = 0
    #: Seconds from the start of the section until the program was ready to make its first call.
    startup_s: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)
    #: A failed invocation: what it raised (the parent counts what it left behind).
    error: str | None = None


def _is_protected(tags: Sequence[TagTypeDef]) -> bool:
    # The janitor's rule: key compared without case, value "true" without case or blanks.
    return any(
        tag["key"].lower() == RETAIN_TAG_KEY and tag["value"].strip().lower() == "true" for tag in tags
    )


def naive(check_tags: bool = True) -> Outcome:
    started = time.perf_counter()
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from janitor.aws.sdk import standard_retries

    config = Config(retries=standard_retries())  # type: ignore[arg-type]
    client: BedrockClient = boto3.client("bedrock", config=config)
    outcome = Outcome(startup_s=time.perf_counter() - started)
    cutoff = datetime.now(UTC) - timedelta(days=RETENTION_DAYS)

    old_finished: list[str] = []
    for page in client.get_paginator("list_evaluation_jobs").paginate():
        for job in page["jobSummaries"]:
            if job["status"] in FINISHED_STATUSES and job["creationTime"] < cutoff:
                old_finished.append(job["jobArn"])

    to_delete: list[str] = []
    for arn in old_finished:
        if check_tags:
            try:
                tags = client.list_tags_for_resource(resourceARN=arn)["tags"]
            except (ClientError, BotoCoreError):
                outcome.failed += 1  # tags unknown: keep the job
                continue
            if _is_protected(tags):
                outcome.protected += 1
                continue
        to_delete.append(arn)

    for start in range(0, len(to_delete), BATCH_SIZE):
        batch = to_delete[start : start + BATCH_SIZE]
        try:
            response = client.batch_delete_evaluation_job(jobIdentifiers=batch)
        except (ClientError, BotoCoreError):
            outcome.failed += len(batch)
            continue
        outcome.deleted += len(response["evaluationJobs"])
        outcome.failed += len(response["errors"])
    return outcome


def naive_unsafe() -> Outcome:
    return naive(check_tags=False)


def switch_off_retry_layers(layers: Sequence[str]) -> None:
    """Take retry layers out of the janitor, to measure what each one buys."""
    if not layers:
        return  # nothing imported: the janitor's start-up is measured from a cold start
    import janitor.aws.pacing
    import janitor.run.service

    unknown = set(layers) - set(RETRY_LAYERS)
    if unknown:
        raise ValueError(f"unknown retry layers {sorted(unknown)}; known: {RETRY_LAYERS}")
    if "pacer" in layers:
        janitor.aws.pacing.OperationPacing.attach = lambda self, client: None  # type: ignore[method-assign]
    if "rounds" in layers:
        janitor.run.service.RETRY_ROUNDS = 0
    if "perThreadClients" in layers:
        share_one_client_per_worker_pool()


def share_one_client_per_worker_pool() -> None:
    """Every worker thread of a WorkerClients uses one client, made on the first call."""
    import janitor.aws.worker_clients

    worker_clients = janitor.aws.worker_clients.WorkerClients
    original = worker_clients.for_call

    one_at_a_time = threading.Lock()  # not the pool's own factory lock, which `original` takes

    def for_call(self: Any, deadline: Any) -> Any:
        with one_at_a_time:
            if getattr(self, "_one_client", None) is None:
                self._one_client = original(self, deadline)
        self._deadlines.set(deadline)
        return self._one_client

    worker_clients.for_call = for_call  # type: ignore[method-assign]


def janitor() -> Outcome:
    switch_off_retry_layers([layer for layer in os.environ.get(LAYERS_OFF_ENV, "").split(",") if layer])
    started = time.perf_counter()
    handler = cold_start_handler_module()
    startup_s = time.perf_counter() - started
    try:
        summary: dict[str, Any] = handler.lambda_handler({}, LocalLambdaContext())
    except Exception as error:
        return Outcome(startup_s=startup_s, error=f"{type(error).__name__}: {error}")
    return Outcome(
        deleted=summary["deleted"],
        failed=summary["failed"],
        protected=summary["skipped"].get("protected", 0),
        startup_s=startup_s,
        summary={key: value for key, value in summary.items() if key != "failedJobs"},
    )


PROGRAMS: dict[str, Callable[[], Outcome]] = {
    "naive": naive,
    "naive-unsafe": naive_unsafe,
    "janitor": janitor,
}


def _status_kb(name: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(name + ":"))


def _cpu_seconds() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in PROGRAMS:
        print(f"usage: python -m benchmarks.programs {{{','.join(PROGRAMS)}}} RESULT.json", file=sys.stderr)
        return 2
    program, out = PROGRAMS[argv[1]], Path(argv[2])
    profile_out = os.environ.get(PROFILE_ENV)
    profiler = cProfile.Profile() if profile_out else None
    rss_baseline_kb = _status_kb("VmRSS")
    user0, system0 = _cpu_seconds()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    outcome = program()
    if profiler is not None:
        profiler.disable()
    wall_s = time.perf_counter() - started
    user1, system1 = _cpu_seconds()
    if profiler is not None and profile_out:
        profiler.dump_stats(profile_out)
    sys.stdout.flush()
    result = {
        "program": argv[1],
        "wallSeconds": wall_s,
        "cpuUserSeconds": user1 - user0,
        "cpuSystemSeconds": system1 - system0,
        "rssBaselineKb": rss_baseline_kb,
        "rssPeakKb": _status_kb("VmHWM"),
        **asdict(outcome),
    }
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
