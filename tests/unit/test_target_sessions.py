"""The member role's session: named after the run, so a member account's CloudTrail tells runs apart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import boto3
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from janitor.config.overrides import Target
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS
from janitor.run.target_sessions import TargetConnections, role_session_name

HOME = Target(accountId="123456789012", region="us-east-1")
MEMBER = Target(accountId="222222222222", region="eu-west-1")
RUN = "nightly-2026-11-30T03-00-00Z"


def test_the_role_is_assumed_with_a_session_named_after_the_organization_run() -> None:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    sts = session.client("sts")
    stubber = Stubber(sts)
    stubber.add_response(
        "assume_role",
        {
            "Credentials": {
                "AccessKeyId": "member-session-key",
                "SecretAccessKey": "secret",
                "SessionToken": "token",
                "Expiration": datetime(2026, 11, 30, 4, tzinfo=UTC),
            }
        },
        {
            "RoleArn": "arn:aws:iam::222222222222:role/BedrockEvaluationJanitorMember",
            "RoleSessionName": f"bedrock-eval-janitor-{RUN}",
            "DurationSeconds": 3600,
        },
    )
    connections = TargetConnections(
        session, 4, [EVALUATION_JOBS], "BedrockEvaluationJanitorMember", sts_factory=lambda: sts
    )

    with stubber:
        connections.stores_for(MEMBER, HOME, session_name=role_session_name(RUN, "request-id"))
    stubber.assert_no_pending_responses()


def test_a_console_invoke_names_its_session_after_its_request_id() -> None:
    name = role_session_name(None, "c0ffee00-1111-2222-3333-444455556666")
    assert name == "bedrock-eval-janitor-c0ffee00-1111-2222-3333-444455556666"


@given(st.text(min_size=1, max_size=200))
def test_every_session_name_is_one_sts_accepts(run: str) -> None:
    name = role_session_name(run, "request")
    assert re.fullmatch(r"[A-Za-z0-9_+=,.@-]{2,64}", name), "STS's pattern and length"
