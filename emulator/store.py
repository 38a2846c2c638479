"""The emulator's evaluation jobs, indexed for every lookup a request makes; the caller holds the state's lock.

The indexing, paging and Deleting linger are every kind's (emulator/kinds/store.py); this adds
what is the evaluation jobs' own: their ARN and ListEvaluationJobs' filters.
"""

from __future__ import annotations

from typing import ClassVar

from emulator.contract import FINISHED_STATUSES, JOB_ID_RE
from emulator.jobs import Job
from emulator.kinds.store import ResourceStore
from emulator.validation import ListQuery


class JobStore(ResourceStore[Job]):
    """Jobs by ARN, id, name and client token, plus (creationTime, ARN) in order for listing.

    Every change to a job's tags, and every job's arrival and departure, also goes to
    `tag_index`, the tagging API's lagging view of them.
    """

    noun: ClassVar[str] = "Evaluation job"
    finished_statuses: ClassVar[frozenset[str]] = FINISHED_STATUSES
    id_re = JOB_ID_RE

    @property
    def jobs(self) -> dict[str, Job]:
        return self.resources

    def arn(self, job_id: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{self.account_id}:evaluation-job/{job_id}"

    def page_jobs(self, q: ListQuery) -> tuple[list[str], tuple[int, str] | None, bool]:
        """(summaries, key of the last one, whether more match) for one ListEvaluationJobs page."""
        return self.page(
            cursor=q.cursor,
            descending=q.descending,
            max_results=q.max_results,
            after_us=q.after_us,
            before_us=q.before_us,
            matches=q.matches,
        )
