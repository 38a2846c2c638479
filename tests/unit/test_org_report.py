"""An organization run gathered: totals that add up, metrics that do not grow with accounts,
and one report that lists every failed job and target once, in messages under SNS's limit."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from janitor.core.report import SNS_MESSAGE_LIMIT_BYTES
from janitor.organization.report import (
    TargetResult,
    organization_failure_messages,
    organization_metrics,
    organization_summary,
    read_results,
)


def ran(account: str, region: str, deleted: int, failed: int = 0, complete: bool = True) -> dict[str, Any]:
    failures = [
        {
            "jobIdentifier": f"arn:aws:bedrock:{region}:{account}:evaluation-job/{i:012d}",
            "code": "500",
            "message": "x",
        }
        for i in range(failed)
    ]
    return {
        "target": {"accountId": account, "region": region},
        "scanned": deleted + failed + 1,
        "eligible": deleted + failed,
        "deleted": deleted,
        "failed": failed,
        "failedJobs": failures,
        "complete": complete,
    }


def broke(account: str, region: str, message: str) -> dict[str, Any]:
    cause = json.dumps({"errorMessage": message, "errorType": "TargetUnreachableError"})
    return {
        "target": {"accountId": account, "region": region},
        "failure": {"Error": "TargetUnreachableError", "Cause": cause},
    }


ITEMS = [
    ran("111111111111", "us-east-1", deleted=5, failed=1),
    ran("111111111111", "eu-west-1", deleted=2),
    ran("222222222222", "us-east-1", deleted=3),
    broke("333333333333", "eu-west-1", "Cannot assume arn:aws:iam::333333333333:role/Member"),
]


def test_the_totals_add_up_in_all_and_by_region() -> None:
    summary = organization_summary(read_results(ITEMS))

    assert (summary["targets"], summary["deleted"], summary["failed"], summary["scanned"]) == (4, 10, 1, 14)
    assert summary["targetsFailed"] == [
        {
            "accountId": "333333333333",
            "region": "eu-west-1",
            "error": "TargetUnreachableError: Cannot assume arn:aws:iam::333333333333:role/Member",
        }
    ]
    assert summary["byRegion"] == {
        "eu-west-1": {
            "targets": 2,
            "targetsFailed": 1,
            "scanned": 3,
            "eligible": 2,
            "deleted": 2,
            "failed": 0,
        },
        "us-east-1": {
            "targets": 2,
            "targetsFailed": 0,
            "scanned": 11,
            "eligible": 9,
            "deleted": 8,
            "failed": 1,
        },
    }
    assert summary["failedJobs"][0]["accountId"] == "111111111111"
    assert summary["complete"] is False


@given(accounts=st.integers(min_value=1, max_value=300), regions=st.integers(min_value=1, max_value=5))
def test_metrics_grow_with_regions_never_with_accounts(accounts: int, regions: int) -> None:
    names = [f"region-{r}" for r in range(regions)]
    items = [ran(f"{a:012d}", region, deleted=1) for a in range(accounts) for region in names]

    metrics = organization_metrics(organization_summary(read_results(items)))

    assert len(metrics) == 1 + regions
    assert all(set(dimensions) <= {"Region"} for dimensions, _ in metrics)
    totals = metrics[0][1]
    assert totals["JobsDeleted"] == accounts * regions
    assert sum(values["JobsDeleted"] for _, values in metrics[1:]) == totals["JobsDeleted"]


def test_nothing_failed_means_no_report() -> None:
    summary = organization_summary(read_results([ran("111111111111", "us-east-1", deleted=3)]))

    assert organization_failure_messages(summary) == []


@settings(max_examples=5, deadline=None)
@given(
    failing_targets=st.integers(min_value=0, max_value=200),
    failed_per_target=st.integers(min_value=0, max_value=40),
)
def test_every_failed_job_and_target_is_reported_once_in_messages_under_the_limit(
    failing_targets: int, failed_per_target: int
) -> None:
    items = [ran(f"{a:012d}", "us-east-1", deleted=0, failed=failed_per_target) for a in range(100)]
    items += [broke(f"9{a:011d}", "eu-west-1", "AccessDenied " * 20) for a in range(failing_targets)]
    summary = organization_summary(read_results(items))

    messages = organization_failure_messages(summary)

    reported_jobs, reported_targets = [], []
    for message in messages:
        assert len(message.message.encode()) <= SNS_MESSAGE_LIMIT_BYTES
        assert len(message.subject) < 100
        machine = json.loads(json.loads(message.message)["default"])
        reported_jobs += [job["jobIdentifier"] for job in machine["failedJobs"]]
        reported_targets += [target["accountId"] for target in machine["failedTargets"]]
    assert sorted(reported_jobs) == sorted(job["jobIdentifier"] for job in summary["failedJobs"])
    assert sorted(reported_targets) == sorted(target["accountId"] for target in summary["targetsFailed"])


def test_a_target_whose_run_broke_off_counts_what_it_did_and_is_reported_failed() -> None:
    partial = {
        **ran("444444444444", "us-east-1", deleted=7),
        "complete": False,
        "error": "Listing failed: 503",
    }

    summary = organization_summary(read_results([ran("111111111111", "us-east-1", deleted=2), partial]))

    assert summary["deleted"] == 9, "what the broken run deleted is not lost from the totals"
    assert summary["targetsFailed"] == [
        {"accountId": "444444444444", "region": "us-east-1", "error": "Listing failed: 503"}
    ]
    assert summary["byRegion"]["us-east-1"]["targetsFailed"] == 1
    assert summary["complete"] is False


def test_outputs_a_target_could_not_delete_are_reported_with_their_account_and_region() -> None:
    left = {
        "jobIdentifier": "arn:j",
        "bucket": "eval-results",
        "prefix": "p/j/x/",
        "count": 2,
        "error": "AccessDenied: no",
    }
    target = {
        **ran("555555555555", "eu-west-1", deleted=1),
        "outputObjectsDeleted": 4,
        "outputBytesDeleted": 40,
    }
    target["outputsFailed"] = [left]

    summary = organization_summary(read_results([target, ran("111111111111", "us-east-1", deleted=1)]))
    [message] = organization_failure_messages(summary)

    assert summary["outputsFailed"] == [{"accountId": "555555555555", "region": "eu-west-1", **left}]
    assert (summary["outputObjectsDeleted"], summary["outputBytesDeleted"]) == (4, 40)
    machine = json.loads(json.loads(message.message)["default"])
    assert machine["outputsFailed"] == summary["outputsFailed"]
    assert "s3://eval-results/p/j/x/" in json.loads(message.message)["email"]
    totals = organization_metrics(summary)[0][1]
    assert (totals["OutputObjectsDeleted"], totals["OutputBytesDeleted"]) == (4, 40)


def skipped(account: str, region: str, reason: str) -> dict[str, Any]:
    return {
        "target": {"accountId": account, "region": region},
        "scanned": 0,
        "eligible": 0,
        "deleted": 0,
        "failed": 0,
        "failedJobs": [],
        "complete": True,
        "targetSkipped": {
            "reason": reason,
            "message": "The security token included in the request is invalid.",
        },
    }


def test_a_target_whose_region_is_not_enabled_is_skipped_not_failed_and_reported_once() -> None:
    items = [
        ran("111111111111", "us-east-1", deleted=2, failed=1),
        skipped("222222222222", "ap-east-1", "regionNotEnabled"),
    ]

    summary = organization_summary(read_results(items))

    assert summary["targetsFailed"] == []
    assert summary["targetsSkipped"] == [
        {
            "accountId": "222222222222",
            "region": "ap-east-1",
            "reason": "regionNotEnabled",
            "message": "The security token included in the request is invalid.",
        }
    ]
    assert dict(organization_metrics(summary)[0][1])["TargetsFailed"] == 0
    [message] = organization_failure_messages(summary)
    document = json.loads(message.message)
    assert document["email"].count("222222222222 ap-east-1: regionNotEnabled") == 1
    assert [t["accountId"] for t in json.loads(document["default"])["skippedTargets"]] == ["222222222222"]


def test_skipped_targets_alone_send_no_report() -> None:
    summary = organization_summary(read_results([skipped("222222222222", "ap-east-1", "regionNotEnabled")]))
    assert organization_failure_messages(summary) == []


def test_the_totals_add_up_by_kind_and_each_kind_has_its_metrics() -> None:
    def target(account: str, kinds: dict[str, int]) -> TargetResult:
        counts = {
            kind: {
                "scanned": deleted + 1,
                "eligible": deleted,
                "deleted": deleted,
                "failed": 0,
                "skipped": {},
            }
            for kind, deleted in kinds.items()
        }
        total = sum(kinds.values())
        summary = {"scanned": total + len(kinds), "eligible": total, "deleted": total, "failed": 0}
        return TargetResult(account, "us-east-1", {**summary, "kinds": counts, "complete": True})

    summary = organization_summary(
        [
            target("111111111111", {"evaluationJobs": 2, "batchEvaluations": 5}),
            target("222222222222", {"evaluationJobs": 1}),
        ]
    )
    assert summary["byKind"] == {
        "batchEvaluations": {"scanned": 6, "eligible": 5, "deleted": 5, "failed": 0},
        "evaluationJobs": {"scanned": 5, "eligible": 3, "deleted": 3, "failed": 0},
    }
    assert summary["deleted"] == sum(kind["deleted"] for kind in summary["byKind"].values())
    by_kind = {dims["Kind"]: values for dims, values in organization_metrics(summary) if "Kind" in dims}
    assert by_kind["batchEvaluations"]["JobsDeleted"] == 5
    assert set(by_kind) == {"evaluationJobs", "batchEvaluations"}, "one set per kind, none per account"
