"""Work sent in batches on the run's pool: the shape tag lookups and deletes share.

Items gather into a batch of up to `batch_size`, each batch is one call on a worker thread, at
most `max_in_flight` calls are out at once, no batch is sent after the run's deadline, and the
items of a call that failed transiently wait, with their last failure, for a retry round.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Generic, TypeVar

from janitor.core.deadline import Deadline, DeadlineExceededError, first_completed
from janitor.core.report import FailedJob

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class BatchedCalls(Generic[Item, Answer]):
    def __init__(self, pool: Executor, deadline: Deadline, *, batch_size: int, max_in_flight: int) -> None:
        self._pool = pool
        self._deadline = deadline
        self._batch_size = batch_size
        self._max_in_flight = max_in_flight
        self._batch: list[Item] = []
        # Calls out, oldest first (dicts keep insertion order).
        self._in_flight: dict[Future[Answer], list[Item]] = {}
        #: Transient failures waiting for a retry round: ARN -> (item, last failure).
        self.retries: dict[str, tuple[Item, FailedJob]] = {}
        self.accepting_retries = True

    @property
    def has_batch(self) -> bool:
        return bool(self._batch)

    @property
    def in_flight(self) -> int:
        """Calls out."""
        return len(self._in_flight)

    @property
    def waiting(self) -> int:
        """Items not answered yet: batched, sent, or to be sent again."""
        return len(self._batch) + sum(map(len, self._in_flight.values())) + len(self.retries)

    def add(self, item: Item) -> None:
        self._batch.append(item)
        if len(self._batch) == self._batch_size:
            self.flush()

    def flush(self) -> None:
        """Send the batch being filled (subclasses decide how, through `_send`)."""
        raise NotImplementedError

    def retry_round(self, accept_more: bool) -> int:
        """Put the transient failures back into batches; how many there were."""
        retries, self.retries = self.retries, {}
        self.accepting_retries = accept_more
        for item, _ in retries.values():
            self.add(item)
        return len(retries)

    def settle_some(self) -> None:
        """Record at least one answered call, waiting (within the deadline) for one."""
        for future in first_completed(self._in_flight, self._deadline):
            self._settle(future)

    def _send(self, work: Callable[[list[Item]], Answer]) -> bool:
        """The batch being filled, as one call of `work` on the pool; none after the deadline.
        With `max_in_flight` calls out, waits for an answer: then True."""
        if self._deadline.passed():
            raise DeadlineExceededError  # the batch is counted with the abandoned work
        batch, self._batch = self._batch, []
        self._in_flight[self._pool.submit(work, batch)] = batch
        if len(self._in_flight) < self._max_in_flight:
            return False
        self.settle_some()
        return True

    def _settle_answered(self) -> None:
        for future in [future for future in self._in_flight if future.done()]:
            self._settle(future)

    def _drop_unanswered(self) -> int:
        """Forget the batch and the calls out; how many items that was."""
        dropped = len(self._batch) + sum(map(len, self._in_flight.values()))
        self._in_flight.clear()
        self._batch = []
        return dropped

    def _settle(self, future: Future[Answer]) -> None:
        raise NotImplementedError
