"""The tagging index's lag behind Bedrock's tags, and the retain-tag Deny IAM enforces on deletes."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from emulator import BedrockEmulator
from emulator.iam import RetainTagDeny
from tests.emulator.support import MISSING_ARN, error_code, job_request

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

LAG = 1.0
RETAIN = {"janitor:retain": "true"}


def indexed(tagging: ResourceGroupsTaggingAPIClient, arn: str) -> dict[str, str] | None:
    """The tags GetResources answers for `arn`, or None if it leaves it out."""
    [*found] = tagging.get_resources(ResourceARNList=[arn])["ResourceTagMappingList"]
    return {t["Key"]: t["Value"] for t in found[0]["Tags"]} if found else None


def true_tags(client: BedrockClient, arn: str) -> dict[str, str]:
    return {t["key"]: t["value"] for t in client.list_tags_for_resource(resourceARN=arn)["tags"]}


def admin(emu: BedrockEmulator, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{emu.endpoint_url}{path}", data=json.dumps(body).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


# -- Eventual consistency ---------------------------------------------------------------------


def test_tag_changes_reach_get_resources_only_after_the_lag(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.tag_index_lag_seconds = LAG
    seeded = emu.add_job(tags={"team": "search"})
    plain = emu.add_job()
    assert indexed(tagging, seeded) == {"team": "search"}  # seeded tags are old: visible at once

    before = time.monotonic()
    client.tag_resource(resourceARN=plain, tags=[{"key": "janitor:retain", "value": "true"}])
    client.untag_resource(resourceARN=seeded, tagKeys=["team"])
    after = time.monotonic()
    # Bedrock's own view is the truth at once; the tagging index still shows the past.
    truth = (true_tags(client, plain), true_tags(client, seeded))
    index = (indexed(tagging, plain), indexed(tagging, seeded))
    assert time.monotonic() - before < LAG, "too slow to look before the lag was over"
    assert truth == (RETAIN, {})
    assert index == (None, {"team": "search"})

    time.sleep(max(0.0, after + LAG + 0.05 - time.monotonic()))
    assert (indexed(tagging, plain), indexed(tagging, seeded)) == (RETAIN, {})


def test_created_jobs_tags_and_vanished_jobs_reach_the_index_late(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.tag_index_lag_seconds = LAG
    emu.deleting_seconds = 0.0
    gone = emu.add_job(status="Completed", tags={"team": "b"})
    request = job_request("eval-1", jobTags=[{"key": "team", "value": "a"}])
    before = time.monotonic()
    created = client.create_evaluation_job(**request)["jobArn"]
    client.batch_delete_evaluation_job(jobIdentifiers=[gone])
    after = time.monotonic()
    listed = tagging.get_resources(TagFilters=[{"Key": "team"}])["ResourceTagMappingList"]
    assert time.monotonic() - before < LAG, "too slow to look before the lag was over"
    assert emu.get_job(gone) is None
    assert listed == [{"ResourceARN": gone, "Tags": [{"Key": "team", "Value": "b"}]}]

    time.sleep(max(0.0, after + LAG + 0.05 - time.monotonic()))
    listed = tagging.get_resources(TagFilters=[{"Key": "team"}])["ResourceTagMappingList"]
    assert [m["ResourceARN"] for m in listed] == [created]


def test_no_lag_by_default_and_the_option_everywhere(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    arn = emu.add_job()
    client.tag_resource(resourceARN=arn, tags=[{"key": "a", "value": "b"}])
    assert indexed(tagging, arn) == {"a": "b"}

    assert admin(emu, "/_emulator/tag-index-lag", {"seconds": 2.5}) == {"seconds": 2.5}
    assert emu.tag_index_lag_seconds == 2.5
    with BedrockEmulator(tag_index_lag_seconds=3.0) as other:
        assert other.tag_index_lag_seconds == 3.0
    with pytest.raises(ValueError, match="lag"):
        emu.tag_index_lag_seconds = -1.0
    from emulator.__main__ import _parser

    assert _parser().parse_args([]).tag_index_lag_seconds == 0.0
    assert _parser().parse_args(["--tag-index-lag-seconds", "4"]).tag_index_lag_seconds == 4.0


# -- The retain-tag Deny ----------------------------------------------------------------------


def test_in_call_mode_a_batch_naming_a_retained_job_is_refused_whole(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    emu.enforce_retain_tag_deny("janitor:retain", mode="call")
    retained = emu.add_job(status="Completed", tags={"Janitor:Retain": "TRUE"})  # IgnoreCase
    other = emu.add_job(status="Completed", tags={"janitor:retain": "false"})

    with pytest.raises(ClientError) as raised:
        client.batch_delete_evaluation_job(jobIdentifiers=[other, retained, MISSING_ARN])
    assert error_code(raised) == ("AccessDeniedException", 403)
    assert raised.value.response["Error"]["Message"] == (
        "User: arn:aws:sts::123456789012:assumed-role/janitor/function is not authorized to perform: "
        f"bedrock:BatchDeleteEvaluationJob on resource: {retained} with an explicit deny in an "
        "identity-based policy"
    )
    assert emu.job_arns(status="Completed") == [retained, other], "nothing in the call is deleted"
    assert emu.fault_counts() == {"BatchDeleteEvaluationJob": 1}

    answer = client.batch_delete_evaluation_job(jobIdentifiers=[other, MISSING_ARN])
    assert answer["evaluationJobs"] == [{"jobIdentifier": other, "jobStatus": "Deleting"}]


def test_in_item_mode_retained_jobs_are_refused_per_item_and_the_rest_deleted(
    emu: BedrockEmulator, client: BedrockClient
) -> None:
    emu.enforce_retain_tag_deny("janitor:retain", mode="item")
    retained = [emu.add_job(status="Completed", tags=RETAIN) for _ in range(2)]
    plain = [emu.add_job(status="Failed", tags={"team": "search"}) for _ in range(3)]

    answer = client.batch_delete_evaluation_job(jobIdentifiers=[retained[0], *plain, retained[1]])

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert [e["jobIdentifier"] for e in answer["errors"]] == retained
    assert {e["code"] for e in answer["errors"]} == {"403"}
    assert all(
        "explicit deny" in e["message"] and e["jobIdentifier"] in e["message"] for e in answer["errors"]
    )
    assert [j["jobIdentifier"] for j in answer["evaluationJobs"]] == plain
    assert emu.surviving_job_arns() == retained
    assert emu.fault_counts() == {"BatchDeleteEvaluationJob": 2}


def test_the_deny_reads_the_true_tags_not_the_lagging_index(
    emu: BedrockEmulator, client: BedrockClient, tagging: ResourceGroupsTaggingAPIClient
) -> None:
    emu.tag_index_lag_seconds = 60.0
    emu.enforce_retain_tag_deny(mode="item")
    newly_retained = emu.add_job(status="Completed")
    released = emu.add_job(status="Completed", tags=RETAIN)
    client.tag_resource(resourceARN=newly_retained, tags=[{"key": "janitor:retain", "value": "True"}])
    client.untag_resource(resourceARN=released, tagKeys=["janitor:retain"])
    # The index has not caught up either way...
    assert indexed(tagging, newly_retained) is None
    assert indexed(tagging, released) == RETAIN

    answer = client.batch_delete_evaluation_job(jobIdentifiers=[newly_retained, released])

    # ...but IAM sees the tags as they are now.
    assert [e["jobIdentifier"] for e in answer["errors"]] == [newly_retained]
    assert [j["jobIdentifier"] for j in answer["evaluationJobs"]] == [released]


def test_the_deny_can_be_turned_off_and_set_over_http(emu: BedrockEmulator, client: BedrockClient) -> None:
    assert emu.retain_tag_deny is None
    retained = emu.add_job(status="Completed", tags={"keep": "yes", "janitor:retain": "true"})
    assert admin(emu, "/_emulator/retain-tag-deny", {"tagKey": "keep", "mode": "item"}) == {
        "tagKey": "keep",
        "mode": "item",
    }
    assert emu.retain_tag_deny == RetainTagDeny("keep", "item")
    # Only the configured key counts, and only the value "true".
    assert client.batch_delete_evaluation_job(jobIdentifiers=[retained])["errors"] == []

    other = emu.add_job(status="Completed", tags=RETAIN)
    emu.enforce_retain_tag_deny()
    assert emu.retain_tag_deny == RetainTagDeny("janitor:retain", "call")
    with pytest.raises(ClientError):
        client.batch_delete_evaluation_job(jobIdentifiers=[other])
    emu.enforce_retain_tag_deny(None)
    assert client.batch_delete_evaluation_job(jobIdentifiers=[other])["errors"] == []
    assert admin(emu, "/_emulator/retain-tag-deny", {"tagKey": None}) == {"tagKey": None, "mode": None}
    with pytest.raises(ValueError, match="mode"):
        emu.enforce_retain_tag_deny("janitor:retain", mode="batch")  # type: ignore[arg-type]
