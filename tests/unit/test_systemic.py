"""A systemic error (the same refusal on every call) stops the run early, reported once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from janitor.core.deadline import Deadline
from janitor.core.job_store import BatchDeleteOutcome, BedrockCallError
from janitor.core.report import RunSummary
from janitor.core.selection import Leftover
from janitor.core.systemic import SYSTEMIC_ERROR_THRESHOLD, ConsecutiveFailures, SystemicError
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.run.tally import RunTally, SystemicStopError
from tests.unit.fakes import InMemoryJobStore, RecordingLog, policy, run_in_memory
from tests.unit.test_run import old_jobs

DENIED = BedrockCallError(
    "AccessDeniedException", "not authorized: explicit deny in a service control policy", rejected=True
)
CONCURRENCY = 4
#: Calls the run may still make once the streak is complete: what was already in flight.
MOST_CALLS = SYSTEMIC_ERROR_THRESHOLD + CONCURRENCY


class DenyingStore(InMemoryJobStore):
    def __init__(self, jobs: list[Leftover], denied: str) -> None:
        super().__init__(jobs=jobs)
        self.denied = denied
        self.list_calls = 0

    def list_job_pages(
        self, created_before: datetime, application_type: str | None, deadline: Deadline
    ) -> Iterator[list[Leftover]]:
        self.list_calls += 1
        if self.denied == "list":
            raise DENIED
        yield from super().list_job_pages(created_before, application_type, deadline)

    def get_tags(self, arn: str, deadline: Deadline) -> Mapping[str, str]:
        tags = super().get_tags(arn, deadline)
        if self.denied == "tags":
            raise DENIED
        return tags

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        outcome = super().delete_jobs(arns, deadline)
        if self.denied == "delete":
            raise DENIED
        return outcome


def test_denied_tag_lookups_stop_the_run_within_the_threshold() -> None:
    store = DenyingStore(old_jobs(1000), denied="tags")
    summary = run_in_memory(store, policy(), max_concurrency=CONCURRENCY).summary
    assert len(store.tag_lookups) <= MOST_CALLS, "not 1,000 doomed lookups"
    assert store.delete_calls == []
    assert summary.stopped_by == "systemicError"
    assert summary.systemic_error is not None
    assert summary.systemic_error["operation"] == "ListTagsForResource"
    assert summary.systemic_error["code"] == "AccessDeniedException"
    assert summary.error is not None
    assert "Allow bedrock:ListTagsForResource" in summary.error
    assert SYSTEMIC_ERROR_THRESHOLD <= summary.failed <= MOST_CALLS, "each failed lookup is reported"


def test_denied_deletes_stop_the_run_within_the_threshold() -> None:
    store = DenyingStore(old_jobs(1000), denied="delete")
    summary = run_in_memory(store, policy(), max_concurrency=CONCURRENCY).summary
    assert len(store.delete_calls) <= MOST_CALLS
    assert summary.systemic_error is not None
    assert summary.systemic_error["operation"] == "BatchDeleteEvaluationJob"
    assert summary.deleted == 0
    assert summary.skipped.get("systemicError", 0) >= 1, "the work not done is counted"


def test_every_item_refused_alike_counts_as_a_failed_call() -> None:
    jobs = old_jobs(1000)
    refused = {job.arn: ("AccessDeniedException", "explicit deny") for job in jobs}
    store = InMemoryJobStore(jobs=jobs, item_errors=refused)
    summary = run_in_memory(store, policy(), max_concurrency=CONCURRENCY).summary
    assert len(store.delete_calls) <= MOST_CALLS
    assert summary.stopped_by == "systemicError"


def test_a_denied_listing_is_systemic_at_once() -> None:
    store = DenyingStore(old_jobs(10), denied="list")
    summary = run_in_memory(store, policy(), max_concurrency=CONCURRENCY).summary
    assert store.list_calls == 1
    assert summary.systemic_error is not None
    assert summary.systemic_error["operation"] == "ListEvaluationJobs"
    assert store.tag_lookups == []


def test_refusals_scattered_among_successes_never_stop_a_run() -> None:
    jobs = old_jobs(300)
    refused = {job.arn: ("AccessDeniedException", "explicit deny") for job in jobs[::3]}
    store = InMemoryJobStore(jobs=jobs, item_errors=refused)
    summary = run_in_memory(store, policy(), max_concurrency=CONCURRENCY).summary
    assert summary.complete
    assert (summary.deleted, summary.failed) == (200, 100)


def test_a_streak_needs_one_code_and_ignores_retryable_failures() -> None:
    failures = ConsecutiveFailures(threshold=3)
    assert failures.failed("Op", "AccessDeniedException", "no") is None
    assert failures.failed("Op", "ThrottlingException", "slow down") is None, "neither counts nor breaks"
    assert failures.failed("Op", "AccessDeniedException", "no") is None
    assert failures.failed("Other", "AccessDeniedException", "no") is None, "streaks are per operation"
    systemic = failures.failed("Op", "AccessDeniedException", "no")
    assert systemic is not None
    assert (systemic.operation, systemic.consecutive_calls) == ("Op", 3)

    failures.succeeded("Op")
    assert failures.failed("Op", "AccessDeniedException", "no") is None, "a success ends the streak"
    assert failures.failed("Op", "ValidationException", "bad") is None, "another code starts anew"
    assert failures.failed("Op", "AccessDeniedException", "no") is None


def test_a_systemic_stop_is_logged_and_reported_once_even_as_finished_work_is_harvested() -> None:
    # On the way out, calls already answered are still recorded, and their refusals extend the
    # streak past the threshold: the stop must not be announced (or its summary rewritten) again.
    log = RecordingLog()
    tally = RunTally(
        RunSummary(dry_run=False, older_than_days=30, max_deletions=1000), log, EVALUATION_JOBS.noun
    )
    for call in range(SYSTEMIC_ERROR_THRESHOLD + 3):
        with contextlib.suppress(SystemicStopError):
            tally.call_failed("BatchDeleteEvaluationJob", "AccessDeniedException", f"denied {call}")
    assert [message for message, _ in log.errors] == ["Stopping: systemic error"]
    assert tally.summary.systemic_error is not None
    assert tally.summary.systemic_error["consecutiveCalls"] == SYSTEMIC_ERROR_THRESHOLD


def test_the_advice_names_the_action_in_its_own_services_iam_prefix() -> None:
    denied = SystemicError(
        "DeleteBatchEvaluation", "AccessDeniedException", "not authorized", 10, "bedrock-agentcore"
    )
    assert "Allow bedrock-agentcore:DeleteBatchEvaluation to the function's role" in denied.describe()
