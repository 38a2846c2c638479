"""A run over several kinds deletes exactly the old, finished, unretained resources of the kinds
it is given, never more than maxDeletions in all, oldest first within each kind, and a dry run
selects the same ones (hypothesis)."""

from __future__ import annotations

import logging
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from janitor.config.settings import Settings, settings_from
from janitor.core.kind import Kind
from janitor.core.selection import Leftover, is_protected
from janitor.kinds import KINDS
from janitor.run.across_kinds import run_janitor
from tests.unit.fakes import NOW, RETAIN, InMemoryJobStore, InMemoryTagIndex

SAMPLE_IDS = {
    "evaluationJobs": "{:012d}",
    "promptOptimizationJobs": "{:012d}",
    "batchEvaluations": "run-{:010d}",
}


def resource(kind: Kind, number: int, status: str, age_days: int) -> Leftover:
    arn = f"arn:aws:{kind.service}:us-east-1:123456789012:{kind.arn_resource_type}/" + SAMPLE_IDS[
        kind.name
    ].format(number)
    return Leftover(
        arn=arn,
        name=f"{kind.name}-{number}",
        status=status,
        creation_time=NOW - timedelta(days=age_days, minutes=number),
        application_type="ModelEvaluation" if kind.name == "evaluationJobs" else None,
    )


@st.composite
def accounts(draw: st.DrawFn) -> tuple[dict[str, InMemoryJobStore], dict[str, dict[str, str]]]:
    stores: dict[str, InMemoryJobStore] = {}
    tags: dict[str, dict[str, str]] = {}
    number = 0
    for kind in KINDS.values():
        jobs = []
        for _ in range(draw(st.integers(0, 12))):
            number += 1
            status = draw(st.sampled_from(sorted(kind.known_statuses)))
            job = resource(kind, number, status, draw(st.integers(0, 60)))
            jobs.append(job)
            if draw(st.booleans()):
                tags[job.arn] = {RETAIN: draw(st.sampled_from(["true", "TRUE", "false"]))}
        stores[kind.name] = InMemoryJobStore(jobs=jobs, page_size=5)
    return stores, tags


def settings_for(kinds: frozenset[str], cap: int, dry_run: bool) -> Settings:
    return settings_from(
        {
            "notification_topic_arn": "arn:aws:sns:us-east-1:123456789012:t",
            "kinds": ",".join(sorted(kinds)),
            "max_deletions": str(cap),
            "dry_run": str(dry_run).lower(),
        },
        "field",
    )


@settings(max_examples=60, deadline=None)
@given(
    accounts(),
    st.sets(st.sampled_from(sorted(KINDS)), min_size=1).map(frozenset),
    st.integers(1, 40),
)
def test_a_run_deletes_exactly_the_deletable_resources_of_its_kinds_within_one_cap(
    account: tuple[dict[str, InMemoryJobStore], dict[str, dict[str, str]]], kinds: frozenset[str], cap: int
) -> None:
    stores, tags = account
    for store in stores.values():
        store.tags = tags
    everything = {job.arn: job for store in stores.values() for job in store.jobs}
    index = InMemoryTagIndex(InMemoryJobStore(jobs=list(everything.values()), tags=tags))

    def run(dry_run: bool) -> tuple[set[str], int]:
        summary = run_janitor(
            settings_for(kinds, cap, dry_run),
            stores,
            logging.getLogger("test"),
            NOW,
            lambda: 900.0,
            tag_index=index,
        )
        return {arn for store in stores.values() for arn in store.deleted}, summary.eligible

    dry_deleted, would_delete = run(dry_run=True)
    assert not dry_deleted, "a dry run deletes nothing"
    deleted, eligible = run(dry_run=False)

    deletable = {
        arn
        for name in kinds
        for job in stores[name].jobs
        if job.status in KINDS[name].finished_statuses
        and job.creation_time < NOW - timedelta(days=30)
        and not is_protected(tags.get(job.arn, {}), RETAIN)
        for arn in [job.arn]
    }
    assert deleted <= deletable, "only old, finished, unretained resources of the enabled kinds"
    assert len(deleted) == min(cap, len(deletable)), "as many as the cap allows, over all kinds"
    assert would_delete == eligible == len(deleted), "a dry run selects what a real run deletes"
    for name in kinds:
        kept = deletable - deleted
        mine = [everything[arn] for arn in deleted if arn in {job.arn for job in stores[name].jobs}]
        others = [everything[arn] for arn in kept if arn in {job.arn for job in stores[name].jobs}]
        if mine and others:
            assert max(job.creation_time for job in mine) <= min(job.creation_time for job in others), (
                "within a kind, the oldest go first"
            )
