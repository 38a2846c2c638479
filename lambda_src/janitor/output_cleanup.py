"""A deleted job's S3 outputs, removed with it (DELETE_OUTPUTS, opt-in).

Bedrock's user guide: deleting an evaluation job leaves what it saved in S3 unchanged. For each
job it is about to delete, the run reads the job's `outputDataConfig.s3Uri` with GetEvaluationJob
(afterwards the details are gone) and derives the job's own prefix `<s3Uri>/<jobName>/<jobId>/`
(janitor.job_outputs says where that layout comes from, and refuses anything it cannot derive
safely). Only a job Bedrock accepted for deletion has its outputs removed; a protected, refused
or vanished job keeps them. A job whose outputs cannot be located safely, or live in a bucket
the deployment does not list, is still deleted, and its outputs are reported as kept.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from janitor.deadline import Deadline
from janitor.job_outputs import OutputLocation, locate_outputs
from janitor.job_store import BedrockCallError, JobGoneError
from janitor.output_summary import OutputsFailed, OutputsKept
from janitor.s3_outputs import OutputCount, OutputRemoval, OutputStoreError

GET_JOB_OPERATION = "GetEvaluationJob"


class JobDetails(Protocol):
    def output_of(self, arn: str, deadline: Deadline) -> tuple[str, str]:
        """(jobName, outputDataConfig.s3Uri); JobGoneError or BedrockCallError when unreadable."""
        ...


class OutputStore(Protocol):
    def count(self, location: OutputLocation) -> OutputCount: ...

    def remove(self, location: OutputLocation) -> OutputRemoval: ...


@dataclass
class JobOutputs:
    """What became of one job's outputs."""

    job_arn: str
    location: OutputLocation | None = None
    kept: OutputsKept | None = None
    found: OutputCount = field(default_factory=OutputCount)
    deleted: OutputCount = field(default_factory=OutputCount)
    failed: OutputsFailed | None = None


class OutputCleanup:
    def __init__(self, details: JobDetails, store: OutputStore, allowed_buckets: Collection[str]) -> None:
        self._details = details
        self._store = store
        self._allowed = frozenset(allowed_buckets)

    def locate(self, arns: Iterable[str], deadline: Deadline) -> dict[str, OutputLocation | str]:
        """Each job's own output prefix, or why its outputs will be kept; before the delete.

        Kept by one run only (janitor.batch_deletes): the function keeps this object between
        invocations, and a GetEvaluationJob that failed once must be tried again next run.
        """
        return {arn: self._locate(arn, deadline) for arn in arns}

    def _locate(self, arn: str, deadline: Deadline) -> OutputLocation | str:
        try:
            name, s3_uri = self._details.output_of(arn, deadline)
        except JobGoneError:
            return f"{GET_JOB_OPERATION}: the job is gone, so is where it saved its outputs"
        except BedrockCallError as error:
            return f"{GET_JOB_OPERATION} failed: {error.code}: {error.message}"
        return locate_outputs(s3_uri, name, arn, self._allowed)

    def measure(self, located: Mapping[str, OutputLocation | str]) -> list[JobOutputs]:
        """A dry run: what removing each job's outputs would delete."""
        return [self._each(arn, where, remove=False) for arn, where in located.items()]

    def remove(
        self, accepted: Sequence[str], located: Mapping[str, OutputLocation | str]
    ) -> list[JobOutputs]:
        """The outputs of the jobs Bedrock accepted for deletion, and only theirs."""
        return [self._each(arn, located[arn], remove=True) for arn in accepted if arn in located]

    def _each(self, arn: str, where: OutputLocation | str, *, remove: bool) -> JobOutputs:
        if isinstance(where, str):
            return JobOutputs(arn, kept=OutputsKept(arn, where))
        outputs = JobOutputs(arn, location=where)
        try:
            if not remove:
                outputs.found = self._store.count(where)
                return outputs
            removal = self._store.remove(where)
        except OutputStoreError as error:
            outputs.failed = OutputsFailed(
                arn, where.bucket, where.prefix, 0, f"{error.code}: {error.message}"
            )
            return outputs
        outputs.deleted = removal.deleted
        left = len(removal.failed_keys)
        outputs.found = OutputCount(removal.deleted.objects + left, removal.deleted.bytes)
        if left:
            _, code, message = removal.failed_keys[0]
            outputs.failed = OutputsFailed(arn, where.bucket, where.prefix, left, f"{code}: {message}")
        return outputs
