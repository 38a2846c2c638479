"""STS GetCallerIdentity on the emulator's port, through boto3's own STS client (query protocol)."""

from __future__ import annotations

import boto3

from emulator import BedrockEmulator


def test_get_caller_identity_names_the_account_the_emulator_keeps_the_callers_jobs_in() -> None:
    with BedrockEmulator(account_id="111122223333") as emulator:
        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=emulator.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

        identity = sts.get_caller_identity()

    assert identity["Account"] == "111122223333"
    assert identity["Arn"] == "arn:aws:iam::111122223333:user/emulator"
