"""The SDK session and retry policy shared by the Bedrock and SNS clients."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.utils import parse_timestamp

#: Attempts per call, the first included. Standard mode backs off with jitter (up to 20 s) on
#: throttling and 5xx, so 8 attempts ride out about a minute of trouble.
DEFAULT_TOTAL_ATTEMPTS = 8


def standard_retries(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Standard retry mode; the SDK's own AWS_RETRY_MODE and AWS_MAX_ATTEMPTS variables win over
    our defaults (`make bench-retry-layers` measures adaptive mode so)."""
    retries: dict[str, Any] = {"mode": environ.get("AWS_RETRY_MODE", "standard")}
    if "AWS_MAX_ATTEMPTS" not in environ:
        retries["total_max_attempts"] = DEFAULT_TOTAL_ATTEMPTS
    return retries


def client_config(max_concurrency: int | None = None, environ: Mapping[str, str] = os.environ) -> Config:
    """Every client's configuration: standard retries. A client that `max_concurrency` worker
    threads share (Bedrock's, the tagging API's) also gets a pool that size, so no worker waits
    for a connection, and the janitor's timeouts and user agent."""
    if max_concurrency is None:
        return Config(retries=standard_retries(environ))  # type: ignore[arg-type]
    return Config(
        retries=standard_retries(environ),  # type: ignore[arg-type]
        max_pool_connections=max_concurrency + 2,
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra="bedrock-evaluation-janitor",
    )


#: The ISO 8601 date-times AWS's JSON protocols send ("2024-08-13T13:36:56.181Z").
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T")


def parse_timestamp_or_none(value: Any) -> datetime | None:
    """botocore's timestamp parser, with a fast path, except that an unparseable value gives None.

    botocore's own parser raises, which would fail a whole ListEvaluationJobs page over one
    bad entry; with None, that one job is classed as malformed and the run goes on.

    botocore parses with dateutil, which took 55 of the 65 ms of CPU that parsing one 1,000-job
    ListEvaluationJobs page cost (a Lambda function at 512 MB has about 0.29 vCPU, and the pages
    are read one after another); `datetime.fromisoformat` reads the ISO 8601 form AWS sends in
    a tenth of that (11 ms a page). Anything else (epoch seconds, other forms) still goes to
    botocore's parser, and both give the same instant (tests/unit/test_sdk.py).
    """
    if isinstance(value, str) and _ISO_DATE_TIME.match(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass  # botocore's parser knows more forms, or refuses it too
    try:
        return parse_timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None


def lenient_session(
    region: str | None = None, credentials: Mapping[str, str] | None = None, profile: str | None = None
) -> boto3.session.Session:
    """A boto3 session whose clients tolerate unparseable timestamps in responses.

    In `region` (default: the environment's) with `credentials` (`aws_access_key_id`,
    `aws_secret_access_key`, `aws_session_token`; default: the environment's chain, or the
    named `profile`'s, as the command line takes it).
    """
    core = botocore.session.Session(profile=profile)
    core.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=parse_timestamp_or_none
    )
    return boto3.session.Session(botocore_session=core, region_name=region, **(credentials or {}))
