"""An in-memory EvaluationJobStore and a run helper for unit tests (integration tests use the emulator)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from janitor.deadline import Deadline
from janitor.job_store import BatchDeleteOutcome, BedrockCallError, JobGoneError
from janitor.report import FailedJob
from janitor.selection import EvaluationJob, SelectionPolicy, batched, retention_cutoff
from janitor.service import JanitorRun

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def policy(**changes: object) -> SelectionPolicy:
    """The default settings' policy at NOW, with `changes` applied."""
    values: dict[str, object] = {
        "cutoff": retention_cutoff(NOW, 30),
        "statuses": frozenset({"Completed", "Failed", "Stopped"}),
        "application_types": frozenset({"ModelEvaluation", "RagEvaluation"}),
        "name_exclude_pattern": None,
        "retain_tag_key": "janitor:retain",
        "max_deletions": 1000,
    }
    values.update(changes)
    return SelectionPolicy(**values)  # type: ignore[arg-type]


@dataclass
class InMemoryJobStore:
    jobs: list[EvaluationJob]
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ARN -> (code, message) returned as a per-item error by delete_jobs.
    item_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    failing_tag_lookups: set[str] = field(default_factory=set)
    delete_calls: list[list[str]] = field(default_factory=list)
    tag_lookups: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    #: Jobs per listing page.
    page_size: int = 100

    def list_jobs(self, created_before: datetime, application_type: str | None) -> Iterator[EvaluationJob]:
        for job in sorted(self.jobs, key=lambda job: job.creation_time):
            if job.creation_time < created_before and application_type in (None, job.application_type):
                yield job

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterator[list[EvaluationJob]]:
        yield from batched(self.list_jobs(created_before, application_type), self.page_size)

    def get_tags(self, arn: str, deadline: Deadline) -> Mapping[str, str]:
        with self._lock:
            self.tag_lookups.append(arn)
        if arn in self.failing_tag_lookups:
            raise BedrockCallError("ThrottlingException", "Rate exceeded")
        if arn not in {job.arn for job in self.jobs}:
            raise JobGoneError(arn)
        return self.tags.get(arn, {})

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        with self._lock:
            self.delete_calls.append(list(arns))
        outcome = BatchDeleteOutcome()
        for arn in arns:
            if arn in self.item_errors:
                code, message = self.item_errors[arn]
                outcome.errors.append(FailedJob(arn, code, message))
            else:
                outcome.accepted.append(arn)
        return outcome

    @property
    def deleted(self) -> list[str]:
        return [arn for call in self.delete_calls for arn in call if arn not in self.item_errors]


class RefusingStore(InMemoryJobStore):
    """Bedrock as it fails in a real account: some jobs refused for good, some calls lost.

    `refusals`: ARN -> per-item error code, every time. `lost_calls`: index of a delete call ->
    the error of a call whose jobs are deleted but whose reply never arrives, the case where the run
    cannot know what happened. A job already gone is answered with 404, as Bedrock does.
    """

    def __init__(
        self,
        jobs: list[EvaluationJob],
        tags: dict[str, dict[str, str]],
        refusals: dict[str, str],
        lost_calls: dict[int, str],
    ) -> None:
        super().__init__(jobs=jobs, tags=tags)
        self.refusals = refusals
        self.lost_calls = lost_calls
        self.gone: set[str] = set()

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        with self._lock:
            call = len(self.delete_calls)
            self.delete_calls.append(list(arns))
            outcome = BatchDeleteOutcome()
            for arn in arns:
                if arn in self.refusals:
                    outcome.errors.append(FailedJob(arn, self.refusals[arn], "refused"))
                elif arn in self.gone:
                    outcome.errors.append(FailedJob(arn, "404", "Unable to locate this job to delete."))
                else:
                    self.gone.add(arn)
                    outcome.accepted.append(arn)
        if call in self.lost_calls:
            raise BedrockCallError(self.lost_calls[call], "the connection broke before the reply")
        return outcome


def run_in_memory(
    store: InMemoryJobStore,
    run_policy: SelectionPolicy,
    dry_run: bool = False,
    remaining_seconds: Callable[[], float] = lambda: 900.0,
    max_concurrency: int = 4,
) -> JanitorRun:
    """One run over `store` with a 60 s time reserve; returns the finished run."""
    janitor = JanitorRun(
        store=store,
        policy=run_policy,
        dry_run=dry_run,
        older_than_days=30,
        log=logging.getLogger("test"),
        remaining_seconds=remaining_seconds,
        time_reserve_seconds=60,
        max_concurrency=max_concurrency,
        pause=lambda _seconds: None,
    )
    janitor.execute()
    return janitor
