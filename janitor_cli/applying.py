"""`apply`: delete exactly a reviewed plan's resources, each re-checked first.

Between the plan and its application a resource may have become protected, been restarted, or
been deleted by someone else. Each planned resource is read again with its own kind's get call
(GetEvaluationJob, GetAdvancedPromptOptimizationJob, GetBatchEvaluation) and tag read (its
kind's ListTagsForResource, or tag:GetResources for a kind without one), and judged by the
function's own selection code with the plan's settings, the apply's own retain-tag key and the
current time; only one that still qualifies is sent to its kind's delete call, as many a call as
its kind takes (25 evaluation or prompt optimization jobs; one batch evaluation), and the answer
is read as the function reads it (janitor.core.delete_outcome).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from janitor.aws.bedrock import BedrockLeftovers
from janitor.config.settings import Settings
from janitor.core.deadline import NO_DEADLINE
from janitor.core.delete_outcome import read_batch
from janitor.core.job_store import BedrockCallError, JobGoneError, TagIndex
from janitor.core.report import FailedJob
from janitor.core.selection import (
    Leftover,
    SelectionPolicy,
    SkipReason,
    batched,
    is_protected,
    skip_reason,
)
from janitor_cli.settings import cli_settings

#: The status a kind lists a resource in while a delete removes it (any case: `DELETING`).
DELETING = "deleting"
#: Re-checks in flight at once (two reads per resource).
RECHECK_CONCURRENCY = 8


@dataclass(frozen=True)
class Item:
    """One planned resource, by its kind's name and its ARN."""

    kind: str
    arn: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "jobArn": self.arn}


@dataclass
class ApplyResult:
    deleted: list[Item] = field(default_factory=list)
    #: reason -> the planned resources that no longer qualify (or were deleted by someone else).
    skipped: dict[str, list[Item]] = field(default_factory=dict)
    failed: list[FailedJob] = field(default_factory=list)

    def skip(self, reason: str, item: Item) -> None:
        self.skipped.setdefault(reason, []).append(item)

    def by_kind(self) -> dict[str, dict[str, int]]:
        """Kind name -> its deleted, skipped and failed counts (kinds with any, first seen first)."""
        counts: dict[str, dict[str, int]] = {}
        outcomes = [("deleted", item.kind) for item in self.deleted]
        outcomes += [("skipped", item.kind) for items in self.skipped.values() for item in items]
        outcomes += [("failed", failure.kind) for failure in self.failed]
        for outcome, kind in outcomes:
            counts.setdefault(kind, {"deleted": 0, "skipped": 0, "failed": 0})[outcome] += 1
        return counts

    def to_dict(self) -> dict[str, object]:
        return {
            "deleted": len(self.deleted),
            "skipped": {reason: len(items) for reason, items in sorted(self.skipped.items())},
            "failed": len(self.failed),
            "kinds": self.by_kind(),
            "deletedJobs": [item.to_dict() for item in self.deleted],
            "skippedJobs": {
                reason: [item.to_dict() for item in items] for reason, items in sorted(self.skipped.items())
            },
            "failedJobs": [failure.to_dict() for failure in self.failed],
        }


@dataclass(frozen=True)
class KindApply:
    """What applying one kind's planned resources in one account and Region needs."""

    #: The kind's own store (get, tag read, delete calls): `TargetStores.leftovers[kind]`.
    store: BedrockLeftovers
    #: tag:GetResources, for a kind without a tag read of its own.
    tags: TagIndex
    policy: SelectionPolicy


def _tags(apply: KindApply, arn: str) -> dict[str, str]:
    if apply.store.kind.tags_operation is None:
        return dict(apply.tags.tags_of([arn], NO_DEADLINE).get(arn, {}))
    return apply.store.get_tags(arn, NO_DEADLINE)


def _recheck(apply: KindApply, arn: str) -> str | None:
    """Why `arn` no longer qualifies (a SkipReason value), or None when it still does."""
    try:
        job: Leftover = apply.store.current_job(arn, NO_DEADLINE)
        if job.status.lower() == DELETING:
            # Someone else's delete is under way: the job is going, as a 404 would say.
            return SkipReason.ALREADY_GONE.value
        reason = skip_reason(job, apply.policy)
        if reason is not None:
            return reason.value
        if is_protected(_tags(apply, arn), apply.policy.retain_tag_key):
            return SkipReason.PROTECTED.value
    except JobGoneError:
        return SkipReason.ALREADY_GONE.value
    return None


def apply_kind(
    apply: KindApply, arns: Sequence[str], result: ApplyResult, on_progress: Callable[[int], None]
) -> None:
    """Re-check then delete the planned `arns` of one kind in one account and Region."""
    kind = apply.store.kind
    still: list[str] = []

    def recheck(arn: str) -> tuple[str, str | None, BedrockCallError | None]:
        try:
            return arn, _recheck(apply, arn), None
        except BedrockCallError as error:
            return arn, None, error

    with ThreadPoolExecutor(RECHECK_CONCURRENCY) as pool:
        for arn, reason, error in pool.map(recheck, arns):
            on_progress(1)
            if error is not None:
                # Not read again, not deleted: a job the janitor cannot check is never deleted.
                result.failed.append(
                    FailedJob(arn, error.code, f"re-check failed: {error.message}", kind.name)
                )
            elif reason is not None:
                result.skip(reason, Item(kind.name, arn))
            else:
                still.append(arn)
    for batch in batched(still, kind.delete_batch_size):
        try:
            outcome = apply.store.delete_jobs(batch, NO_DEADLINE)
        except BedrockCallError as error:
            result.failed += [FailedJob(arn, error.code, error.message, kind.name) for arn in batch]
            continue
        reading = read_batch(batch, outcome)
        result.deleted += [Item(kind.name, arn) for arn in reading.deleted]
        for reason, skipped in (
            (SkipReason.ALREADY_GONE, reading.gone),
            (SkipReason.NOT_FINISHED, reading.not_finished),
            (SkipReason.PROTECTED, reading.protected),
            (SkipReason.OUTPUTS_BUCKET_REFUSED, reading.kept),
        ):
            for arn in skipped:
                result.skip(reason.value, Item(kind.name, arn))
        result.failed += [
            FailedJob(failure.job_identifier, failure.code, failure.message, kind.name)
            for failure in reading.refused + reading.unanswered_failures
        ]


def plan_settings(settings: dict[str, object], retain_tag_key: str) -> Settings:
    """The plan's settings, with the apply's own `retain_tag_key`: the key a plan names is never
    the one its jobs are judged by, so an edited plan cannot unprotect a job (the caller refuses a
    plan made with another key). Each kind's policy: `.selection_policy(now, kind)`, at the
    apply's time."""
    kinds = settings.get("kinds") or []
    names = settings.get("applicationTypes") or []
    statuses = settings.get("eligibleStatuses") or []
    return cli_settings(
        {
            "kinds": ",".join(map(str, kinds)) if isinstance(kinds, list) else None,
            "older_than_days": str(settings["olderThanDays"]),
            # The plan's cap was spent choosing its jobs; apply deletes at most those.
            "max_deletions": "1000000",
            "name_exclude_regex": str(settings.get("nameExcludeRegex") or ""),
            "application_types": ",".join(map(str, names)) if isinstance(names, list) else None,
            "eligible_statuses": ",".join(map(str, statuses)) if isinstance(statuses, list) else None,
            "retain_tag_key": retain_tag_key,
        }
    )
