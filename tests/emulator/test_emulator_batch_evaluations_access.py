"""Amazon Bedrock AgentCore's batch evaluations on the emulator, as they are reached and seeded:
per account and Region, through the endpoint variable and signing name, behind IAM, faults and
the tagging index, by the seeding and admin APIs, and from the real AWS CLI."""

from __future__ import annotations

import http.client
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator, FaultConfig, seed_demo_batch_evaluations
from tests.emulator.conftest import AgentCoreFactory
from tests.emulator.support import ACCOUNT_ID, REGION, T0, error_code, raw_request
from tests.emulator.test_emulator_batch_evaluations import (
    KIND,
    evaluation_id,
    listed,
    start_request,
)
from tests.emulator.test_emulator_cli import aws

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient


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
