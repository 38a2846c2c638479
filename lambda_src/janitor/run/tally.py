"""What a run has done so far: the summary, its log lines, the cap's freed places, the systemic watch."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from janitor.core.job_store import TAG_INDEX_OPERATION
from janitor.core.report import FailedJob, RunSummary
from janitor.core.selection import SkipReason
from janitor.core.systemic import ConsecutiveFailures, SystemicError

if TYPE_CHECKING:
    from janitor.outputs.cleanup import JobOutputs

STOPPED_BY_SYSTEMIC_ERROR = "systemicError"


class EventLog(Protocol):
    """The slice of a logger the run writes to (Powertools' Logger or the stdlib's)."""

    def info(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...

    def warning(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...

    def error(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...


class SystemicStopError(Exception):
    """A systemic error was recorded: the run must stop starting work."""


class RunTally:
    """Every outcome of the run goes through here, so each is counted and logged exactly once."""

    def __init__(
        self,
        summary: RunSummary,
        log: EventLog,
        noun: str,
        record_decisions: bool = False,
        service: str = "bedrock",
    ) -> None:
        self.summary = summary
        self.log = log
        #: The kind's name for one of its resources, in every log line (`evaluation job`).
        self._noun = noun
        #: The kind's service, whose IAM prefix a systemic error's advice names.
        self._service = service
        #: With `record_decisions` (the command line's plan): every job kept, with its reason, and
        #: every job a dry run would delete. The function's runs keep neither: memory stays flat.
        self.kept: list[tuple[str, SkipReason]] | None = [] if record_decisions else None
        self.selected: list[str] | None = [] if record_decisions else None
        #: Selected jobs that this run certainly did not delete (Bedrock refused them, or they
        #: were gone): they give their place under the cap to the next job.
        self.released = 0
        self._failures = ConsecutiveFailures()

    def deleted(self, arns: Sequence[str]) -> None:
        """One log line per delete call, not per job: at 4,750 jobs a run, a line each cost more
        CPU than parsing every reply (docs/performance.md), and a Lambda function has little."""
        if not arns:
            return
        self.summary.deleted += len(arns)
        self.log.info(
            f"Deleted {self._noun}s", extra={"jobArns": list(arns), "count": len(arns), "outcome": "deleted"}
        )

    def would_delete(self, arns: Sequence[str]) -> None:
        """A dry run's delete call, not made: one log line, like a real one."""
        if self.selected is not None:
            self.selected.extend(arns)
        self.log.info(
            f"Would delete {self._noun}s (dry run)",
            extra={"jobArns": list(arns), "count": len(arns), "outcome": "dryRun"},
        )

    def skip(self, reason: SkipReason, arn: str | None = None, count: int = 1) -> None:
        self.summary.skipped[reason.value] = self.summary.skipped.get(reason.value, 0) + count
        if self.kept is not None and arn is not None:
            self.kept.append((arn, reason))
        if reason in (SkipReason.MALFORMED, SkipReason.ALREADY_GONE):
            self.log.warning(
                f"{self._noun.capitalize()} skipped", extra={"jobArn": arn, "reason": reason.value}
            )

    def fail(self, failure: FailedJob) -> None:
        self.summary.failed_jobs.append(failure)
        self.log.error(
            f"Failed to delete {self._noun}",
            extra={
                "jobArn": failure.job_identifier,
                "code": failure.code,
                "errorMessage": failure.message,
                "outcome": "failed",
            },
        )

    def call_succeeded(self, operation: str) -> None:
        self._failures.succeeded(operation)

    def call_failed(self, operation: str, code: str, message: str) -> None:
        """Count a failed call; SystemicStopError once the same refusal has met enough calls."""
        systemic = self._failures.failed(operation, code, message)
        if systemic is not None:
            self.stop_systemic(systemic)

    def stop_systemic(self, systemic: SystemicError) -> None:
        if systemic.operation != TAG_INDEX_OPERATION:
            # The kind's own call: its advice names the kind's service.
            systemic = dataclasses.replace(systemic, service=self._service)
        if self.summary.systemic_error is not None:
            raise SystemicStopError  # already stopping (work harvested on the way out): once is enough
        self.summary.stopped_by = STOPPED_BY_SYSTEMIC_ERROR
        self.summary.error = systemic.describe()
        self.summary.systemic_error = systemic.to_dict()
        self.log.error("Stopping: systemic error", extra={"systemicError": systemic.to_dict()})
        raise SystemicStopError

    def outputs(self, results: Sequence[JobOutputs], dry_run: bool) -> None:
        """What became of the deleted (or, in a dry run, selected) jobs' outputs: one line each."""
        summary = self.summary.outputs
        if summary is None:
            return
        for result in results:
            summary.objects_found += result.found.objects
            summary.bytes_found += result.found.bytes
            summary.objects_deleted += result.deleted.objects
            summary.bytes_deleted += result.deleted.bytes
            where = (
                {"bucket": result.location.bucket, "prefix": result.location.prefix}
                if result.location
                else {}
            )
            if result.kept is not None:
                summary.kept.append(result.kept)
                self.log.warning(
                    "Evaluation job outputs kept",
                    extra={"jobArn": result.job_arn, "reason": result.kept.reason, "outcome": "outputsKept"},
                )
                continue
            if result.failed is not None:
                summary.failed.append(result.failed)
                self.log.error(
                    "Failed to delete evaluation job outputs",
                    extra={"jobArn": result.job_arn, **result.failed.to_dict(), "outcome": "outputsFailed"},
                )
            self.log.info(
                "Would delete evaluation job outputs (dry run)"
                if dry_run
                else "Deleted evaluation job outputs",
                extra={
                    "jobArn": result.job_arn,
                    **where,
                    "objects": result.found.objects if dry_run else result.deleted.objects,
                    "bytes": result.found.bytes if dry_run else result.deleted.bytes,
                    "outcome": "dryRun" if dry_run else "outputsDeleted",
                },
            )


def record_outputs(results: Sequence[JobOutputs], tally: RunTally, *, dry_run: bool) -> None:
    """Results into the run's summary and log (on the main thread): the tally's own lines, and
    the objects a plain delete only hid behind a delete marker, which are not deleted."""
    tally.outputs(results, dry_run)
    summary = tally.summary.outputs
    if summary is None:
        return
    for result in results:
        if not result.noncurrent.objects or result.location is None:
            continue
        summary.objects_noncurrent += result.noncurrent.objects
        summary.bytes_noncurrent += result.noncurrent.bytes
        tally.log.info(
            "Evaluation job outputs left as noncurrent versions behind delete markers",
            extra={
                "jobArn": result.job_arn,
                "bucket": result.location.bucket,
                "prefix": result.location.prefix,
                "objects": result.noncurrent.objects,
                "bytes": result.noncurrent.bytes,
                "outcome": "outputsNoncurrent",
            },
        )
