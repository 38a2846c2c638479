"""The SNS publish obeys the run's deadline the way every other call does: it is not waited for
past it, and no attempt (a retry included) starts after it."""

from __future__ import annotations

import time

import boto3
import pytest

from janitor.aws.notifier import NotificationError, SnsFailureNotifier
from janitor.aws.sdk import client_config
from janitor.core.deadline import Deadline
from janitor.core.report import SnsMessage
from localdev.failing_endpoint import FailingEndpoint

TOPIC = "arn:aws:sns:us-east-1:123456789012:janitor-failures"
SERVER_ERROR = (500, "InternalError")


def test_no_sns_attempt_starts_after_the_deadline() -> None:
    with FailingEndpoint([SERVER_ERROR], delay_seconds=0.2) as sns:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        # Made before the clock starts: on a loaded machine making a client alone can take a
        # second, and the test is about the attempts, not about the client.
        client = session.client("sns", endpoint_url=sns.endpoint_url, config=client_config())
        notifier = SnsFailureNotifier(lambda: client, TOPIC)
        ends = time.monotonic() + 1.0
        with pytest.raises(NotificationError, match="still not published"):
            notifier.publish([SnsMessage("subject", "{}")], Deadline(lambda: ends - time.monotonic()))
        at_the_deadline = sns.requests
        # Eight standard-mode attempts with backoff would go on for seconds; none may start now.
        time.sleep(4)
        assert sns.requests <= at_the_deadline + 1, (
            "only an attempt sent before the deadline may still arrive"
        )
        assert at_the_deadline >= 1
