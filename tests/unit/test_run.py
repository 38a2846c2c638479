"""Example-based tests of the run loop's edge cases, over the in-memory store."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from janitor.core.deadline import Deadline
from janitor.core.job_store import BatchDeleteOutcome, BedrockCallError
from janitor.core.selection import Leftover
from janitor.run.service import JanitorRun
from tests.unit.fakes import NOW, InMemoryJobStore, RefusingStore, policy, run_in_memory


def old_jobs(count: int) -> list[Leftover]:
    return [
        Leftover(
            arn=f"arn:aws:bedrock:us-east-1:123456789012:evaluation-job/{i:012d}",
            name=f"job-{i}",
            status="Completed",
            creation_time=NOW - timedelta(days=100 - i / 100),
            application_type="ModelEvaluation",
        )
        for i in range(count)
    ]


def run(store: InMemoryJobStore, remaining: list[float] | None = None) -> JanitorRun:
    clock = iter(remaining or [])
    return run_in_memory(
        store,
        policy(),
        remaining_seconds=(lambda: next(clock, 0.0)) if remaining else (lambda: 900.0),
        max_concurrency=3,
    )


class ListingBreaksAfter(InMemoryJobStore):
    def __init__(self, jobs: list[Leftover], after: int) -> None:
        super().__init__(jobs=jobs)
        self.after = after

    def list_jobs(self, created_before: datetime, application_type: str | None) -> Iterator[Leftover]:
        for index, job in enumerate(super().list_jobs(created_before, application_type)):
            if index == self.after:
                raise BedrockCallError("InternalServerException", "page 2 failed")
            yield job


def test_a_listing_error_still_deletes_and_reports_what_was_selected() -> None:
    store = ListingBreaksAfter(old_jobs(80), after=60)
    store.page_size = 20  # three whole pages, then the fourth fails
    summary = run(store).summary
    assert (summary.scanned, summary.deleted) == (60, 60)
    assert summary.stopped_by == "listingError"
    assert summary.error == "ListEvaluationJobs failed after retries: InternalServerException: page 2 failed"
    assert not summary.complete


def test_a_job_whose_tags_cannot_be_read_is_kept_and_reported_as_failed() -> None:
    jobs = old_jobs(5)
    store = InMemoryJobStore(jobs=jobs, failing_tag_lookups={jobs[2].arn})
    summary = run(store).summary
    assert jobs[2].arn not in store.deleted
    assert summary.deleted == 4
    [failure] = summary.failed_jobs
    assert failure.job_identifier == jobs[2].arn
    assert failure.code == "ThrottlingException"
    assert failure.message.startswith("Tags could not be read, so the job was kept")


def test_a_reply_that_omits_a_job_counts_it_as_failed() -> None:
    jobs = old_jobs(3)

    class ForgetfulStore(InMemoryJobStore):
        def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
            outcome = super().delete_jobs(arns, deadline)
            outcome.accepted.remove(jobs[1].arn)
            return outcome

    summary = run(ForgetfulStore(jobs=jobs)).summary
    assert summary.deleted == 2
    assert [(f.job_identifier, f.code) for f in summary.failed_jobs] == [(jobs[1].arn, "NoResult")]


def test_running_out_of_time_stops_before_the_next_batch() -> None:
    remaining = [900.0]

    class SlowStore(InMemoryJobStore):
        def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
            outcome = super().delete_jobs(arns, deadline)
            remaining[0] = 30.0  # the first batch used up the time: now below the 60 s reserve
            return outcome

    store = SlowStore(jobs=old_jobs(100))
    # One worker: each batch is settled before the next lookup starts, so the stop is exact.
    summary = run_in_memory(
        store, policy(), remaining_seconds=lambda: remaining[0], max_concurrency=1
    ).summary
    assert summary.stopped_by == "timeBudget"
    assert summary.deleted == 25
    assert [len(call) for call in store.delete_calls] == [25]
    assert summary.skipped["timeBudget"] >= 1


class FlakyStore(InMemoryJobStore):
    """Fails the first `failures` calls of each kind (a throttled lookup, a delete failing with
    `delete_code`), then recovers."""

    def __init__(
        self, jobs: list[Leftover], failures: int, delete_code: str = "InternalServerException"
    ) -> None:
        super().__init__(jobs=jobs)
        self.tag_failures_left = failures
        self.delete_failures_left = failures
        self.delete_code = delete_code

    def get_tags(self, arn: str, deadline: Deadline) -> Mapping[str, str]:
        with self._lock:
            if self.tag_failures_left:
                self.tag_failures_left -= 1
                raise BedrockCallError("ThrottlingException", "Rate exceeded")
        return super().get_tags(arn, deadline)

    def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
        with self._lock:
            if self.delete_failures_left:
                self.delete_failures_left -= 1
                raise BedrockCallError(self.delete_code, "try again")
        return super().delete_jobs(arns, deadline)


def test_transient_failures_after_the_sdks_retries_are_retried_at_the_end_of_the_run() -> None:
    store = FlakyStore(old_jobs(60), failures=5)
    summary = run(store).summary
    assert (summary.eligible, summary.deleted, summary.failed) == (60, 60, 0)
    assert sorted(store.deleted) == sorted(job.arn for job in store.jobs)


def test_a_throttle_the_pacer_knows_is_retried_and_never_stops_the_run() -> None:
    # RequestLimitExceeded was paced as a throttle, yet never retried and counted toward the
    # systemic stop: twelve throttled delete calls in a row stopped the run after ten.
    store = FlakyStore(old_jobs(300), failures=0, delete_code="RequestLimitExceeded")
    store.delete_failures_left = 12
    summary = run(store).summary
    assert summary.stopped_by is None
    assert (summary.eligible, summary.deleted, summary.failed) == (300, 300, 0)


def test_a_permanent_error_is_not_retried() -> None:
    jobs = old_jobs(3)
    store = InMemoryJobStore(jobs=jobs, item_errors={jobs[0].arn: ("409", "The job is being modified.")})
    summary = run(store).summary
    assert [(f.job_identifier, f.code) for f in summary.failed_jobs] == [(jobs[0].arn, "409")]
    assert len(store.delete_calls) == 1, "no retry round for a conflict"


def test_refused_jobs_do_not_use_up_the_cap() -> None:
    jobs = old_jobs(550)
    refused = {job.arn: ("AccessDeniedException", "denied by an SCP") for job in jobs[:50]}
    store = InMemoryJobStore(jobs=jobs, item_errors=refused)
    summary = run_in_memory(store, policy(max_deletions=50)).summary
    assert summary.deleted == 50
    assert sorted(store.deleted) == sorted(job.arn for job in jobs[50:100]), "the next oldest, in order"
    assert {failure.job_identifier for failure in summary.failed_jobs} == set(refused)
    assert summary.stopped_by == "maxDeletions"


def test_a_delete_whose_reply_was_lost_keeps_its_places_under_the_cap() -> None:
    jobs = old_jobs(80)
    # The first call deletes its 25 jobs, but the connection breaks before the reply.
    store = RefusingStore(jobs, {job.arn: {} for job in jobs}, refusals={}, lost_calls={0: "SSLError"})
    summary = run_in_memory(store, policy(max_deletions=30)).summary
    assert len(store.gone) == 30, "25 that may be gone + 5 more, never 55"
    assert (summary.deleted, summary.failed) == (5, 25)
