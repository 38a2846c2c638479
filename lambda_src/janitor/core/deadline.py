"""The run's deadline, and the botocore hooks that keep every Bedrock call inside it.

A run must return its summary, metrics and report before the Lambda timeout, but one botocore
call can take minutes (8 attempts, 30 s read timeouts, backoff up to 20 s, or a long paced wait).
So the run has a deadline (the Lambda's remaining time less the reserve), every store call is
given it, and no attempt of a call starts once it has passed: the call raises
DeadlineExceededError instead. The run's main thread never waits past the deadline either; an
attempt already on the wire then is abandoned, not awaited (janitor.run.service).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class DeadlineExceededError(Exception):
    """The run's deadline passed before this call could make (another) attempt."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """Seconds left until the run must stop starting work; thread-safe to read."""

    seconds_left: Callable[[], float]

    def passed(self) -> bool:
        return self.seconds_left() <= 0


#: For calls made without a run (an adapter used on its own): never passes.
NO_DEADLINE = Deadline(lambda: float("inf"))


class CallDeadlines:
    """The deadline of the call each thread is making, checked by hooks on the clients.

    A client is used by one thread at a time (each worker has its own), so a thread-local
    holds the deadline of the call in progress; the hooks read it on every attempt.
    """

    def __init__(self) -> None:
        self._current = threading.local()

    def set(self, deadline: Deadline) -> None:
        """The deadline of the calls this thread makes from now on."""
        self._current.deadline = deadline

    def attach(self, client: Any) -> None:
        """Refuse every attempt `client` would start after the current call's deadline.

        before-send precedes every attempt, retries included. Attach after the pacer, so the
        check follows a long paced wait. (Not needs-retry: it also follows a successful attempt,
        whose answer must never be thrown away.)
        """
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-send.{service}", self._check)

    def _check(self, **_: Any) -> None:
        deadline: Deadline = getattr(self._current, "deadline", NO_DEADLINE)
        if deadline.passed():
            raise DeadlineExceededError("the run's time budget ran out before this call could be made")


def first_completed(in_flight: Iterable[Future[Any]], deadline: Deadline) -> list[Future[Any]]:
    """The finished futures among `in_flight` (waiting for at least one), in their order.

    Never waits past the deadline: DeadlineExceededError then, whatever is still out.
    """
    futures = list(in_flight)
    while True:
        left = deadline.seconds_left()
        if left <= 0:
            raise DeadlineExceededError("the run's time budget ran out while calls were still out")
        done, _ = wait(futures, timeout=left, return_when=FIRST_COMPLETED)
        if done:
            return [future for future in futures if future in done]


def result_by(future: Future[T], deadline: Deadline) -> T:
    """The future's result, waiting no later than the deadline (DeadlineExceededError)."""
    first_completed([future], deadline)
    return future.result()


def call_by(deadline: Deadline, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` on a thread of its own, waited for no later than the deadline.

    On DeadlineExceededError the call is left to finish (or time out) by itself, unawaited, on a
    daemon thread: a ThreadPoolExecutor's worker would be joined at interpreter exit, and an SNS
    publish abandoned against an endpoint that never answers held a test process 4 minutes
    after its last test (`tests/unit/test_deadline.py`).
    """
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(function(*args))
        except BaseException as error:
            future.set_exception(error)

    threading.Thread(target=run, name="janitor-bounded", daemon=True).start()
    return result_by(future, deadline)
