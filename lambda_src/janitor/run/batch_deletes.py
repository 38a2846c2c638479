"""Delete batches: filled to 25 ARNs, sent on the run's pool, read back, retried or abandoned.

The tagging API is eventually consistent, so a retain tag added minutes before a run may be
missed by a batched lookup; the role's IAM Deny on `aws:ResourceTag/<retainTagKey>` then refuses
the delete, for the whole call or for the item. Such refused jobs have their tags read again,
one ListTagsForResource each (Bedrock's own, current view): a job that carries the retain tag is
`protected`, the others are sent once more (after a whole-call refusal) or fail as before.
A refusal of everything (an SCP) is the systemic stop's to handle, so the run reads at most
REFUSAL_CONFIRMATIONS jobs again: past that, a refusal stands as a failure.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

from janitor.core.deadline import Deadline, DeadlineExceededError
from janitor.core.delete_outcome import read_batch
from janitor.core.error_codes import treatment_of
from janitor.core.job_store import (
    ACCESS_DENIED_CODES,
    BatchDeleteOutcome,
    BedrockCallError,
    JobGoneError,
    LeftoverStore,
)
from janitor.core.kind import Kind
from janitor.core.report import FailedJob
from janitor.core.selection import SkipReason, is_protected
from janitor.outputs.cleanup import JobOutputs, OutputCleanup
from janitor.outputs.locations import OutputLocation
from janitor.run.batched_calls import BatchedCalls
from janitor.run.tally import RunTally, SystemicStopError

#: The most refused jobs a run reads again (four whole refused batches, or 100 refused items).
REFUSAL_CONFIRMATIONS = 100


@dataclass(frozen=True)
class BatchResult:
    """A batch's answer: Bedrock's outcome (None in a dry run) and what became of its outputs."""

    outcome: BatchDeleteOutcome | None
    outputs: list[JobOutputs] = field(default_factory=list)
    #: A dry run's jobs whose outputs' bucket refused the janitor: a real run would keep them.
    kept: list[str] = field(default_factory=list)


class BatchDeletes(BatchedCalls[str, BatchResult]):
    def __init__(
        self,
        store: LeftoverStore,
        pool: Executor,
        tally: RunTally,
        deadline: Deadline,
        *,
        kind: Kind,
        dry_run: bool,
        max_in_flight: int,
        retain_tag_key: str,
        outputs: OutputCleanup | None = None,
    ) -> None:
        super().__init__(pool, deadline, batch_size=kind.delete_batch_size, max_in_flight=max_in_flight)
        self._operation = kind.delete_operation
        #: How log lines name one resource (`Evaluation job`).
        self._noun = kind.noun.capitalize()
        self._store = store
        self._outputs = outputs
        # Where each job's outputs are, for this run: a job retried in a later round is not
        # read again, so a run makes one GetEvaluationJob per job (worker threads share it).
        self._located: dict[str, OutputLocation | str] = {}
        self._located_lock = threading.Lock()
        self._tally = tally
        self._dry_run = dry_run
        self._retain_tag_key = retain_tag_key
        self._confirmations_left = REFUSAL_CONFIRMATIONS
        self._confirmations_lock = threading.Lock()

    def flush(self) -> None:
        """Send the batch being filled (in a dry run, log it instead)."""
        if not self._batch:
            return
        if self._dry_run:
            self._tally.would_delete(self._batch)
            if self._outputs is None:
                self._batch = []
                return
        if not self._send(self._measure if self._dry_run else self._delete):
            self._settle_answered()

    def drain(self) -> None:
        while self._in_flight:
            self.settle_some()

    def abandon(self, reason: SkipReason) -> int:
        """Give up the work not done without waiting for it; how many jobs that was.

        Calls already answered are recorded first: only what is still out is abandoned.
        """
        for future in [future for future in self._in_flight if future.done()]:
            with contextlib.suppress(DeadlineExceededError, SystemicStopError):  # already stopping
                self._settle(future)
        for future, batch in self._in_flight.items():
            # A dry run's calls out only count outputs: nothing to be unsure about.
            if not future.cancel() and not self._dry_run:
                for arn in batch:
                    # The call is out: Bedrock may yet delete these (they keep their cap places).
                    self._tally.log.warning(
                        f"{self._noun} delete abandoned, outcome unknown",
                        extra={"jobArn": arn, "outcome": "unknown", "reason": reason.value},
                    )
        return self._drop_unanswered()

    def _measure(self, batch: list[str]) -> BatchResult:
        """On a worker thread, in a dry run: what deleting `batch`'s outputs would remove."""
        assert self._outputs is not None
        located = self._locate(batch)
        return BatchResult(None, self._outputs.measure(located), self._outputs.held_among(batch))

    def _delete(self, batch: list[str]) -> BatchResult:
        """On a worker thread: delete `batch`, then the outputs of the jobs Bedrock accepted."""
        if self._outputs is None:
            return BatchResult(self._delete_jobs(batch))
        # Before the delete: afterwards GetEvaluationJob no longer knows where they are.
        located = self._locate(batch)
        outcome = self._delete_jobs(batch)
        return BatchResult(outcome, self._outputs.remove(outcome.accepted, located))

    def _locate(self, batch: list[str]) -> dict[str, OutputLocation | str]:
        assert self._outputs is not None
        with self._located_lock:
            unknown = [arn for arn in batch if arn not in self._located]
        found = self._outputs.locate(unknown, self._deadline)
        with self._located_lock:
            self._located.update(found)
            return {arn: self._located[arn] for arn in batch}

    def _delete_jobs(self, batch: list[str]) -> BatchDeleteOutcome:
        """Delete `batch`, explaining refusals by IAM (see the module doc)."""
        try:
            outcome = self._store.delete_jobs(batch, self._deadline)
        except BedrockCallError as error:
            protected = self._retained(batch) if error.code in ACCESS_DENIED_CODES else []
            if not protected:
                raise  # a refusal the retain tag does not explain
            rest = [arn for arn in batch if arn not in protected]
            try:
                outcome = self._store.delete_jobs(rest, self._deadline) if rest else BatchDeleteOutcome()
            except BedrockCallError as again:
                outcome = BatchDeleteOutcome(
                    errors=[FailedJob(arn, again.code, again.message) for arn in rest]
                )
            return BatchDeleteOutcome(outcome.accepted, outcome.errors, protected)
        refused = [item.job_identifier for item in outcome.errors if item.code in ACCESS_DENIED_CODES]
        protected = self._retained(refused)
        if not protected:
            return outcome
        errors = [item for item in outcome.errors if item.job_identifier not in protected]
        return BatchDeleteOutcome(outcome.accepted, errors, protected)

    def _retained(self, arns: list[str]) -> list[str]:
        """Those of `arns` that carry the retain tag, read with one ListTagsForResource each."""
        with self._confirmations_lock:
            if len(arns) > self._confirmations_left:
                return []  # past the run's budget for reading refused jobs again
            self._confirmations_left -= len(arns)
        retained = []
        for arn in arns:
            try:
                tags = self._store.get_tags(arn, self._deadline)
            except (BedrockCallError, JobGoneError):
                continue  # unconfirmed: the refusal stands
            if is_protected(tags, self._retain_tag_key):
                retained.append(arn)
        return retained

    def _settle(self, future: Future[BatchResult]) -> None:
        try:
            result = future.result()
        except DeadlineExceededError:
            raise  # the batch stays in flight: counted with the abandoned work
        except BedrockCallError as error:
            for arn in self._in_flight.pop(future):
                self._fail_or_retry(FailedJob(arn, error.code, error.message), error.rejected)
            self._tally.call_failed(self._operation, error.code, error.message)
            return
        batch = self._in_flight.pop(future)
        if result.outcome is None:
            self._tally.outputs(result.outputs, dry_run=True)
            self._keep(result.kept)
            return
        reading = read_batch(batch, result.outcome)
        self._tally.deleted(reading.deleted)
        self._tally.outputs(result.outputs, dry_run=False)
        self._keep(reading.kept)
        for arn in reading.protected:
            # Selected on tags the tagging API had not caught up with: not eligible after all.
            self._tally.summary.eligible -= 1
            self._tally.skip(SkipReason.PROTECTED, arn)
            self._tally.log.info(
                f"{self._noun} protected: the retain tag was found after IAM refused the delete",
                extra={"jobArn": arn, "outcome": "protected"},
            )
        for arn in reading.gone:
            self._tally.released += 1
            self._tally.skip(SkipReason.ALREADY_GONE, arn)
        for arn in reading.not_finished:
            # Listed as finished, refused as running (a one-call kind's ConflictException).
            self._tally.released += 1
            self._tally.summary.eligible -= 1
            self._tally.skip(SkipReason.NOT_FINISHED, arn)
        for failure in reading.refused:
            self._fail_or_retry(failure, rejected=True)
        for failure in reading.unanswered_failures:
            # Not released: whether it was deleted is unknown.
            self._tally.fail(failure)
        if (refusal := reading.uniform_refusal) is not None:
            # Every job of the call refused alike: to the systemic watch, one failed call.
            self._tally.call_failed(self._operation, refusal.code, refusal.message)
        else:
            self._tally.call_succeeded(self._operation)

    def _keep(self, kept: Sequence[str]) -> None:
        """Jobs held back because their outputs' bucket refused: not eligible after all."""
        for arn in kept:
            self._tally.summary.eligible -= 1
            self._tally.skip(SkipReason.OUTPUTS_BUCKET_REFUSED, arn)
            self._tally.log.info(
                f"{self._noun} kept: its outputs' bucket refused the janitor (see outputsKept)",
                extra={"jobArn": arn, "outcome": SkipReason.OUTPUTS_BUCKET_REFUSED.value},
            )

    def _fail_or_retry(self, failure: FailedJob, rejected: bool) -> None:
        if self.accepting_retries and treatment_of(failure.code).retried:
            self.retries[failure.job_identifier] = (failure.job_identifier, failure)
            return
        self._tally.fail(failure)
        if rejected:
            self._tally.released += 1
