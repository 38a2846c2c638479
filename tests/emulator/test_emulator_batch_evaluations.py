"""Amazon Bedrock AgentCore's batch evaluations on the emulator: the API's own round trips
(start, get, list, delete; paging, conflicts, the DELETING linger, item failures). How they are
reached and seeded is in test_emulator_batch_evaluations_access.py."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator, FaultConfig
from emulator.kinds import contract as c
from tests.emulator.support import ACCOUNT_ID, REGION, T0, error_code, raw_request

if TYPE_CHECKING:
    pass

KIND = "batchEvaluations"
MISSING_ID = "missing-abcdefghij"


def evaluation_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def listed(client: Any, **kwargs: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_batch_evaluations").paginate(**kwargs)
    return [e for page in pages for e in page["batchEvaluations"]]


def start_request(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "batchEvaluationName": name,
        "dataSourceConfig": {"cloudWatchLogs": {"serviceNames": ["agent"]}},
        "evaluators": [{"evaluatorId": "Builtin.Helpfulness"}],
        **overrides,
    }


def test_the_contract_matches_botocores_model() -> None:
    # Any: botocore types shape_for as a plain Shape.
    model: Any = botocore.session.get_session().get_service_model("bedrock-agentcore")
    assert model.metadata["signingName"] == c.AGENTCORE_SIGNING_NAME
    assert model.metadata["protocol"] == "rest-json"
    for name, (method, uri, status) in c.BATCH_EVALUATION_OPERATIONS.items():
        http_ = model.operation_model(name).http
        assert (http_["method"], http_["requestUri"], http_.get("responseCode", 200)) == (method, uri, status)
    summary = model.shape_for("BatchEvaluationSummary")
    assert summary.members["batchEvaluationId"].metadata["pattern"] == c.BATCH_EVALUATION_ID_RE.pattern
    assert summary.members["batchEvaluationName"].metadata["pattern"] == c.BATCH_EVALUATION_NAME_RE.pattern
    assert tuple(summary.members["status"].enum) == c.BATCH_EVALUATION_STATUSES
    listing = model.operation_model("ListBatchEvaluations").input_shape
    assert set(listing.members) == {"maxResults", "nextToken"}  # no sort, no filter
    limits = listing.members["maxResults"].metadata
    assert (limits["min"], limits["max"]) == c.BATCH_EVALUATION_MAX_RESULTS
    for op in ("DeleteBatchEvaluation", "GetBatchEvaluation"):
        for error in model.operation_model(op).error_shapes:
            assert c.AGENTCORE_ERROR_STATUS[error.name] == error.metadata["error"]["httpStatusCode"]


def test_start_get_list_and_delete_round_trip(emu: BedrockEmulator, agentcore: Any) -> None:
    started = agentcore.start_batch_evaluation(**start_request("nightly_eval", tags={"team": "search"}))
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    eid, arn = started["batchEvaluationId"], started["batchEvaluationArn"]
    assert eid.startswith("nightly_eval-")
    assert c.BATCH_EVALUATION_ID_RE.fullmatch(eid)
    assert arn == f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT_ID}:batch-evaluate/{eid}"
    assert (started["status"], started["tags"]) == ("PENDING", {"team": "search"})

    got = agentcore.get_batch_evaluation(batchEvaluationId=eid)
    assert (got["batchEvaluationName"], got["status"]) == ("nightly_eval", "PENDING")
    assert got["dataSourceConfig"] == {"cloudWatchLogs": {"serviceNames": ["agent"]}}
    [summary] = listed(agentcore)
    assert {k: summary[k] for k in ("batchEvaluationId", "batchEvaluationArn", "status")} == {
        "batchEvaluationId": eid,
        "batchEvaluationArn": arn,
        "status": "PENDING",
    }
    assert {"createdAt", "updatedAt", "batchEvaluationName"} <= set(summary)

    emu.set_status(arn, "COMPLETED")
    deleted = agentcore.delete_batch_evaluation(batchEvaluationId=eid)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert {k: deleted[k] for k in ("batchEvaluationId", "batchEvaluationArn", "status")} == {
        "batchEvaluationId": eid,
        "batchEvaluationArn": arn,
        "status": "DELETING",
    }
    assert emu.request_counts() == {
        "StartBatchEvaluation": 1,
        "GetBatchEvaluation": 1,
        "ListBatchEvaluations": 1,
        "DeleteBatchEvaluation": 1,
    }


def test_validation_errors_carry_agentcores_reason(emu: BedrockEmulator, agentcore: Any) -> None:
    with pytest.raises(ClientError) as bad_name:
        agentcore.start_batch_evaluation(**start_request("has-dash"))
    assert error_code(bad_name) == ("ValidationException", 400)
    assert bad_name.value.response["reason"] == "FieldValidationFailed"  # type: ignore[typeddict-item]
    status, headers, body = raw_request(emu, "GET", "/evaluations/batch-evaluate/9bad")
    assert (status, headers["x-amzn-ErrorType"], body["reason"]) == (
        400,
        "ValidationException",
        "FieldValidationFailed",
    )
    status, _, _ = raw_request(emu, "GET", "/evaluations/batch-evaluate?maxResults=101")
    assert status == 400


def test_the_list_order_is_not_creation_order_and_pages_cover_everything(
    emu: BedrockEmulator, agentcore: Any
) -> None:
    created = [
        emu.add_batch_evaluation(f"eval_{i:02d}", creation_time=T0 + timedelta(hours=i)) for i in range(20)
    ]

    pages = agentcore.get_paginator("list_batch_evaluations").paginate(PaginationConfig={"PageSize": 3})
    arns = [e["batchEvaluationArn"] for page in pages for e in page["batchEvaluations"]]
    assert sorted(arns) == sorted(created)
    assert len(arns) == len(set(arns))
    # Neither creation order nor name order, in either direction: a client must not rely on any.
    assert arns not in (created, created[::-1])
    assert emu.request_counts()["ListBatchEvaluations"] == 7
    # leftover_arns reads oldest first whatever the list order.
    assert emu.leftover_arns(KIND) == created


def test_deleting_between_pages_neither_skips_nor_repeats(emu: BedrockEmulator, agentcore: Any) -> None:
    emu.deleting_seconds = 0.0
    for i in range(6):
        emu.add_batch_evaluation(f"eval_{i}")
    first = agentcore.list_batch_evaluations(maxResults=3)
    seen = [e["batchEvaluationId"] for e in first["batchEvaluations"]]
    for eid in seen:
        agentcore.delete_batch_evaluation(batchEvaluationId=eid)
    rest = agentcore.list_batch_evaluations(maxResults=3, nextToken=first["nextToken"])
    assert len(rest["batchEvaluations"]) == 3
    assert "nextToken" not in rest
    assert not set(seen) & {e["batchEvaluationId"] for e in rest["batchEvaluations"]}


@pytest.mark.parametrize("status", ["PENDING", "IN_PROGRESS", "STOPPING"])
def test_an_unfinished_evaluation_is_a_conflict(emu: BedrockEmulator, agentcore: Any, status: str) -> None:
    eid = evaluation_id(emu.add_batch_evaluation(status=status))
    with pytest.raises(ClientError) as conflict:
        agentcore.delete_batch_evaluation(batchEvaluationId=eid)
    assert error_code(conflict) == ("ConflictException", 409)
    assert status in str(conflict.value)


@pytest.mark.parametrize("status", ["COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "STOPPED"])
def test_a_finished_evaluation_is_deleted(emu: BedrockEmulator, agentcore: Any, status: str) -> None:
    eid = evaluation_id(emu.add_batch_evaluation(status=status))
    assert agentcore.delete_batch_evaluation(batchEvaluationId=eid)["status"] == "DELETING"


def test_an_unknown_evaluation_is_not_found(agentcore: Any) -> None:
    with pytest.raises(ClientError) as missing:
        agentcore.delete_batch_evaluation(batchEvaluationId=MISSING_ID)
    assert error_code(missing) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as missing_get:
        agentcore.get_batch_evaluation(batchEvaluationId=MISSING_ID)
    assert error_code(missing_get) == ("ResourceNotFoundException", 404)


def test_deleted_evaluations_linger_as_deleting_then_vanish(emu: BedrockEmulator, agentcore: Any) -> None:
    emu.deleting_seconds = 0.3
    done = emu.add_batch_evaluation(status="COMPLETED")
    kept = emu.add_batch_evaluation(status="FAILED")
    agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(done))

    assert {e["batchEvaluationArn"]: e["status"] for e in listed(agentcore)} == {
        done: "DELETING",
        kept: "FAILED",
    }
    assert agentcore.get_batch_evaluation(batchEvaluationId=evaluation_id(done))["status"] == "DELETING"
    assert emu.leftover_arns(KIND, "DELETING") == [done]
    assert emu.surviving_arns(KIND) == [kept]
    # One already DELETING is accepted again.
    assert agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(done))["status"] == "DELETING"
    time.sleep(0.4)
    assert [e["batchEvaluationArn"] for e in listed(agentcore)] == [kept]
    with pytest.raises(ClientError) as gone:
        agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(done))
    assert error_code(gone) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("500", ("InternalServerException", 500)),
        ("409", ("ConflictException", 409)),
        ("ThrottlingException", ("ThrottlingException", 429)),
        ("AccessDeniedException", ("AccessDeniedException", 403)),
    ],
)
def test_fail_item_makes_the_delete_fail_with_its_code(
    emu: BedrockEmulator, agentcore: Any, code: str, expected: tuple[str, int]
) -> None:
    arn = emu.add_batch_evaluation(status="COMPLETED")
    emu.fail_item(arn, code, "Injected.")
    with pytest.raises(ClientError) as failed:
        agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(arn))
    assert error_code(failed) == expected
    assert failed.value.response["Error"]["Message"] == "Injected."
    assert emu.fault_counts() == {"DeleteBatchEvaluation": 1}
    emu.clear_item_failures()
    assert agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(arn))["status"] == "DELETING"


def test_injected_item_failures_are_server_errors(emu: BedrockEmulator, agentcore: Any) -> None:
    arn = emu.add_batch_evaluation(status="COMPLETED")
    emu.faults = FaultConfig(item_failure_rate=1.0)
    with pytest.raises(ClientError) as failed:
        agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(arn))
    assert error_code(failed) == ("InternalServerException", 500)
    assert emu.surviving_arns(KIND) == [arn]


def test_the_retain_tag_deny_does_not_apply(emu: BedrockEmulator, agentcore: Any) -> None:
    retained = emu.add_batch_evaluation(tags={"janitor:retain": "true"})
    emu.enforce_retain_tag_deny("janitor:retain", mode="call")
    assert (
        agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(retained))["status"] == "DELETING"
    )
