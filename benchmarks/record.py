"""What one benchmark run measured (RunRecord), and the programs it measures (VARIANTS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.bounds import TagLookup, operation_bounds
from benchmarks.dataset import Population

#: The janitor as deployed by default, the one the targets judge; and the way it read tags before.
JANITOR = "janitor (batched)"
JANITOR_PER_JOB = "janitor (perJob)"
#: The order of the tables and the chart.
PROGRAM_ORDER = (JANITOR, JANITOR_PER_JOB, "naive", "naive-unsafe")


@dataclass(frozen=True, slots=True)
class Variant:
    """A measured program as the tables name it: a benchmarks.programs program and its settings."""

    program: str
    #: The tag-lookup mode its request and time bounds assume.
    bound_mode: TagLookup
    #: TAG_LOOKUP for the janitor; None for the naive programs, which never read it.
    tag_lookup: TagLookup | None = None

    @property
    def is_janitor(self) -> bool:
        return self.program == "janitor"


VARIANTS: dict[str, Variant] = {
    JANITOR: Variant("janitor", "batched", "batched"),
    JANITOR_PER_JOB: Variant("janitor", "perJob", "perJob"),
    "naive": Variant("naive", "perJob"),
    # It reads no tags at all (and deletes retained jobs): held to the lower of the two bounds.
    "naive-unsafe": Variant("naive-unsafe", "batched"),
}


@dataclass
class RunRecord:
    scenario: str
    jobs: int
    #: A VARIANTS name, e.g. "janitor (batched)".
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
    #: The janitor's failed invocation, when it failed (the run's summary is then missing).
    error: str | None = None
    #: Per quota-limited operation: the emulator's counts and timing (see `_quota_figures`).
    quota: dict[str, Any] | None = None
    #: The operation whose quota sets the time bound; None when latency does.
    binding_quota: str | None = None

    @property
    def variant(self) -> Variant:
        return VARIANTS[self.program]

    @property
    def throttled(self) -> int:
        return sum(self.refused.values())

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
            "tagLookup": self.variant.tag_lookup,
            "boundTagLookup": self.variant.bound_mode,
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
            "requestBoundByOperation": operation_bounds(self.population, self.variant.bound_mode),
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
            "error": self.error,
            "overlappedWithAnotherRun": self.overlapped,
            "summary": self.summary,
            "quota": self.quota,
            "bindingQuota": self.binding_quota,
        }
