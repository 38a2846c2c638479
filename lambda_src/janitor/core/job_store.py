"""The port a run needs from Bedrock: the operations, what they return and how they fail.

Declared here, on the run's side; janitor.aws.bedrock implements it over boto3, the unit tests in
memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from janitor.core.deadline import Deadline
from janitor.core.report import FailedJob
from janitor.core.selection import Leftover

#: The Resource Groups Tagging API's batched tag read (a kind's own operations are in its
#: declaration, janitor.kinds).
TAG_INDEX_OPERATION = "GetResources"
#: The most ARNs GetResources takes in one ResourceARNList.
TAG_INDEX_BATCH_SIZE = 100
#: The code Bedrock puts on a per-item error for a job it cannot find.
NOT_FOUND_CODE = "404"


class JobGoneError(Exception):
    """The job no longer exists (deleted by someone else since it was listed)."""


class BedrockCallError(Exception):
    """A Bedrock call failed after the SDK's retries.

    `rejected` is True only when Bedrock answered with a client error (HTTP 4xx): it refused
    the request and changed nothing. A server error, a timeout or a lost connection leaves it
    open whether a delete took effect.
    """

    def __init__(self, code: str, message: str, *, rejected: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.rejected = rejected


#: How Bedrock says IAM refused a delete: the whole call, or an item of the 202 answer.
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "403"})


@dataclass(frozen=True, slots=True)
class BatchDeleteOutcome:
    accepted: list[str] = field(default_factory=list)
    errors: list[FailedJob] = field(default_factory=list)
    #: Refused by IAM, and carrying the retain tag when read again: protected, not failed.
    protected: list[str] = field(default_factory=list)
    #: Never sent: their outputs' bucket refused the janitor, so deleting them would orphan the
    #: outputs (janitor.outputs.cleanup). Kept, not failed.
    kept: list[str] = field(default_factory=list)
    #: Refused because the service says the resource is still running (a one-call kind's
    #: ConflictException): kept for a later run, not failed.
    not_finished: list[str] = field(default_factory=list)


class LeftoverStore(Protocol):
    """The Bedrock operations a run needs; each call is bounded by the run's `deadline`
    (it raises janitor.core.deadline.DeadlineExceededError rather than start an attempt after it)."""

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterable[Sequence[Leftover]]: ...

    def get_tags(self, arn: str, deadline: Deadline) -> Mapping[str, str]: ...

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome: ...


class TagIndex(Protocol):
    """Tags of many jobs per call (the Resource Groups Tagging API, janitor.aws.tagging).

    Eventually consistent: a tag added minutes ago may be missing. The IAM Deny on the retain
    tag catches what it misses, and the run confirms such refusals with `get_tags`.
    """

    def tags_of(self, arns: Sequence[str], deadline: Deadline) -> Mapping[str, Mapping[str, str]]:
        """ARN -> tags; an ARN absent from the answer has no tags (or no longer exists)."""
        ...
