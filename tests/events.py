"""Invocation events the tests share."""

from typing import Any

#: What an EventBridge rule on a schedule sends (the Scheduler sends the schedule's input, {}).
SCHEDULED_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-23T03:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/janitor-nightly"],
    "detail": {},
}
