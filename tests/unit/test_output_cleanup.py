"""OutputCleanup: across invocations (the function keeps it warm, so nothing one run learnt may
stick to the next) and within a run: a bucket that refuses its probe keeps its jobs undeleted,
and every job sent for deletion has its outputs reported exactly once, whatever stops the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from janitor.core.deadline import NO_DEADLINE, Deadline, DeadlineExceededError
from janitor.core.job_store import BatchDeleteOutcome, BedrockCallError
from janitor.core.output_summary import OutputsFailed, OutputsSummary
from janitor.core.selection import Leftover
from janitor.outputs.cleanup import UNANSWERED, OutputCleanup
from janitor.outputs.locations import OutputLocation
from janitor.outputs.s3 import OutputCount, OutputRemoval, OutputStoreError
from janitor.run.service import JanitorRun
from tests.unit.fakes import NOW, InMemoryJobStore, RecordingLog, policy

ARN = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/a1b2c3d4e5f6"
BUCKETS = frozenset({"eval-results", "locked-evals"})


def arn(index: int) -> str:
    return f"arn:aws:bedrock:us-east-1:123456789012:evaluation-job/{index:012d}"


class ThrottledOnce:
    def __init__(self) -> None:
        self.calls = 0

    def output_of(self, arn: str, deadline: Deadline) -> tuple[str, str]:
        self.calls += 1
        if self.calls == 1:
            raise BedrockCallError("ThrottlingException", "Rate exceeded")
        return "nightly", "s3://eval-results/evals/"


@dataclass
class Details:
    """GetEvaluationJob: each job's name and s3Uri."""

    outputs: dict[str, tuple[str, str]]

    def output_of(self, arn: str, deadline: Deadline) -> tuple[str, str]:
        return self.outputs[arn]


@dataclass
class FakeS3:
    """The S3 side: 3 objects of 100 bytes under every prefix; `refusing` buckets answer 403."""

    refusing: set[str] = field(default_factory=set)
    probes: list[OutputLocation] = field(default_factory=list)
    removed: list[OutputLocation] = field(default_factory=list)
    removal: OutputRemoval | None = None
    owner: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def owned_by(self, account_id: str) -> FakeS3:
        self.owner = account_id
        return self

    def probe(self, location: OutputLocation, deadline: Deadline) -> None:
        with self.lock:
            self.probes.append(location)
        if location.bucket in self.refusing:
            raise OutputStoreError("AccessDenied", "Access Denied")

    def count(self, location: OutputLocation, deadline: Deadline) -> OutputCount:
        return OutputCount(3, 300)

    def remove(self, location: OutputLocation, deadline: Deadline) -> OutputRemoval:
        with self.lock:
            self.removed.append(location)
        return self.removal or OutputRemoval(deleted=OutputCount(3, 300), listed=3)


def jobs_in(buckets: Sequence[str]) -> tuple[list[Leftover], Details]:
    """One old finished job a bucket, each with its outputs there."""
    jobs = [
        Leftover(arn(i), f"job-{i}", "Completed", NOW - timedelta(days=40 + i), "ModelEvaluation")
        for i in range(len(buckets))
    ]
    return jobs, Details(
        {job.arn: (job.name, f"s3://{bucket}/evals") for job, bucket in zip(jobs, buckets, strict=True)}
    )


def run(
    store: InMemoryJobStore,
    cleanup: OutputCleanup,
    dry_run: bool = False,
    seconds: float = 900.0,
) -> JanitorRun:
    end = time.monotonic() + seconds
    janitor = JanitorRun(
        store=store,
        policy=policy(cutoff=NOW - timedelta(days=30)),
        dry_run=dry_run,
        older_than_days=30,
        log=RecordingLog(),
        remaining_seconds=lambda: end - time.monotonic(),
        time_reserve_seconds=60,
        max_concurrency=4,
        pause=lambda _seconds: None,
        outputs=cleanup,
    )
    janitor.execute()
    return janitor


def outputs_of(janitor: JanitorRun) -> OutputsSummary:
    assert janitor.summary.outputs is not None
    return janitor.summary.outputs


def test_a_failed_lookup_in_one_run_is_tried_again_in_the_next() -> None:
    cleanup = OutputCleanup(ThrottledOnce(), FakeS3(), {"eval-results"})

    first = cleanup.for_run(NO_DEADLINE).locate([ARN], NO_DEADLINE)
    second = cleanup.for_run(NO_DEADLINE).locate([ARN], NO_DEADLINE)

    reason = first[ARN]
    assert isinstance(reason, str)
    assert "ThrottlingException" in reason
    assert second[ARN] == OutputLocation("eval-results", "evals/nightly/a1b2c3d4e5f6/")


def test_a_job_whose_bucket_refuses_the_probe_is_not_deleted_and_reported_kept_as_a_dry_run_says() -> None:
    jobs, details = jobs_in(["eval-results", "locked-evals", "locked-evals"])
    s3 = FakeS3(refusing={"locked-evals"})
    cleanup = OutputCleanup(details, s3, BUCKETS)

    dry = run(InMemoryJobStore(jobs), cleanup, dry_run=True)
    store = InMemoryJobStore(jobs)
    real = run(store, cleanup)

    assert store.deleted == [jobs[0].arn], "only the job whose bucket answered"
    assert all(jobs[1].arn not in call and jobs[2].arn not in call for call in store.delete_calls)
    kept = {item.job_identifier: item.reason for item in outputs_of(real).kept}
    assert set(kept) == {jobs[1].arn, jobs[2].arn}, "each once"
    assert all("locked-evals refused ListObjectsV2 (AccessDenied: Access Denied)" in r for r in kept.values())
    assert {item.job_identifier: item.reason for item in outputs_of(dry).kept} == kept, "the dry run says so"
    assert (real.summary.deleted, real.summary.failed) == (1, 0)
    assert [location.bucket for location in s3.removed] == ["eval-results"]
    # One probe a bucket a run (two runs here), under the job's own prefix.
    assert (
        sorted(location.bucket for location in s3.probes)
        == ["eval-results", "eval-results"] + ["locked-evals"] * 2
    )


def test_a_bucket_that_does_not_exist_keeps_nothing_back() -> None:
    jobs, details = jobs_in(["eval-results"])

    class Gone(FakeS3):
        def probe(self, location: OutputLocation, deadline: Deadline) -> None:
            raise OutputStoreError("NoSuchBucket", "The specified bucket does not exist")

    store = InMemoryJobStore(jobs)
    janitor = run(store, OutputCleanup(details, Gone(), BUCKETS))

    assert store.deleted == [jobs[0].arn], "no outputs there to orphan"
    [kept] = outputs_of(janitor).kept
    assert "does not exist" in kept.reason


def test_a_job_sent_to_bedrock_whose_outputs_never_reported_is_in_outputs_failed_once() -> None:
    jobs, details = jobs_in(["eval-results"])
    released = threading.Event()

    class HeldReply(InMemoryJobStore):
        """Bedrock's answer to the delete arrives after the run's deadline."""

        def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
            released.wait(10)
            return super().delete_jobs(arns, deadline)

    s3 = FakeS3()
    cleanup = OutputCleanup(details, s3, BUCKETS)
    try:
        janitor = run(HeldReply(jobs), cleanup, seconds=63)  # the run's deadline 3 s from now
    finally:
        released.set()

    assert janitor.summary.stopped_by == "timeBudget"
    assert outputs_of(janitor).failed == [
        OutputsFailed(jobs[0].arn, "eval-results", f"evals/job-0/{jobs[0].arn[-12:]}/", 0, UNANSWERED)
    ]
    time.sleep(0.3)  # the abandoned worker gets its answer and removes the outputs, unrecorded
    assert len(outputs_of(janitor).failed) == 1


def test_results_after_close_are_dropped_and_close_reports_each_unanswered_job_once() -> None:
    jobs, details = jobs_in(["eval-results", "eval-results"])
    cleanup = OutputCleanup(details, FakeS3(), BUCKETS).for_run(NO_DEADLINE)
    located = cleanup.locate([job.arn for job in jobs], NO_DEADLINE)

    class Lost(InMemoryJobStore):
        def delete_jobs(self, arns: Sequence[str], deadline: Deadline) -> BatchDeleteOutcome:
            raise DeadlineExceededError  # no answer: whether they went is unknown

    guarded = cleanup.guard(Lost(jobs))
    with pytest.raises(DeadlineExceededError):
        guarded.delete_jobs([jobs[0].arn], NO_DEADLINE)
    cleanup.guard(InMemoryJobStore(jobs)).delete_jobs([jobs[1].arn], NO_DEADLINE)
    closed = cleanup.close()
    cleanup.remove([jobs[1].arn], located)

    assert sorted(result.job_arn for result in closed) == sorted(job.arn for job in jobs)
    assert all(result.failed is not None and result.failed.error == UNANSWERED for result in closed)
    assert cleanup.take() == [], "the late removal is not reported twice"
    assert cleanup.close() == []


def test_a_removal_cut_short_is_in_outputs_failed_with_what_is_left_and_why() -> None:
    jobs, details = jobs_in(["eval-results"])
    stopped = OutputRemoval(
        deleted=OutputCount(1000, 5000), listed=1800, stopped="DeadlineExceeded: the run's time ran out"
    )

    janitor = run(InMemoryJobStore(jobs), OutputCleanup(details, FakeS3(removal=stopped), BUCKETS))

    [failed] = outputs_of(janitor).failed
    assert (failed.job_identifier, failed.count) == (jobs[0].arn, 800)
    assert failed.error.startswith("DeadlineExceeded: the run's time ran out; stopped there")
    assert (outputs_of(janitor).objects_deleted, outputs_of(janitor).objects_found) == (1000, 1800)


def test_objects_hidden_behind_delete_markers_are_counted_as_noncurrent_not_deleted() -> None:
    jobs, details = jobs_in(["eval-results"])
    hidden = OutputRemoval(noncurrent=OutputCount(3, 300), listed=3)

    janitor = run(InMemoryJobStore(jobs), OutputCleanup(details, FakeS3(removal=hidden), BUCKETS))

    summary = outputs_of(janitor).to_dict()
    assert (summary["outputObjectsDeleted"], summary["outputBytesDeleted"]) == (0, 0)
    assert (summary["outputObjectsNoncurrent"], summary["outputBytesNoncurrent"]) == (3, 300)
    assert summary["outputsFailed"] == []
    log = janitor.log
    assert isinstance(log, RecordingLog)
    [(_, line)] = [entry for entry in log.infos if "noncurrent" in entry[0]]
    assert line is not None
    assert (line["objects"], line["bytes"], line["bucket"]) == (3, 300, "eval-results")


def test_the_outputs_of_a_target_are_bound_to_its_account() -> None:
    s3 = FakeS3()
    warm = OutputCleanup(Details({}), s3, BUCKETS)

    bound = warm.for_target("222222222222").for_run(NO_DEADLINE)

    assert (warm.bucket_owner, bound.bucket_owner, s3.owner) == (None, "222222222222", "222222222222")
