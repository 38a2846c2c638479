"""The command against the emulator, with profiles from a temporary AWS configuration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from localdev.services import REGION, LocalAws
from tests.cli.support import OTHER_ACCOUNT, Cli, Offline, no_aws


@pytest.fixture
def cli(local: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The command with a default profile (account 123456789012) and a profile `other` whose
    keys belong to another account (from moto's AssumeRole)."""
    other = local.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/Admin", RoleSessionName="cli-test"
    )["Credentials"]
    (tmp_path / "config").write_text(f"[default]\nregion = {REGION}\n\n[profile other]\nregion = {REGION}\n")
    (tmp_path / "credentials").write_text(
        "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n"
        f"[other]\naws_access_key_id = {other['AccessKeyId']}\n"
        f"aws_secret_access_key = {other['SecretAccessKey']}\naws_session_token = {other['SessionToken']}\n"
    )
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", local.bedrock.endpoint_url)
    # The emulator serves AgentCore's batch evaluations on the same port.
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", local.bedrock.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", local.bedrock.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", local.moto_url)
    return Cli(local, CliRunner())


@pytest.fixture
def offline(tmp_path: Path) -> Iterator[Offline]:
    """The command with an empty AWS configuration in `tmp_path` and every request refused."""
    with no_aws(tmp_path) as requests:
        yield Offline(tmp_path, requests)
