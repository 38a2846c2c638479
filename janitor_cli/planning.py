"""`plan`: the function's own run, in dry-run mode, over one account and Region.

The run is janitor.run.service.JanitorRun with the function's selection, tag lookups and cap; its
store refuses every delete, so no delete call is possible on this path. It keeps each decision
(janitor.run.tally.RunTally's `record_decisions`): the jobs a real run would delete, and every job
kept with its reason. The plan file it is written to and read from is janitor_cli.plan_file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from janitor.aws.bedrock import BedrockLeftovers
from janitor.config.settings import Settings
from janitor.core.deadline import Deadline
from janitor.core.job_store import BatchDeleteOutcome, TagIndex
from janitor.core.selection import Leftover
from janitor.run.service import JanitorRun

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

    def age_days(self, now: datetime) -> int:
        return (now - datetime.fromisoformat(self.creation_time)).days


@dataclass
class TargetPlan:
    account_id: str
    region: str
    profile: str | None
    jobs: list[PlannedJob] = field(default_factory=list)
    #: (job, reason) for every listed job kept.
    kept: list[tuple[PlannedJob, str]] = field(default_factory=list)
    #: reason -> count, the run's `skipped`.
    skipped: dict[str, int] = field(default_factory=dict)
    scanned: int = 0


@dataclass
class Plan:
    created_at: datetime
    settings: dict[str, Any]
    targets: list[TargetPlan]

    @property
    def job_count(self) -> int:
        return sum(len(target.jobs) for target in self.targets)


def settings_record(settings: Settings) -> dict[str, Any]:
    """The settings a plan was made with, as the plan file keeps them."""
    return {
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


def _planned(job: Leftover) -> PlannedJob:
    return PlannedJob(
        job.arn, job.name, job.status, job.creation_time.astimezone(UTC).isoformat(), job.application_type
    )


def plan_target(
    settings: Settings,
    store: PlanningStore,
    tag_index: TagIndex | None,
    target: TargetPlan,
    now: datetime,
) -> TargetPlan:
    """Fill `target` with what the function would do there now."""
    run = JanitorRun(
        store=store,
        policy=settings.selection_policy(now),
        dry_run=True,
        older_than_days=settings.older_than_days,
        log=_QUIET,
        remaining_seconds=lambda: NO_TIME_LIMIT_SECONDS,
        time_reserve_seconds=0,
        max_concurrency=settings.max_concurrency,
        tag_index=tag_index,
        record_decisions=True,
    )
    summary = run.execute()
    if summary.error:
        raise RuntimeError(summary.error)
    target.scanned = summary.scanned
    target.skipped = dict(summary.skipped)
    target.jobs = [_planned(store.seen[arn]) for arn in run.tally.selected or []]
    target.kept = [
        (_planned(store.seen[arn]), reason.value) for arn, reason in run.tally.kept or [] if arn in store.seen
    ]
    return target
