"""Tag lookups over real HTTP: 100 ARNs per tag:GetResources, the tagging API's lag caught by the
IAM Deny, a denied GetResources, and its ThrottledException retried."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from emulator import FaultConfig
from localdev.services import LocalAws
from tests.conftest import Invoker

NOW = datetime.now(UTC)
RETAIN = {"janitor:retain": "true"}


def seed(local: LocalAws, deletable: int, retained: int = 0, running: int = 0) -> list[str]:
    """Old jobs: `deletable` ones (returned), `retained` ones tagged, `running` ones InProgress."""
    add = local.bedrock.add_job
    for i in range(retained):
        add(status="Completed", creation_time=NOW - timedelta(days=90, seconds=i), tags=RETAIN)
    for i in range(running):
        add(status="InProgress", creation_time=NOW - timedelta(days=80, seconds=i))
    return [
        add(status="Completed", creation_time=NOW - timedelta(days=70, seconds=i)) for i in range(deletable)
    ]


@pytest.mark.parametrize(
    ("mode", "tag_calls"), [("batched", "GetResources"), ("perJob", "ListTagsForResource")]
)
def test_requests_equal_the_bound_in_either_mode(
    local: LocalAws, invoke: Invoker, mode: str, tag_calls: str
) -> None:
    deletable = seed(local, deletable=450, retained=50, running=500)

    run = invoke({}, TAG_LOOKUP=mode)

    assert run.result is not None
    assert (run.result["deleted"], run.result["skipped"]) == (450, {"notFinished": 500, "protected": 50})
    candidates = 500
    lookups = math.ceil(candidates / 100) if mode == "batched" else candidates
    assert local.bedrock.request_counts() == {
        "ListEvaluationJobs": 1,
        tag_calls: lookups,
        "BatchDeleteEvaluationJob": math.ceil(len(deletable) / 25),
    }


@pytest.mark.parametrize("deny", ["call", "item"])
def test_a_retain_tag_the_tagging_api_has_not_caught_up_with_is_still_honoured(
    local: LocalAws, invoke: Invoker, deny: Literal["call", "item"]
) -> None:
    jobs = seed(local, deletable=60)
    local.bedrock.tag_index_lag_seconds = 600.0
    local.bedrock.enforce_retain_tag_deny("janitor:retain", mode=deny)
    late = jobs[30]
    local.client("bedrock").tag_resource(resourceARN=late, tags=[{"key": "janitor:retain", "value": "true"}])

    run = invoke({})

    assert run.result is not None
    assert late in local.bedrock.surviving_job_arns()
    assert (run.result["deleted"], run.result["failed"]) == (59, 0), "no failure, no alarm"
    assert run.result["skipped"] == {"protected": 1}
    assert [
        line["jobArn"]
        for line in run.logs(
            "Evaluation job protected: the retain tag was found after IAM refused the delete"
        )
    ] == [late]
    assert local.published_notifications() == []


def test_a_denied_get_resources_stops_the_run_with_what_to_do(local: LocalAws, invoke: Invoker) -> None:
    seed(local, deletable=300)
    local.bedrock.faults = FaultConfig(denied_operations=frozenset({"GetResources"}))

    run = invoke({})

    assert run.error is not None
    message = str(run.error)
    assert "GetResources failed with AccessDeniedException" in message
    assert "deploy with tagLookup=perJob" in message
    assert local.bedrock.request_counts().get("BatchDeleteEvaluationJob", 0) == 0
    [report] = local.published_notifications()
    assert report["Subject"].startswith("Bedrock janitor stopped: GetResources AccessDeniedException")


def test_the_tagging_apis_throttled_exception_is_retried(local: LocalAws, invoke: Invoker) -> None:
    deletable = seed(local, deletable=1000)
    local.bedrock.faults = FaultConfig(throttle_rate=0.5, operations=frozenset({"GetResources"}), seed=5)

    run = invoke({})

    assert run.result is not None
    assert local.bedrock.fault_counts().get("GetResources", 0) >= 1, "ThrottledException really came"
    assert (run.result["deleted"], run.result["failed"]) == (1000, 0)
    assert not set(deletable) & set(local.bedrock.surviving_job_arns())
