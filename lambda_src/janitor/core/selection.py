"""The deletion policy: pure functions over plain data, no AWS.

Everything that decides whether a job may be deleted lives here, so the safety rules can be
tested exhaustively (tests/unit/test_selection_properties.py) without a network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

#: Bedrock accepts BatchDeleteEvaluationJob only for jobs in these states.
FINISHED_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
KNOWN_STATUSES = FINISHED_STATUSES | {"InProgress", "Stopping", "Deleting"}
APPLICATION_TYPES = frozenset({"ModelEvaluation", "RagEvaluation"})
#: The service's limit on jobIdentifiers per BatchDeleteEvaluationJob call.
MAX_BATCH_SIZE = 25
#: The ARN pattern from the BatchDeleteEvaluationJob model; anything else is never sent.
EVALUATION_JOB_ARN = re.compile(
    r"^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:evaluation-job/[a-z0-9]{12}$"
)


class SkipReason(StrEnum):
    """Why a listed job is not deleted in this run (the keys of the summary's `skipped`)."""

    MALFORMED = "malformed"
    NOT_FINISHED = "notFinished"
    STATUS_EXCLUDED = "statusExcluded"
    TOO_RECENT = "tooRecent"
    APPLICATION_TYPE_EXCLUDED = "applicationTypeExcluded"
    NAME_EXCLUDED = "nameExcluded"
    PROTECTED = "protected"
    #: DELETE_OUTPUTS: the job's outputs' bucket refused the janitor; deleting the job would
    #: orphan them, so it is kept until the bucket admits the janitor.
    OUTPUTS_BUCKET_REFUSED = "outputsBucketRefused"
    OVER_CAP = "overCap"
    ALREADY_GONE = "alreadyGone"
    TIME_BUDGET = "timeBudget"
    SYSTEMIC_ERROR = "systemicError"


@dataclass(frozen=True, slots=True)
class EvaluationJob:
    """The fields of a ListEvaluationJobs summary that the policy reads."""

    arn: str
    name: str
    status: str
    creation_time: datetime
    application_type: str


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """What one run may delete. `cutoff`: only jobs created strictly before it are old enough."""

    cutoff: datetime
    statuses: frozenset[str]
    application_types: frozenset[str]
    name_exclude_pattern: re.Pattern[str] | None
    retain_tag_key: str
    max_deletions: int


def retention_cutoff(now: datetime, older_than_days: int) -> datetime:
    return now - timedelta(days=older_than_days)


def skip_reason(job: EvaluationJob, policy: SelectionPolicy) -> SkipReason | None:
    """Why `job` must not be deleted, judged from its summary alone; None if it is a candidate.

    Unfinished jobs are refused before any setting is consulted: no configuration can make an
    InProgress, Stopping or Deleting job a candidate.
    """
    if (
        not EVALUATION_JOB_ARN.match(job.arn)
        or job.status not in KNOWN_STATUSES
        or job.creation_time.tzinfo is None
    ):
        return SkipReason.MALFORMED
    if job.status not in FINISHED_STATUSES:
        return SkipReason.NOT_FINISHED
    if job.status not in policy.statuses:
        return SkipReason.STATUS_EXCLUDED
    if not job.creation_time < policy.cutoff:
        return SkipReason.TOO_RECENT
    if job.application_type not in policy.application_types:
        return SkipReason.APPLICATION_TYPE_EXCLUDED
    if policy.name_exclude_pattern is not None and policy.name_exclude_pattern.search(job.name):
        return SkipReason.NAME_EXCLUDED
    return None


def is_protected(tags: Mapping[str, str], retain_tag_key: str) -> bool:
    """True when the job carries the retain tag set to `true`.

    Key and value are compared without regard to case (and the value without surrounding
    blanks), as IAM compares `aws:ResourceTag/<key>` keys: the stack's Deny statement and this
    check then protect exactly the same jobs, and a `Janitor:Retain` typo still protects.
    """
    wanted = retain_tag_key.lower()
    return any(key.lower() == wanted and value.strip().lower() == "true" for key, value in tags.items())


T = TypeVar("T")


def batched(items: Iterable[T], size: int = MAX_BATCH_SIZE) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items; never an empty list."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
