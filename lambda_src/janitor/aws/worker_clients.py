"""A boto3 client per worker thread, all paced together and bounded by the call's deadline.

botocore's retry quota is per client: on one shared client, a burst of throttling on some
threads would use up the retries of all of them (and turn retryable throttles into failures).
So each worker gets a client of its own, made on its first call; all of them share one
`OperationPacing` (so together they send each operation at the pace its quota allows) and one
`CallDeadlines` (so no attempt starts after the deadline of the call it belongs to).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.pacing import OperationPacing
from janitor.core.deadline import CallDeadlines, Deadline
from janitor.core.job_store import BedrockCallError

Client = TypeVar("Client")


class WorkerClients(Generic[Client]):
    """Without a factory, every thread uses `shared` (for tests that stub one client)."""

    def __init__(self, factory: Callable[[], Client] | None, shared: Client | None = None) -> None:
        self._factory = factory
        self._shared = shared
        self._pacing = OperationPacing()
        self._deadlines = CallDeadlines()
        self._local = threading.local()
        # boto3 sessions are not thread-safe: clients are created one at a time.
        self._factory_lock = threading.Lock()

    def attach(self, client: Any) -> None:
        """Pace `client` and bound it by the deadlines. Pacing first: the deadline is checked
        after a paced wait, right before the attempt."""
        self._pacing.attach(client)
        self._deadlines.attach(client)

    def bound_by(self, deadline: Deadline) -> None:
        """The deadline of this thread's next calls, on whichever client it makes them."""
        self._deadlines.set(deadline)

    def for_call(self, deadline: Deadline) -> Client:
        """This thread's client, for a call that must not start an attempt after `deadline`."""
        self._deadlines.set(deadline)
        if self._factory is None:
            assert self._shared is not None, "WorkerClients needs a factory or a shared client"
            return self._shared
        client: Client | None = getattr(self._local, "client", None)
        if client is None:
            with self._factory_lock:
                client = self._factory()
            self.attach(client)
            self._local.client = client
        return client


def call_error(error: ClientError | BotoCoreError) -> BedrockCallError:
    """The run's view of a failed call: its code, message, and whether AWS refused it (4xx)."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
        return BedrockCallError(
            details.get("Code", "Unknown"), details.get("Message", str(error)), rejected=status < 500
        )
    return BedrockCallError(type(error).__name__, str(error))
