"""The real handler over real HTTP: the Bedrock emulator for Bedrock, moto server for SNS and SQS."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from emulator import FaultConfig
from localdev.services import LocalAws
from tests.conftest import Invoker
from tests.events import SCHEDULED_EVENT

NOW = datetime.now(UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


#: The settings seed_mix is meant for: defaults plus a name exclusion.
MIX_SETTINGS = {"NAME_EXCLUDE_REGEX": "^keep-"}


def seed_mix(local: LocalAws) -> dict[str, list[str]]:
    """Jobs of every kind the policy distinguishes, by what MIX_SETTINGS must do to them."""
    add = local.bedrock.add_job
    return {
        "deleted": [
            add(name="old-completed", status="Completed", creation_time=days_ago(45)),
            add(name="old-failed", status="Failed", creation_time=days_ago(31)),
            add(name="old-stopped", status="Stopped", creation_time=days_ago(400)),
            add(
                name="old-rag",
                status="Completed",
                creation_time=days_ago(60),
                application_type="RagEvaluation",
            ),
            add(
                name="tagged-false",
                status="Completed",
                creation_time=days_ago(50),
                tags={"janitor:retain": "false"},
            ),
        ],
        "kept": [
            add(name="recent-completed", status="Completed", creation_time=days_ago(29)),
            add(name="old-running", status="InProgress", creation_time=days_ago(90)),
            add(name="old-stopping", status="Stopping", creation_time=days_ago(90)),
            add(
                name="retained",
                status="Completed",
                creation_time=days_ago(90),
                tags={"janitor:retain": "true"},
            ),
            add(
                name="retained-upper",
                status="Failed",
                creation_time=days_ago(90),
                tags={"janitor:retain": "TRUE"},
            ),
            add(name="keep-golden", status="Completed", creation_time=days_ago(90)),
        ],
    }


@pytest.mark.parametrize("event", [{}, SCHEDULED_EVENT], ids=["empty-object", "eventbridge-envelope"])
def test_a_nightly_run_deletes_exactly_the_old_finished_unprotected_jobs(
    local: LocalAws, invoke: Invoker, event: dict[str, object]
) -> None:
    jobs = seed_mix(local)
    run = invoke(event, **MIX_SETTINGS)

    assert run.error is None
    assert sorted(local.bedrock.surviving_job_arns()) == sorted(jobs["kept"])
    assert run.result == {
        "dryRun": False,
        "olderThanDays": 30,
        "maxDeletions": 1000,
        "scanned": 10,  # the recent job is filtered out by the server (creationTimeBefore)
        "eligible": 5,
        "deleted": 5,
        "failed": 0,
        "failedJobs": [],
        "skipped": {"nameExcluded": 1, "notFinished": 2, "protected": 2},
        "complete": True,
        "stoppedBy": None,
        "target": {"accountId": "123456789012", "region": "us-east-1"},
        "kinds": {
            "evaluationJobs": {
                "scanned": 10,
                "eligible": 5,
                "deleted": 5,
                "failed": 0,
                "skipped": {"nameExcluded": 1, "notFinished": 2, "protected": 2},
                "stoppedBy": None,
            }
        },
    }
    assert sorted(run.logged_arns("Deleted evaluation jobs")) == sorted(jobs["deleted"])
    assert run.metrics == {
        "JobsScanned": 10,
        "JobsEligible": 5,
        "JobsDeleted": 5,
        "JobsFailed": 0,
        "RunCompleted": 1,
    }
    assert local.published_notifications() == []


def test_metrics_go_to_the_janitor_namespace_with_no_arn_dimension(local: LocalAws, invoke: Invoker) -> None:
    seed_mix(local)
    run = invoke({})
    [totals] = [blob for blob in run.metric_blobs if "Kind" not in blob]
    [by_kind] = [blob for blob in run.metric_blobs if "Kind" in blob]
    for blob in (totals, by_kind):
        [definition] = blob["_aws"]["CloudWatchMetrics"]
        assert definition["Namespace"] == "BedrockEvaluationJanitor"
        assert blob["service"] == "bedrock-evaluation-janitor"
        assert {metric["Unit"] for metric in definition["Metrics"]} == {"Count"}
    assert totals["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]
    # One more document per kind, its counts under a Kind dimension: no ARN, no name, no account.
    assert sorted(by_kind["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]) == ["Kind", "service"]
    assert by_kind["Kind"] == "evaluationJobs"


def test_a_dry_run_deletes_nothing_and_reports_the_same_selection(local: LocalAws, invoke: Invoker) -> None:
    jobs = seed_mix(local)
    everything = sorted(jobs["deleted"] + jobs["kept"])

    dry = invoke({"dryRun": True}, **MIX_SETTINGS)
    assert dry.result is not None
    assert sorted(local.bedrock.surviving_job_arns()) == everything
    assert local.bedrock.request_counts().get("BatchDeleteEvaluationJob", 0) == 0
    assert (dry.result["dryRun"], dry.result["deleted"], dry.result["eligible"]) == (True, 0, 5)
    assert sorted(dry.logged_arns("Would delete evaluation jobs (dry run)")) == sorted(jobs["deleted"])
    assert dry.metrics["JobsDeleted"] == 0
    assert dry.metrics["JobsEligible"] == 5

    real = invoke({}, **MIX_SETTINGS)
    assert real.result is not None
    for key in ("scanned", "eligible", "skipped"):
        assert dry.result[key] == real.result[key]
    assert real.result["deleted"] == dry.result["eligible"]


def test_dry_run_can_be_the_deployed_default(local: LocalAws, invoke: Invoker) -> None:
    seed_mix(local)
    run = invoke({}, DRY_RUN="true")
    assert run.result is not None
    assert run.result["dryRun"] is True
    assert local.bedrock.request_counts().get("BatchDeleteEvaluationJob", 0) == 0


def test_console_overrides_narrow_the_run(local: LocalAws, invoke: Invoker) -> None:
    oldest = [local.bedrock.add_job(status="Completed", creation_time=days_ago(100 + i)) for i in range(3)]
    newer = [local.bedrock.add_job(status="Completed", creation_time=days_ago(10 + i)) for i in range(4)]
    run = invoke({"olderThanDays": 7, "maxDeletions": 5})
    assert run.result is not None
    assert (run.result["olderThanDays"], run.result["deleted"], run.result["complete"]) == (7, 5, False)
    assert run.result["stoppedBy"] == "maxDeletions"
    assert run.result["skipped"] == {"overCap": 2}
    # oldest first: the three oldest and the two oldest of the newer ones are gone
    assert sorted(local.bedrock.surviving_job_arns()) == sorted(newer[:2])
    assert not set(oldest) & set(local.bedrock.surviving_job_arns())


def test_per_item_failures_reach_the_summary_the_metrics_the_logs_and_sns(
    local: LocalAws, invoke: Invoker
) -> None:
    arns = [local.bedrock.add_job(status="Completed", creation_time=days_ago(40 + i)) for i in range(30)]
    local.bedrock.fail_item(arns[3], "500", "Internal error deleting this job.")
    local.bedrock.fail_item(arns[27], "409", "The job is being modified.")

    run = invoke({})

    assert run.error is None
    assert run.result is not None
    assert (run.result["deleted"], run.result["failed"]) == (28, 2)
    assert sorted(run.result["failedJobs"], key=lambda job: job["jobIdentifier"]) == sorted(
        [
            {
                "jobIdentifier": arns[3],
                "code": "500",
                "message": "Internal error deleting this job.",
                "kind": "evaluationJobs",
            },
            {
                "jobIdentifier": arns[27],
                "code": "409",
                "message": "The job is being modified.",
                "kind": "evaluationJobs",
            },
        ],
        key=lambda job: job["jobIdentifier"],
    )
    assert run.metrics["JobsFailed"] == 2
    assert run.kind_metrics("evaluationJobs")["JobsFailed"] == 2
    assert sorted(line["jobArn"] for line in run.logs("Failed to delete evaluation job")) == sorted(
        [arns[3], arns[27]]
    )

    [notification] = local.published_notifications()
    assert (
        notification["Subject"] == "Bedrock janitor: 2 evaluation jobs not deleted (123456789012 us-east-1)"
    )
    body = notification["Message"]
    assert {job["jobIdentifier"] for job in body["failedJobs"]} == {arns[3], arns[27]}
    assert (body["account"], body["region"], body["failedTotal"]) == ("123456789012", "us-east-1", 2)


def test_a_job_already_gone_at_delete_time_is_not_a_failure(local: LocalAws, invoke: Invoker) -> None:
    arns = [local.bedrock.add_job(status="Completed", creation_time=days_ago(40 + i)) for i in range(3)]
    local.bedrock.fail_item(arns[1], "404", "Unable to locate this job to delete.")
    run = invoke({})
    assert run.result is not None
    assert (run.result["deleted"], run.result["failed"], run.result["skipped"]) == (2, 0, {"alreadyGone": 1})
    assert local.published_notifications() == []


def test_a_batch_that_fails_after_retries_fails_its_jobs_and_the_run_goes_on(
    local: LocalAws, invoke: Invoker
) -> None:
    arns = [local.bedrock.add_job(status="Completed", creation_time=days_ago(40 + i)) for i in range(60)]
    local.bedrock.faults = FaultConfig(
        server_error_rate=1.0, operations=frozenset({"BatchDeleteEvaluationJob"})
    )

    run = invoke({}, AWS_MAX_ATTEMPTS="2")

    assert run.error is None, "the invocation returns its summary instead of crashing"
    assert run.result is not None
    assert (run.result["eligible"], run.result["failed"], run.result["deleted"]) == (60, 60, 0)
    assert {job["code"] for job in run.result["failedJobs"]} == {"InternalServerException"}
    assert local.bedrock.request_counts()["BatchDeleteEvaluationJob"] == 3 * 2 * 3, (
        "3 batches, each sent twice by the SDK in the first pass and in each of the 2 retry rounds"
    )
    assert run.metrics["JobsFailed"] == 60
    reported = [
        job["jobIdentifier"]
        for message in local.published_notifications()
        for job in message["Message"]["failedJobs"]
    ]
    assert sorted(reported) == sorted(arns)


def test_pagination_over_more_than_1000_jobs_uses_the_fewest_calls(local: LocalAws, invoke: Invoker) -> None:
    for i in range(2600):
        local.bedrock.add_job(status="Completed", creation_time=days_ago(31 + i / 100))
    local.bedrock.add_job(status="Completed", creation_time=days_ago(1))

    run = invoke({}, MAX_DELETIONS="5000")

    assert run.result is not None
    assert (run.result["scanned"], run.result["deleted"], run.result["complete"]) == (2600, 2600, True)
    assert local.bedrock.request_counts() == {
        "ListEvaluationJobs": 3,
        "GetResources": 26,
        "BatchDeleteEvaluationJob": 104,
    }
    assert len(local.bedrock.surviving_job_arns()) == 1


def test_a_bad_override_lists_and_deletes_nothing(local: LocalAws, invoke: Invoker) -> None:
    seed_mix(local)
    for event in ({"maxDeletions": 0}, {"dryRun": "no"}, {"olderThan": 7}, ["not", "an", "object"]):
        run = invoke(event)
        assert run.result is None
        assert run.error is not None
        assert "Invalid invocation event" in str(run.error)
    assert local.bedrock.request_counts() == {}
    assert len(local.bedrock.surviving_job_arns()) == 11


def test_the_time_budget_stops_new_batches_and_the_next_run_continues(
    local: LocalAws, invoke: Invoker
) -> None:
    # Enough work for ~3 s at two calls in flight: 10 tag lookups and 40 delete calls of 0.1 s.
    jobs = {
        local.bedrock.add_job(status="Completed", creation_time=days_ago(40 + i / 100)) for i in range(1000)
    }
    local.bedrock.faults = FaultConfig(latency_seconds=0.1)

    # 60 s reserve in a 61.5 s function: about 1.5 s of work before the janitor must stop.
    first = invoke({}, timeout_seconds=61.5, MAX_CONCURRENCY="2")
    assert first.result is not None
    assert first.result["complete"] is False
    assert first.result["stoppedBy"] == "timeBudget"
    assert 0 < first.result["deleted"] < 1000
    reported = set(first.logged_arns("Deleted evaluation jobs"))
    unknown = {line["jobArn"] for line in first.logs("Evaluation job delete abandoned, outcome unknown")}
    assert len(reported) == first.result["deleted"]
    # A delete still out at the deadline was abandoned, not awaited: it may land after the run.
    local.bedrock.faults = FaultConfig()
    time.sleep(0.2)
    gone = jobs - set(local.bedrock.surviving_job_arns())
    assert reported <= gone <= reported | unknown
    assert "RunCompleted" in first.metrics, "stopping for time is a normal end, not a crash"

    second = invoke({})
    assert second.result is not None
    assert second.result["deleted"] == 1000 - len(gone)
    assert second.result["complete"] is True
    assert local.bedrock.surviving_job_arns() == []


def test_calls_held_past_the_deadline_are_abandoned_and_the_summary_still_returns_in_time(
    local: LocalAws, invoke: Invoker
) -> None:
    for i in range(60):
        local.bedrock.add_job(status="Completed", creation_time=days_ago(40 + i))
    # Every reply is held far longer than the function has: 8 s, of which 4 s are the reserve.
    local.bedrock.faults = FaultConfig(latency_seconds=30.0)

    run = invoke({}, timeout_seconds=8.0, TIME_RESERVE_SECONDS="4")

    assert run.result is not None
    assert run.seconds_left > 0, "the summary came back before the invocation's deadline"
    assert run.seconds_left > 2, "and with most of the reserve left for the report"
    assert (run.result["complete"], run.result["stoppedBy"], run.result["deleted"]) == (
        False,
        "timeBudget",
        0,
    )
    assert run.metrics["JobsDeleted"] == 0, "the metrics were published"


def test_a_listing_that_fails_reports_what_was_done_and_fails_the_invocation(
    local: LocalAws, invoke: Invoker
) -> None:
    seed_mix(local)
    local.bedrock.faults = FaultConfig(throttle_rate=1.0, operations=frozenset({"ListEvaluationJobs"}))
    run = invoke({}, AWS_MAX_ATTEMPTS="1")
    assert run.error is not None
    assert "ListEvaluationJobs failed after retries: ThrottlingException" in str(run.error)
    assert "RunCompleted" not in run.metrics
    assert run.metrics["JobsScanned"] == 0


def test_the_summary_is_json_a_console_user_can_read(local: LocalAws, invoke: Invoker) -> None:
    seed_mix(local)
    run = invoke({"dryRun": True}, **MIX_SETTINGS)
    assert json.loads(json.dumps(run.result)) == run.result
    [summary_line] = run.logs("Janitor run finished")
    assert summary_line["summary"]["eligible"] == 5


def test_a_listing_throttled_mid_way_is_carried_by_the_sdks_retries_with_the_services_own_token(
    local: LocalAws, invoke: Invoker
) -> None:
    jobs = [
        local.bedrock.add_job(status="Completed", creation_time=days_ago(40 + i / 1000)) for i in range(2500)
    ]
    # Seeded so that the 2nd ListEvaluationJobs call is throttled: the SDK's retry of page 2 must
    # carry the emulator's base64-JSON nextToken (botocore's paginator would refuse it).
    local.bedrock.faults = FaultConfig(
        throttle_rate=0.5, operations=frozenset({"ListEvaluationJobs"}), seed=37
    )

    run = invoke({}, MAX_DELETIONS="5000")

    assert run.error is None
    assert run.result is not None
    assert local.bedrock.fault_counts().get("ListEvaluationJobs", 0) >= 1, "the listing really was throttled"
    assert (run.result["scanned"], run.result["deleted"]) == (2500, 2500), "no job lost or listed twice"
    assert not set(jobs) & set(local.bedrock.surviving_job_arns())
