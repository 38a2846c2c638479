"""Jobs per account and Region, told apart by the request's credentials and signed Region, as in AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest

from emulator import BedrockEmulator
from tests.emulator.support import ACCOUNT_ID, REGION

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient

MEMBER = "222222222222"
OTHER_REGION = "eu-west-1"
#: Access key id -> account, as the account's STS would answer for it.
KEYS = {"AKIAMEMBEREXAMPLE": MEMBER, "AKIAHOMEEXAMPLE": ACCOUNT_ID}


@pytest.fixture
def emu() -> Iterator[BedrockEmulator]:
    with BedrockEmulator(region=REGION, account_id=ACCOUNT_ID, account_of_key=KEYS.get) as emulator:
        yield emulator


def bedrock(emu: BedrockEmulator, key: str, region: str) -> BedrockClient:
    return boto3.client(
        "bedrock",
        region_name=region,
        endpoint_url=emu.endpoint_url,
        aws_access_key_id=key,
        aws_secret_access_key="testing",
    )


def listed(client: BedrockClient) -> list[str]:
    return [job["jobArn"] for job in client.list_evaluation_jobs()["jobSummaries"]]


def test_each_account_and_region_sees_only_its_own_jobs(emu: BedrockEmulator) -> None:
    home = emu.add_job(name="home")
    member_here = emu.add_job(name="member-here", account_id=MEMBER)
    member_there = emu.add_job(name="member-there", account_id=MEMBER, region=OTHER_REGION)

    assert listed(bedrock(emu, "AKIAHOMEEXAMPLE", REGION)) == [home]
    assert listed(bedrock(emu, "AKIAMEMBEREXAMPLE", REGION)) == [member_here]
    assert listed(bedrock(emu, "AKIAMEMBEREXAMPLE", OTHER_REGION)) == [member_there]
    assert listed(bedrock(emu, "AKIAHOMEEXAMPLE", OTHER_REGION)) == []
    assert member_there.startswith(f"arn:aws:bedrock:{OTHER_REGION}:{MEMBER}:evaluation-job/")


def test_an_unknown_key_acts_in_the_emulators_own_account(emu: BedrockEmulator) -> None:
    home = emu.add_job(name="home")

    assert listed(bedrock(emu, "AKIAUNKNOWNEXAMPLE", REGION)) == [home]


def test_a_job_of_another_account_cannot_be_deleted_or_read(emu: BedrockEmulator) -> None:
    member_job = emu.add_job(name="member", account_id=MEMBER)
    home_client = bedrock(emu, "AKIAHOMEEXAMPLE", REGION)

    answer = home_client.batch_delete_evaluation_job(jobIdentifiers=[member_job])

    assert [error["code"] for error in answer["errors"]] == ["404"]
    assert emu.surviving_job_arns(account_id=MEMBER) == [member_job]
    tagging = boto3.client(
        "resourcegroupstaggingapi",
        region_name=REGION,
        endpoint_url=emu.endpoint_url,
        aws_access_key_id="AKIAHOMEEXAMPLE",
        aws_secret_access_key="testing",
    )
    assert tagging.get_resources(ResourceARNList=[member_job])["ResourceTagMappingList"] == []


def test_a_delete_in_the_members_own_account_and_region_works(emu: BedrockEmulator) -> None:
    member_job = emu.add_job(name="member", account_id=MEMBER, region=OTHER_REGION)

    answer = bedrock(emu, "AKIAMEMBEREXAMPLE", OTHER_REGION).batch_delete_evaluation_job(
        jobIdentifiers=[member_job]
    )

    assert answer["errors"] == []
    assert emu.surviving_job_arns(account_id=MEMBER, region=OTHER_REGION) == []
    assert emu.get_job(member_job) is not None, "listed as Deleting for a while, as in AWS"
