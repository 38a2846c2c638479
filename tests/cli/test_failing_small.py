"""The command line fails small: a missing profile, an SSO session expired or never started, or no
Region each end in exit 2 with one line saying what is wrong and what to do: no traceback, and no
request at all (botocore's HTTP sending is refused and recorded). Malformed plan files:
test_malformed_plan_files.py and test_plan_file_properties.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import (
    BotoCoreError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from localdev.services import REGION
from tests.cli.support import STATIC_KEYS, Offline, refused

START_URL = "https://example.awsapps.com/start"
SSO_PROFILES = f"""[profile sso-dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
region = {REGION}

[sso-session corp]
sso_start_url = {START_URL}
sso_region = {REGION}

[profile sso-legacy]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_account_id = 123456789012
sso_role_name = Admin
region = {REGION}
"""


def test_the_offline_guard_sees_a_request_when_one_is_made(offline: Offline) -> None:
    offline.configure(f"[default]\nregion = {REGION}\n", STATIC_KEYS)

    offline("plan")

    assert any("sts" in url for url in offline.requests), offline.requests


@pytest.mark.parametrize("region", [[], ["--region", REGION]], ids=["no --region", "--region"])
def test_a_missing_profile_is_named_with_what_to_do(offline: Offline, region: list[str]) -> None:
    offline.configure(f"[default]\nregion = {REGION}\n", STATIC_KEYS)

    line = refused(offline, "plan", "--profile", "nope", *region)

    assert "the profile nope is not in your AWS configuration" in line
    assert "aws configure list-profiles" in line


def _sso_cache(home: Path, key: str) -> None:
    """An expired token in the SSO cache, as `aws sso login` leaves it a day later."""
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    # botocore names a cached token after the SHA-1 of its sso-session's name or start URL.
    (cache / f"{hashlib.sha1(key.encode()).hexdigest()}.json").write_text(
        json.dumps(
            {
                "startUrl": START_URL,
                "region": REGION,
                "accessToken": "expired",
                "expiresAt": "2020-01-01T00:00:00Z",
            }
        )
    )


@pytest.mark.parametrize(
    ("profile", "expired"),
    [("sso-dev", False), ("sso-dev", True), ("sso-legacy", False), ("sso-legacy", True)],
    ids=["sso-session never logged in", "sso-session expired", "legacy never logged in", "legacy expired"],
)
def test_an_sso_profile_without_a_valid_token_says_to_log_in(
    offline: Offline, profile: str, expired: bool
) -> None:
    offline.configure(SSO_PROFILES)
    if expired:
        _sso_cache(offline.home, "corp" if profile == "sso-dev" else START_URL)

    line = refused(offline, "plan", "--profile", profile)

    assert f"the SSO session of profile {profile} has expired or was never started" in line
    assert f"run `aws sso login --profile {profile}`" in line


@pytest.mark.parametrize(
    "error",
    [
        TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
        SSOTokenLoadError(error_msg="Token for corp does not exist"),
        UnauthorizedSSOTokenError(),
    ],
    ids=lambda error: type(error).__name__,
)
@pytest.mark.parametrize("command", [["plan"], ["run", "--yes"]], ids=["plan", "run"])
def test_sso_errors_from_the_credential_step_exit_2_in_one_line(
    offline: Offline, monkeypatch: pytest.MonkeyPatch, error: BotoCoreError, command: list[str]
) -> None:
    offline.configure(f"[default]\nregion = {REGION}\n", STATIC_KEYS)

    def expired(self: botocore.session.Session) -> None:
        raise error

    monkeypatch.setattr(botocore.session.Session, "get_credentials", expired)

    line = refused(offline, *command)

    assert "has expired or was never started" in line
    assert "run `aws sso login` and try again" in line


def test_no_region_anywhere_says_where_to_set_one(offline: Offline) -> None:
    offline.configure(
        "[default]\n[profile ops]\n",
        STATIC_KEYS + "\n[ops]\naws_access_key_id = a\naws_secret_access_key = b\n",
    )

    default = refused(offline, "plan")
    ops = refused(offline, "plan", "--profile", "ops")

    assert default == (
        "error: no Region: pass --region, set AWS_REGION, or set `region` for the default profile in ~/.aws/config"
    )
    assert "no Region for profile ops" in ops


def test_aws_region_alone_is_a_region(offline: Offline, monkeypatch: pytest.MonkeyPatch) -> None:
    offline.configure("[default]\n", STATIC_KEYS)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")

    offline("plan")

    assert offline.requests, "past the Region check: the STS request was tried"
    assert "eu-west-1" in offline.requests[0]


def test_a_region_that_is_no_region_name_is_refused(offline: Offline) -> None:
    offline.configure("[default]\n", STATIC_KEYS)

    assert "--region moon is not a Region name" in refused(offline, "plan", "--region", "moon")
