"""`apply`: delete exactly a reviewed plan's jobs, each re-checked first.

Between the plan and its application a job may have become protected, been restarted, or been
deleted by someone else. Each planned job is read again (GetEvaluationJob and
ListTagsForResource) and judged by the function's own selection code with the plan's settings,
the apply's own retain-tag key and the current time; only a job that still qualifies is sent to
BatchDeleteEvaluationJob, 25 at a time, and the answer is read as the function reads it
(janitor.core.delete_outcome).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from janitor.aws.bedrock import BedrockLeftovers
from janitor.core.deadline import NO_DEADLINE
from janitor.core.delete_outcome import read_batch
from janitor.core.job_store import BedrockCallError, JobGoneError
from janitor.core.report import FailedJob
from janitor.core.selection import (
    Leftover,
    SelectionPolicy,
    SkipReason,
    is_protected,
    skip_reason,
)
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor_cli.settings import cli_settings

#: The status Bedrock lists a job in while a delete removes it.
DELETING = "Deleting"
#: Re-checks in flight at once (two Bedrock reads per job).
RECHECK_CONCURRENCY = 8


@dataclass
class ApplyResult:
    deleted: list[str] = field(default_factory=list)
    #: reason -> the planned jobs that no longer qualify (or were deleted by someone else).
    skipped: dict[str, list[str]] = field(default_factory=dict)
    failed: list[FailedJob] = field(default_factory=list)

    def skip(self, reason: str, arn: str) -> None:
        self.skipped.setdefault(reason, []).append(arn)

    def to_dict(self) -> dict[str, object]:
        return {
            "deleted": len(self.deleted),
            "skipped": {reason: len(arns) for reason, arns in sorted(self.skipped.items())},
            "failed": len(self.failed),
            "deletedJobs": self.deleted,
            "skippedJobs": dict(sorted(self.skipped.items())),
            "failedJobs": [failure.to_dict() for failure in self.failed],
        }


def _recheck(store: BedrockLeftovers, arn: str, policy: SelectionPolicy) -> str | None:
    """Why `arn` no longer qualifies (a SkipReason value), or None when it still does."""
    try:
        job: Leftover = store.current_job(arn, NO_DEADLINE)
        if job.status == DELETING:
            # Someone else's delete is under way: the job is going, as a 404 would say.
            return SkipReason.ALREADY_GONE.value
        reason = skip_reason(job, policy)
        if reason is not None:
            return reason.value
        if is_protected(store.get_tags(arn, NO_DEADLINE), policy.retain_tag_key):
            return SkipReason.PROTECTED.value
    except JobGoneError:
        return SkipReason.ALREADY_GONE.value
    return None


def apply_target(
    store: BedrockLeftovers,
    arns: Sequence[str],
    policy: SelectionPolicy,
    result: ApplyResult,
    on_progress: Callable[[int], None],
) -> None:
    """Re-check then delete the planned `arns` of one account and Region."""
    still: list[str] = []

    def recheck(arn: str) -> tuple[str, str | None, BedrockCallError | None]:
        try:
            return arn, _recheck(store, arn, policy), None
        except BedrockCallError as error:
            return arn, None, error

    with ThreadPoolExecutor(RECHECK_CONCURRENCY) as pool:
        for arn, reason, error in pool.map(recheck, arns):
            on_progress(1)
            if error is not None:
                # Not read again, not deleted: a job the janitor cannot check is never deleted.
                result.failed.append(FailedJob(arn, error.code, f"re-check failed: {error.message}"))
            elif reason is not None:
                result.skip(reason, arn)
            else:
                still.append(arn)
    size = EVALUATION_JOBS.delete_batch_size
    for start in range(0, len(still), size):
        batch = still[start : start + size]
        try:
            outcome = store.delete_jobs(batch, NO_DEADLINE)
        except BedrockCallError as error:
            result.failed += [FailedJob(arn, error.code, error.message) for arn in batch]
            continue
        reading = read_batch(batch, outcome)
        result.deleted += reading.deleted
        for arn in reading.gone:
            result.skip(SkipReason.ALREADY_GONE.value, arn)
        result.failed += reading.refused + reading.unanswered_failures


def plan_policy(settings: dict[str, object], now: datetime, retain_tag_key: str) -> SelectionPolicy:
    """The plan's settings as the selection policy, judged at `now` (the apply's time), with the
    apply's own `retain_tag_key`: the key a plan names is never the one its jobs are judged by, so
    an edited plan cannot unprotect a job (the caller refuses a plan made with another key)."""
    names = settings.get("applicationTypes") or []
    statuses = settings.get("eligibleStatuses") or []
    return cli_settings(
        {
            "older_than_days": str(settings["olderThanDays"]),
            # The plan's cap was spent choosing its jobs; apply deletes at most those.
            "max_deletions": "1000000",
            "name_exclude_regex": str(settings.get("nameExcludeRegex") or ""),
            "application_types": ",".join(map(str, names)) if isinstance(names, list) else None,
            "eligible_statuses": ",".join(map(str, statuses)) if isinstance(statuses, list) else None,
            "retain_tag_key": retain_tag_key,
        }
    ).selection_policy(now)
