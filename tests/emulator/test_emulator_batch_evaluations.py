"""Amazon Bedrock AgentCore's batch evaluations on the emulator: boto3 and the AWS CLI round trips."""

from __future__ import annotations

import http.client
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator import BedrockEmulator, FaultConfig, seed_demo_batch_evaluations
from emulator.kinds import contract as c
from tests.emulator.support import ACCOUNT_ID, REGION, T0, error_code, raw_request
from tests.emulator.test_emulator_cli import aws

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

KIND = "batchEvaluations"
MISSING_ID = "missing-abcdefghij"
#: No stubs for bedrock-agentcore are installed: its clients are Any.
AgentCoreFactory = Callable[..., Any]


@pytest.fixture
def make_agentcore(boto_session: boto3.session.Session, emu: BedrockEmulator) -> AgentCoreFactory:
    """AgentCore clients on the emulator's port; a single attempt unless told otherwise."""

    def make(**config: Any) -> Any:
        settings: dict[str, Any] = {"retries": {"mode": "standard", "total_max_attempts": 1}, **config}
        return boto_session.client(
            "bedrock-agentcore", endpoint_url=emu.endpoint_url, config=Config(**settings)
        )

    return make


@pytest.fixture
def agentcore(make_agentcore: AgentCoreFactory) -> Any:
    return make_agentcore()


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


def test_evaluations_live_per_account_and_region(boto_session: boto3.session.Session) -> None:
    member = "222222222222"
    keys = {"AKIAMEMBEREXAMPLE": member}
    with BedrockEmulator(region=REGION, account_id=ACCOUNT_ID, account_of_key=keys.get) as emu:
        home = emu.add_batch_evaluation("home")
        there = emu.add_batch_evaluation("there", account_id=member, region="eu-west-1")

        def client(key: str, region: str) -> Any:
            return boto3.client(
                "bedrock-agentcore",
                region_name=region,
                endpoint_url=emu.endpoint_url,
                aws_access_key_id=key,
                aws_secret_access_key="testing",
            )

        assert [e["batchEvaluationArn"] for e in listed(client("AKIAHOMEEXAMPLE", REGION))] == [home]
        assert [e["batchEvaluationArn"] for e in listed(client("AKIAMEMBEREXAMPLE", "eu-west-1"))] == [there]
        assert listed(client("AKIAMEMBEREXAMPLE", REGION)) == []
        with pytest.raises(ClientError) as elsewhere:
            client("AKIAHOMEEXAMPLE", REGION).delete_batch_evaluation(batchEvaluationId=evaluation_id(there))
        assert error_code(elsewhere) == ("ResourceNotFoundException", 404)
        assert there.startswith(f"arn:aws:bedrock-agentcore:eu-west-1:{member}:batch-evaluate/")
        assert emu.surviving_arns(KIND, account_id=member, region="eu-west-1") == [there]


def test_the_endpoint_environment_variable_reaches_the_emulator(
    emu: BedrockEmulator, boto_session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = emu.add_batch_evaluation()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", emu.endpoint_url)
    client = boto_session.client("bedrock-agentcore")
    assert [e["batchEvaluationArn"] for e in listed(client)] == [arn]


def signed_get(emu: BedrockEmulator, path: str, service: str) -> int:
    """The status of a GET whose SigV4 credential scope names `service` (the signature is not checked)."""
    url = urlsplit(emu.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        scope = f"AKIAEXAMPLE/20260101/{REGION}/{service}/aws4_request"
        conn.request(
            "GET", path, headers={"Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, Signature=x"}
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_each_endpoint_serves_only_its_own_operations(emu: BedrockEmulator) -> None:
    assert signed_get(emu, "/evaluations/batch-evaluate", "bedrock-agentcore") == 200
    assert signed_get(emu, "/evaluations/batch-evaluate", "bedrock") == 404
    assert signed_get(emu, "/evaluation-jobs", "bedrock-agentcore") == 404
    assert signed_get(emu, "/advanced-prompt-optimization-jobs", "bedrock") == 200


def test_a_denied_operation_is_refused(emu: BedrockEmulator, agentcore: Any) -> None:
    eid = evaluation_id(emu.add_batch_evaluation())
    emu.faults = FaultConfig(denied_operations=frozenset({"DeleteBatchEvaluation"}))
    with pytest.raises(ClientError) as denied:
        agentcore.delete_batch_evaluation(batchEvaluationId=eid)
    assert error_code(denied) == ("AccessDeniedException", 403)
    assert "bedrock-agentcore:DeleteBatchEvaluation" in str(denied.value)
    assert agentcore.get_batch_evaluation(batchEvaluationId=eid)["status"] == "COMPLETED"


@pytest.mark.usefixtures("no_backoff")
def test_boto3_retries_an_injected_throttle(emu: BedrockEmulator, make_agentcore: AgentCoreFactory) -> None:
    eid = evaluation_id(emu.add_batch_evaluation())
    # Seed 1's first draw (0.13) throttles, its second (0.85) does not.
    emu.faults = FaultConfig(throttle_rate=0.5, seed=1, operations=frozenset({"DeleteBatchEvaluation"}))
    client = make_agentcore(retries={"mode": "standard", "total_max_attempts": 3})
    answer = client.delete_batch_evaluation(batchEvaluationId=eid)
    assert (answer["status"], answer["ResponseMetadata"]["RetryAttempts"]) == ("DELETING", 1)
    assert emu.request_counts() == {"DeleteBatchEvaluation": 2}
    assert emu.fault_counts() == {"DeleteBatchEvaluation": 1}


def test_tags_reach_get_resources_through_the_same_lagging_index(
    emu: BedrockEmulator, agentcore: Any, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.deleting_seconds = 0.0
    seeded = emu.add_batch_evaluation(tags={"janitor:retain": "TRUE"})
    job = emu.add_job(tags={"janitor:retain": "true"})
    emu.tag_index_lag_seconds = 600.0
    started = agentcore.start_batch_evaluation(**start_request("fresh", tags={"team": "x"}))

    answer = tagging.get_resources(ResourceARNList=[seeded, job, started["batchEvaluationArn"]])
    # Seeded tags are old; the started evaluation's wait for the index.
    assert answer["ResourceTagMappingList"] == [
        {"ResourceARN": seeded, "Tags": [{"Key": "janitor:retain", "Value": "TRUE"}]},
        {"ResourceARN": job, "Tags": [{"Key": "janitor:retain", "Value": "true"}]},
    ]
    # A deleted evaluation leaves the index only after the lag too.
    agentcore.delete_batch_evaluation(batchEvaluationId=evaluation_id(seeded))
    assert emu.leftover_arns(KIND) == [started["batchEvaluationArn"]]
    still = tagging.get_resources(ResourceTypeFilters=["bedrock-agentcore:batch-evaluate"])
    assert [m["ResourceARN"] for m in still["ResourceTagMappingList"]] == [seeded]


def test_seeding_api(emu: BedrockEmulator, agentcore: Any) -> None:
    arn = emu.add_batch_evaluation("seeded", "IN_PROGRESS", T0, tags={"a": "b"})
    assert emu.request_counts() == {}
    assert evaluation_id(arn).startswith("seeded-")
    emu.set_status(arn, "STOPPED")
    assert agentcore.get_batch_evaluation(batchEvaluationId=evaluation_id(arn))["status"] == "STOPPED"
    assert emu.leftover_arns(KIND, "STOPPED") == [arn]
    # Names need not be unique: the id's random suffix tells them apart.
    assert emu.add_batch_evaluation("seeded") != arn
    with pytest.raises(ValueError, match="status"):
        emu.add_batch_evaluation(status="Completed")
    with pytest.raises(ValueError, match="name"):
        emu.add_batch_evaluation("has-dash")


def test_the_admin_api_seeds_and_lists(emu: BedrockEmulator) -> None:
    body = json.dumps({"name": "via_admin", "status": "FAILED", "tags": {"k": "v"}})
    status, _, added = raw_request(emu, "POST", "/_emulator/batch-evaluations", body.encode())
    assert status == 200
    _, _, found = raw_request(emu, "GET", f"/_emulator/leftovers?kind={KIND}")
    assert found == {"arns": [added["batchEvaluationArn"]]}
    fail = json.dumps({"jobArn": added["batchEvaluationArn"], "code": "500"}).encode()
    assert raw_request(emu, "POST", "/_emulator/fail-item", fail)[0] == 200


def test_the_demo_seed_has_every_edge_case(agentcore: Any, emu: BedrockEmulator) -> None:
    now = T0 + timedelta(days=500)
    arns = seed_demo_batch_evaluations(emu, now, count=12)
    evaluations = [agentcore.get_batch_evaluation(batchEvaluationId=evaluation_id(a)) for a in arns]
    statuses = Counter(e["status"] for e in evaluations)
    assert {"PENDING", "IN_PROGRESS", "STOPPING", "COMPLETED_WITH_ERRORS"} <= set(statuses)
    ages = [now - e["createdAt"] for e in evaluations]
    assert sum(age < timedelta(days=7) for age in ages) >= 1
    assert sum(age > timedelta(days=30) for age in ages) >= 6


def test_the_demo_seed_tags_retained_evaluations(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    arns = seed_demo_batch_evaluations(emu, T0, count=12)
    mappings = tagging.get_resources(ResourceARNList=arns)["ResourceTagMappingList"]
    retain = [t["Value"] for m in mappings for t in m["Tags"] if t["Key"] == "janitor:retain"]
    assert sorted(retain) == ["TRUE", "true"]


def test_the_aws_cli_lists_and_deletes(emu: BedrockEmulator, tmp_path: Path) -> None:
    # More than the default page of 100, so the CLI's own pagination is exercised too.
    arns = {emu.add_batch_evaluation(f"eval_{i}") for i in range(105)}
    running = emu.add_batch_evaluation("running", "IN_PROGRESS")
    everything = aws(emu, tmp_path, "list-batch-evaluations", service="bedrock-agentcore")
    assert {e["batchEvaluationArn"] for e in everything["batchEvaluations"]} == arns | {running}
    assert emu.request_counts()["ListBatchEvaluations"] == 2

    done = evaluation_id(sorted(arns)[0])
    deleted = aws(
        emu, tmp_path, "delete-batch-evaluation", "--batch-evaluation-id", done, service="bedrock-agentcore"
    )
    assert (deleted["batchEvaluationId"], deleted["status"]) == (done, "DELETING")
    assert emu.leftover_arns(KIND, "DELETING") == [sorted(arns)[0]]
