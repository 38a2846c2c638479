"""A deleted job's S3 outputs, removed with it (DELETE_OUTPUTS, opt-in).

Bedrock's user guide: deleting an evaluation job leaves what it saved in S3 unchanged. For each
job it is about to delete, the run reads the job's `outputDataConfig.s3Uri` with GetEvaluationJob
(afterwards the details are gone) and derives the job's own prefix `<s3Uri>/<jobName>/<jobId>/`
(janitor.outputs.locations says where that layout comes from, and refuses anything it cannot derive
safely). Only a job Bedrock accepted for deletion has its outputs removed; a protected, refused
or vanished job keeps them. A job whose outputs cannot be located safely, or live in a bucket
the deployment does not list, is still deleted, and its outputs are reported as kept.

Each run works on a copy of its own (`for_run`), which keeps, for that run only:
- the probes: before the first of its jobs is deleted, each bucket is listed once (one
  ListObjectsV2 of at most one key under that job's prefix). A bucket that refuses (a bucket
  policy, Requester Pays, another owner, a throttle past the retries) holds its jobs: `guard`
  keeps them from BatchDeleteEvaluationJob, since deleting them would orphan their outputs, and
  they are reported in outputsKept (the next run probes again);
- the deadline: the run's, less REMOVAL_MARGIN_SECONDS, for every S3 call and every delete sent
  to Bedrock, so a removal cut short still reports before the run's own deadline;
- the results, handed to the run's main thread by `take` and `close` rather than through the
  batch that made them: a batch still out at the run's deadline is abandoned unread, so `close`
  reports, once, each job sent for deletion whose removal never reported (outputsFailed).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from janitor.core.deadline import NO_DEADLINE, Deadline, DeadlineExceededError
from janitor.core.job_store import BedrockCallError, JobGoneError, LeftoverStore
from janitor.core.output_summary import OutputsFailed, OutputsKept
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.outputs.guard import OutputsFirst
from janitor.outputs.locations import OutputLocation, locate_outputs
from janitor.outputs.s3 import DEADLINE_CODE, OutputCount, OutputRemoval, OutputStoreError

#: Outputs are an evaluation-job feature: their location is in that kind's get call's answer.
GET_JOB_OPERATION = EVALUATION_JOBS.get_operation
#: Output removal (and sending jobs to Bedrock) stops this long before the run's deadline, so
#: the worker's result is back, and recorded, before the run's main thread stops waiting.
REMOVAL_MARGIN_SECONDS = 2.0
NO_SUCH_BUCKET = "NoSuchBucket"
UNANSWERED = (
    f"{DEADLINE_CODE}: the run stopped before Bedrock's answer to the delete, or the removal, "
    "came back; if the job is gone, its outputs may all still be here (not counted)"
)


class JobDetails(Protocol):
    def output_of(self, arn: str, deadline: Deadline) -> tuple[str, str]:
        """(jobName, outputDataConfig.s3Uri); JobGoneError or BedrockCallError when unreadable."""
        ...


class OutputStore(Protocol):
    def owned_by(self, account_id: str) -> OutputStore: ...

    def probe(self, location: OutputLocation, deadline: Deadline) -> None: ...

    def count(self, location: OutputLocation, deadline: Deadline) -> OutputCount: ...

    def remove(self, location: OutputLocation, deadline: Deadline) -> OutputRemoval: ...


@dataclass
class JobOutputs:
    """What became of one job's outputs."""

    job_arn: str
    location: OutputLocation | None = None
    kept: OutputsKept | None = None
    found: OutputCount = field(default_factory=OutputCount)
    deleted: OutputCount = field(default_factory=OutputCount)
    #: Hidden behind a delete marker (a versioned bucket without deleteOutputVersions).
    noncurrent: OutputCount = field(default_factory=OutputCount)
    failed: OutputsFailed | None = None


@dataclass(frozen=True, slots=True)
class _Verdict:
    """A bucket's probe that refused: whether its jobs are held, and why."""

    hold: bool
    reason: str


class OutputCleanup:
    def __init__(
        self,
        details: JobDetails,
        store: OutputStore,
        allowed_buckets: Collection[str],
        deadline: Deadline = NO_DEADLINE,
        bucket_owner: str | None = None,
    ) -> None:
        self._details = details
        self._store = store
        self._allowed = frozenset(allowed_buckets)
        self.deadline = deadline
        #: The account whose buckets alone are touched (ExpectedBucketOwner); None: no target yet.
        self.bucket_owner = bucket_owner
        self._lock = threading.Lock()
        self._probes: dict[str, _Verdict | None] = {}
        self._probing: dict[str, threading.Lock] = {}
        self._located: dict[str, OutputLocation | str] = {}
        #: Jobs kept from Bedrock because their bucket refused the probe: ARN -> why.
        self._held: dict[str, str] = {}
        self._kept: set[str] = set()
        #: Jobs sent to Bedrock whose outputs have no result yet.
        self._out: set[str] = set()
        self._results: list[JobOutputs] = []
        self._closed = False

    def for_target(self, bucket_owner: str) -> OutputCleanup:
        """This cleanup for one target account: its buckets only (the function keeps `self`)."""
        return OutputCleanup(
            self._details, self._store.owned_by(bucket_owner), self._allowed, bucket_owner=bucket_owner
        )

    def for_run(self, deadline: Deadline) -> OutputCleanup:
        """A fresh copy for one run, bounded by the run's `deadline` less the margin."""
        ahead = Deadline(lambda: deadline.seconds_left() - REMOVAL_MARGIN_SECONDS)
        return OutputCleanup(self._details, self._store, self._allowed, ahead, self.bucket_owner)

    def guard(self, store: LeftoverStore) -> LeftoverStore:
        """`store`, but deletes keep back the held jobs and stop at this cleanup's deadline."""
        return OutputsFirst(store, self)

    def locate(self, arns: Iterable[str], deadline: Deadline) -> dict[str, OutputLocation | str]:
        """Each job's own output prefix, or why its outputs will be kept; before the delete.

        Kept by one run only (janitor.run.batch_deletes): the function keeps this object between
        invocations, and a GetEvaluationJob that failed once must be tried again next run.
        DeadlineExceededError when a bucket's probe could not finish: nothing is deleted then.
        """
        located = {arn: self._locate(arn, deadline) for arn in arns}
        with self._lock:
            self._located.update(located)
        return located

    def _locate(self, arn: str, deadline: Deadline) -> OutputLocation | str:
        try:
            name, s3_uri = self._details.output_of(arn, deadline)
        except JobGoneError:
            return f"{GET_JOB_OPERATION}: the job is gone, so is where it saved its outputs"
        except BedrockCallError as error:
            return f"{GET_JOB_OPERATION} failed: {error.code}: {error.message}"
        where = locate_outputs(s3_uri, name, arn, self._allowed)
        if isinstance(where, str):
            return where
        verdict = self._probe(where)
        if verdict is None:
            return where
        if verdict.hold:
            with self._lock:
                self._held[arn] = verdict.reason
        return verdict.reason

    def _probe(self, where: OutputLocation) -> _Verdict | None:
        """The bucket's probe, made once a run whichever thread asks first (the others wait)."""
        with self._lock:
            if where.bucket in self._probes:
                return self._probes[where.bucket]
            probing = self._probing.setdefault(where.bucket, threading.Lock())
        with probing:
            with self._lock:
                if where.bucket in self._probes:
                    return self._probes[where.bucket]
            verdict = self._ask(where)  # DeadlineExceededError: unprobed, the next job asks again
            with self._lock:
                self._probes[where.bucket] = verdict
            return verdict

    def _ask(self, where: OutputLocation) -> _Verdict | None:
        try:
            self._store.probe(where, self.deadline)
        except OutputStoreError as error:
            if error.code == NO_SUCH_BUCKET:
                # Nothing there to orphan: the jobs go, their outputs are reported as kept.
                return _Verdict(False, f"bucket {where.bucket} does not exist ({NO_SUCH_BUCKET})")
            return _Verdict(
                True,
                f"job not deleted, so its outputs are not orphaned: s3://{where.bucket} refused "
                f"ListObjectsV2 ({error.code}: {error.message}), as a bucket policy, Requester Pays "
                f"or an owner other than account {self.bucket_owner} would; the next run asks again",
            )
        return None

    def measure(self, located: Mapping[str, OutputLocation | str]) -> list[JobOutputs]:
        """A dry run: what removing each job's outputs would delete (results go to `take`)."""
        self._report([self._each(arn, where, remove=False) for arn, where in located.items()])
        return []

    def remove(
        self, accepted: Sequence[str], located: Mapping[str, OutputLocation | str]
    ) -> list[JobOutputs]:
        """The outputs of the jobs Bedrock accepted for deletion, and only theirs (results go to `take`)."""
        for arn in accepted:
            with self._lock:
                skip = self._closed or arn not in located  # closed: `close` reported it
            if not skip:
                self._report([self._each(arn, located[arn], remove=True)])
        return []

    def take(self) -> list[JobOutputs]:
        """The results reported so far, for the run's main thread to record."""
        with self._lock:
            results, self._results = self._results, []
        return results

    def close(self) -> list[JobOutputs]:
        """The run is over: the results not taken yet, and each job sent to Bedrock whose outputs
        never reported. Results reported later are dropped: they are in this list already."""
        with self._lock:
            self._closed = True
            results, self._results = self._results, []
            unanswered, self._out = sorted(self._out), set()
            where = {arn: self._located.get(arn) for arn in unanswered}
        for arn in unanswered:
            location = where[arn]
            if isinstance(location, OutputLocation):
                failed = OutputsFailed(arn, location.bucket, location.prefix, 0, UNANSWERED)
                results.append(JobOutputs(arn, location=location, failed=failed))
            else:
                results.append(JobOutputs(arn, kept=OutputsKept(arn, location or UNANSWERED)))
        return results

    def _report(self, results: Iterable[JobOutputs]) -> None:
        with self._lock:
            for result in results:
                if not self._closed:
                    self._results.append(result)
                    self._out.discard(result.job_arn)

    def held_among(self, arns: Sequence[str]) -> list[str]:
        """The jobs of `arns` held back: their outputs' bucket refused the probe."""
        with self._lock:
            return [arn for arn in arns if arn in self._held]

    def sending(self, arns: Sequence[str]) -> tuple[list[str], list[str]]:
        """(held, sent): the held jobs (reported as kept now) and those sent to Bedrock."""
        with self._lock:
            held = [arn for arn in arns if arn in self._held]
            sent = [arn for arn in arns if arn not in self._held]
            self._out.update(sent)
            # A held job stays held (a second delete call may name it again), reported once.
            kept = [JobOutputs(arn, kept=OutputsKept(arn, self._held[arn])) for arn in held]
            kept = [result for result in kept if result.job_arn not in self._kept]
            self._kept.update(result.job_arn for result in kept)
        self._report(kept)
        return held, sent

    def answered(self, sent: Sequence[str], accepted: Collection[str]) -> None:
        """Bedrock answered: the jobs it did not delete have no outputs to report."""
        with self._lock:
            self._out.difference_update(arn for arn in sent if arn not in accepted)

    def _each(self, arn: str, where: OutputLocation | str, *, remove: bool) -> JobOutputs:
        if isinstance(where, str):
            return JobOutputs(arn, kept=OutputsKept(arn, where))
        outputs = JobOutputs(arn, location=where)
        if not remove:
            try:
                outputs.found = self._store.count(where, self.deadline)
            except OutputStoreError as error:
                outputs.failed = OutputsFailed(arn, where.bucket, where.prefix, 0, str(error))
            except DeadlineExceededError:
                reason = f"{DEADLINE_CODE}: the run's time ran out while counting"
                outputs.failed = OutputsFailed(arn, where.bucket, where.prefix, 0, reason)
            return outputs
        removal = self._store.remove(where, self.deadline)
        outputs.deleted, outputs.noncurrent = removal.deleted, removal.noncurrent
        left = len(removal.failed_keys) + removal.unsent
        outputs.found = OutputCount(
            removal.deleted.objects + removal.noncurrent.objects + left,
            removal.deleted.bytes + removal.noncurrent.bytes,
        )
        if removal.stopped is not None:
            why = f"{removal.stopped}; stopped there, so more may be left than counted"
        elif removal.failed_keys:
            _, code, message = removal.failed_keys[0]
            why = f"{code}: {message}"
        else:
            return outputs
        outputs.failed = OutputsFailed(arn, where.bucket, where.prefix, left, why)
        return outputs
