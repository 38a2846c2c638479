"""Bedrock's advanced prompt optimization jobs on the emulator: boto3 and the AWS CLI round trips."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator, FaultConfig, seed_demo_prompt_optimization_jobs
from emulator.kinds import contract as c
from emulator.quota import QuotaEmulator
from tests.emulator.support import ACCOUNT_ID, REGION, T0, error_code, raw_request
from tests.emulator.test_emulator_cli import aws

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

    from tests.emulator.conftest import ClientFactory

KIND = "promptOptimizationJobs"
MISSING_ID = "zzzzzzzzzzzz"
MISSING = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:advanced-prompt-optimization-job/{MISSING_ID}"


def create_request(name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "jobName": name,
        "inputConfig": {"s3Uri": "s3://prompts/input.jsonl"},
        "outputConfig": {"s3Uri": "s3://prompts/out/"},
        "modelConfigurations": [{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}],
        **overrides,
    }


def listed(client: BedrockClient, **kwargs: Any) -> list[Any]:
    pages = client.get_paginator("list_advanced_prompt_optimization_jobs").paginate(**kwargs)
    return [s for page in pages for s in page["jobSummaries"]]


def test_the_contract_matches_botocores_model() -> None:
    # Any: botocore types shape_for as a plain Shape.
    model: Any = botocore.session.get_session().get_service_model("bedrock")
    for name, (method, uri, status) in c.PROMPT_OPTIMIZATION_OPERATIONS.items():
        http = model.operation_model(name).http
        assert (http["method"], http["requestUri"], http.get("responseCode", 200)) == (method, uri, status)
    summary = model.shape_for("AdvancedPromptOptimizationJobSummary")
    assert summary.members["jobName"].metadata["pattern"] == c.PROMPT_OPTIMIZATION_NAME_RE.pattern
    name = summary.members["jobName"].metadata
    assert (name["min"], name["max"]) == c.PROMPT_OPTIMIZATION_NAME_LENGTH
    assert summary.members["jobArn"].metadata["pattern"] == c.PROMPT_OPTIMIZATION_ARN_RE.pattern
    assert tuple(summary.members["jobStatus"].enum) == c.PROMPT_OPTIMIZATION_STATUSES
    identifiers = model.shape_for("AdvancedPromptOptimizationJobIdentifiers")
    assert (identifiers.metadata["min"], identifiers.metadata["max"]) == c.PROMPT_OPTIMIZATION_BATCH_RANGE
    assert identifiers.member.metadata["pattern"] == c.PROMPT_OPTIMIZATION_IDENTIFIER_RE.pattern
    listing = model.operation_model("ListAdvancedPromptOptimizationJobs").input_shape
    assert set(listing.members) == {"maxResults", "nextToken", "sortBy", "sortOrder"}
    limits = listing.members["maxResults"].metadata
    assert (limits["min"], limits["max"]) == c.PROMPT_OPTIMIZATION_MAX_RESULTS


def test_create_get_and_list_round_trip(emu: BedrockEmulator, client: BedrockClient) -> None:
    arn = client.create_advanced_prompt_optimization_job(
        **create_request("tune.v1+a", tags=[{"key": "team", "value": "search"}], jobDescription="d")
    )["jobArn"]
    job_id = arn.rsplit("/", 1)[1]
    assert arn == f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:advanced-prompt-optimization-job/{job_id}"

    by_arn = client.get_advanced_prompt_optimization_job(jobIdentifier=arn)
    by_id = client.get_advanced_prompt_optimization_job(jobIdentifier=job_id)
    assert by_arn["jobName"] == by_id["jobName"] == "tune.v1+a"
    assert (by_arn["jobStatus"], by_arn["jobDescription"]) == ("InProgress", "d")
    assert by_arn["outputConfig"] == {"s3Uri": "s3://prompts/out/"}
    [summary] = listed(client)
    assert summary["jobArn"] == arn
    assert set(summary) == {"jobArn", "jobName", "jobStatus", "creationTime", "lastModifiedTime"}
    assert client.list_tags_for_resource(resourceARN=arn)["tags"] == [{"key": "team", "value": "search"}]
    assert emu.request_counts() == {
        "CreateAdvancedPromptOptimizationJob": 1,
        "GetAdvancedPromptOptimizationJob": 2,
        "ListAdvancedPromptOptimizationJobs": 1,
        "ListTagsForResource": 1,
    }


def test_create_refuses_bad_and_duplicate_names_and_honours_the_client_token(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    first = client.create_advanced_prompt_optimization_job(**create_request("one", clientToken="tok-1"))
    again = client.create_advanced_prompt_optimization_job(**create_request("one", clientToken="tok-1"))
    assert first["jobArn"] == again["jobArn"]
    with pytest.raises(ClientError) as conflict:
        client.create_advanced_prompt_optimization_job(**create_request("one"))
    assert error_code(conflict) == ("ConflictException", 400)
    with pytest.raises(ClientError) as invalid:
        client.create_advanced_prompt_optimization_job(**create_request("-bad"))
    assert error_code(invalid) == ("ValidationException", 400)
    with pytest.raises(ClientError) as missing:
        client.get_advanced_prompt_optimization_job(jobIdentifier=MISSING)
    assert error_code(missing) == ("ResourceNotFoundException", 404)


def test_list_pages_and_sorts_by_creation_time(emu: BedrockEmulator, client: BedrockClient) -> None:
    arns = [
        emu.add_prompt_optimization_job(f"job-{i}", creation_time=T0 + timedelta(hours=i)) for i in range(7)
    ]

    ascending = listed(client, sortBy="CreationTime", sortOrder="Ascending", PaginationConfig={"PageSize": 3})
    assert [s["jobArn"] for s in ascending] == arns
    # Newest first unless told otherwise, as ListEvaluationJobs.
    assert [s["jobArn"] for s in listed(client, PaginationConfig={"PageSize": 2})] == arns[::-1]
    assert emu.request_counts()["ListAdvancedPromptOptimizationJobs"] == 3 + 4

    page = client.list_advanced_prompt_optimization_jobs(maxResults=3, sortOrder="Ascending")
    with pytest.raises(ClientError) as wrong_order:
        client.list_advanced_prompt_optimization_jobs(nextToken=page["nextToken"], sortOrder="Descending")
    assert error_code(wrong_order) == ("ValidationException", 400)
    status, _, _ = raw_request(emu, "GET", "/advanced-prompt-optimization-jobs?maxResults=1001")
    assert status == 400


def test_deleting_between_pages_neither_skips_nor_repeats(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    emu.deleting_seconds = 0.0
    arns = [emu.add_prompt_optimization_job(creation_time=T0 + timedelta(minutes=i)) for i in range(6)]
    first = client.list_advanced_prompt_optimization_jobs(maxResults=3, sortOrder="Ascending")
    client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=arns[:3])
    rest = client.list_advanced_prompt_optimization_jobs(
        maxResults=3, sortOrder="Ascending", nextToken=first["nextToken"]
    )
    assert [s["jobArn"] for s in rest["jobSummaries"]] == arns[3:]
    assert "nextToken" not in rest


def test_batch_delete_answers_per_item_like_evaluation_jobs(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    done = emu.add_prompt_optimization_job("done", "Completed")
    partial = emu.add_prompt_optimization_job("partial", "PartiallyCompleted")
    running = emu.add_prompt_optimization_job("running", "InProgress")
    stopping = emu.add_prompt_optimization_job("stopping", "Stopping")
    forced = emu.add_prompt_optimization_job("forced", "Failed")
    emu.fail_item(forced, "500", "Injected.")
    partial_id = partial.rsplit("/", 1)[1]

    answer = client.batch_delete_advanced_prompt_optimization_job(
        jobIdentifiers=[done, partial_id, running, stopping, forced, MISSING_ID, done]
    )

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert answer["advancedPromptOptimizationJobs"] == [
        {"jobIdentifier": done, "jobStatus": "Deleting"},
        {"jobIdentifier": partial_id, "jobStatus": "Deleting"},
    ]
    finished = "only Completed, PartiallyCompleted, Failed or Stopped jobs can be deleted."
    assert answer["errors"] == [
        {"jobIdentifier": running, "code": "409", "message": f"Job is InProgress; {finished}"},
        {"jobIdentifier": stopping, "code": "409", "message": f"Job is Stopping; {finished}"},
        {"jobIdentifier": forced, "code": "500", "message": "Injected."},
        {"jobIdentifier": MISSING_ID, "code": "404", "message": "Unable to locate this job to delete."},
    ]
    assert emu.fault_counts() == {"BatchDeleteAdvancedPromptOptimizationJob": 1}


def test_injected_item_failures_and_whole_request_refusals(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    done = emu.add_prompt_optimization_job(status="Stopped")
    emu.faults = FaultConfig(item_failure_rate=1.0)
    answer = client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=[done])
    assert [e["code"] for e in answer["errors"]] == ["500"]
    emu.faults = FaultConfig()

    too_many = json.dumps({"jobIdentifiers": [done] * 26}).encode()
    status, headers, _ = raw_request(emu, "POST", "/advanced-prompt-optimization-job/batch-delete", too_many)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "ValidationException")
    with pytest.raises(ClientError) as invalid:
        client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=[done, "not-an-id"])
    assert error_code(invalid) == ("ValidationException", 400)
    assert emu.surviving_arns(KIND) == [done]


def test_deleted_jobs_linger_as_deleting_then_vanish(emu: BedrockEmulator, client: BedrockClient) -> None:
    emu.deleting_seconds = 0.3
    done = emu.add_prompt_optimization_job(status="Completed")
    kept = emu.add_prompt_optimization_job(status="Completed")
    client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=[done])

    assert {s["jobArn"]: s["jobStatus"] for s in listed(client)} == {done: "Deleting", kept: "Completed"}
    assert client.get_advanced_prompt_optimization_job(jobIdentifier=done)["jobStatus"] == "Deleting"
    assert emu.leftover_arns(KIND, "Deleting") == [done]
    assert emu.surviving_arns(KIND) == [kept]
    # A job already Deleting is accepted again.
    again = client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=[done])
    assert again["advancedPromptOptimizationJobs"] == [{"jobIdentifier": done, "jobStatus": "Deleting"}]
    time.sleep(0.4)
    assert [s["jobArn"] for s in listed(client)] == [kept]
    assert emu.leftover_arns(KIND) == [kept]


def test_the_retain_tag_deny_does_not_apply(emu: BedrockEmulator, client: BedrockClient) -> None:
    retained = emu.add_prompt_optimization_job(tags={"janitor:retain": "true"})
    emu.enforce_retain_tag_deny("janitor:retain", mode="call")
    answer = client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=[retained])
    assert answer["errors"] == []
    assert emu.surviving_arns(KIND) == []


def test_jobs_live_per_account_and_region() -> None:
    member = "222222222222"
    keys = {"AKIAMEMBEREXAMPLE": member}
    with BedrockEmulator(region=REGION, account_id=ACCOUNT_ID, account_of_key=keys.get) as emu:
        home = emu.add_prompt_optimization_job("home")
        there = emu.add_prompt_optimization_job("there", account_id=member, region="eu-west-1")

        def bedrock(key: str, region: str) -> BedrockClient:
            return boto3.client(
                "bedrock",
                region_name=region,
                endpoint_url=emu.endpoint_url,
                aws_access_key_id=key,
                aws_secret_access_key="testing",
            )

        assert [s["jobArn"] for s in listed(bedrock("AKIAHOMEEXAMPLE", REGION))] == [home]
        assert [s["jobArn"] for s in listed(bedrock("AKIAMEMBEREXAMPLE", "eu-west-1"))] == [there]
        assert listed(bedrock("AKIAMEMBEREXAMPLE", REGION)) == []
        assert there.startswith(f"arn:aws:bedrock:eu-west-1:{member}:advanced-prompt-optimization-job/")
        assert emu.leftover_arns(KIND, account_id=member, region="eu-west-1") == [there]
        assert emu.leftover_arns(KIND) == [home]


def test_a_denied_operation_is_refused(emu: BedrockEmulator, client: BedrockClient) -> None:
    done = emu.add_prompt_optimization_job()
    emu.faults = FaultConfig(denied_operations=frozenset({"BatchDeleteAdvancedPromptOptimizationJob"}))
    with pytest.raises(ClientError) as denied:
        client.batch_delete_advanced_prompt_optimization_job(jobIdentifiers=[done])
    assert error_code(denied) == ("AccessDeniedException", 403)
    assert "bedrock:BatchDeleteAdvancedPromptOptimizationJob" in str(denied.value)
    assert listed(client)
    assert emu.fault_counts() == {"BatchDeleteAdvancedPromptOptimizationJob": 1}


@pytest.mark.usefixtures("no_backoff")
def test_boto3_retries_an_injected_throttle(emu: BedrockEmulator, make_client: ClientFactory) -> None:
    emu.add_prompt_optimization_job()
    # Seed 1's first draw (0.13) throttles, its second (0.85) does not.
    emu.faults = FaultConfig(
        throttle_rate=0.5, seed=1, operations=frozenset({"ListAdvancedPromptOptimizationJobs"})
    )
    client = make_client(retries={"mode": "standard", "total_max_attempts": 3})
    answer = client.list_advanced_prompt_optimization_jobs()
    assert (len(answer["jobSummaries"]), answer["ResponseMetadata"]["RetryAttempts"]) == (1, 1)
    assert emu.request_counts() == {"ListAdvancedPromptOptimizationJobs": 2}
    assert emu.fault_counts() == {"ListAdvancedPromptOptimizationJobs": 1}


def test_a_request_rate_quota_throttles(boto_session: boto3.session.Session) -> None:
    with QuotaEmulator(quotas={"ListAdvancedPromptOptimizationJobs": 0.01}, burst=1) as emu:
        client = boto_session.client(
            "bedrock",
            endpoint_url=emu.endpoint_url,
            config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )
        client.list_advanced_prompt_optimization_jobs()
        with pytest.raises(ClientError) as throttled:
            client.list_advanced_prompt_optimization_jobs()
        assert error_code(throttled) == ("ThrottlingException", 429)


def test_tags_reach_get_resources_through_the_same_lagging_index(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    seeded = emu.add_prompt_optimization_job(tags={"janitor:retain": "true"})
    plain = emu.add_prompt_optimization_job()
    emu.tag_index_lag_seconds = 600.0
    created = client.create_advanced_prompt_optimization_job(
        **create_request("fresh", tags=[{"key": "team", "value": "x"}])
    )["jobArn"]
    client.tag_resource(resourceARN=plain, tags=[{"key": "team", "value": "y"}])

    answer = tagging.get_resources(ResourceARNList=[seeded, plain, created, MISSING])
    # Seeded tags are old; the created job's and the new tag wait for the index.
    assert answer["ResourceTagMappingList"] == [
        {"ResourceARN": seeded, "Tags": [{"Key": "janitor:retain", "Value": "true"}]}
    ]
    assert client.list_tags_for_resource(resourceARN=plain)["tags"] == [{"key": "team", "value": "y"}]
    by_type = tagging.get_resources(ResourceTypeFilters=["bedrock:advanced-prompt-optimization-job"])
    assert [m["ResourceARN"] for m in by_type["ResourceTagMappingList"]] == [seeded]


def test_seeding_api_and_set_status(emu: BedrockEmulator, client: BedrockClient) -> None:
    arn = emu.add_prompt_optimization_job("seeded", "InProgress", T0, tags={"a": "b"})
    assert emu.request_counts() == {}
    emu.set_status(arn, "Completed")
    assert client.get_advanced_prompt_optimization_job(jobIdentifier=arn)["jobStatus"] == "Completed"
    assert emu.leftover_arns(KIND, "Completed") == [arn]
    with pytest.raises(ValueError, match="status"):
        emu.add_prompt_optimization_job(status="Done")
    with pytest.raises(ValueError, match="already exists"):
        emu.add_prompt_optimization_job("seeded")
    with pytest.raises(ValueError, match="kind"):
        emu.leftover_arns("models")
    # evaluationJobs reads the evaluation jobs, as job_arns does.
    job = emu.add_job()
    assert emu.leftover_arns("evaluationJobs") == emu.job_arns() == [job]
    assert emu.surviving_arns("evaluationJobs") == emu.surviving_job_arns()


def test_the_admin_api_seeds_and_lists(emu: BedrockEmulator) -> None:
    body = json.dumps({"name": "via-admin", "status": "Failed", "creation_time": "2026-01-01T00:00:00Z"})
    status, _, added = raw_request(emu, "POST", "/_emulator/prompt-optimization-jobs", body.encode())
    assert status == 200
    _, _, found = raw_request(emu, "GET", f"/_emulator/leftovers?kind={KIND}&status=Failed")
    assert found == {"arns": [added["jobArn"]]}


def test_the_demo_seed_has_every_edge_case() -> None:
    now = T0 + timedelta(days=500)
    with BedrockEmulator(seed=3) as emu:
        arns = seed_demo_prompt_optimization_jobs(emu, now, count=12)
        client = boto3.client(
            "bedrock",
            region_name=REGION,
            endpoint_url=emu.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        jobs = [client.get_advanced_prompt_optimization_job(jobIdentifier=a) for a in arns]
        tags = [client.list_tags_for_resource(resourceARN=a)["tags"] for a in arns]
    statuses = Counter(j["jobStatus"] for j in jobs)
    assert statuses["InProgress"] >= 1
    assert statuses["Stopping"] >= 1
    assert statuses["PartiallyCompleted"] >= 1
    retain = [t["value"] for ts in tags for t in ts if t["key"] == "janitor:retain"]
    assert sorted(retain) == ["TRUE", "true"]
    ages = [now - j["creationTime"] for j in jobs]
    assert sum(age < timedelta(days=7) for age in ages) >= 1
    assert sum(age > timedelta(days=30) for age in ages) >= 6


def test_the_aws_cli_lists_and_batch_deletes(emu: BedrockEmulator, tmp_path: Path) -> None:
    # More jobs than the default page, so the CLI's own pagination is exercised too.
    arns = [emu.add_prompt_optimization_job(creation_time=T0 + timedelta(seconds=i)) for i in range(105)]
    everything = aws(emu, tmp_path, "list-advanced-prompt-optimization-jobs", "--sort-order", "Ascending")
    assert [s["jobArn"] for s in everything["jobSummaries"]] == arns
    assert emu.request_counts()["ListAdvancedPromptOptimizationJobs"] == 2

    result = aws(
        emu, tmp_path, "batch-delete-advanced-prompt-optimization-job", "--job-identifiers", arns[0], MISSING
    )
    assert result["advancedPromptOptimizationJobs"] == [{"jobIdentifier": arns[0], "jobStatus": "Deleting"}]
    assert [e["code"] for e in result["errors"]] == ["404"]
