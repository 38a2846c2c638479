"""Faults over real HTTP: throttling, server errors, per-item failures, malformed listings,
an SNS outage and retried invocations. Figures are in the test names and messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emulator import FaultConfig
from localdev.failing_endpoint import SERVER_ERROR, THROTTLED, FailingEndpoint
from localdev.services import LocalAws
from tests.conftest import Invoker

NOW = datetime.now(UTC)
ARN_PREFIX = "arn:aws:bedrock:us-east-1:123456789012:evaluation-job/"


def seed_old_jobs(local: LocalAws, count: int) -> list[str]:
    return [
        local.bedrock.add_job(
            status=("Completed", "Failed", "Stopped")[i % 3], creation_time=NOW - timedelta(days=31 + i / 100)
        )
        for i in range(count)
    ]


def seed_kept_jobs(local: LocalAws) -> list[str]:
    return [
        local.bedrock.add_job(status="InProgress", creation_time=NOW - timedelta(days=60)),
        local.bedrock.add_job(
            status="Completed", creation_time=NOW - timedelta(days=60), tags={"janitor:retain": "true"}
        ),
        local.bedrock.add_job(status="Completed", creation_time=NOW - timedelta(days=2)),
    ]


@pytest.mark.slow
def test_30_percent_throttling_and_5_percent_server_errors_on_every_call_still_delete_all_2000(
    local: LocalAws, invoke: Invoker
) -> None:
    eligible = seed_old_jobs(local, 2000)
    kept = seed_kept_jobs(local)
    local.bedrock.faults = FaultConfig(throttle_rate=0.30, server_error_rate=0.05, seed=11)

    run = invoke({}, MAX_DELETIONS="5000")

    assert run.error is None
    assert run.result is not None
    faults = local.bedrock.fault_counts()
    requests = local.bedrock.request_counts()
    assert sum(faults.values()) >= 0.25 * sum(requests.values()), f"the faults really happened: {faults}"
    assert (run.result["eligible"], run.result["deleted"], run.result["failed"]) == (2000, 2000, 0)
    assert sorted(local.bedrock.surviving_job_arns()) == sorted(kept), (
        "every eligible job deleted, nothing else"
    )
    assert not set(eligible) & set(local.bedrock.surviving_job_arns())


def test_a_batch_delete_failing_on_every_call_reports_every_job_everywhere(
    local: LocalAws, invoke: Invoker
) -> None:
    eligible = seed_old_jobs(local, 80)
    local.bedrock.faults = FaultConfig(
        server_error_rate=1.0, operations=frozenset({"BatchDeleteEvaluationJob"})
    )

    run = invoke({}, AWS_MAX_ATTEMPTS="2")

    assert run.error is None, "the run finishes and returns its summary"
    assert run.result is not None
    assert run.result["failed"] == run.result["eligible"] == 80
    assert sorted(line["jobArn"] for line in run.logs("Failed to delete evaluation job")) == sorted(eligible)
    assert run.metrics["JobsFailed"] == 80
    reported = [
        job["jobIdentifier"]
        for note in local.published_notifications()
        for job in note["Message"]["failedJobs"]
    ]
    assert sorted(reported) == sorted(eligible)


def test_per_item_errors_other_than_404_report_exactly_the_jobs_that_stay_refused(
    local: LocalAws, invoke: Invoker
) -> None:
    eligible = seed_old_jobs(local, 300)
    refused = {eligible[10]: "500", eligible[150]: "409", eligible[299]: "403"}
    for arn, code in refused.items():
        local.bedrock.fail_item(arn, code, f"Refused with {code}.")
    # On top, 10% of all other items fail once in a while: those are retried and go.
    local.bedrock.faults = FaultConfig(
        item_failure_rate=0.1, seed=5, operations=frozenset({"BatchDeleteEvaluationJob"})
    )

    run = invoke({}, MAX_DELETIONS="5000")

    assert run.result is not None
    assert local.bedrock.fault_counts()["BatchDeleteEvaluationJob"] > 10, "transient item failures happened"
    assert {job["jobIdentifier"]: job["code"] for job in run.result["failedJobs"]} == refused
    assert set(local.bedrock.surviving_job_arns()) == set(refused)
    assert run.result["deleted"] == 297


def test_a_job_deleted_by_someone_else_is_already_gone_and_raises_no_alarm(
    local: LocalAws, invoke: Invoker
) -> None:
    arns = seed_old_jobs(local, 30)
    for arn in arns[:3]:
        local.bedrock.fail_item(arn, "404", "Unable to locate this job to delete.")

    run = invoke({})

    assert run.result is not None
    assert (run.result["deleted"], run.result["failed"], run.result["skipped"]) == (27, 0, {"alreadyGone": 3})
    assert run.metrics["JobsFailed"] == 0
    assert local.published_notifications() == []


@pytest.mark.parametrize(
    "broken",
    [
        {"jobName": "no-arn", "status": "Completed", "creationTime": "2020-01-01T00:00:00Z"},
        {
            "jobArn": f"{ARN_PREFIX}aaaaaaaaaaa1",
            "jobName": "odd-status",
            "status": "Exploded",
            "creationTime": "2020-01-01T00:00:00Z",
        },
        {
            "jobArn": f"{ARN_PREFIX}aaaaaaaaaaa2",
            "jobName": "bad-time",
            "status": "Completed",
            "creationTime": "last tuesday",
        },
        {
            "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/aaaaaaaaaaa3",
            "jobName": "wrong-arn",
            "status": "Completed",
            "creationTime": "2020-01-01T00:00:00Z",
        },
        {
            "jobArn": f"{ARN_PREFIX}AAAAAAAAAAA4",
            "jobName": "upper-arn",
            "status": "Completed",
            "creationTime": "2020-01-01T00:00:00Z",
        },
    ],
    ids=[
        "missing-jobArn",
        "unknown-status",
        "unparseable-creationTime",
        "wrong-resource-type",
        "arn-fails-pattern",
    ],
)
def test_a_malformed_summary_is_skipped_logged_and_never_sent_to_delete(
    local: LocalAws, invoke: Invoker, broken: dict[str, str]
) -> None:
    good = seed_old_jobs(local, 5)
    local.bedrock.add_malformed_summary(broken)

    run = invoke({})

    assert run.error is None
    assert run.result is not None
    assert run.result["skipped"] == {"malformed": 1}
    assert (run.result["scanned"], run.result["deleted"], run.result["failed"]) == (6, 5, 0), (
        "the run goes on"
    )
    [logged] = [line for line in run.logs("Evaluation job skipped") if line["reason"] == "malformed"]
    assert logged["jobArn"] == broken.get("jobArn", "")
    assert local.bedrock.request_counts()["BatchDeleteEvaluationJob"] == 1
    assert sorted(local.bedrock.surviving_job_arns()) == [], f"the 5 good jobs went: {good}"


def test_an_sns_outage_is_retried_then_fails_the_invocation_with_every_arn_in_the_logs(
    local: LocalAws, invoke: Invoker
) -> None:
    arns = seed_old_jobs(local, 4)
    for arn in arns:
        local.bedrock.fail_item(arn, "500", "Internal error deleting this job.")

    with FailingEndpoint([THROTTLED, THROTTLED, SERVER_ERROR]) as sns:
        run = invoke({}, AWS_ENDPOINT_URL_SNS=sns.endpoint_url, AWS_MAX_ATTEMPTS="4")

    assert sns.requests == 4, "one publish, retried through 2 throttles and 2 server errors"
    assert run.error is not None, "the invocation ends in an error, so the Errors alarm fires"
    assert type(run.error).__name__ == "NotificationError"
    assert "Every failed job is in this invocation's log lines" in str(run.error)
    assert sorted(line["jobArn"] for line in run.logs("Failed to delete evaluation job")) == sorted(arns)
    assert run.metrics["JobsFailed"] == 4, "the metrics still go out"
    assert "RunCompleted" not in run.metrics


def test_a_retried_invocation_deletes_nothing_twice_and_reports_what_is_still_failing(
    local: LocalAws, invoke: Invoker
) -> None:
    arns = seed_old_jobs(local, 50)
    stubborn = arns[7]
    local.bedrock.fail_item(stubborn, "500", "Internal error deleting this job.")

    with FailingEndpoint([SERVER_ERROR]) as sns:
        first = invoke({}, AWS_ENDPOINT_URL_SNS=sns.endpoint_url, AWS_MAX_ATTEMPTS="2")
    assert first.error is not None
    deleted_once = sorted(first.logged_arns("Deleted evaluation jobs"))
    assert len(deleted_once) == 49

    second = invoke({})  # Lambda's async retry of the same event

    assert second.result is not None
    assert second.result["scanned"] == 50
    assert second.result["skipped"] == {"notFinished": 49}, (
        "the 49 deleted jobs are listed as Deleting and never sent again (no alreadyGone)"
    )
    assert second.logs("Deleted evaluation jobs") == []
    assert [job["jobIdentifier"] for job in second.result["failedJobs"]] == [stubborn]
    [note] = local.published_notifications()
    assert [job["jobIdentifier"] for job in note["Message"]["failedJobs"]] == [stubborn]


def test_an_sns_endpoint_that_never_answers_cannot_push_the_invocation_past_its_timeout(
    local: LocalAws, invoke: Invoker
) -> None:
    [arn] = seed_old_jobs(local, 1)
    local.bedrock.fail_item(arn, "403", "explicit deny")

    with FailingEndpoint([SERVER_ERROR], delay_seconds=30.0) as sns:
        run = invoke(
            {}, timeout_seconds=10.0, TIME_RESERVE_SECONDS="6", AWS_ENDPOINT_URL_SNS=sns.endpoint_url
        )

    assert run.seconds_left > 0, "the invocation ended before Lambda's timeout"
    assert type(run.error).__name__ == "NotificationError"
    assert "still not published when the invocation's time ran out" in str(run.error)
    assert run.metrics["JobsFailed"] == 1, "the metrics still go out"
    assert [line["jobArn"] for line in run.logs("Failed to delete evaluation job")] == [arn]
