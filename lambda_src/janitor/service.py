"""One janitor run: list, select, check tags, delete in batches, tally the outcome.

The run is a pipeline: pages stream in oldest first, tag lookups and delete batches run on a
bounded thread pool while listing goes on, and results are consumed in the main thread (so log
lines never interleave). In-flight work is bounded by `max_concurrency`, and only the failed
jobs are kept, so memory does not grow with the number of jobs listed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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
#: Error codes worth another try later in the run: throttling, server faults, timeouts. Once the
#: SDK's retries (and its retry quota) are spent, the run retries these itself, in up to
#: RETRY_ROUNDS rounds at its end, before calling them failures.
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ServiceQuotaExceededException",
        "InternalServerException",
        "InternalFailure",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
        "429",
        "500",
        "502",
        "503",
        "504",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    }
)
RETRY_ROUNDS = 2


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
    #: How the run waits between retry rounds (tests pass a no-op).
    pause: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.summary = RunSummary(
            dry_run=self.dry_run,
            older_than_days=self.older_than_days,
            max_deletions=self.policy.max_deletions,
        )
        # In-flight work, oldest first (dicts keep insertion order).
        self._lookups: dict[Future[Mapping[str, str]], EvaluationJob] = {}
        self._deletes: dict[Future[BatchDeleteOutcome], list[str]] = {}
        self._batch: list[str] = []
        # Transient failures waiting for a retry round: ARN -> (job, last failure) / last failure.
        self._lookup_retries: dict[str, tuple[EvaluationJob, FailedJob]] = {}
        self._delete_retries: dict[str, FailedJob] = {}
        self._accepting_retries = True

    def execute(self) -> RunSummary:
        with ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="janitor") as pool:
            self._pool = pool
            try:
                try:
                    self._consume_listing()
                except BedrockCallError as error:
                    self._record_listing_error(error)
                # Whatever was already selected is still deleted and reported.
                self._finish_selected()
                self._retry_transient_failures()
            except _OutOfTimeError:
                self._stop_for_time()
            self._accepting_retries = False
            while self._deletes:
                self._resolve_completed_deletes()
        for _, failure in self._lookup_retries.values():
            self._fail(failure)
        for failure in self._delete_retries.values():
            self._fail(failure)
        return self.summary

    def _finish_selected(self) -> None:
        while self._lookups:
            self._resolve_oldest_lookup()
        self._flush_batch()

    def _retry_transient_failures(self) -> None:
        for round_number in range(1, RETRY_ROUNDS + 1):
            while self._deletes:
                self._resolve_completed_deletes()
            if not self._lookup_retries and not self._delete_retries:
                return
            lookups, self._lookup_retries = self._lookup_retries, {}
            deletes, self._delete_retries = self._delete_retries, {}
            self._accepting_retries = round_number < RETRY_ROUNDS
            self.log.warning(
                "Retrying transient failures",
                extra={"round": round_number, "tagLookups": len(lookups), "deletes": len(deletes)},
            )
            # A pause lets a throttled API recover; it is short next to the SDK's own backoff.
            self.pause(round_number)
            for job, _ in lookups.values():
                self._start_lookup(job)
            for arn in deletes:
                self._add_to_batch(arn)
            self._finish_selected()

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
            self._start_lookup(job)

    def _start_lookup(self, job: EvaluationJob) -> None:
        # Tag lookups are started only while they can still fill the cap, so the cap costs no
        # wasted calls; the jobs past it are counted, not looked up.
        while self._lookups and self.summary.eligible + len(self._lookups) >= self.policy.max_deletions:
            self._resolve_oldest_lookup()
        if self.summary.eligible >= self.policy.max_deletions:
            self._skip(SkipReason.OVER_CAP)
            self.summary.stopped_by = STOPPED_BY_CAP
            return
        if self._out_of_time():
            self._skip(SkipReason.TIME_BUDGET)
            raise _OutOfTimeError
        self._lookups[self._pool.submit(self.store.get_tags, job.arn)] = job
        if len(self._lookups) >= self.max_concurrency:
            # Any finished lookup will do: every job in flight fits under the cap (checked above),
            # so the order does not matter here, and one slow retry does not stall the others.
            for future in _completed(self._lookups):
                self._resolve_lookup(future)

    def _resolve_oldest_lookup(self) -> None:
        self._resolve_lookup(next(iter(self._lookups)))

    def _resolve_lookup(self, future: Future[Mapping[str, str]]) -> None:
        job = self._lookups.pop(future)
        try:
            tags = future.result()
        except JobGoneError:
            self._skip(SkipReason.ALREADY_GONE, job.arn)
            return
        except BedrockCallError as error:
            failure = FailedJob(
                job.arn, error.code, f"Tags could not be read, so the job was kept: {error.message}"
            )
            if self._accepting_retries and error.code in RETRYABLE_CODES:
                self._lookup_retries[job.arn] = (job, failure)
            else:
                self._fail(failure)
            return
        if is_protected(tags, self.policy.retain_tag_key):
            self._skip(SkipReason.PROTECTED, job.arn)
            return
        self.summary.eligible += 1
        self._add_to_batch(job.arn)

    def _add_to_batch(self, arn: str) -> None:
        self._batch.append(arn)
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
        self._deletes[self._pool.submit(self.store.delete_jobs, batch)] = batch
        if len(self._deletes) >= self.max_concurrency:
            self._resolve_completed_deletes()

    def _resolve_completed_deletes(self) -> None:
        for future in _completed(self._deletes):
            self._resolve_delete(future)

    def _resolve_delete(self, future: Future[BatchDeleteOutcome]) -> None:
        batch = self._deletes.pop(future)
        try:
            outcome = future.result()
        except BedrockCallError as error:
            for arn in batch:
                self._fail_or_retry_delete(FailedJob(arn, error.code, error.message))
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
                self._fail_or_retry_delete(item_error)
        for arn in batch:
            if arn not in answered:
                self._fail(
                    FailedJob(
                        arn, "NoResult", "Bedrock's reply did not mention this job; it may still exist."
                    )
                )

    def _fail_or_retry_delete(self, failure: FailedJob) -> None:
        if self._accepting_retries and failure.code in RETRYABLE_CODES:
            self._delete_retries[failure.job_identifier] = failure
        else:
            self._fail(failure)

    def _out_of_time(self) -> bool:
        return self.remaining_seconds() < self.time_reserve_seconds

    def _stop_for_time(self) -> None:
        """Abandon the work not yet started: those jobs are still there for the next run."""
        self.summary.stopped_by = STOPPED_BY_TIME
        abandoned = len(self._lookups) + len(self._batch)
        for future in self._lookups:
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


def _completed(in_flight: Mapping[Future[Any], object]) -> list[Future[Any]]:
    """The finished futures among `in_flight` (waiting for at least one), oldest first."""
    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
    return [future for future in in_flight if future in done]


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
