"""`plan`: the function's own run, in dry-run mode, over one account and Region; and the plan file.

The run is janitor.service.JanitorRun with the function's selection, tag lookups and cap; its
store refuses every delete, so no delete call is possible on this path. It keeps each decision
(janitor.tally.RunTally's `record_decisions`): the jobs a real run would delete, and every job
kept with its reason.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from janitor.bedrock import BedrockEvaluationJobs
from janitor.deadline import Deadline
from janitor.job_store import BatchDeleteOutcome, TagIndex
from janitor.selection import EvaluationJob
from janitor.service import JanitorRun
from janitor.settings import Settings

PLAN_KIND = "bedrock-eval-janitor-plan"
PLAN_VERSION = 1
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
    creation_time: str

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
        "olderThanDays": settings.retention_days,
        "maxDeletions": settings.max_deletions,
        "nameExclude": settings.name_exclude_pattern.pattern if settings.name_exclude_pattern else None,
        "applicationTypes": sorted(settings.application_types),
        "statuses": sorted(settings.eligible_statuses),
        "retainTagKey": settings.retain_tag_key,
    }


class PlanningStore:
    """The Bedrock adapter for a plan: lists (remembering each job) and reads tags; never deletes."""

    def __init__(self, jobs: BedrockEvaluationJobs, on_page: Callable[[int], None]) -> None:
        self._jobs = jobs
        self._on_page = on_page
        self.seen: dict[str, EvaluationJob] = {}

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterator[Sequence[EvaluationJob]]:
        for page in self._jobs.list_job_pages(created_before, application_type, deadline):
            self.seen.update((job.arn, job) for job in page)
            self._on_page(len(page))
            yield page

    def get_tags(self, arn: str, deadline: Deadline) -> dict[str, str]:
        return self._jobs.get_tags(arn, deadline)

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        raise DeleteRefusedError("a plan never deletes")


def _planned(job: EvaluationJob) -> PlannedJob:
    return PlannedJob(job.arn, job.name, job.status, job.creation_time.astimezone(UTC).isoformat())


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
        older_than_days=settings.retention_days,
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


# -- the plan file ------------------------------------------------------------------------------


class PlanFileError(ValueError):
    """A plan file that cannot be applied; nothing was requested."""


def write_plan(plan: Plan, path: Path) -> None:
    document = {
        "kind": PLAN_KIND,
        "version": PLAN_VERSION,
        "createdAt": plan.created_at.isoformat(),
        "settings": plan.settings,
        "targets": [
            {
                "accountId": target.account_id,
                "region": target.region,
                "profile": target.profile,
                "jobArns": [job.job_arn for job in target.jobs],
                "jobs": [asdict(job) for job in target.jobs],
            }
            for target in plan.targets
        ],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def read_plan(path: Path, max_age: timedelta, now: datetime) -> Plan:
    """The plan in `path`, or PlanFileError saying why it cannot be applied."""
    try:
        document = json.loads(path.read_text())
        if document.get("kind") != PLAN_KIND or document.get("version") != PLAN_VERSION:
            raise PlanFileError(f"{path} is not a bedrock-eval-janitor plan (version {PLAN_VERSION})")
        created = datetime.fromisoformat(document["createdAt"])
        targets = [
            TargetPlan(
                account_id=str(item["accountId"]),
                region=str(item["region"]),
                profile=item.get("profile"),
                jobs=[PlannedJob(**job) for job in item["jobs"]],
            )
            for item in document["targets"]
        ]
        plan = Plan(created, dict(document["settings"]), targets)
    except PlanFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PlanFileError(f"cannot read the plan {path}: {error}") from None
    age = now - created
    if age > max_age or age < -timedelta(minutes=5):
        raise PlanFileError(
            f"the plan was made {age.total_seconds() / 3600:.1f} h ago, more than --max-age "
            f"({max_age.total_seconds() / 3600:g} h): make a new one with `bedrock-eval-janitor plan`"
        )
    return plan
