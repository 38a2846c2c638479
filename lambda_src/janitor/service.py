"""One janitor run: list, select, check tags, delete in batches, tally the outcome.

The run is a pipeline: pages stream in oldest first, tag lookups and delete batches run on a
bounded thread pool while listing goes on, and results are consumed in the main thread (so log
lines never interleave). In-flight work is bounded by `max_concurrency`, and only the failed
jobs are kept, so memory does not grow with the number of jobs listed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from janitor.report import FailedJob, RunSummary
from janitor.selection import (
    MAX_BATCH_SIZE,
    EvaluationJob,
    SelectionPolicy,
    SkipReason,
    is_protected,
    skip_reason,
)
from janitor.settings import Settings

#: The code Bedrock puts on a per-item error for a job it cannot find.
NOT_FOUND_CODE = "404"
STOPPED_BY_CAP = "maxDeletions"
STOPPED_BY_TIME = "timeBudget"
STOPPED_BY_LISTING_ERROR = "listingError"


class JobGoneError(Exception):
    """The job no longer exists (deleted by someone else since it was listed)."""


class BedrockCallError(Exception):
    """A Bedrock call failed after the SDK's retries."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class BatchDeleteOutcome:
    accepted: list[str] = field(default_factory=list)
    errors: list[FailedJob] = field(default_factory=list)


class EvaluationJobStore(Protocol):
    """The Bedrock operations a run needs (implemented by janitor.bedrock over boto3)."""

    def list_jobs(
        self, created_before: datetime, application_type: str | None
    ) -> Iterable[EvaluationJob]: ...

    def get_tags(self, arn: str) -> Mapping[str, str]: ...

    def delete_jobs(self, arns: Sequence[str]) -> BatchDeleteOutcome: ...


class EventLog(Protocol):
    """The slice of a logger the run writes to (Powertools' Logger or the stdlib's)."""

    def info(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...

    def warning(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...

    def error(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...


class _OutOfTimeError(Exception):
    pass


@dataclass
class JanitorRun:
    store: EvaluationJobStore
    policy: SelectionPolicy
    dry_run: bool
    older_than_days: int
    log: EventLog
    remaining_seconds: Callable[[], float]
    time_reserve_seconds: float
    max_concurrency: int

    def __post_init__(self) -> None:
        self.summary = RunSummary(
            dry_run=self.dry_run,
            older_than_days=self.older_than_days,
            max_deletions=self.policy.max_deletions,
        )
        self._lookups: deque[tuple[EvaluationJob, Future[Mapping[str, str]]]] = deque()
        self._deletes: deque[tuple[list[str], Future[BatchDeleteOutcome]]] = deque()
        self._batch: list[str] = []

    def execute(self) -> RunSummary:
        with ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="janitor") as pool:
            self._pool = pool
            try:
                try:
                    self._consume_listing()
                except BedrockCallError as error:
                    self._record_listing_error(error)
                # Whatever was already selected is still deleted and reported.
                while self._lookups:
                    self._resolve_oldest_lookup()
                self._flush_batch()
            except _OutOfTimeError:
                self._stop_for_time()
            while self._deletes:
                self._resolve_oldest_delete()
        return self.summary

    def _record_listing_error(self, error: BedrockCallError) -> None:
        # The handler fails the invocation after reporting, so the Errors alarm sees it.
        self.summary.stopped_by = STOPPED_BY_LISTING_ERROR
        self.summary.error = f"ListEvaluationJobs failed after retries: {error}"
        self.log.error(
            "Listing evaluation jobs failed", extra={"code": error.code, "errorMessage": error.message}
        )

    def _consume_listing(self) -> None:
        types = self.policy.application_types
        only_type = next(iter(types)) if len(types) == 1 else None
        for job in self.store.list_jobs(self.policy.cutoff, only_type):
            self.summary.scanned += 1
            reason = skip_reason(job, self.policy)
            if reason is not None:
                self._skip(reason, job.arn)
                continue
            # Tag lookups are started only while they can still fill the cap, so the cap costs no
            # wasted calls; the jobs past it are counted, not looked up.
            while self._lookups and self.summary.eligible + len(self._lookups) >= self.policy.max_deletions:
                self._resolve_oldest_lookup()
            if self.summary.eligible >= self.policy.max_deletions:
                self._skip(SkipReason.OVER_CAP)
                self.summary.stopped_by = STOPPED_BY_CAP
                continue
            if self._out_of_time():
                self._skip(SkipReason.TIME_BUDGET)
                raise _OutOfTimeError
            self._lookups.append((job, self._pool.submit(self.store.get_tags, job.arn)))
            if len(self._lookups) >= self.max_concurrency:
                self._resolve_oldest_lookup()

    def _resolve_oldest_lookup(self) -> None:
        job, future = self._lookups.popleft()
        try:
            tags = future.result()
        except JobGoneError:
            self._skip(SkipReason.ALREADY_GONE, job.arn)
            return
        except BedrockCallError as error:
            self._fail(
                FailedJob(
                    job.arn, error.code, f"Tags could not be read, so the job was kept: {error.message}"
                )
            )
            return
        if is_protected(tags, self.policy.retain_tag_key):
            self._skip(SkipReason.PROTECTED, job.arn)
            return
        self.summary.eligible += 1
        self._batch.append(job.arn)
        if len(self._batch) == MAX_BATCH_SIZE:
            self._flush_batch()

    def _flush_batch(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        if self.dry_run:
            for arn in batch:
                self.log.info(
                    "Would delete evaluation job (dry run)", extra={"jobArn": arn, "outcome": "dryRun"}
                )
            return
        if self._out_of_time():
            self._skip(SkipReason.TIME_BUDGET, count=len(batch))
            raise _OutOfTimeError
        self._deletes.append((batch, self._pool.submit(self.store.delete_jobs, batch)))
        if len(self._deletes) >= self.max_concurrency:
            self._resolve_oldest_delete()

    def _resolve_oldest_delete(self) -> None:
        batch, future = self._deletes.popleft()
        try:
            outcome = future.result()
        except BedrockCallError as error:
            for arn in batch:
                self._fail(FailedJob(arn, error.code, error.message))
            return
        sent = set(batch)
        answered: set[str] = set()
        for arn in outcome.accepted:
            if arn in sent and arn not in answered:
                answered.add(arn)
                self.summary.deleted += 1
                self.log.info("Deleted evaluation job", extra={"jobArn": arn, "outcome": "deleted"})
        for item_error in outcome.errors:
            if item_error.job_identifier in answered:
                continue
            answered.add(item_error.job_identifier)
            if item_error.code == NOT_FOUND_CODE and item_error.job_identifier in sent:
                self._skip(SkipReason.ALREADY_GONE, item_error.job_identifier)
            else:
                self._fail(item_error)
        for arn in batch:
            if arn not in answered:
                self._fail(
                    FailedJob(
                        arn, "NoResult", "Bedrock's reply did not mention this job; it may still exist."
                    )
                )

    def _out_of_time(self) -> bool:
        return self.remaining_seconds() < self.time_reserve_seconds

    def _stop_for_time(self) -> None:
        """Abandon the work not yet started: those jobs are still there for the next run."""
        self.summary.stopped_by = STOPPED_BY_TIME
        abandoned = len(self._lookups) + len(self._batch)
        for _, future in self._lookups:
            future.cancel()
        self._lookups.clear()
        self._batch = []
        if abandoned:
            self._skip(SkipReason.TIME_BUDGET, count=abandoned)
        self.log.warning(
            "Stopping early: too little Lambda time left to start another batch",
            extra={
                "remainingSeconds": round(self.remaining_seconds(), 1),
                "reserveSeconds": self.time_reserve_seconds,
            },
        )

    def _skip(self, reason: SkipReason, arn: str | None = None, count: int = 1) -> None:
        self.summary.skipped[reason.value] = self.summary.skipped.get(reason.value, 0) + count
        if reason in (SkipReason.MALFORMED, SkipReason.ALREADY_GONE):
            self.log.warning("Evaluation job skipped", extra={"jobArn": arn, "reason": reason.value})

    def _fail(self, failure: FailedJob) -> None:
        self.summary.failed_jobs.append(failure)
        self.log.error(
            "Failed to delete evaluation job",
            extra={
                "jobArn": failure.job_identifier,
                "code": failure.code,
                "errorMessage": failure.message,
                "outcome": "failed",
            },
        )


def run_janitor(
    settings: Settings,
    store: EvaluationJobStore,
    log: EventLog,
    now: datetime,
    remaining_seconds: Callable[[], float],
) -> RunSummary:
    """One run under `settings` (overrides already applied) against `store`."""
    return JanitorRun(
        store=store,
        policy=settings.selection_policy(now),
        dry_run=settings.dry_run,
        older_than_days=settings.retention_days,
        log=log,
        remaining_seconds=remaining_seconds,
        time_reserve_seconds=settings.time_reserve_seconds,
        max_concurrency=settings.max_concurrency,
    ).execute()
