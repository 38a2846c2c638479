"""Run the programs against the emulator, scenario by scenario, and collect what they did.

For every (scenario, size, program) the parent starts a new emulator, seeds the same jobs,
starts the program in a fresh child (benchmarks.programs), and reads the child's resource usage
with wait4. Afterwards it checks what is left in the emulator: every retained job must still be
there (except for naive-unsafe), every deletable job gone, nothing else touched.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bounds import (
    latency_time_bound,
    operation_bounds,
    quota_time_bound,
    request_bound,
)
from benchmarks.dataset import RETAIN_TAG_KEY, JobSpec, Population, job_specs, population, seed
from benchmarks.programs import PROFILE_ENV
from emulator import BedrockEmulator, FaultConfig
from emulator.quota import QuotaEmulator
from localdev.lambda_runtime import CHILD_PYTHONPATH, REPO
from localdev.services import ACCOUNT_ID, REGION, LocalAws

#: The janitor's default MAX_CONCURRENCY (lambda_src/janitor/settings.py); the runs keep it.
JANITOR_CONCURRENCY = 16
#: High enough that every eligible job is deleted in one run.
MAX_DELETIONS = "1000000"
QUOTA_OPERATIONS = ("BatchDeleteEvaluationJob", "ListTagsForResource")


@dataclass(frozen=True, eq=False)
class Scenario:
    name: str
    latency_s: float
    #: Operation -> requests per second; None for the latency-bound scenario.
    quotas: Mapping[str, float] | None = None
    burst: float = 1.0

    def make_emulator(self) -> BedrockEmulator:
        faults = FaultConfig(latency_seconds=self.latency_s)
        if self.quotas is None:
            return BedrockEmulator(region=REGION, account_id=ACCOUNT_ID, faults=faults)
        return QuotaEmulator(
            region=REGION, account_id=ACCOUNT_ID, faults=faults, quotas=self.quotas, burst=self.burst
        )

    def time_bound(self, pop: Population) -> float:
        if self.quotas is None:
            return latency_time_bound(pop, self.latency_s, JANITOR_CONCURRENCY)
        return quota_time_bound(pop, self.latency_s, JANITOR_CONCURRENCY, self.quotas, self.burst)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "latencyMs": self.latency_s * 1000,
            "quotasPerSecond": dict(self.quotas) if self.quotas else None,
            "burst": self.burst if self.quotas else None,
        }


@dataclass
class RunRecord:
    scenario: str
    jobs: int
    program: str
    population: Population
    wall_s: float
    startup_s: float
    cpu_s: float
    process_wall_s: float
    process_cpu_s: float
    #: CPU time of the parent (emulator, moto) during the run; None when runs overlapped.
    emulator_cpu_s: float | None
    peak_rss_kb: int
    rss_growth_kb: int
    requests: dict[str, int]
    refused: dict[str, int]
    request_bound: int
    time_bound_s: float
    deleted: int
    failed: int
    protected: int
    retained_left: int
    deletable_left: int
    others_lost: int
    log_lines: int
    overlapped: bool = False
    sample: int = 1
    summary: dict[str, Any] = field(default_factory=dict)
    quota: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return self.program + (f" #{self.sample}" if self.sample > 1 else "")

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def accepted_requests(self) -> int:
        return self.total_requests - sum(self.refused.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "jobs": self.jobs,
            "program": self.program,
            "sample": self.sample,
            "population": self.population.to_dict(),
            "wallSeconds": self.wall_s,
            "startupSeconds": self.startup_s,
            "cpuSeconds": self.cpu_s,
            "cpuMsPer1000Requests": 1000 * 1000 * self.cpu_s / max(1, self.total_requests),
            "processWallSeconds": self.process_wall_s,
            "processCpuSeconds": self.process_cpu_s,
            "emulatorCpuSeconds": self.emulator_cpu_s,
            "peakRssMb": self.peak_rss_kb / 1024,
            "rssGrowthMb": self.rss_growth_kb / 1024,
            "requests": dict(sorted(self.requests.items())),
            "requestsTotal": self.total_requests,
            "refusedByQuota": dict(sorted(self.refused.items())),
            "requestBound": self.request_bound,
            "requestBoundByOperation": operation_bounds(self.population),
            "requestsOverBound": self.total_requests / self.request_bound,
            "acceptedRequestsOverBound": self.accepted_requests / self.request_bound,
            "timeBoundSeconds": self.time_bound_s,
            "wallOverTimeBound": self.wall_s / self.time_bound_s,
            "deleted": self.deleted,
            "failed": self.failed,
            "protected": self.protected,
            "retainedLeft": self.retained_left,
            "deletableLeft": self.deletable_left,
            "othersLost": self.others_lost,
            "logLines": self.log_lines,
            "overlappedWithAnotherRun": self.overlapped,
            "summary": self.summary,
            "quota": self.quota,
        }


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_program(
    local: LocalAws,
    scenario: Scenario,
    specs: Sequence[JobSpec],
    program: str,
    workdir: Path,
    profile_dir: Path | None = None,
    overlapped: bool = False,
    sample: int = 1,
) -> RunRecord:
    pop = population(specs)
    emulator = scenario.make_emulator().start()
    try:
        arns = seed(emulator, specs, datetime.now(UTC))
        emulator.reset_counts()
        env = {
            **os.environ,
            **local.function_environment(
                RETENTION_DAYS="30",
                RETAIN_TAG_KEY=RETAIN_TAG_KEY,
                MAX_DELETIONS_PER_RUN=MAX_DELETIONS,
                AWS_ENDPOINT_URL_BEDROCK=emulator.endpoint_url,
                AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API=emulator.endpoint_url,
            ),
            "PYTHONPATH": CHILD_PYTHONPATH,
        }
        tag = f"{scenario.name}-{len(specs)}-{program}-{sample}"
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            env[PROFILE_ENV] = str(profile_dir / f"{tag}.prof")
        result_path, log_path, err_path = (workdir / f"{tag}.{ext}" for ext in ("json", "log", "err"))
        cpu_before = _cpu_self()
        started = time.perf_counter()
        with log_path.open("wb") as log, err_path.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.programs", program, str(result_path)],
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
            request_bound=request_bound(pop),
            time_bound_s=scenario.time_bound(pop),
            deleted=child["deleted"],
            failed=child["failed"],
            protected=child["protected"],
            retained_left=len(retained & left),
            deletable_left=len((candidates - retained) & left),
            others_lost=len(set(arns) - candidates - left),
            log_lines=log_lines,
            summary=child["summary"],
            quota=emulator.quota_windows() if isinstance(emulator, QuotaEmulator) else None,
        )
    finally:
        emulator.stop()


@dataclass(frozen=True)
class Run:
    scenario: Scenario
    jobs: int
    program: str
    sample: int = 1


@dataclass(frozen=True)
class Plan:
    """Which programs run at which sizes in each scenario."""

    latency: Scenario
    quota: Scenario | None
    latency_sizes: tuple[int, ...]
    naive_max_jobs: int
    quota_jobs: int
    quota_programs: tuple[str, ...]

    #: Samples of the janitor under the quota: its 16 threads' random retry backoff makes one
    #: sample say little. The sequential baselines vary by about 1 s in 50 and run once.
    quota_repeats: int = 1

    def runs(self) -> list[Run]:
        runs: list[Run] = []
        for size in self.latency_sizes:
            runs.append(Run(self.latency, size, "janitor"))
            if size <= self.naive_max_jobs:
                runs += [Run(self.latency, size, "naive-unsafe"), Run(self.latency, size, "naive")]
        if self.quota is not None:
            for program in self.quota_programs:
                repeats = self.quota_repeats if program == "janitor" else 1
                runs += [Run(self.quota, self.quota_jobs, program, i) for i in range(1, repeats + 1)]
        return runs


def _line(record: RunRecord) -> str:
    overlap = "  (overlapped)" if record.overlapped else ""
    return (
        f"  {record.scenario:8} {record.jobs:>7,} jobs  {record.label:15}"
        f"{record.wall_s:7.1f} s wall  {record.cpu_s:6.1f} s CPU  {record.total_requests:>6} requests  "
        f"deleted {record.deleted}, failed {record.failed}{overlap}"
    )


def run_plan(
    local: LocalAws,
    plan: Plan,
    profile_dir: Path | None = None,
    progress: bool = True,
    overlap: bool = True,
) -> list[RunRecord]:
    """Every run of the plan, in plan order.

    With `overlap`, the quota-bound runs go in a background thread while the longest naive
    latency-bound run executes: all of them spend their time waiting on latency or on the quota
    (each under 5% of a core), so the full benchmark stays under ten minutes on two cores. Each
    has its own emulator and child process; only the emulator CPU figure is shared (None).
    """
    runs = plan.runs()
    background = [run for run in runs if run.scenario.quotas is not None] if overlap else []
    naive_sizes = [size for size in plan.latency_sizes if size <= plan.naive_max_jobs]
    anchor = Run(plan.latency, max(naive_sizes), "naive") if background and naive_sizes else None
    if anchor is None:
        background = []
    specs_by_size = {size: job_specs(size) for size in dict.fromkeys(run.jobs for run in runs)}
    done: dict[Run, RunRecord] = {}
    errors: list[BaseException] = []
    print_lock = threading.Lock()

    def execute(run: Run, tmp: Path, overlapped: bool) -> None:
        record = run_program(
            local,
            run.scenario,
            specs_by_size[run.jobs],
            run.program,
            tmp,
            profile_dir,
            overlapped,
            run.sample,
        )
        done[run] = record
        if progress:
            with print_lock:
                print(_line(record), flush=True)

    def execute_background(tmp: Path) -> None:
        try:
            for run in background:
                execute(run, tmp, overlapped=True)
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)

    with tempfile.TemporaryDirectory(prefix="janitor-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for run in runs:
            if run in background:
                continue
            if run == anchor:
                thread = threading.Thread(target=execute_background, args=(tmp,), name="quota-runs")
                thread.start()
                try:
                    execute(run, tmp, overlapped=True)
                finally:
                    thread.join()
                if errors:
                    raise errors[0]
            else:
                execute(run, tmp, overlapped=False)
    return [done[run] for run in runs]
