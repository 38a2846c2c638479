"""Run one program against the emulator in one scenario, and collect what it did.

For every (scenario, size, program) the parent starts a new emulator, seeds the same jobs,
starts the program in a fresh child (benchmarks.programs), and reads the child's resource usage
with wait4. Afterwards it checks what is left in the emulator: every retained job must still be
there (except for naive-unsafe), every deletable job gone, nothing else touched. The janitor runs
as two programs, one per TAG_LOOKUP mode (VARIANTS); benchmarks.plan decides what runs when.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bounds import (
    TagLookup,
    binding_quota,
    latency_time_bound,
    quota_time_bound,
    request_bound,
)
from benchmarks.dataset import RETAIN_TAG_KEY, JobSpec, Population, population, seed
from benchmarks.programs import PROFILE_ENV
from benchmarks.record import VARIANTS, RunRecord
from emulator import BedrockEmulator, FaultConfig
from emulator.quota import QuotaEmulator
from localdev.lambda_runtime import CHILD_PYTHONPATH, REPO
from localdev.services import ACCOUNT_ID, REGION, LocalAws

#: The janitor's default MAX_CONCURRENCY (lambda_src/janitor/config/settings.py); the runs keep it.
JANITOR_CONCURRENCY = 16
#: High enough that every eligible job is deleted in one run.
MAX_DELETIONS = "1000000"
QUOTA_OPERATIONS = ("BatchDeleteEvaluationJob", "ListTagsForResource", "GetResources")


@dataclass(frozen=True, eq=False)
class Scenario:
    name: str
    latency_s: float
    #: Operation -> requests per second; None for the latency-bound scenario.
    quotas: Mapping[str, float] | None = None
    burst: float = 1.0
    #: Shares of requests answered with a throttle or a 500 at random, whatever the rate, and
    #: of jobs a BatchDeleteEvaluationJob answers with a per-item 500 inside its 202.
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    item_failure_rate: float = 0.0

    def make_emulator(self) -> BedrockEmulator:
        faults = FaultConfig(
            latency_seconds=self.latency_s,
            throttle_rate=self.throttle_rate,
            server_error_rate=self.server_error_rate,
            item_failure_rate=self.item_failure_rate,
        )
        if self.quotas is None:
            return BedrockEmulator(region=REGION, account_id=ACCOUNT_ID, faults=faults)
        return QuotaEmulator(
            region=REGION, account_id=ACCOUNT_ID, faults=faults, quotas=self.quotas, burst=self.burst
        )

    def time_bound(self, pop: Population, mode: TagLookup) -> float:
        if self.quotas is None:
            return latency_time_bound(pop, mode, self.latency_s, JANITOR_CONCURRENCY)
        return quota_time_bound(pop, mode, self.latency_s, JANITOR_CONCURRENCY, self.quotas, self.burst)

    def binding_quota(self, pop: Population, mode: TagLookup) -> str | None:
        if self.quotas is None:
            return None
        return binding_quota(pop, mode, self.latency_s, JANITOR_CONCURRENCY, self.quotas, self.burst)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "latencyMs": self.latency_s * 1000,
            "quotasPerSecond": dict(self.quotas) if self.quotas else None,
            "burst": self.burst if self.quotas else None,
        }


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _quota_figures(emulator: QuotaEmulator) -> dict[str, Any]:
    """The emulator's counts per quota-limited operation, and how long the operation was busy:
    from its first request (accepted or not) to its last accepted one."""
    figures: dict[str, Any] = emulator.quota_windows()
    for op, window in figures.items():
        # QuotaEmulator's default bucket holds one second of its rate.
        window["burst"] = emulator.burst if emulator.burst is not None else emulator.quotas[op]
        times = [(at, accepted) for at, name, accepted in emulator.timeline if name == op]
        last_accepted = max((at for at, accepted in times if accepted), default=None)
        window["busySeconds"] = last_accepted - times[0][0] if last_accepted is not None else None
    return figures


def run_program(
    local: LocalAws,
    scenario: Scenario,
    specs: Sequence[JobSpec],
    program: str,
    workdir: Path,
    profile_dir: Path | None = None,
    overlapped: bool = False,
    sample: int = 1,
    extra_env: Mapping[str, str] | None = None,
    tolerate_failed_invocation: bool = False,
) -> RunRecord:
    """One program against a freshly seeded emulator. A failed janitor invocation raises,
    unless `tolerate_failed_invocation` (benchmarks.retry_layers records it as an outcome)."""
    variant = VARIANTS[program]
    pop = population(specs)
    emulator = scenario.make_emulator().start()
    try:
        arns = seed(emulator, specs, datetime.now(UTC))
        emulator.reset_counts()
        env = {
            **os.environ,
            **local.function_environment(
                OLDER_THAN_DAYS="30",
                RETAIN_TAG_KEY=RETAIN_TAG_KEY,
                MAX_DELETIONS=MAX_DELETIONS,
                AWS_ENDPOINT_URL_BEDROCK=emulator.endpoint_url,
                AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API=emulator.endpoint_url,
            ),
            "PYTHONPATH": CHILD_PYTHONPATH,
            **(extra_env or {}),
        }
        if variant.tag_lookup is not None:
            env["TAG_LOOKUP"] = variant.tag_lookup
        name = variant.program + (f"-{variant.tag_lookup}" if variant.tag_lookup else "")
        tag = f"{scenario.name}-{len(specs)}-{name}-{sample}"
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            env[PROFILE_ENV] = str(profile_dir / f"{tag}.prof")
        result_path, log_path, err_path = (workdir / f"{tag}.{ext}" for ext in ("json", "log", "err"))
        cpu_before = _cpu_self()
        started = time.perf_counter()
        with log_path.open("wb") as log, err_path.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.programs", variant.program, str(result_path)],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=err,
            )
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        process_wall = time.perf_counter() - started
        emulator_cpu = _cpu_self() - cpu_before
        if proc.returncode != 0:
            raise RuntimeError(f"{tag} exited {proc.returncode}: {err_path.read_text()[-3000:]}")
        child = json.loads(result_path.read_text())
        if child.get("error") and not tolerate_failed_invocation:
            raise RuntimeError(f"{tag}: the janitor's invocation failed: {child['error']}")
        left = set(emulator.surviving_job_arns())
        candidates = {arn for arn, spec in arns.items() if spec.name.startswith(("old-finished", "retained"))}
        retained = {arn for arn, spec in arns.items() if spec.name.startswith("retained")}
        with log_path.open("rb") as log:
            log_lines = sum(1 for _ in log)
        return RunRecord(
            scenario=scenario.name,
            jobs=len(specs),
            program=program,
            population=pop,
            wall_s=child["wallSeconds"],
            startup_s=child["startup_s"],
            cpu_s=child["cpuUserSeconds"] + child["cpuSystemSeconds"],
            process_wall_s=process_wall,
            process_cpu_s=usage.ru_utime + usage.ru_stime,
            emulator_cpu_s=None if overlapped else emulator_cpu,
            overlapped=overlapped,
            sample=sample,
            # The child's own VmHWM: wait4's ru_maxrss would include the parent's RSS, because
            # Linux carries the pre-exec (vforked) memory's high-water mark into the child's.
            peak_rss_kb=child["rssPeakKb"],
            rss_growth_kb=child["rssPeakKb"] - child["rssBaselineKb"],
            requests=emulator.request_counts(),
            refused=emulator.fault_counts(),
            request_bound=request_bound(pop, variant.bound_mode),
            time_bound_s=scenario.time_bound(pop, variant.bound_mode),
            deleted=child["deleted"],
            failed=child["failed"],
            protected=child["protected"],
            retained_left=len(retained & left),
            deletable_left=len((candidates - retained) & left),
            others_lost=len(set(arns) - candidates - left),
            log_lines=log_lines,
            summary=child["summary"],
            error=child.get("error"),
            quota=_quota_figures(emulator) if isinstance(emulator, QuotaEmulator) else None,
            binding_quota=scenario.binding_quota(pop, variant.bound_mode),
        )
    finally:
        emulator.stop()
