"""The emulator's jobs, indexed for every lookup a request makes; the caller holds the state's lock."""

from __future__ import annotations

import bisect
import heapq
import random
import string
import time

from emulator.contract import JOB_ID_RE
from emulator.jobs import Job
from emulator.tag_index import TagIndex
from emulator.validation import ListQuery
from emulator.wire import ApiError

_ID_ALPHABET = string.ascii_lowercase + string.digits


class JobStore:
    """Jobs by ARN, id, name and client token, plus (creationTime, ARN) in order for listing.

    Every change to a job's tags, and every job's arrival and departure, also goes to
    `tag_index`, the tagging API's lagging view of them.
    """

    def __init__(self, region: str, account_id: str, seed: int, tag_index_lag: float = 0.0) -> None:
        self.region = region
        self.account_id = account_id
        self.jobs: dict[str, Job] = {}
        self._id_rng = random.Random(seed)
        self._used_ids: set[str] = set()
        self._arn_by_id: dict[str, str] = {}
        self._arn_by_name: dict[str, str] = {}
        self._arn_by_token: dict[str, str] = {}
        # (creationTime µs, ARN), sorted: list pages bisect instead of sorting every job.
        self._keys: list[tuple[int, str]] = []
        self._deleting: list[tuple[float, str]] = []  # heap of (monotonic deadline, ARN)
        self.tag_index = TagIndex(tag_index_lag)

    def arn(self, job_id: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{self.account_id}:evaluation-job/{job_id}"

    def new_id(self) -> str:
        """12 characters of [a-z0-9], like the service's ids; seeded, never reused."""
        while True:
            job_id = "".join(self._id_rng.choices(_ID_ALPHABET, k=12))
            if job_id not in self._used_ids:
                self._used_ids.add(job_id)
                return job_id

    def name_taken(self, name: str) -> bool:
        return name in self._arn_by_name

    def arn_for_token(self, token: str) -> str | None:
        arn = self._arn_by_token.get(token)
        return arn if arn in self.jobs else None

    def remember_token(self, token: str, arn: str) -> None:
        self._arn_by_token[token] = arn

    def insert(self, job: Job, *, seeded: bool) -> None:
        """Adds `job`; a seeded job's tags are as old as the account, a created job's are new."""
        self.jobs[job.arn] = job
        self._arn_by_id[job.job_id] = job.arn
        self._arn_by_name[job.name] = job.arn
        bisect.insort(self._keys, job.key)
        if seeded:
            self.tag_index.seed(job.arn, job.tags)
        else:
            self.tag_index.record(job.arn, job.tags, time.monotonic())

    def set_tags(self, job: Job, tags: dict[str, str]) -> None:
        """`job`'s tags become `tags` now (TagResource, UntagResource)."""
        if tags != job.tags:
            job.tags = tags
            self.tag_index.record(job.arn, tags, time.monotonic())

    def remove(self, job: Job, at: float | None = None) -> None:
        """Removes `job` (at monotonic time `at`, default now)."""
        if self.jobs.pop(job.arn, None) is None:
            return
        self._arn_by_id.pop(job.job_id, None)
        self._arn_by_name.pop(job.name, None)
        i = bisect.bisect_left(self._keys, job.key)
        if i < len(self._keys) and self._keys[i] == job.key:
            del self._keys[i]
        self.tag_index.record(job.arn, None, time.monotonic() if at is None else at)

    def remove_after(self, job: Job, seconds: float) -> None:
        """`job` (now Deleting) leaves the store `seconds` from now, or at once for 0."""
        if seconds > 0:
            heapq.heappush(self._deleting, (time.monotonic() + seconds, job.arn))
        else:
            self.remove(job)

    def purge(self) -> None:
        """Removes the jobs whose Deleting time is over; every read calls it first."""
        now = time.monotonic()
        while self._deleting and self._deleting[0][0] <= now:
            deadline, arn = heapq.heappop(self._deleting)
            job = self.jobs.get(arn)
            if job is not None and job.status == "Deleting":
                self.remove(job, at=deadline)

    def find(self, identifier: str) -> Job | None:
        job = self.jobs.get(identifier)
        if job is None and JOB_ID_RE.fullmatch(identifier):
            arn = self._arn_by_id.get(identifier)
            job = self.jobs.get(arn) if arn else None
        return job

    def existing(self, identifier: str) -> Job:
        self.purge()
        job = self.find(identifier)
        if job is None:
            raise ApiError("ResourceNotFoundException", f"Evaluation job {identifier} not found.")
        return job

    def arns(self, status: str | None = None) -> list[str]:
        """ARNs oldest first, optionally only those in ``status``."""
        return [a for _, a in self._keys if status is None or self.jobs[a].status == status]

    def page(self, q: ListQuery) -> tuple[list[str], tuple[int, str] | None, bool]:
        """(summaries, key of the last one, whether more match) for one ListEvaluationJobs page."""
        keys = self._keys
        lo = 0 if q.after_us is None else bisect.bisect_left(keys, (q.after_us + 1, ""))
        hi = len(keys) if q.before_us is None else bisect.bisect_left(keys, (q.before_us, ""))
        if q.cursor is not None:
            if q.descending:
                hi = min(hi, bisect.bisect_left(keys, q.cursor))
            else:
                lo = max(lo, bisect.bisect_right(keys, q.cursor))
        indices = range(hi - 1, lo - 1, -1) if q.descending else range(lo, hi)
        page: list[str] = []
        last: tuple[int, str] | None = None
        for i in indices:
            job = self.jobs[keys[i][1]]
            if q.matches(job):
                # One match past a full page proves there is a next page, so the last page
                # never carries a token.
                if len(page) == q.max_results:
                    return page, last, True
                page.append(job.summary_json())
                last = keys[i]
        return page, last, False
