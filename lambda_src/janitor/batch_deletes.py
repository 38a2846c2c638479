"""Delete batches: filled to 25 ARNs, sent on the run's pool, read back, retried or abandoned."""

from __future__ import annotations

import contextlib
from concurrent.futures import Executor, Future

from janitor.deadline import Deadline, DeadlineExceededError, first_completed
from janitor.delete_outcome import read_batch
from janitor.job_store import (
    DELETE_OPERATION,
    RETRYABLE_CODES,
    BatchDeleteOutcome,
    BedrockCallError,
    EvaluationJobStore,
)
from janitor.report import FailedJob
from janitor.selection import MAX_BATCH_SIZE, SkipReason
from janitor.tally import RunTally, SystemicStopError


class BatchDeletes:
    def __init__(
        self,
        store: EvaluationJobStore,
        pool: Executor,
        tally: RunTally,
        deadline: Deadline,
        *,
        dry_run: bool,
        max_in_flight: int,
    ) -> None:
        self._store = store
        self._pool = pool
        self._tally = tally
        self._deadline = deadline
        self._dry_run = dry_run
        self._max_in_flight = max_in_flight
        self._batch: list[str] = []
        # Calls out, oldest first (dicts keep insertion order).
        self._in_flight: dict[Future[BatchDeleteOutcome], list[str]] = {}
        #: Transient failures waiting for a retry round: ARN -> last failure.
        self.retries: dict[str, FailedJob] = {}
        self.accepting_retries = True

    @property
    def has_batch(self) -> bool:
        return bool(self._batch)

    @property
    def in_flight(self) -> bool:
        return bool(self._in_flight)

    def add(self, arn: str) -> None:
        self._batch.append(arn)
        if len(self._batch) == MAX_BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Send the batch being filled (in a dry run, log it instead)."""
        if not self._batch:
            return
        if self._dry_run:
            for arn in self._batch:
                self._tally.log.info(
                    "Would delete evaluation job (dry run)", extra={"jobArn": arn, "outcome": "dryRun"}
                )
            self._batch = []
            return
        if self._deadline.passed():
            raise DeadlineExceededError  # the batch is counted with the abandoned work
        batch, self._batch = self._batch, []
        self._in_flight[self._pool.submit(self._store.delete_jobs, batch, self._deadline)] = batch
        if len(self._in_flight) >= self._max_in_flight:
            self.settle_some()
        else:
            self._settle_answered()

    def settle_some(self) -> None:
        """Record at least one answered call, waiting (within the deadline) for one."""
        for future in first_completed(self._in_flight, self._deadline):
            self._settle(future)

    def drain(self) -> None:
        while self._in_flight:
            self.settle_some()

    def retry_round(self, accept_more: bool) -> int:
        """Put the transient failures back into batches; how many there were."""
        retries, self.retries = self.retries, {}
        self.accepting_retries = accept_more
        for arn in retries:
            self.add(arn)
        return len(retries)

    def abandon(self, reason: SkipReason) -> int:
        """Give up the work not done without waiting for it; how many jobs that was.

        Calls already answered are recorded first: only what is still out is abandoned.
        """
        for future in [future for future in self._in_flight if future.done()]:
            with contextlib.suppress(DeadlineExceededError, SystemicStopError):  # already stopping
                self._settle(future)
        for future, batch in self._in_flight.items():
            if not future.cancel():
                for arn in batch:
                    # The call is out: Bedrock may yet delete these (they keep their cap places).
                    self._tally.log.warning(
                        "Evaluation job delete abandoned, outcome unknown",
                        extra={"jobArn": arn, "outcome": "unknown", "reason": reason.value},
                    )
        abandoned = len(self._batch) + sum(map(len, self._in_flight.values()))
        self._in_flight.clear()
        self._batch = []
        return abandoned

    def _settle_answered(self) -> None:
        for future in [future for future in self._in_flight if future.done()]:
            self._settle(future)

    def _settle(self, future: Future[BatchDeleteOutcome]) -> None:
        try:
            outcome = future.result()
        except DeadlineExceededError:
            raise  # the batch stays in flight: counted with the abandoned work
        except BedrockCallError as error:
            for arn in self._in_flight.pop(future):
                self._fail_or_retry(FailedJob(arn, error.code, error.message), error.rejected)
            self._tally.call_failed(DELETE_OPERATION, error.code, error.message)
            return
        reading = read_batch(self._in_flight.pop(future), outcome)
        for arn in reading.deleted:
            self._tally.deleted(arn)
        for arn in reading.gone:
            self._tally.released += 1
            self._tally.skip(SkipReason.ALREADY_GONE, arn)
        for failure in reading.refused:
            self._fail_or_retry(failure, rejected=True)
        for arn in reading.unanswered:
            # Not released: whether it was deleted is unknown.
            self._tally.fail(
                FailedJob(arn, "NoResult", "Bedrock's reply did not mention this job; it may still exist.")
            )
        if (refusal := reading.uniform_refusal) is not None:
            # Every job of the call refused alike: to the systemic watch, one failed call.
            self._tally.call_failed(DELETE_OPERATION, refusal.code, refusal.message)
        else:
            self._tally.call_succeeded(DELETE_OPERATION)

    def _fail_or_retry(self, failure: FailedJob, rejected: bool) -> None:
        if self.accepting_retries and failure.code in RETRYABLE_CODES:
            self.retries[failure.job_identifier] = failure
            return
        self._tally.fail(failure)
        if rejected:
            self._tally.released += 1
