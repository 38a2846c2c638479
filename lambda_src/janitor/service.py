"""One janitor run: list, select, check tags, delete in batches, tally the outcome.

The run is a pipeline: listing pages are fetched on a thread of their own (one page ahead), tag
lookups and delete batches run on a bounded thread pool, and results are consumed in the main
thread (so log lines never interleave). In-flight work is bounded by `max_concurrency`, and only
the failed jobs are kept, so memory does not grow with the number of jobs listed.

Three things stop a run early, each reported once: the cap (`maxDeletions` jobs deleted), the
time budget (the main thread never waits past the deadline; work still out then is abandoned
and counted, never awaited) and a systemic error (janitor.systemic).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from janitor.deadline import Deadline, DeadlineExceededError, first_completed, result_by
from janitor.delete_outcome import read_batch
from janitor.job_store import (
    DELETE_OPERATION,
    LIST_OPERATION,
    RETRYABLE_CODES,
    TAGS_OPERATION,
    BatchDeleteOutcome,
    BedrockCallError,
    EvaluationJobStore,
    JobGoneError,
)
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
from janitor.systemic import ConsecutiveFailures, SystemicError

STOPPED_BY_CAP = "maxDeletions"
STOPPED_BY_TIME = "timeBudget"
STOPPED_BY_LISTING_ERROR = "listingError"
STOPPED_BY_SYSTEMIC_ERROR = "systemicError"
RETRY_ROUNDS = 2


class EventLog(Protocol):
    """The slice of a logger the run writes to (Powertools' Logger or the stdlib's)."""

    def info(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...

    def warning(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...

    def error(self, msg: str, *, extra: Mapping[str, Any] | None = ...) -> None: ...


class _SystemicStopError(Exception):
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
        self.deadline = Deadline(lambda: self.remaining_seconds() - self.time_reserve_seconds)
        # In-flight work, oldest first (dicts keep insertion order).
        self._lookups: dict[Future[Mapping[str, str]], EvaluationJob] = {}
        self._deletes: dict[Future[BatchDeleteOutcome], list[str]] = {}
        self._batch: list[str] = []
        # Transient failures waiting for a retry round: ARN -> (job, last failure) / last failure.
        self._lookup_retries: dict[str, tuple[EvaluationJob, FailedJob]] = {}
        self._delete_retries: dict[str, FailedJob] = {}
        self._accepting_retries = True
        #: Selected jobs that this run certainly did not delete (Bedrock refused them, or they
        #: were gone): they give their place under the cap to the next job.
        self._released = 0
        self._failures = ConsecutiveFailures()

    def execute(self) -> RunSummary:
        pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="janitor")
        listing = ThreadPoolExecutor(1, thread_name_prefix="janitor-listing")
        self._pool = pool
        abandoned = True
        try:
            try:
                self._consume_listing(listing)
            except BedrockCallError as error:
                self._record_listing_error(error)
            # Whatever was already selected is still deleted and reported.
            self._finish_selected()
            self._retry_transient_failures()
            self._accepting_retries = False
            while self._deletes:
                self._resolve_completed_deletes()
            abandoned = False
        except DeadlineExceededError:
            self._stop_for_time()
        except _SystemicStopError:
            self._abandon_work(SkipReason.SYSTEMIC_ERROR)
        finally:
            # Calls still out are abandoned, never awaited: one could take minutes.
            pool.shutdown(wait=not abandoned, cancel_futures=True)
            listing.shutdown(wait=False, cancel_futures=True)
        for _, failure in self._lookup_retries.values():
            self._fail(failure)
        for failure in self._delete_retries.values():
            self._fail(failure)
        return self.summary

    # -- listing ---------------------------------------------------------------------------

    def _consume_listing(self, listing: ThreadPoolExecutor) -> None:
        types = self.policy.application_types
        only_type = next(iter(types)) if len(types) == 1 else None
        pages: Iterator[Sequence[EvaluationJob]] = iter(
            self.store.list_job_pages(self.policy.cutoff, only_type, self.deadline)
        )
        next_page = listing.submit(next, pages, None)
        while True:
            page = result_by(next_page, self.deadline)
            if page is None:
                return
            # One page ahead: the listing goes on while this page's jobs are looked up.
            next_page = listing.submit(next, pages, None)
            for job in page:
                self.summary.scanned += 1
                reason = skip_reason(job, self.policy)
                if reason is not None:
                    self._skip(reason, job.arn)
                else:
                    self._start_lookup(job)

    def _record_listing_error(self, error: BedrockCallError) -> None:
        self.log.error(
            "Listing evaluation jobs failed", extra={"code": error.code, "errorMessage": error.message}
        )
        if error.code not in RETRYABLE_CODES:
            # Nothing more can be listed, and the same refusal would meet every other call.
            self._stop_systemic(SystemicError(LIST_OPERATION, error.code, error.message, 1))
        # The handler fails the invocation after reporting, so the Errors alarm sees it.
        self.summary.stopped_by = STOPPED_BY_LISTING_ERROR
        self.summary.error = f"ListEvaluationJobs failed after retries: {error}"

    # -- selection and tag lookups ---------------------------------------------------------

    def _cap_used(self) -> int:
        """Places under the cap taken: jobs selected and not certainly refused, and lookups out."""
        return self.summary.eligible - self._released + len(self._lookups) + len(self._lookup_retries)

    def _make_room(self) -> None:
        """At the cap, settle work in flight until a place frees up or nothing is left to settle."""
        while self._cap_used() >= self.policy.max_deletions:
            if self._lookups:
                self._resolve_lookup(next(iter(self._lookups)))
            elif self._batch:
                self._flush_batch()
            elif self._deletes:
                self._resolve_completed_deletes()
            else:
                return

    def _start_lookup(self, job: EvaluationJob) -> None:
        # Tag lookups are started only while they can still fill the cap, so the cap costs no
        # wasted calls; the jobs past it are counted, not looked up. A job Bedrock refuses
        # frees its place, so refusals never starve the run of deletions.
        self._make_room()
        if self._cap_used() >= self.policy.max_deletions:
            self._skip(SkipReason.OVER_CAP)
            self.summary.stopped_by = STOPPED_BY_CAP
            return
        if self.deadline.passed():
            self._skip(SkipReason.TIME_BUDGET)
            raise DeadlineExceededError
        self._lookups[self._pool.submit(self.store.get_tags, job.arn, self.deadline)] = job
        if len(self._lookups) >= self.max_concurrency:
            # Any finished lookup will do: every job in flight fits under the cap (checked above),
            # so the order does not matter here, and one slow retry does not stall the others.
            for future in first_completed(self._lookups, self.deadline):
                self._resolve_lookup(future)

    def _resolve_lookup(self, future: Future[Mapping[str, str]]) -> None:
        job = self._lookups[future]
        try:
            tags = result_by(future, self.deadline)
        except DeadlineExceededError:
            raise  # the job stays in _lookups: counted with the abandoned work
        except JobGoneError:
            del self._lookups[future]
            self._failures.succeeded(TAGS_OPERATION)
            self._skip(SkipReason.ALREADY_GONE, job.arn)
            return
        except BedrockCallError as error:
            del self._lookups[future]
            failure = FailedJob(
                job.arn, error.code, f"Tags could not be read, so the job was kept: {error.message}"
            )
            if self._accepting_retries and error.code in RETRYABLE_CODES:
                self._lookup_retries[job.arn] = (job, failure)
            else:
                self._fail(failure)
            self._watch(TAGS_OPERATION, error.code, error.message)
            return
        del self._lookups[future]
        self._failures.succeeded(TAGS_OPERATION)
        if is_protected(tags, self.policy.retain_tag_key):
            self._skip(SkipReason.PROTECTED, job.arn)
            return
        self.summary.eligible += 1
        self._add_to_batch(job.arn)

    # -- deletes ---------------------------------------------------------------------------

    def _add_to_batch(self, arn: str) -> None:
        self._batch.append(arn)
        if len(self._batch) == MAX_BATCH_SIZE:
            self._flush_batch()

    def _flush_batch(self) -> None:
        if not self._batch:
            return
        if self.dry_run:
            for arn in self._batch:
                self.log.info(
                    "Would delete evaluation job (dry run)", extra={"jobArn": arn, "outcome": "dryRun"}
                )
            self._batch = []
            return
        if self.deadline.passed():
            raise DeadlineExceededError  # the batch is counted with the abandoned work
        batch, self._batch = self._batch, []
        self._deletes[self._pool.submit(self.store.delete_jobs, batch, self.deadline)] = batch
        if len(self._deletes) >= self.max_concurrency:
            self._resolve_completed_deletes()
        else:
            self._resolve_finished_deletes()

    def _resolve_finished_deletes(self) -> None:
        """Record the deletes already answered, without waiting for the others."""
        for future in [future for future in self._deletes if future.done()]:
            self._resolve_delete(future)

    def _resolve_completed_deletes(self) -> None:
        for future in first_completed(self._deletes, self.deadline):
            self._resolve_delete(future)

    def _resolve_delete(self, future: Future[BatchDeleteOutcome]) -> None:
        try:
            outcome = future.result()
        except DeadlineExceededError:
            raise  # the batch stays in _deletes: counted with the abandoned work
        except BedrockCallError as error:
            batch = self._deletes.pop(future)
            for arn in batch:
                self._fail_or_retry_delete(FailedJob(arn, error.code, error.message), error.rejected)
            self._watch(DELETE_OPERATION, error.code, error.message)
            return
        self._record_delete_outcome(self._deletes.pop(future), outcome)

    def _record_delete_outcome(self, batch: list[str], outcome: BatchDeleteOutcome) -> None:
        reading = read_batch(batch, outcome)
        for arn in reading.deleted:
            self.summary.deleted += 1
            self.log.info("Deleted evaluation job", extra={"jobArn": arn, "outcome": "deleted"})
        for arn in reading.gone:
            self._released += 1
            self._skip(SkipReason.ALREADY_GONE, arn)
        for failure in reading.refused:
            self._fail_or_retry_delete(failure, rejected=True)
        for arn in reading.unanswered:
            # Not released: whether it was deleted is unknown.
            self._fail(
                FailedJob(arn, "NoResult", "Bedrock's reply did not mention this job; it may still exist.")
            )
        if (refusal := reading.uniform_refusal) is not None:
            # Every job of the call refused alike: to the systemic watch, one failed call.
            self._watch(DELETE_OPERATION, refusal.code, refusal.message)
        else:
            self._failures.succeeded(DELETE_OPERATION)

    def _fail_or_retry_delete(self, failure: FailedJob, rejected: bool) -> None:
        if self._accepting_retries and failure.code in RETRYABLE_CODES:
            self._delete_retries[failure.job_identifier] = failure
            return
        self._fail(failure)
        if rejected:
            self._released += 1

    # -- the end of the run ----------------------------------------------------------------

    def _finish_selected(self) -> None:
        while self._lookups:
            self._resolve_lookup(next(iter(self._lookups)))
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
                self._lookups[self._pool.submit(self.store.get_tags, job.arn, self.deadline)] = job
            for arn in deletes:
                self._add_to_batch(arn)
            self._finish_selected()

    def _watch(self, operation: str, code: str, message: str) -> None:
        systemic = self._failures.failed(operation, code, message)
        if systemic is not None:
            self._stop_systemic(systemic)

    def _stop_systemic(self, systemic: SystemicError) -> None:
        self.summary.stopped_by = STOPPED_BY_SYSTEMIC_ERROR
        self.summary.error = systemic.describe()
        self.summary.systemic_error = systemic.to_dict()
        self.log.error("Stopping: systemic error", extra={"systemicError": systemic.to_dict()})
        raise _SystemicStopError

    def _stop_for_time(self) -> None:
        self.summary.stopped_by = STOPPED_BY_TIME
        self._abandon_work(SkipReason.TIME_BUDGET)
        self.log.warning(
            "Stopping early: the time budget ran out",
            extra={
                "remainingSeconds": round(self.remaining_seconds(), 1),
                "reserveSeconds": self.time_reserve_seconds,
            },
        )

    def _abandon_work(self, reason: SkipReason) -> None:
        """Count the work not finished (those jobs are still there for the next run); wait for none.

        Deletes already answered are recorded first: only what is still out is abandoned.
        """
        for future in [future for future in self._deletes if future.done()]:
            with contextlib.suppress(DeadlineExceededError, _SystemicStopError):  # already stopping
                self._resolve_delete(future)
        for future, batch in self._deletes.items():
            if not future.cancel():
                for arn in batch:
                    # The call is out: Bedrock may yet delete these (they keep their cap places).
                    self.log.warning(
                        "Evaluation job delete abandoned, outcome unknown",
                        extra={"jobArn": arn, "outcome": "unknown", "reason": reason.value},
                    )
        abandoned = len(self._lookups) + len(self._batch) + sum(map(len, self._deletes.values()))
        for lookup in self._lookups:
            lookup.cancel()
        self._lookups.clear()
        self._deletes.clear()
        self._batch = []
        if abandoned:
            self._skip(reason, count=abandoned)

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
