"""The safety rules, for any generated set of jobs, tags and settings (the whole run loop, in memory)."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from janitor.core.selection import Leftover, SelectionPolicy, retention_cutoff
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS, FINISHED_STATUSES
from tests.unit.fakes import NOW, InMemoryJobStore, RefusingStore, run_in_memory

KNOWN_STATUSES = EVALUATION_JOBS.known_statuses

RETAIN = "janitor:retain"
NAMES = ["nightly", "keep-golden", "baseline-q3", "scratch", "rag-check"]

job_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=12)


@st.composite
def jobs(draw: st.DrawFn) -> Leftover:
    return Leftover(
        arn=f"arn:aws:bedrock:us-east-1:123456789012:evaluation-job/{draw(job_ids)}",
        name=draw(st.sampled_from(NAMES)),
        status=draw(st.sampled_from(sorted(KNOWN_STATUSES))),
        creation_time=NOW - timedelta(days=draw(st.integers(0, 90)), seconds=draw(st.integers(0, 86399))),
        application_type=draw(st.sampled_from(["ModelEvaluation", "RagEvaluation"])),
    )


tag_sets = st.dictionaries(
    st.sampled_from([RETAIN, "Janitor:Retain", "team", "retain"]),
    st.sampled_from(["true", "TRUE", "false", "yes", ""]),
    max_size=3,
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[InMemoryJobStore, SelectionPolicy, bool]:
    listed = draw(st.lists(jobs(), max_size=80, unique_by=lambda job: job.arn))
    tags = {job.arn: draw(tag_sets) for job in listed}
    policy = SelectionPolicy(
        kind=EVALUATION_JOBS,
        cutoff=retention_cutoff(NOW, draw(st.integers(1, 60))),
        statuses=frozenset(draw(st.sets(st.sampled_from(sorted(FINISHED_STATUSES)), min_size=1))),
        application_types=frozenset(
            draw(st.sets(st.sampled_from(["ModelEvaluation", "RagEvaluation"]), min_size=1))
        ),
        name_exclude_pattern=draw(
            st.sampled_from([None, re.compile("^keep-"), re.compile("baseline|golden")])
        ),
        retain_tag_key=RETAIN,
        max_deletions=draw(st.integers(1, 100)),
    )
    return InMemoryJobStore(jobs=listed, tags=tags), policy, draw(st.booleans())


def protected(tags: dict[str, str]) -> bool:
    return any(key.lower() == RETAIN and value.lower() == "true" for key, value in tags.items())


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_nothing_unfinished_recent_protected_or_excluded_is_ever_deleted(
    scenario: tuple[InMemoryJobStore, SelectionPolicy, bool],
) -> None:
    store, policy, _ = scenario
    by_arn = {job.arn: job for job in store.jobs}
    run_in_memory(store, policy)
    for arn in store.deleted:
        job = by_arn[arn]
        assert job.status in FINISHED_STATUSES & policy.statuses
        assert job.creation_time < policy.cutoff
        assert job.application_type in policy.application_types
        assert policy.name_exclude_pattern is None or not policy.name_exclude_pattern.search(job.name)
        assert not protected(store.tags[arn])


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_the_cap_is_never_exceeded_and_the_oldest_go_first(
    scenario: tuple[InMemoryJobStore, SelectionPolicy, bool],
) -> None:
    store, policy, _ = scenario
    summary = run_in_memory(store, policy).summary
    assert len(store.deleted) == summary.deleted <= policy.max_deletions
    assert all(1 <= len(call) <= 25 for call in store.delete_calls)
    deleted = set(store.deleted)
    deletable_not_deleted = [
        job
        for job in store.jobs
        if job.arn not in deleted
        and job.status in policy.statuses
        and job.creation_time < policy.cutoff
        and job.application_type in policy.application_types
        and not (policy.name_exclude_pattern and policy.name_exclude_pattern.search(job.name))
        and not protected(store.tags[job.arn])
    ]
    if deletable_not_deleted:
        assert summary.deleted == policy.max_deletions
        assert summary.skipped.get("overCap", 0) >= len(deletable_not_deleted)
        assert not summary.complete
        newest_deleted = max((job.creation_time for job in store.jobs if job.arn in deleted), default=None)
        assert newest_deleted is not None
        assert all(newest_deleted <= job.creation_time for job in deletable_not_deleted)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_a_dry_run_selects_exactly_what_a_real_run_deletes_and_deletes_nothing(
    scenario: tuple[InMemoryJobStore, SelectionPolicy, bool],
) -> None:
    store, policy, _ = scenario
    dry = run_in_memory(store, policy, dry_run=True).summary
    assert store.delete_calls == []
    real = run_in_memory(store, policy).summary
    assert dry.eligible == real.eligible == real.deleted
    assert dry.skipped == real.skipped
    assert dry.scanned == real.scanned
    assert dry.deleted == 0


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_no_tag_lookup_is_wasted(scenario: tuple[InMemoryJobStore, SelectionPolicy, bool]) -> None:
    store, policy, _ = scenario
    summary = run_in_memory(store, policy).summary
    assert len(store.tag_lookups) == len(set(store.tag_lookups))
    assert len(store.tag_lookups) == summary.eligible + summary.skipped.get("protected", 0)


@st.composite
def refusing_scenarios(draw: st.DrawFn) -> tuple[RefusingStore, SelectionPolicy]:
    store, policy, _ = draw(scenarios())
    refused = draw(st.sets(st.sampled_from([job.arn for job in store.jobs]))) if store.jobs else set()
    codes = st.sampled_from(["AccessDeniedException", "409", "500", "ValidationException"])
    refusals = {arn: draw(codes) for arn in refused}
    # A timeout is retried at the end of the run; an SSL error is not retried at all.
    lost = draw(
        st.dictionaries(st.integers(0, 10), st.sampled_from(["ReadTimeoutError", "SSLError"]), max_size=3)
    )
    return RefusingStore(store.jobs, store.tags, refusals, lost), policy


@settings(max_examples=300, deadline=None)
@given(refusing_scenarios())
def test_refusals_never_starve_the_run_and_nothing_beyond_the_cap_is_ever_deleted(
    scenario: tuple[RefusingStore, SelectionPolicy],
) -> None:
    store, policy = scenario
    summary = run_in_memory(store, policy).summary
    assert len(store.gone) <= policy.max_deletions, "lost replies keep their places under the cap"
    assert summary.deleted <= len(store.gone)
    deletable_left = [
        job
        for job in store.jobs
        if job.arn not in store.gone
        and job.arn not in store.refusals
        and job.status in policy.statuses
        and job.creation_time < policy.cutoff
        and job.application_type in policy.application_types
        and not (policy.name_exclude_pattern and policy.name_exclude_pattern.search(job.name))
        and not protected(store.tags[job.arn])
    ]
    if deletable_left and not store.lost_calls:
        # Refused jobs give their places to the next ones: only the cap stops the run.
        assert summary.deleted == policy.max_deletions
    refused_and_tried = {arn for call in store.delete_calls for arn in call if arn in store.refusals}
    assert {failure.job_identifier for failure in summary.failed_jobs} >= refused_and_tried
