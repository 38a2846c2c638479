"""The command line's AWS sessions, Regions and accounts, and what to tell a person when they fail.

Every way credentials or a Region can be missing (an unknown profile, an SSO session that
expired or was never started, no credentials at all, keys AWS refuses, no Region anywhere)
becomes a CredentialsError whose message is one line: what is wrong and what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)
from botocore.exceptions import ConnectionError as SdkConnectionError

from janitor.aws.sdk import lenient_session
from janitor.config.setting_types import REGION_PATTERN
from janitor_cli.regions import UnknownRegionError, check_regions
from janitor_cli.text import one_line

#: STS's and the SDK's codes for keys or session tokens that AWS no longer (or never) accepts.
REFUSED_CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "RequestExpired",
    }
)
_REGION = re.compile(REGION_PATTERN)


class CredentialsError(ValueError):
    """No usable credentials or Region; the message says what is wrong and what to do."""


def _whose(profile: str | None) -> str:
    return f"profile {profile}" if profile else "the default credential chain"


def _login_hint(profile: str | None) -> str:
    return f"aws sso login --profile {profile}" if profile else "aws sso login"


def describe(error: BotoCoreError | ClientError, profile: str | None, region: str | None) -> str:
    """One line saying what `error` means for `profile`'s credentials and what to do about it."""
    if isinstance(error, ProfileNotFound):
        return (
            f"the profile {profile} is not in your AWS configuration (~/.aws/config, or AWS_CONFIG_FILE): "
            "check its name with `aws configure list-profiles`"
        )
    if isinstance(error, (SSOError, TokenRetrievalError)):
        return (
            f"the SSO session of {_whose(profile)} has expired or was never started "
            f"({one_line(error)}): run `{_login_hint(profile)}` and try again"
        )
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return (
            f"no usable AWS credentials in {_whose(profile)} ({one_line(error)}): pass --profile, "
            "or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(error, (SdkConnectionError, HTTPClientError)):
        return connection_problem(error, region)
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = one_line(error.response.get("Error", {}).get("Message", ""))
        if code in REFUSED_CREDENTIAL_CODES:
            return (
                f"AWS refused the credentials of {_whose(profile)} ({code}: {message}): refresh them "
                f"(`{_login_hint(profile)}` for SSO, or new keys) and try again"
            )
        return (
            f"STS GetCallerIdentity with {_whose(profile)} failed ({code}: {message}): check the credentials"
        )
    return (
        f"the credentials of {_whose(profile)} cannot be used ({one_line(error)}): check them and try again"
    )


def _endpoint(error: BotoCoreError) -> str:
    """The endpoint a connection error names (scheme and host, no path), or `AWS's endpoint`."""
    url = str(error.kwargs.get("endpoint_url") or error.kwargs.get("proxy_url") or "")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "AWS's endpoint"


def connection_problem(error: SdkConnectionError | HTTPClientError, region: str | None) -> str:
    """A refused, closed, timed-out or untrusted connection: a network problem, not the credentials'
    (whose problems are answers AWS gives, or files botocore reads), named by the endpoint tried."""
    where = f" in {region}" if region else ""
    return (
        f"cannot connect to {_endpoint(error)}{where} ({one_line(error)}): check the network, a proxy, "
        "or AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) if set"
    )


def session(profile: str | None, region: str | None) -> boto3.session.Session:
    """The function's lenient session with `profile`'s credentials (None: the default chain)."""
    return lenient_session(region=region, profile=profile)


def account_of(profile: str | None, region: str) -> str:
    """The account of `profile`'s credentials (STS GetCallerIdentity), or CredentialsError."""
    try:
        sts = session(profile, region).client("sts")
        return str(sts.get_caller_identity()["Account"])
    except (BotoCoreError, ClientError) as error:
        raise CredentialsError(describe(error, profile, region)) from None


def _configured_region(profile: str | None) -> str | None:
    """AWS_REGION, else botocore's own choice: AWS_DEFAULT_REGION, then the profile's `region`."""
    try:
        configured = session(profile, None).region_name
    except BotoCoreError as error:  # an unknown profile is noticed here first
        raise CredentialsError(describe(error, profile, None)) from None
    return os.environ.get("AWS_REGION") or configured


def regions(given: Sequence[str], profiles: Sequence[str | None]) -> list[str]:
    """The Regions to work in: `given` (--region), else each profile's configured Region."""
    bad = [region for region in given if not _REGION.match(region)]
    if bad:
        raise CredentialsError(f"--region {bad[0]} is not a Region name: pass one such as us-east-1")
    try:
        check_regions(given)
    except UnknownRegionError as error:
        raise CredentialsError(str(error)) from None
    if given:
        return list(dict.fromkeys(given))
    configured = {profile: _configured_region(profile) for profile in profiles}
    missing = [profile for profile, region in configured.items() if region is None]
    if missing:
        profile = missing[0]
        raise CredentialsError(
            f"no Region{f' for profile {profile}' if profile else ''}: pass --region, set AWS_REGION, "
            f"or set `region` for {f'profile {profile}' if profile else 'the default profile'} in ~/.aws/config"
        )
    return sorted({str(region) for region in configured.values()})
