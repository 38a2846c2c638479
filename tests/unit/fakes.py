"""An in-memory LeftoverStore and a run helper for unit tests (integration tests use the emulator)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from janitor.core.deadline import Deadline
from janitor.core.job_store import BatchDeleteOutcome, BedrockCallError, JobGoneError, TagIndex
from janitor.core.report import FailedJob
from janitor.core.selection import Leftover, SelectionPolicy, batched, is_protected, retention_cutoff
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.run.service import JanitorRun
from janitor.run.tally import EventLog

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
RETAIN = "janitor:retain"


def policy(**changes: object) -> SelectionPolicy:
    """The default settings' policy at NOW, with `changes` applied."""
    values: dict[str, object] = {
        "kind": EVALUATION_JOBS,
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
    jobs: list[Leftover]
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ARN -> (code, message) returned as a per-item error by delete_jobs.
    item_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    failing_tag_lookups: set[str] = field(default_factory=set)
    #: How IAM's Deny on the retain tag refuses a delete: the whole "call", an "item", or None.
    iam_deny: str | None = None
    delete_calls: list[list[str]] = field(default_factory=list)
    tag_lookups: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _accepted: set[str] = field(default_factory=set)

    #: Jobs per listing page.
    page_size: int = 100

    def list_jobs(self, created_before: datetime, application_type: str | None) -> Iterator[Leftover]:
        for job in sorted(self.jobs, key=lambda job: job.creation_time):
            if job.creation_time < created_before and application_type in (None, job.application_type):
                yield job

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterator[list[Leftover]]:
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
        denied = {arn for arn in arns if self.iam_deny and is_protected(self.tags.get(arn, {}), RETAIN)}
        if denied and self.iam_deny == "call":
            raise BedrockCallError(
                "AccessDeniedException", "explicit deny in an identity-based policy", rejected=True
            )
        outcome = BatchDeleteOutcome()
        for arn in arns:
            if arn in denied:
                outcome.errors.append(FailedJob(arn, "403", "explicit deny in an identity-based policy"))
            elif arn in self.item_errors:
                code, message = self.item_errors[arn]
                outcome.errors.append(FailedJob(arn, code, message))
            else:
                outcome.accepted.append(arn)
        with self._lock:
            self._accepted.update(outcome.accepted)
        return outcome

    @property
    def deleted(self) -> list[str]:
        """Every ARN a delete call accepted, in order."""
        return [arn for call in self.delete_calls for arn in call if arn in self._accepted]


@dataclass
class InMemoryTagIndex:
    """The tagging API over a store's tags; eventually consistent for the `lagging` ARNs."""

    store: InMemoryJobStore
    #: ARNs whose tags the index has not caught up with: it answers as if they had none.
    lagging: set[str] = field(default_factory=set)
    denied: bool = False
    calls: list[list[str]] = field(default_factory=list)

    def tags_of(self, arns: Sequence[str], deadline: Deadline) -> Mapping[str, Mapping[str, str]]:
        assert 1 <= len(arns) <= 100
        self.calls.append(list(arns))
        if self.denied:
            raise BedrockCallError(
                "AccessDeniedException", "not authorized to perform: tag:GetResources", rejected=True
            )
        return {
            arn: self.store.tags[arn] for arn in arns if self.store.tags.get(arn) and arn not in self.lagging
        }


class RefusingStore(InMemoryJobStore):
    """Bedrock as it fails in a real account: some jobs refused for good, some calls lost.

    `refusals`: ARN -> per-item error code, every time. `lost_calls`: index of a delete call ->
    the error of a call whose jobs are deleted but whose reply never arrives, the case where the run
    cannot know what happened. A job already gone is answered with 404, as Bedrock does.
    """

    def __init__(
        self,
        jobs: list[Leftover],
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
    tag_index: TagIndex | None = None,
    log: EventLog | None = None,
) -> JanitorRun:
    """One run over `store` with a 60 s time reserve; returns the finished run."""
    janitor = JanitorRun(
        store=store,
        policy=run_policy,
        dry_run=dry_run,
        older_than_days=30,
        log=log or logging.getLogger("test"),
        remaining_seconds=remaining_seconds,
        time_reserve_seconds=60,
        max_concurrency=max_concurrency,
        pause=lambda _seconds: None,
        tag_index=tag_index,
    )
    janitor.execute()
    return janitor


@dataclass
class RecordingLog:
    """An EventLog that keeps what it was told: (message, extra) per level."""

    infos: list[tuple[str, Mapping[str, Any] | None]] = field(default_factory=list)
    warnings: list[tuple[str, Mapping[str, Any] | None]] = field(default_factory=list)
    errors: list[tuple[str, Mapping[str, Any] | None]] = field(default_factory=list)

    def info(self, msg: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self.infos.append((msg, extra))

    def warning(self, msg: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self.warnings.append((msg, extra))

    def error(self, msg: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self.errors.append((msg, extra))
