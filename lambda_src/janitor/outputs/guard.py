"""The run's job store as the deletes see it with DELETE_OUTPUTS (OutputCleanup.guard): jobs
whose outputs' bucket refused the probe are held back from BatchDeleteEvaluationJob, and nothing
is sent after the outputs' deadline, since a job deleted then could not have its outputs removed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from janitor.core.deadline import Deadline
from janitor.core.job_store import BatchDeleteOutcome, BedrockCallError, LeftoverStore
from janitor.core.selection import Leftover

if TYPE_CHECKING:
    from janitor.outputs.cleanup import OutputCleanup


class OutputsFirst:
    """The run's job store, as the deletes see it with DELETE_OUTPUTS (OutputCleanup.guard)."""

    def __init__(self, store: LeftoverStore, outputs: OutputCleanup) -> None:
        self._store = store
        self._outputs = outputs

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterable[Sequence[Leftover]]:
        return self._store.list_job_pages(created_before, application_type, deadline)

    def get_tags(self, arn: str, deadline: Deadline) -> Mapping[str, str]:
        return self._store.get_tags(arn, deadline)

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        """Deletes all but the held jobs, which come back as kept (not failed, their place under
        the cap freed), and sends nothing after the outputs' deadline."""
        held, sent = self._outputs.sending(arns)
        try:
            # The outputs' deadline is the earlier: a job deleted later could not be cleaned.
            outcome = self._store.delete_jobs(sent, self._outputs.deadline) if sent else BatchDeleteOutcome()
        except BedrockCallError:
            self._outputs.answered(sent, ())
            raise
        # DeadlineExceededError leaves them out: whether Bedrock deleted them is unknown.
        self._outputs.answered(sent, set(outcome.accepted))
        return BatchDeleteOutcome(outcome.accepted, outcome.errors, outcome.protected, list(held))
