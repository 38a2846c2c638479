"""Candidates' tags, looked up on the run's pool: per job, or 100 at a time.

`perJob` asks Bedrock's ListTagsForResource once per candidate. `batched` asks the Resource
Groups Tagging API's GetResources for up to 100 candidates a call, so tag lookups cost
ceil(candidates / 100) calls. Batches fill while the listing streams, and a partial one is sent
when the listing ends or the cap can use no more candidates (janitor.run.service decides when).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future

from janitor.core.deadline import Deadline, DeadlineExceededError, result_by
from janitor.core.error_codes import treatment_of
from janitor.core.job_store import (
    TAG_INDEX_BATCH_SIZE,
    TAG_INDEX_OPERATION,
    BedrockCallError,
    JobGoneError,
    LeftoverStore,
    TagIndex,
)
from janitor.core.kind import Kind
from janitor.core.report import FailedJob
from janitor.core.selection import Leftover, SkipReason
from janitor.core.systemic import SystemicError
from janitor.run.batched_calls import BatchedCalls
from janitor.run.tally import RunTally

#: ARN -> the job's tags, or None when the job is gone.
TagAnswer = dict[str, Mapping[str, str] | None]


class TagLookups(BatchedCalls[Leftover, TagAnswer]):
    def __init__(
        self,
        store: LeftoverStore,
        tag_index: TagIndex | None,
        pool: Executor,
        tally: RunTally,
        deadline: Deadline,
        *,
        kind: Kind,
        max_in_flight: int,
        on_answer: Callable[[Leftover, Mapping[str, str] | None], None],
    ) -> None:
        super().__init__(
            pool,
            deadline,
            batch_size=1 if tag_index is None else TAG_INDEX_BATCH_SIZE,
            max_in_flight=max_in_flight,
        )
        self._store = store
        self._tag_index = tag_index
        self._tally = tally
        self._on_answer = on_answer
        self._operation = (
            kind.tags_operation if tag_index is None and kind.tags_operation else TAG_INDEX_OPERATION
        )

    def flush(self) -> None:
        """Ask for the tags of the batch being filled. With the most calls out, any answered
        call will do: every job waiting fits under the cap (the run checked), so the order does
        not matter, and one slow retry does not stall the others."""
        if self._batch:
            self._send(self._look_up)

    def settle_oldest(self) -> None:
        self._settle(next(iter(self._in_flight)))

    def drain(self) -> None:
        self.flush()
        while self._in_flight:
            self.settle_oldest()

    def abandon(self) -> int:
        """Give up the lookups not answered, without waiting; how many jobs that was."""
        for future in self._in_flight:
            future.cancel()
        return self._drop_unanswered()

    def _look_up(self, jobs: list[Leftover]) -> TagAnswer:
        """On a worker thread: one call, per job or for the whole batch."""
        if self._tag_index is None:
            [job] = jobs
            try:
                return {job.arn: self._store.get_tags(job.arn, self._deadline)}
            except JobGoneError:
                return {job.arn: None}
        found = self._tag_index.tags_of([job.arn for job in jobs], self._deadline)
        # Absent from the answer: no tags (the tagging API lists only resources that have some).
        return {job.arn: found.get(job.arn, {}) for job in jobs}

    def _settle(self, future: Future[TagAnswer]) -> None:
        jobs = self._in_flight[future]
        try:
            answer = result_by(future, self._deadline)
        except DeadlineExceededError:
            raise  # the jobs stay in flight: counted with the abandoned work
        except BedrockCallError as error:
            del self._in_flight[future]
            self._failed(jobs, error)
            return
        del self._in_flight[future]
        self._tally.call_succeeded(self._operation)
        for job in jobs:
            self._on_answer(job, answer[job.arn])

    def _failed(self, jobs: list[Leftover], error: BedrockCallError) -> None:
        retried = treatment_of(error.code).retried
        if self._tag_index is not None and not retried:
            # GetResources has no resource-level permission: a refusal meets every call alike.
            self._tally.skip(SkipReason.SYSTEMIC_ERROR, count=len(jobs))
            self._tally.stop_systemic(SystemicError(TAG_INDEX_OPERATION, error.code, error.message, 1))
        for job in jobs:
            failure = FailedJob(
                job.arn, error.code, f"Tags could not be read, so the job was kept: {error.message}"
            )
            if self.accepting_retries and retried:
                self.retries[job.arn] = (job, failure)
            else:
                self._tally.fail(failure)
        self._tally.call_failed(self._operation, error.code, error.message)
