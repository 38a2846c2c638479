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
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from janitor.core.kind import Kind


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
class Leftover:
    """One listed resource of any kind (janitor.kinds), as the policy reads it."""

    arn: str
    name: str
    status: str
    creation_time: datetime
    #: Evaluation jobs' ModelEvaluation or RagEvaluation; None for a kind without one, which
    #: the application-type setting then does not filter.
    application_type: str | None


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """What one run may delete. `cutoff`: only jobs created strictly before it are old enough."""

    #: The kind of leftover judged: its finished states and identifier (janitor.kinds).
    kind: Kind
    cutoff: datetime
    statuses: frozenset[str]
    application_types: frozenset[str]
    name_exclude_pattern: re.Pattern[str] | None
    retain_tag_key: str
    max_deletions: int


def retention_cutoff(now: datetime, older_than_days: int) -> datetime:
    return now - timedelta(days=older_than_days)


def skip_reason(job: Leftover, policy: SelectionPolicy) -> SkipReason | None:
    """Why `job` must not be deleted, judged from its summary alone; None if it is a candidate.

    Unfinished jobs are refused before any setting is consulted: no configuration can make a
    job in a state outside its kind's finished states a candidate.
    """
    kind = policy.kind
    if (
        not kind.arn_pattern.match(job.arn)
        or job.status not in kind.known_statuses
        or job.creation_time.tzinfo is None
    ):
        return SkipReason.MALFORMED
    if job.status not in kind.finished_statuses:
        return SkipReason.NOT_FINISHED
    if job.status not in policy.statuses:
        return SkipReason.STATUS_EXCLUDED
    if not job.creation_time < policy.cutoff:
        return SkipReason.TOO_RECENT
    if job.application_type is not None and job.application_type not in policy.application_types:
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


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items; never an empty list."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
