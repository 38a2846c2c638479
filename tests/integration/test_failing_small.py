"""Failures stay small over real HTTP: refusals never starve the run, a systemic error stops it
within the threshold with one report, and the invocation fails so the Errors alarm fires."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from emulator import FaultConfig
from janitor.core.systemic import SYSTEMIC_ERROR_THRESHOLD
from localdev.services import LocalAws
from tests.conftest import Invocation, Invoker

NOW = datetime.now(UTC)
CONCURRENCY = 4
#: Calls a run may still make once a streak is complete: what was already in flight.
MOST_CALLS = SYSTEMIC_ERROR_THRESHOLD + CONCURRENCY
SCP_DENY = (
    "User: arn:aws:sts::123456789012:assumed-role/janitor/fn is not authorized to perform: "
    "bedrock:BatchDeleteEvaluationJob with an explicit deny in a service control policy"
)


def seed_old_jobs(local: LocalAws, count: int) -> list[str]:
    """`count` deletable jobs, oldest first."""
    return [
        local.bedrock.add_job(status="Completed", creation_time=NOW - timedelta(days=400 - i / 10))
        for i in range(count)
    ]


def test_the_50_oldest_refused_every_night_do_not_starve_the_run(local: LocalAws, invoke: Invoker) -> None:
    jobs = seed_old_jobs(local, 550)
    refused = jobs[:50]
    for arn in refused:
        local.bedrock.fail_item(arn, code="403", message=SCP_DENY)

    run = invoke({}, MAX_DELETIONS="50")

    assert run.result is not None
    assert (run.result["deleted"], run.result["failed"]) == (50, 50)
    assert set(jobs) - set(local.bedrock.surviving_job_arns()) == set(jobs[50:100]), "the next 50 oldest went"
    assert run.result["stoppedBy"] == "maxDeletions"
    [report] = local.published_notifications()
    assert sorted(job["jobIdentifier"] for job in report["Message"]["failedJobs"]) == sorted(refused)


def assert_stopped_once(run: Invocation, local: LocalAws, operation: str, code: str) -> None:
    assert run.error is not None, "the invocation fails, so the Errors alarm fires"
    assert f"{operation} failed with {code}" in str(run.error)
    [stop_line] = run.logs("Stopping: systemic error")
    assert stop_line["systemicError"]["operation"] == operation
    [summary_line] = run.logs("Janitor run finished")
    assert summary_line["summary"]["stoppedBy"] == "systemicError"
    assert summary_line["summary"]["complete"] is False
    [report] = local.published_notifications()
    assert report["Subject"].startswith(f"Bedrock janitor stopped: {operation} {code}")
    failed = {line["jobArn"] for line in run.logs("Failed to delete evaluation job")}
    assert {job["jobIdentifier"] for job in report["Message"]["failedJobs"]} == failed, (
        "the one report still lists every job that did fail"
    )
    assert "RunCompleted" not in run.metrics


@pytest.mark.parametrize(
    ("operation", "tag_lookup", "most_requests"),
    [
        ("ListTagsForResource", "perJob", MOST_CALLS),
        # GetResources has no resource-level permission: its first refusal is systemic.
        ("GetResources", "batched", 1 + CONCURRENCY),
        ("BatchDeleteEvaluationJob", "batched", MOST_CALLS),
        ("ListEvaluationJobs", "batched", 1),
    ],
)
def test_a_denied_operation_stops_the_run_within_the_threshold_with_one_report(
    local: LocalAws, invoke: Invoker, operation: str, tag_lookup: str, most_requests: int
) -> None:
    seed_old_jobs(local, 1000)
    local.bedrock.faults = FaultConfig(denied_operations=frozenset({operation}))

    run = invoke({}, MAX_CONCURRENCY=str(CONCURRENCY), TAG_LOOKUP=tag_lookup)

    assert_stopped_once(run, local, operation, "AccessDeniedException")
    time.sleep(0.2)  # calls abandoned in flight may still arrive: count them too
    requests = local.bedrock.request_counts()
    assert requests[operation] <= most_requests, f"not a doomed request per job: {requests}"
    assert local.bedrock.job_arns(status="Deleting") == []
