"""Reading a BatchDeleteEvaluationJob answer against the batch that was sent: pure, no AWS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from janitor.core.job_store import NOT_FOUND_CODE, BatchDeleteOutcome
from janitor.core.report import FailedJob


@dataclass(slots=True)
class BatchReading:
    """What became of each job of one batch; every job sent is in exactly one list."""

    deleted: list[str] = field(default_factory=list)
    #: Answered 404: someone else deleted the job since it was listed.
    gone: list[str] = field(default_factory=list)
    refused: list[FailedJob] = field(default_factory=list)
    #: Jobs the answer did not mention: whether they were deleted is unknown.
    unanswered: list[str] = field(default_factory=list)
    #: Refused by IAM's Deny on the retain tag, which the tag lookup had not seen yet.
    protected: list[str] = field(default_factory=list)
    #: Held back before the call: their outputs' bucket refused the janitor.
    kept: list[str] = field(default_factory=list)
    #: The service says it is still running: kept for a later run.
    not_finished: list[str] = field(default_factory=list)

    @property
    def unanswered_failures(self) -> list[FailedJob]:
        """The jobs the answer did not mention, as failures: whether they were deleted is unknown."""
        return [
            FailedJob(arn, "NoResult", "Bedrock's reply did not mention this job; it may still exist.")
            for arn in self.unanswered
        ]

    @property
    def uniform_refusal(self) -> FailedJob | None:
        """The refusal, when Bedrock refused every job of the batch with one code."""
        codes = {failure.code for failure in self.refused}
        if (
            self.refused
            and not (self.deleted or self.gone or self.unanswered or self.protected or self.not_finished)
            and len(codes) == 1
        ):
            return self.refused[0]
        return None


def read_batch(batch: Sequence[str], outcome: BatchDeleteOutcome) -> BatchReading:
    """Each job's fate; the first answer about a job wins, and ARNs not sent are ignored."""
    sent = set(batch)
    reading = BatchReading(
        protected=[arn for arn in outcome.protected if arn in sent],
        kept=[arn for arn in outcome.kept if arn in sent and arn not in outcome.protected],
    )
    reading.not_finished = [
        arn for arn in outcome.not_finished if arn in sent and arn not in outcome.protected
    ]
    answered: set[str] = {*reading.protected, *reading.kept, *reading.not_finished}
    for arn in outcome.accepted:
        if arn in sent and arn not in answered:
            answered.add(arn)
            reading.deleted.append(arn)
    for item_error in outcome.errors:
        arn = item_error.job_identifier
        if arn in answered:
            continue
        answered.add(arn)
        if item_error.code == NOT_FOUND_CODE and arn in sent:
            reading.gone.append(arn)
        else:
            reading.refused.append(item_error)
    reading.unanswered = [arn for arn in batch if arn not in answered]
    return reading
