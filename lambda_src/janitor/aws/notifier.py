"""The only module that talks to SNS: publishes the failure report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from janitor.aws.sdk import client_config
from janitor.core.deadline import NO_DEADLINE, CallDeadlines, Deadline, DeadlineExceededError, call_by
from janitor.core.report import SnsMessage

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class NotificationError(RuntimeError):
    """The failure report could not be published; the invocation must end in an error."""


def create_sns_client(session: boto3.session.Session) -> SNSClient:
    # No endpoint here: AWS_ENDPOINT_URL_SNS redirects the client when it is set.
    return session.client("sns", config=client_config())


class SnsFailureNotifier:
    """Publishes failure reports. The client is made on the first report: most runs send none,
    so the cold start does not pay for it."""

    def __init__(self, client_factory: Callable[[], SNSClient], topic_arn: str) -> None:
        self._client_factory = client_factory
        self._client: SNSClient | None = None
        self._topic_arn = topic_arn
        # As every other client's: no attempt (a retry included) starts after the deadline.
        self._deadlines = CallDeadlines()

    def publish(self, messages: Sequence[SnsMessage], deadline: Deadline = NO_DEADLINE) -> list[str]:
        """Publish every message (all are attempted even if one fails); returns the message ids.

        Waits no later than `deadline`: the SDK's retries and backoff could otherwise outlast
        the Lambda timeout and lose the metrics that are flushed after the report.
        """
        if not messages:
            return []
        try:
            return call_by(deadline, self._publish_all, messages, deadline)
        except DeadlineExceededError:
            raise NotificationError(
                f"The failure report to {self._topic_arn} was still not published when the "
                "invocation's time ran out. Every failed job is in this invocation's log lines "
                "'Failed to delete evaluation job'."
            ) from None

    def _publish_all(self, messages: Sequence[SnsMessage], deadline: Deadline) -> list[str]:
        message_ids: list[str] = []
        errors: list[str] = []
        if self._client is None:
            self._client = self._client_factory()
            self._deadlines.attach(self._client)
        client = self._client
        self._deadlines.set(deadline)  # this thread's calls
        for message in messages:
            try:
                response = client.publish(
                    TopicArn=self._topic_arn,
                    Subject=message.subject,
                    Message=message.message,
                    MessageStructure="json",
                )
            except (ClientError, BotoCoreError) as error:
                errors.append(f"{message.subject!r}: {error}")
                continue
            message_ids.append(response["MessageId"])
        if errors:
            raise NotificationError(
                f"Could not publish {len(errors)} of {len(messages)} failure report message(s) to "
                f"{self._topic_arn} after retries ({'; '.join(errors)}). Every failed job is in this "
                "invocation's log lines 'Failed to delete evaluation job'."
            )
        return message_ids
