"""The run's summary, its metric values and its SNS failure report: pure, no AWS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from janitor.core.error_codes import unavailable_region_reason
from janitor.core.output_summary import OutputsFailed, OutputsSummary

T = TypeVar("T")

#: SNS's limit on one message (the whole MessageStructure=json document).
SNS_MESSAGE_LIMIT_BYTES = 256 * 1024
#: SNS refuses subjects of 100 characters or more.
SNS_SUBJECT_LIMIT = 99
#: Email gets the text; every other protocol (SQS, Lambda, HTTP/S, email-json) gets `default`,
#: the JSON. One copy of each, not one per protocol, keeps ~700 failures in one message.
_TEXT_PROTOCOL = "email"


@dataclass(frozen=True, slots=True)
class FailedJob:
    job_identifier: str
    code: str
    message: str
    #: The kind of leftover (`evaluationJobs`), stamped when its kind's run ends.
    kind: str = ""

    def to_dict(self) -> dict[str, str]:
        item = {"jobIdentifier": self.job_identifier, "code": self.code, "message": self.message}
        return item | ({"kind": self.kind} if self.kind else {})


@dataclass(slots=True)
class RunSummary:
    """What one run did. `eligible` counts the jobs this run selected for deletion (within the cap)."""

    dry_run: bool
    older_than_days: int
    max_deletions: int
    scanned: int = 0
    eligible: int = 0
    deleted: int = 0
    failed_jobs: list[FailedJob] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    #: None when the run went through every listed job; else what stopped it early.
    stopped_by: str | None = None
    #: Set when the run broke off on an error that is not about one job (the listing failed).
    error: str | None = None
    #: The operation, code and message of the systemic error that stopped the run, if one did.
    systemic_error: dict[str, str | int] | None = None
    #: The account and Region the run cleaned ({"accountId", "region"}).
    target: dict[str, str] | None = None
    #: What happened to the deleted jobs' S3 outputs; None unless DELETE_OUTPUTS is on.
    outputs: OutputsSummary | None = None
    #: The target's Region refused the run as a whole ({"reason", "message"}): an opt-in Region
    #: the account has not enabled, or one an SCP denies. Skipped, not failed.
    target_skipped: dict[str, str] | None = None
    #: Each cleaned kind's own counts ({"scanned", "eligible", "deleted", "failed", "skipped"}).
    kinds: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: How the report names what failed: the one kind's noun, or a word for all of them.
    noun: str = "evaluation job"

    @property
    def failed(self) -> int:
        return len(self.failed_jobs)

    @property
    def complete(self) -> bool:
        return self.stopped_by is None

    def skip_unavailable_region(self) -> bool:
        """A run whose first call was refused because its Region is not enabled in the account,
        or denied to it by an SCP, becomes a skipped target: no error, no systemic stop."""
        if self.scanned or not self.systemic_error:
            return False
        code, message = str(self.systemic_error["code"]), str(self.systemic_error["message"])
        reason = unavailable_region_reason(code, message)
        if reason is None:
            return False
        self.target_skipped = {"reason": reason, "message": message}
        self.error = self.systemic_error = self.stopped_by = None
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "dryRun": self.dry_run,
            "olderThanDays": self.older_than_days,
            "maxDeletions": self.max_deletions,
            "scanned": self.scanned,
            "eligible": self.eligible,
            "deleted": self.deleted,
            "failed": self.failed,
            "failedJobs": [job.to_dict() for job in self.failed_jobs],
            "skipped": dict(sorted(self.skipped.items())),
            "complete": self.complete,
            "stoppedBy": self.stopped_by,
            **({"error": self.error} if self.error else {}),
            **({"systemicError": self.systemic_error} if self.systemic_error else {}),
            **({"target": self.target} if self.target else {}),
            **({"targetSkipped": self.target_skipped} if self.target_skipped else {}),
            **(self.outputs.to_dict() if self.outputs is not None else {}),
            **({"kinds": self.kinds} if self.kinds else {}),
        }


#: Summary count -> the CloudWatch metric it is published as (one run's or an organization's).
METRIC_NAMES = {
    "scanned": "JobsScanned",
    "eligible": "JobsEligible",
    "deleted": "JobsDeleted",
    "failed": "JobsFailed",
}


def metric_values(summary: RunSummary) -> dict[str, int]:
    """The per-run counts published as CloudWatch metrics (RunCompleted is added by the handler)."""
    values = {metric: getattr(summary, count) for count, metric in METRIC_NAMES.items()}
    return values | (summary.outputs.metric_values() if summary.outputs is not None else {})


#: The dimension each kind's own counts are published under, beside the totals.
KIND_DIMENSION = "Kind"


def kind_metric_values(summary: RunSummary) -> dict[str, dict[str, int]]:
    """Each cleaned kind's counts as metrics: their number grows with the kinds, nothing else."""
    return {
        kind: {metric: int(counts[count]) for count, metric in METRIC_NAMES.items()}
        for kind, counts in summary.kinds.items()
    }


@dataclass(frozen=True, slots=True)
class SnsMessage:
    subject: str
    #: A MessageStructure=json document: text for email and default, JSON for machine protocols.
    message: str


def failure_subject(summary: RunSummary, account: str, region: str, part: int = 1, parts: int = 1) -> str:
    suffix = f" [{part}/{parts}]" if parts > 1 else ""
    if summary.systemic_error:
        what = f" stopped: {summary.systemic_error['operation']} {summary.systemic_error['code']}"
    elif summary.failed or not summary.outputs:
        what = f": {summary.failed} {summary.noun}{'' if summary.failed == 1 else 's'} not deleted"
    else:
        what = f": outputs of {len(summary.outputs.failed)} deleted jobs not deleted"
    return f"Bedrock janitor{what} ({account} {region}){suffix}"[:SNS_SUBJECT_LIMIT]


@dataclass(frozen=True, slots=True)
class _Part:
    """One SNS message's share of the report: some failed jobs, some failed outputs."""

    jobs: Sequence[FailedJob]
    outputs: Sequence[OutputsFailed]
    part: int
    parts: int


def _text_body(summary: RunSummary, account: str, region: str, chunk: _Part) -> str:
    jobs, outputs, part, parts = chunk.jobs, chunk.outputs, chunk.part, chunk.parts
    heading = (
        f"The Bedrock evaluation-job janitor could not delete {summary.failed} job(s) "
        f"in account {account}, region {region}."
    )
    if parts > 1:
        heading += f" This is part {part} of {parts}; it lists {len(jobs)} of them."
    if summary.systemic_error:
        heading = (
            f"The Bedrock evaluation-job janitor stopped early in account {account}, region {region}: "
            f"{summary.error}\n\n{heading}"
        )
    lines = [
        heading,
        f"Run: {summary.deleted} deleted, {summary.eligible} eligible, {summary.scanned} scanned"
        f"{' (dry run)' if summary.dry_run else ''}.",
        "",
        "Failed jobs, by error:",
    ]
    # Grouped by error, each message once: a systemic stop fails hundreds of jobs alike.
    by_error: dict[tuple[str, str, str], list[str]] = {}
    for job in jobs:
        by_error.setdefault((job.kind, job.code, job.message), []).append(job.job_identifier)
    for (kind, code, message), arns in by_error.items():
        lines += [f"{kind + ' ' if kind else ''}{code}: {message}", *(f"- {arn}" for arn in arns)]
    lines += [
        "",
        "These jobs are still there; the next run tries again. A code 404 job is already gone; "
        "AccessDeniedException means the function's role or an SCP blocks the delete.",
    ]
    if outputs:
        lines += [
            "",
            "S3 outputs not deleted: their jobs are deleted, so no later run will find these objects;",
            "delete them by hand or with a lifecycle rule:",
            *(failed.describe() for failed in outputs),
        ]
    return "\n".join(lines)


def _json_body(summary: RunSummary, account: str, region: str, chunk: _Part) -> str:
    jobs, outputs, part, parts = chunk.jobs, chunk.outputs, chunk.part, chunk.parts
    return json.dumps(
        {
            "source": "bedrock-evaluation-janitor",
            "account": account,
            "region": region,
            "part": part,
            "parts": parts,
            "failedTotal": summary.failed,
            "failedJobs": [job.to_dict() for job in jobs],
            **({"outputsFailed": [failed.to_dict() for failed in outputs]} if outputs else {}),
            "summary": {
                key: value
                for key, value in summary.to_dict().items()
                if key not in ("failedJobs", "outputsFailed", "outputsKept")
            },
        },
        separators=(",", ":"),
    )


def _document(
    summary: RunSummary,
    account: str,
    region: str,
    items: Sequence[FailedJob | OutputsFailed],
    part: int,
    parts: int,
) -> str:
    chunk = _Part(
        jobs=[item for item in items if isinstance(item, FailedJob)],
        outputs=[item for item in items if isinstance(item, OutputsFailed)],
        part=part,
        parts=parts,
    )
    return sns_document(
        _json_body(summary, account, region, chunk), _text_body(summary, account, region, chunk)
    )


def sns_document(machine: str, text: str) -> str:
    """A MessageStructure=json message: `text` for email, `machine` (JSON) for every other protocol."""
    return json.dumps({"default": machine, _TEXT_PROTOCOL: text})


def pack_under_limit(items: Sequence[T], fits: Callable[[Sequence[T]], bool]) -> Iterator[list[T]]:
    """Greedy packing: each chunk is the longest run of `items` for which `fits` holds.

    Found by bisection on the real serialization (`fits` builds the document): an item's share
    of a document varies (the text lists each error message once per group), so no per-item
    estimate is exact. An item that fits in no chunk on its own is an error: none is dropped.
    """
    start = 0
    while start < len(items):
        if not fits(items[start : start + 1]):
            raise ValueError(f"{items[start]!r} alone exceeds the SNS limit")
        fitting, too_many = start + 1, len(items) + 1
        while too_many - fitting > 1:
            middle = (fitting + too_many) // 2
            fitting, too_many = (middle, too_many) if fits(items[start:middle]) else (fitting, middle)
        yield list(items[start:fitting])
        start = fitting


def failure_messages(
    summary: RunSummary, account: str, region: str, limit: int = SNS_MESSAGE_LIMIT_BYTES
) -> list[SnsMessage]:
    """Every failed job, and every deleted job's outputs that could not be deleted, in as many SNS
    messages under `limit` bytes as it takes; none dropped.

    A run stopped by a systemic error is reported even when no job failed (a denied listing).
    """
    items: list[FailedJob | OutputsFailed] = [
        *summary.failed_jobs,
        *(summary.outputs.failed if summary.outputs is not None else []),
    ]
    if not items and not summary.systemic_error:
        return []
    # Headroom for the subject and the part numbers, which are only known after the split.
    chunks = list(
        pack_under_limit(
            items,
            lambda jobs: len(_document(summary, account, region, jobs, 99, 99).encode()) <= limit - 512,
        )
    ) or [[]]
    parts = len(chunks)
    return [
        SnsMessage(
            subject=failure_subject(summary, account, region, part, parts),
            message=_document(summary, account, region, chunk, part, parts),
        )
        for part, chunk in enumerate(chunks, start=1)
    ]
