"""One janitor run: list, select, check tags, delete in batches, tally the outcome.

The run is a pipeline: listing pages are fetched on a thread of their own (one page ahead), tag
lookups and delete batches (janitor.run.batch_deletes) run on a bounded thread pool, and results are
consumed in the main thread (so log lines never interleave). In-flight work is bounded by
`max_concurrency`, and only the failed jobs are kept, so memory does not grow with the number of
jobs listed. Every outcome is counted once, in janitor.run.tally.

Three things stop a run early, each reported once: the cap (`maxDeletions` jobs deleted; a job
Bedrock refuses frees its place), the time budget (the main thread never waits past the
deadline; work still out then is abandoned and counted, never awaited) and a systemic error
(janitor.core.systemic).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from janitor.core.deadline import Deadline, DeadlineExceededError, result_by
from janitor.core.error_codes import treatment_of
from janitor.core.job_store import BedrockCallError, LeftoverStore, TagIndex
from janitor.core.output_summary import OutputsSummary
from janitor.core.report import RunSummary
from janitor.core.selection import Leftover, SelectionPolicy, SkipReason, is_protected, skip_reason
from janitor.core.systemic import SystemicError
from janitor.outputs.cleanup import OutputCleanup
from janitor.run.batch_deletes import BatchDeletes
from janitor.run.tag_lookups import TagLookups
from janitor.run.tally import EventLog, RunTally, SystemicStopError, record_outputs

STOPPED_BY_CAP = "maxDeletions"
STOPPED_BY_TIME = "timeBudget"
STOPPED_BY_LISTING_ERROR = "listingError"
RETRY_ROUNDS = 2


@dataclass
class JanitorRun:
    store: LeftoverStore
    policy: SelectionPolicy
    dry_run: bool
    older_than_days: int
    log: EventLog
    remaining_seconds: Callable[[], float]
    time_reserve_seconds: float
    max_concurrency: int
    #: How the run waits between retry rounds (tests pass a no-op).
    pause: Callable[[float], None] = time.sleep
    #: Tags 100 jobs a call (`batched`); None looks them up per job with `store` (`perJob`).
    tag_index: TagIndex | None = None
    #: Removes the deleted jobs' S3 outputs (DELETE_OUTPUTS); None leaves them, with no extra call.
    outputs: OutputCleanup | None = None
    #: Keep every decision (the command line's plan; janitor.run.tally.RunTally).
    record_decisions: bool = False

    def __post_init__(self) -> None:
        self.summary = RunSummary(
            dry_run=self.dry_run,
            older_than_days=self.older_than_days,
            max_deletions=self.policy.max_deletions,
            outputs=OutputsSummary() if self.outputs is not None else None,
        )
        self.tally = RunTally(
            self.summary,
            self.log,
            noun=self.policy.kind.noun,
            record_decisions=self.record_decisions,
            service=self.policy.kind.service,
        )
        self.deadline = Deadline(lambda: self.remaining_seconds() - self.time_reserve_seconds)
        self._pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="janitor")
        # This run's probes, deadline and results (janitor.outputs.cleanup); its deletes keep the
        # jobs whose bucket refused, and send nothing once the outputs' deadline has passed.
        self._outputs = self.outputs.for_run(self.deadline) if self.outputs is not None else None
        self._deletes = BatchDeletes(
            self._outputs.guard(self.store) if self._outputs is not None else self.store,
            self._pool,
            self.tally,
            self.deadline,
            kind=self.policy.kind,
            dry_run=self.dry_run,
            max_in_flight=self.max_concurrency,
            retain_tag_key=self.policy.retain_tag_key,
            outputs=self._outputs,
        )
        self._lookups = TagLookups(
            self.store,
            self.tag_index,
            self._pool,
            self.tally,
            self.deadline,
            kind=self.policy.kind,
            max_in_flight=self.max_concurrency,
            on_answer=self._select,
        )

    def execute(self) -> RunSummary:
        listing = ThreadPoolExecutor(1, thread_name_prefix="janitor-listing")
        abandoned = True
        try:
            try:
                self._consume_listing(listing)
            except BedrockCallError as error:
                self._record_listing_error(error)
            # Whatever was already selected is still deleted and reported.
            self._finish_selected()
            self._retry_transient_failures()
            abandoned = False
        except DeadlineExceededError:
            self._stop_for_time()
        except SystemicStopError:
            self._abandon_work(SkipReason.SYSTEMIC_ERROR)
        finally:
            # Calls still out are abandoned, never awaited: one could take minutes.
            self._pool.shutdown(wait=not abandoned, cancel_futures=True)
            listing.shutdown(wait=False, cancel_futures=True)
        if self._outputs is not None:
            # Once, whatever stopped the run: a job whose removal never reported is in here.
            record_outputs(self._outputs.close(), self.tally, dry_run=self.dry_run)
        for _, failure in self._lookups.retries.values():
            self.tally.fail(failure)
        for _, failure in self._deletes.retries.values():
            self.tally.fail(failure)
        return self.summary

    # -- listing ---------------------------------------------------------------------------

    def _consume_listing(self, listing: ThreadPoolExecutor) -> None:
        types = self.policy.application_types
        only_type = next(iter(types)) if len(types) == 1 else None
        pages: Iterator[Sequence[Leftover]] = iter(
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
                    self.tally.skip(reason, job.arn)
                else:
                    self._start_lookup(job)

    def _record_listing_error(self, error: BedrockCallError) -> None:
        kind = self.policy.kind
        self.log.error(
            f"Listing {kind.noun}s failed", extra={"code": error.code, "errorMessage": error.message}
        )
        if not treatment_of(error.code).retried:
            # Nothing more can be listed, and the same refusal would meet every other call.
            self.tally.stop_systemic(SystemicError(kind.list_operation, error.code, error.message, 1))
        # The handler fails the invocation after reporting, so the Errors alarm sees it.
        self.summary.stopped_by = STOPPED_BY_LISTING_ERROR
        self.summary.error = f"{kind.list_operation} failed after retries: {error}"

    # -- selection and tag lookups ---------------------------------------------------------

    def _cap_used(self) -> int:
        """Places under the cap taken: jobs selected and not certainly refused, and candidates
        whose tags are still being looked up."""
        return self.summary.eligible - self.tally.released + self._lookups.waiting

    def _make_room(self) -> None:
        """At the cap, settle work in flight until a place frees up or nothing is left to settle."""
        while self._cap_used() >= self.policy.max_deletions:
            if self._lookups.has_batch:
                self._lookups.flush()
            elif self._lookups.in_flight:
                self._lookups.settle_oldest()
            elif self._deletes.has_batch:
                self._deletes.flush()
            elif self._deletes.in_flight:
                self._deletes.settle_some()
            else:
                return

    def _start_lookup(self, job: Leftover) -> None:
        # Candidates are looked up only while they can still fill the cap, so the cap costs no
        # wasted lookups; the jobs past it are counted, not looked up. A job Bedrock refuses
        # frees its place, so refusals never starve the run of deletions.
        self._make_room()
        if self._cap_used() >= self.policy.max_deletions:
            self.tally.skip(SkipReason.OVER_CAP, job.arn)
            self.summary.stopped_by = STOPPED_BY_CAP
            return
        if self.deadline.passed():
            self.tally.skip(SkipReason.TIME_BUDGET, job.arn)
            raise DeadlineExceededError
        self._lookups.add(job)

    def _select(self, job: Leftover, tags: Mapping[str, str] | None) -> None:
        """A candidate's tags are known (None: the job is gone): protected, or to be deleted."""
        if tags is None:
            self.tally.skip(SkipReason.ALREADY_GONE, job.arn)
        elif is_protected(tags, self.policy.retain_tag_key):
            self.tally.skip(SkipReason.PROTECTED, job.arn)
        else:
            self.summary.eligible += 1
            self._deletes.add(job.arn)
        if self._outputs is not None:
            record_outputs(self._outputs.take(), self.tally, dry_run=self.dry_run)

    # -- the end of the run ----------------------------------------------------------------

    def _finish_selected(self) -> None:
        self._lookups.drain()
        self._deletes.flush()
        self._deletes.drain()

    def _retry_transient_failures(self) -> None:
        for round_number in range(1, RETRY_ROUNDS + 1):
            if not self._lookups.retries and not self._deletes.retries:
                return
            self.log.warning(
                "Retrying transient failures",
                extra={
                    "round": round_number,
                    "tagLookups": len(self._lookups.retries),
                    "deletes": len(self._deletes.retries),
                },
            )
            # A pause lets a throttled API recover; it is short next to the SDK's own backoff.
            self.pause(round_number)
            self._lookups.retry_round(accept_more=round_number < RETRY_ROUNDS)
            self._deletes.retry_round(accept_more=round_number < RETRY_ROUNDS)
            self._finish_selected()

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
        """Count the work not finished (those jobs are still there for the next run); wait for none."""
        abandoned = self._lookups.abandon() + self._deletes.abandon(reason)
        if abandoned:
            self.tally.skip(reason, count=abandoned)
