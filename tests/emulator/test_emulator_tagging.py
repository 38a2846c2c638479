"""The Resource Groups Tagging API's GetResources through boto3's resourcegroupstaggingapi client."""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator
from emulator.tagging import encode_page_token
from tests.emulator.support import ACCOUNT_ID, MISSING_ARN, error_code, raw_rpc

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_resourcegroupstaggingapi.type_defs import TagFilterTypeDef

OTHER_REGION_ARN = f"arn:aws:bedrock:eu-west-1:{ACCOUNT_ID}:evaluation-job/aaaaaaaaaaaa"


def tags_by_arn(answer: Any) -> dict[str, dict[str, str]]:
    return {
        m["ResourceARN"]: {t["Key"]: t["Value"] for t in m["Tags"]} for m in answer["ResourceTagMappingList"]
    }


# -- ResourceARNList --------------------------------------------------------------------------


def test_an_arn_list_of_100_answers_the_tagged_jobs_once_in_the_order_asked(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    tagged = [emu.add_job(tags={"Owner": "c7n", "Environment": f"e{i}"}) for i in range(40)]
    untagged = [emu.add_job() for _ in range(30)]
    unknown = [f"{MISSING_ARN[:-12]}{i:012d}" for i in range(28)] + [OTHER_REGION_ARN]
    asked = [*tagged, *untagged, *unknown, tagged[5]]  # tagged[5] twice
    random.Random(1).shuffle(asked)
    assert len(asked) == 100

    answer = tagging.get_resources(ResourceARNList=asked)

    in_order = list(dict.fromkeys(a for a in asked if a in tagged))
    assert [m["ResourceARN"] for m in answer["ResourceTagMappingList"]] == in_order
    # Tags in the order they were set, as the recorded answer has Owner before Environment.
    first = answer["ResourceTagMappingList"][0]
    assert first["Tags"] == [
        {"Key": "Owner", "Value": "c7n"},
        {"Key": "Environment", "Value": f"e{tagged.index(first['ResourceARN'])}"},
    ]
    assert answer["PaginationToken"] == ""
    assert emu.request_counts() == {"GetResources": 1}


def test_a_job_untagged_since_comes_back_with_no_tags(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    was_tagged, never = emu.add_job(tags={"team": "search"}), emu.add_job()
    client.untag_resource(resourceARN=was_tagged, tagKeys=["team"])
    client.untag_resource(resourceARN=never, tagKeys=["team"])  # no change: still never tagged

    answer = tagging.get_resources(ResourceARNList=[was_tagged, never])
    assert answer["ResourceTagMappingList"] == [{"ResourceARN": was_tagged, "Tags": []}]
    assert tags_by_arn(tagging.get_resources()) == {was_tagged: {}}
    assert tagging.get_resources(TagFilters=[{"Key": "team"}])["ResourceTagMappingList"] == []


def test_101_arns_are_refused(emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient) -> None:
    arn = emu.add_job(tags={"a": "b"})
    with pytest.raises(ClientError) as raised:
        tagging.get_resources(ResourceARNList=[arn] * 101)
    assert error_code(raised) == ("InvalidParameterException", 400)
    assert "less than or equal to 100" in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    "extra",
    [
        {"TagFilters": [{"Key": "team"}]},
        {"ResourceTypeFilters": ["bedrock:evaluation-job"]},
        {"ResourcesPerPage": 10},
        {"TagsPerPage": 100},
        {"PaginationToken": "eyJ9"},
    ],
)
def test_an_arn_list_cannot_be_combined_with_filters_or_pagination(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient, extra: dict[str, Any]
) -> None:
    arn = emu.add_job(tags={"team": "search"})
    with pytest.raises(ClientError) as raised:
        tagging.get_resources(ResourceARNList=[arn], **extra)
    assert error_code(raised) == ("InvalidParameterException", 400)
    assert next(iter(extra)) in raised.value.response["Error"]["Message"]


def test_a_string_that_is_not_an_arn_is_refused_in_aws_words(tagging: ResourceGroupsTaggingAPIClient) -> None:
    with pytest.raises(ClientError) as raised:
        tagging.get_resources(ResourceARNList=["evaluation-job/abc"])
    assert error_code(raised) == ("InvalidParameterException", 400)
    assert (
        raised.value.response["Error"]["Message"]
        == "evaluation-job/abc is not a valid AmazonResourceName (ARN)"
    )


# -- Filters and pages ------------------------------------------------------------------------


def test_tag_and_type_filters_page_over_more_than_one_page(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    search = {emu.add_job(tags={"team": "search", "cost": str(i)}) for i in range(23)}
    support = {emu.add_job(tags={"team": "support-bot"}) for _ in range(7)}
    emu.add_job(tags={"owner": "ml"})
    emu.add_job()

    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": "team", "Values": ["search"]}],
        ResourceTypeFilters=["bedrock:evaluation-job"],
        PaginationConfig={"PageSize": 10},  # botocore sends it as ResourcesPerPage
    )
    answers = list(pages)
    assert [len(a["ResourceTagMappingList"]) for a in answers] == [10, 10, 3]
    assert [bool(a["PaginationToken"]) for a in answers] == [True, True, False]
    listed = [m["ResourceARN"] for a in answers for m in a["ResourceTagMappingList"]]
    assert listed == sorted(search)

    either: list[TagFilterTypeDef] = [{"Key": "team", "Values": ["search", "support-bot"]}]
    assert (
        set(tags_by_arn(tagging.get_resources(TagFilters=either, ResourcesPerPage=100))) == search | support
    )
    assert set(
        tags_by_arn(tagging.get_resources(TagFilters=[{"Key": "team"}], ResourceTypeFilters=["bedrock"]))
    )
    assert len(tags_by_arn(tagging.get_resources(ResourcesPerPage=100))) == 31  # every job ever tagged
    by_other_type = tagging.get_resources(ResourceTypeFilters=["ec2:instance", "bedrock:custom-model"])
    assert by_other_type["ResourceTagMappingList"] == []
    both: list[TagFilterTypeDef] = [
        {"Key": "team", "Values": ["search"]},
        {"Key": "cost", "Values": ["3", "4"]},
    ]
    assert len(tagging.get_resources(TagFilters=both)["ResourceTagMappingList"]) == 2


def test_tags_per_page_never_splits_a_resource(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    # AWS's own example: 22 resources with 10 tags each, TagsPerPage 100 -> pages of 10, 10, 2.
    for _ in range(22):
        emu.add_job(tags={f"k{i}": "v" for i in range(10)})
    pages = tagging.get_paginator("get_resources").paginate(TagsPerPage=100)
    assert [len(p["ResourceTagMappingList"]) for p in pages] == [10, 10, 2]


def test_a_page_token_is_a_cursor_that_expires_after_15_minutes(
    emu: BedrockEmulator, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    arns = sorted(emu.add_job(tags={"a": "b"}) for _ in range(3))
    first = tagging.get_resources(ResourcesPerPage=1)
    assert [m["ResourceARN"] for m in first["ResourceTagMappingList"]] == arns[:1]
    emu.add_job(tags={"a": "b"})  # a new resource does not shift the cursor's position

    rest = tagging.get_resources(PaginationToken=first["PaginationToken"], ResourcesPerPage=100)
    assert [m["ResourceARN"] for m in rest["ResourceTagMappingList"]][:2] == arns[1:]

    with pytest.raises(ClientError) as raised:
        tagging.get_resources(PaginationToken=encode_page_token(arns[0], time.time() - 15 * 60 - 5))
    assert error_code(raised) == ("PaginationTokenExpiredException", 400)
    with pytest.raises(ClientError) as raised:
        tagging.get_resources(PaginationToken="not-a-token")
    assert error_code(raised) == ("InvalidParameterException", 400)


@pytest.mark.parametrize(
    "params",
    [
        {"ResourcesPerPage": 0},
        {"ResourcesPerPage": 101},
        {"TagsPerPage": 99},
        {"TagsPerPage": 501},
        {"TagFilters": [{"Key": "k"}] * 51},
        {"TagFilters": [{"Key": "k", "Values": ["v"] * 21}]},
        {"IncludeComplianceDetails": True},
    ],
)
def test_out_of_range_parameters_are_invalid(
    tagging: ResourceGroupsTaggingAPIClient, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as raised:
        tagging.get_resources(**params)
    assert error_code(raised) == ("InvalidParameterException", 400)


# -- The wire ---------------------------------------------------------------------------------


def test_the_wire_is_json_1_1_on_the_bedrock_port(emu: BedrockEmulator) -> None:
    arn = emu.add_job(tags={"team": "search"})
    status, headers, body = raw_rpc(emu, "GetResources", {"ResourceARNList": [arn]})
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert body == {
        "PaginationToken": "",
        "ResourceTagMappingList": [{"ResourceARN": arn, "Tags": [{"Key": "team", "Value": "search"}]}],
    }

    status, headers, body = raw_rpc(emu, "GetResources", {"ResourcesPerPage": 0})
    assert status == 400
    assert set(body) == {"__type", "Message"}
    assert body["__type"] == "InvalidParameterException"
    assert "x-amzn-ErrorType" not in headers  # JSON 1.1 errors carry the code in the body only

    status, _, body = raw_rpc(emu, "TagResources", {})
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#UnknownOperationException")
    status, _, body = raw_rpc(emu, "GetResources", b"[1, 2")
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#SerializationException")
    assert emu.request_counts() == {"GetResources": 3}  # the unknown target is no operation


def test_the_function_environment_points_the_tagging_client_at_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3

    from localdev.services import local_aws

    with local_aws() as local:
        arn = local.bedrock.add_job(tags={"team": "search"})
        for name, value in local.function_environment().items():
            monkeypatch.setenv(name, value)
        # No endpoint_url: AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API must send it to the emulator.
        answer = boto3.client("resourcegroupstaggingapi").get_resources(ResourceARNList=[arn])
        assert tags_by_arn(answer) == {arn: {"team": "search"}}
        assert tags_by_arn(local.client("resourcegroupstaggingapi").get_resources()) == {
            arn: {"team": "search"}
        }
        assert local.bedrock.request_counts() == {"GetResources": 2}


def test_botocore_sends_json_1_1_although_the_model_lists_cbor_first(
    tagging: ResourceGroupsTaggingAPIClient,
) -> None:
    # If a botocore upgrade switched to smithy-rpc-v2-cbor, the emulator would need to speak it.
    assert tagging.meta.service_model.resolved_protocol == "json"
