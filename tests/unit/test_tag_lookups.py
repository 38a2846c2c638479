"""Tag lookups 100 at a time (tag:GetResources) select exactly what per-job lookups select, and the
tagging API's lag is caught by IAM's Deny and explained as `protected`, never as a failure."""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import given, settings

from janitor.core.selection import SelectionPolicy
from tests.unit.fakes import RETAIN, InMemoryJobStore, InMemoryTagIndex, policy, run_in_memory
from tests.unit.test_run import old_jobs
from tests.unit.test_run_properties import protected, scenarios


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_batched_and_per_job_lookups_select_exactly_the_same_jobs(
    scenario: tuple[InMemoryJobStore, SelectionPolicy, bool],
) -> None:
    per_job_store, run_policy, _ = scenario
    batched_store = InMemoryJobStore(jobs=list(per_job_store.jobs), tags=copy.deepcopy(per_job_store.tags))
    index = InMemoryTagIndex(batched_store)

    per_job = run_in_memory(per_job_store, run_policy).summary
    batched = run_in_memory(batched_store, run_policy, tag_index=index).summary

    assert sorted(batched_store.deleted) == sorted(per_job_store.deleted)
    assert (batched.eligible, batched.deleted, batched.skipped) == (
        per_job.eligible,
        per_job.deleted,
        per_job.skipped,
    )
    assert not any(protected(batched_store.tags[arn]) for arn in batched_store.deleted)
    candidates = per_job_store.tag_lookups
    assert batched_store.tag_lookups == [], "no ListTagsForResource when nothing is refused"
    if run_policy.max_deletions >= len(candidates):
        assert len(index.calls) == math.ceil(len(candidates) / 100), "ceil(candidates / 100) lookups"
    # At the cap, a partial batch is sent rather than filled with jobs the cap cannot use.
    assert sorted(arn for call in index.calls for arn in call) == sorted(candidates), "none wasted"


def test_no_lookup_is_wasted_on_jobs_past_the_cap() -> None:
    store = InMemoryJobStore(jobs=old_jobs(500))
    index = InMemoryTagIndex(store)
    summary = run_in_memory(store, policy(max_deletions=30), tag_index=index).summary
    assert summary.deleted == 30
    assert [len(call) for call in index.calls] == [30], "a partial batch, sent when the cap was full"


@pytest.mark.parametrize("deny", ["call", "item"])
def test_a_retain_tag_the_tagging_api_has_not_seen_yet_is_caught_by_iam_and_counted_protected(
    deny: str,
) -> None:
    jobs = old_jobs(60)
    late = jobs[30].arn  # tagged minutes before the run: the tagging API does not show it yet
    store = InMemoryJobStore(jobs=jobs, tags={late: {RETAIN: "true"}}, iam_deny=deny)
    index = InMemoryTagIndex(store, lagging={late})

    summary = run_in_memory(store, policy(), tag_index=index).summary

    assert late not in store.deleted
    assert summary.deleted == 59
    assert summary.failed == 0, "no failure, no alarm"
    assert summary.skipped == {"protected": 1}
    assert summary.eligible == 59
    assert late in store.tag_lookups, "the refused job was read again with ListTagsForResource"
    if deny == "call":
        assert len(store.tag_lookups) == 25, "a refused call: each of its jobs read again, once"
    else:
        assert store.tag_lookups == [late], "a refused item: only it is read again"


def test_a_refusal_the_retain_tag_does_not_explain_is_still_a_failure() -> None:
    jobs = old_jobs(10)
    store = InMemoryJobStore(
        jobs=jobs, item_errors={jobs[3].arn: ("403", "explicit deny in a service control policy")}
    )
    summary = run_in_memory(store, policy(), tag_index=InMemoryTagIndex(store)).summary
    assert [(f.job_identifier, f.code) for f in summary.failed_jobs] == [(jobs[3].arn, "403")]
    assert summary.deleted == 9


def test_a_denied_get_resources_stops_the_run_and_says_how_to_deploy_instead() -> None:
    store = InMemoryJobStore(jobs=old_jobs(1000))
    index = InMemoryTagIndex(store, denied=True)
    summary = run_in_memory(store, policy(), tag_index=index, max_concurrency=4).summary
    assert summary.stopped_by == "systemicError"
    assert summary.systemic_error is not None
    assert summary.systemic_error["operation"] == "GetResources"
    assert summary.error is not None
    assert "tagLookup=perJob" in summary.error
    assert "Allow tag:GetResources" in summary.error
    assert store.delete_calls == []
    assert len(index.calls) <= 1 + 4, "the first refusal, and what was already in flight"
