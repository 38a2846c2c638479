"""Which programs run at which sizes, and running them all: one at a time, or the long waits side by side."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.dataset import job_specs
from benchmarks.record import JANITOR, JANITOR_PER_JOB, VARIANTS, RunRecord
from benchmarks.run import Scenario, run_program
from localdev.services import LocalAws

#: The order the latency-bound runs go in at each size (the longest, naive, last).
LATENCY_ORDER = (JANITOR, JANITOR_PER_JOB, "naive-unsafe", "naive")


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
    #: The largest latency-bound size each program runs at (naive takes 28 s per 1,000 jobs).
    max_jobs: Mapping[str, int]
    quota_jobs: int
    quota_programs: tuple[str, ...]

    #: Samples of each janitor under the quota: its 16 threads' random retry backoff makes one
    #: sample say little. The sequential baselines vary by about 1 s in 50 and run once.
    quota_repeats: int = 1

    def runs(self) -> list[Run]:
        runs: list[Run] = []
        for size in self.latency_sizes:
            runs += [
                Run(self.latency, size, program)
                for program in LATENCY_ORDER
                if size <= self.max_jobs.get(program, 0)
            ]
        if self.quota is not None:
            for program in self.quota_programs:
                repeats = self.quota_repeats if VARIANTS[program].is_janitor else 1
                runs += [Run(self.quota, self.quota_jobs, program, i) for i in range(1, repeats + 1)]
        return runs


def _line(record: RunRecord) -> str:
    overlap = "  (overlapped)" if record.overlapped else ""
    return (
        f"  {record.scenario:8} {record.jobs:>7,} jobs  {record.label:21}"
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
    has its own emulator and child process; only the emulator CPU figure is shared (None). The
    batched janitor's quota-bound runs take seconds and are the ones the targets judge, so they
    run alone, after it.
    """
    runs = plan.runs()
    background = [
        run for run in runs if overlap and run.scenario.quotas is not None and run.program != JANITOR
    ]
    naive_sizes = [size for size in plan.latency_sizes if size <= plan.max_jobs.get("naive", 0)]
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
