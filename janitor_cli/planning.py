"""`plan`: the function's own run, in dry-run mode, over one account and Region.

The run is janitor.run.across_kinds.kind_runs: each enabled kind's janitor.run.service.JanitorRun
in turn, with the function's selection, tag lookups and one cap shared by the kinds; its stores
refuse every delete, so no delete call is possible on this path. It keeps each decision
(janitor.run.tally.RunTally's `record_decisions`): the resources a real run would delete, each with
its kind, and every one kept with its reason. The plan file is janitor_cli.plan_file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from janitor.aws.bedrock import BedrockLeftovers
from janitor.config.settings import Settings
from janitor.core.deadline import Deadline
from janitor.core.job_store import BatchDeleteOutcome, TagIndex
from janitor.core.kind import Kind
from janitor.core.selection import Leftover
from janitor.kinds import KINDS
from janitor.run.across_kinds import ALL_KINDS_NOUN, kind_runs

#: A person waits at a terminal: no Lambda deadline to keep.
NO_TIME_LIMIT_SECONDS = 365 * 86400.0


#: The run's log lines are the function's; a person reads the table instead.
_QUIET = logging.getLogger("bedrock-eval-janitor.plan")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


class DeleteRefusedError(RuntimeError):
    """A plan never deletes: the planning store refuses the call."""


@dataclass(frozen=True)
class PlannedJob:
    job_arn: str
    job_name: str
    status: str
    #: ISO 8601, with its time zone (UTC as written).
    creation_time: str
    #: None for a kind without one (janitor.core.selection.Leftover).
    application_type: str | None
    #: The kind's name (janitor.kinds.KINDS: `evaluationJobs`).
    kind: str

    @property
    def noun(self) -> str:
        """How a person calls it (`evaluation job`)."""
        return KINDS[self.kind].noun

    def age_days(self, now: datetime) -> int:
        return (now - datetime.fromisoformat(self.creation_time)).days


@dataclass
class KindCounts:
    """What one kind's run listed and kept in a target."""

    scanned: int = 0
    #: reason -> count, the run's `skipped`.
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass
class TargetPlan:
    account_id: str
    region: str
    profile: str | None
    jobs: list[PlannedJob] = field(default_factory=list)
    #: (job, reason) for every listed job kept.
    kept: list[tuple[PlannedJob, str]] = field(default_factory=list)
    #: Kind name -> its run's counts, in the order the kinds ran.
    kinds: dict[str, KindCounts] = field(default_factory=dict)

    @property
    def scanned(self) -> int:
        return sum(counts.scanned for counts in self.kinds.values())

    @property
    def skipped(self) -> dict[str, int]:
        """reason -> count over every kind."""
        total: dict[str, int] = {}
        for counts in self.kinds.values():
            for reason, count in counts.skipped.items():
                total[reason] = total.get(reason, 0) + count
        return dict(sorted(total.items()))


@dataclass
class Plan:
    created_at: datetime
    settings: dict[str, Any]
    targets: list[TargetPlan]

    @property
    def job_count(self) -> int:
        return sum(len(target.jobs) for target in self.targets)

    @property
    def kinds(self) -> list[Kind]:
        """The kinds the plan was made for, in the order a run cleans them."""
        names = set(self.settings.get("kinds") or [])
        return [kind for name, kind in KINDS.items() if name in names]

    @property
    def plural(self) -> str:
        """What the plan deletes, as a person says it: `evaluation jobs`, or, over several kinds,
        `Bedrock evaluation resources` (as the function's report names them)."""
        kinds = self.kinds
        return kinds[0].plural if len(kinds) == 1 else f"{ALL_KINDS_NOUN}s"


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings a plan was made with, as the plan file keeps them."""
    return {
        "kinds": [kind.name for kind in settings.enabled_kinds],
        "olderThanDays": settings.older_than_days,
        "maxDeletions": settings.max_deletions,
        "nameExcludeRegex": settings.name_exclude_regex.pattern if settings.name_exclude_regex else None,
        "applicationTypes": sorted(settings.application_types),
        "eligibleStatuses": sorted(settings.eligible_statuses),
        "retainTagKey": settings.retain_tag_key,
    }


class PlanningStore:
    """The Bedrock adapter for a plan: lists (remembering each job) and reads tags; never deletes."""

    def __init__(self, jobs: BedrockLeftovers, on_page: Callable[[int], None]) -> None:
        self._jobs = jobs
        self._on_page = on_page
        self.seen: dict[str, Leftover] = {}

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterator[Sequence[Leftover]]:
        for page in self._jobs.list_job_pages(created_before, application_type, deadline):
            self.seen.update((job.arn, job) for job in page)
            self._on_page(len(page))
            yield page

    def get_tags(self, arn: str, deadline: Deadline) -> dict[str, str]:
        return self._jobs.get_tags(arn, deadline)

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        raise DeleteRefusedError("a plan never deletes")


def _planned(job: Leftover, kind: Kind) -> PlannedJob:
    return PlannedJob(
        job.arn,
        job.name,
        job.status,
        job.creation_time.astimezone(UTC).isoformat(),
        job.application_type,
        kind.name,
    )


def plan_target(
    settings: Settings,
    stores: Mapping[str, PlanningStore],
    tag_index: TagIndex | None,
    target: TargetPlan,
    now: datetime,
) -> TargetPlan:
    """Fill `target` with what the function would do there now, over every enabled kind (each
    with its store in `stores`, by kind name), under one cap, exactly as the function runs them."""
    errors: list[str] = []
    for kind, run in kind_runs(
        settings.model_copy(update={"dry_run": True}),
        stores,
        _QUIET,
        now,
        lambda: NO_TIME_LIMIT_SECONDS,
        tag_index,
        record_decisions=True,
    ):
        summary = run.summary
        if summary.error:
            errors.append(summary.error)
        seen = stores[kind.name].seen
        target.kinds[kind.name] = KindCounts(summary.scanned, dict(summary.skipped))
        target.jobs += [_planned(seen[arn], kind) for arn in run.tally.selected or []]
        target.kept += [
            (_planned(seen[arn], kind), reason.value) for arn, reason in run.tally.kept or [] if arn in seen
        ]
    if errors:
        raise RuntimeError("; ".join(errors))
    return target
