"""GetResources under faults, denials and quotas: each refusal in the tagging API's own words."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator, FaultConfig
from emulator.quota import QuotaEmulator
from tests.emulator.support import error_code, raw_rpc

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

    from tests.emulator.conftest import ClientFactory, TaggingClientFactory

ONLY_GET_RESOURCES = frozenset({"GetResources"})


def test_an_injected_throttle_is_throttled_exception_on_a_400(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.faults = FaultConfig(throttle_rate=1.0, operations=ONLY_GET_RESOURCES)
    with pytest.raises(ClientError) as raised:
        tagging.get_resources()
    assert error_code(raised) == ("ThrottledException", 400)
    assert raised.value.response["Error"]["Message"] == "Rate exceeded"
    assert client.list_evaluation_jobs()["jobSummaries"] == []  # Bedrock is not throttled
    assert emu.fault_counts() == {"GetResources": 1}
    assert emu.request_counts() == {"GetResources": 1, "ListEvaluationJobs": 1}


@pytest.mark.usefixtures("no_backoff")
def test_botocore_standard_retries_get_through_throttled_exception(
    emu: BedrockEmulator, make_tagging_client: TaggingClientFactory
) -> None:
    arn = emu.add_job(tags={"team": "search"})
    emu.faults = FaultConfig(throttle_rate=0.5, operations=ONLY_GET_RESOURCES, seed=3)
    tagging = make_tagging_client(retries={"mode": "standard", "total_max_attempts": 10})

    for _ in range(20):
        answer = tagging.get_resources(ResourceARNList=[arn])
        assert [m["ResourceARN"] for m in answer["ResourceTagMappingList"]] == [arn]

    throttled = emu.fault_counts()["GetResources"]
    assert throttled > 0
    assert emu.request_counts() == {"GetResources": 20 + throttled}


@pytest.mark.usefixtures("no_backoff")
def test_an_injected_server_error_is_internal_service_exception_and_is_retried(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient, make_tagging_client: TaggingClientFactory
) -> None:
    emu.faults = FaultConfig(server_error_rate=1.0, operations=ONLY_GET_RESOURCES)
    with pytest.raises(ClientError) as raised:
        tagging.get_resources()
    assert error_code(raised) == ("InternalServiceException", 500)

    emu.faults = FaultConfig(server_error_rate=0.5, operations=ONLY_GET_RESOURCES, seed=1)
    retrying = make_tagging_client(retries={"mode": "standard", "total_max_attempts": 10})
    assert retrying.get_resources()["ResourceTagMappingList"] == []


def test_a_denied_get_resources_is_iams_access_denied_on_a_400(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.faults = FaultConfig(denied_operations=ONLY_GET_RESOURCES)
    with pytest.raises(ClientError) as raised:
        tagging.get_resources()
    assert error_code(raised) == ("AccessDeniedException", 400)
    assert raised.value.response["Error"]["Message"] == (
        "User: arn:aws:sts::123456789012:assumed-role/janitor/function is not authorized to perform: "
        "tag:GetResources with an explicit deny in a service control policy"
    )
    _, _, body = raw_rpc(emu, "GetResources", {})
    assert body["__type"] == "com.amazon.coral.service#AccessDeniedException"
    assert client.list_evaluation_jobs()["jobSummaries"] == []  # Bedrock still allowed
    assert emu.fault_counts() == {"GetResources": 2}


def test_latency_applies_to_get_resources(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.faults = FaultConfig(latency_seconds=0.05, operations=ONLY_GET_RESOURCES)
    start = time.perf_counter()
    for _ in range(3):
        tagging.get_resources()
    assert time.perf_counter() - start >= 0.15


def test_fault_config_knows_get_resources() -> None:
    assert FaultConfig.from_json(
        {"operations": "GetResources", "denied_operations": "GetResources"}
    ) == FaultConfig(operations=ONLY_GET_RESOURCES, denied_operations=ONLY_GET_RESOURCES)
    with pytest.raises(ValueError, match="unknown operations"):
        FaultConfig(operations=frozenset({"GetTagKeys"}))


def test_a_quota_throttles_each_api_in_its_own_words(
    make_client: ClientFactory, make_tagging_client: TaggingClientFactory
) -> None:
    quotas = {"GetResources": 0.5, "ListTagsForResource": 0.5}
    with QuotaEmulator(quotas=quotas, burst=1) as emu:
        arn = emu.add_job(tags={"team": "search"})
        tagging, bedrock = make_tagging_client(emu), make_client(emu)
        assert tagging.get_resources(ResourceARNList=[arn])["ResourceTagMappingList"]
        assert bedrock.list_tags_for_resource(resourceARN=arn)["tags"]

        with pytest.raises(ClientError) as tagging_refused:
            tagging.get_resources(ResourceARNList=[arn])
        with pytest.raises(ClientError) as bedrock_refused:
            bedrock.list_tags_for_resource(resourceARN=arn)

        assert error_code(tagging_refused) == ("ThrottledException", 400)
        assert error_code(bedrock_refused) == ("ThrottlingException", 429)
        assert emu.request_counts() == {"GetResources": 2, "ListTagsForResource": 2}
        assert emu.fault_counts() == {"GetResources": 1, "ListTagsForResource": 1}
        windows = emu.quota_windows()
        assert (windows["GetResources"]["accepted"], windows["GetResources"]["refused"]) == (1, 1)
    with pytest.raises(ValueError, match="unknown operations"):
        QuotaEmulator(quotas={"GetTagKeys": 1.0})
