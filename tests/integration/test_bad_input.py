"""Bad invocation events: each is refused with a clear message and no Bedrock request at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localdev.services import LocalAws
from tests.conftest import Invoker

ONE_MEGABYTE = 1024 * 1024

BAD_EVENTS: list[tuple[str, Any, str]] = [
    ("null", None, "expected a JSON object, got NoneType"),
    ("list", [{"dryRun": True}], "expected a JSON object, got list"),
    ("string", "dry run please", "expected a JSON object, got str"),
    ("number", 7, "expected a JSON object, got int"),
    ("boolean", True, "expected a JSON object, got bool"),
    ("nested-wrong-type", {"dryRun": {"value": True}}, "dryRun: Input should be a valid boolean"),
    ("list-for-number", {"olderThanDays": [7]}, "olderThanDays: Input should be a valid integer"),
    ("string-for-number", {"maxDeletions": "50"}, "maxDeletions: Input should be a valid integer"),
    ("unknown-key", {"olderThan": 7}, "olderThan: Extra inputs are not permitted"),
    ("zero-days", {"olderThanDays": 0}, "olderThanDays: Input should be greater than or equal to 1"),
    ("negative-cap", {"maxDeletions": -1}, "maxDeletions: Input should be greater than or equal to 1"),
    ("huge-cap", {"maxDeletions": 10**12}, "maxDeletions: Input should be less than or equal to 1000000"),
    (
        "1MB-payload",
        {"dryRun": True, "padding": "x" * ONE_MEGABYTE},
        "padding: Extra inputs are not permitted",
    ),
    ("1MB-string", "x" * ONE_MEGABYTE, "expected a JSON object, got str"),
    (
        "envelope-bad-detail",
        {"source": "aws.events", "detail-type": "Scheduled Event", "detail": []},
        "Invalid EventBridge event",
    ),
]


@pytest.mark.parametrize(
    ("event", "named"), [(event, named) for _, event, named in BAD_EVENTS], ids=[i for i, _, _ in BAD_EVENTS]
)
def test_a_bad_event_is_refused_with_a_clear_message_and_no_bedrock_request(
    local: LocalAws, invoke: Invoker, event: Any, named: str
) -> None:
    local.bedrock.add_job(status="Completed")
    run = invoke(event)

    assert run.result is None
    assert run.error is not None
    message = str(run.error)
    assert named in message
    assert '{"dryRun": true, "olderThanDays": 7, "maxDeletions": 50}' in message, "it shows a valid event"
    assert len(message) < 2000, "the message never echoes the payload back"
    assert local.bedrock.request_counts() == {}, "nothing listed, nothing deleted"
    assert len(local.bedrock.surviving_job_arns()) == 1


WIDENING_EVENTS: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
    ("below-the-floor", {}, {"olderThanDays": 1}, "olderThanDays: 1 is below this deployment's floor of 7"),
    (
        "above-the-ceiling",
        {},
        {"maxDeletions": 1_000_000},
        "maxDeletions: 1000000 is above this deployment's ceiling of 10000",
    ),
    ("real-run-on-a-dry-run-stack", {"DRY_RUN": "true"}, {"dryRun": False}, "redeploy with dryRun=false"),
    (
        "all-three",
        {"DRY_RUN": "true"},
        {"olderThanDays": 1, "maxDeletions": 1_000_000, "dryRun": False},
        "olderThanDays: 1 is below",
    ),
]


@pytest.mark.parametrize(
    ("settings", "event", "named"),
    [(settings, event, named) for _, settings, event, named in WIDENING_EVENTS],
    ids=[i for i, _, _, _ in WIDENING_EVENTS],
)
def test_an_override_wider_than_the_deployment_is_refused_before_any_bedrock_request(
    local: LocalAws, invoke: Invoker, settings: dict[str, str], event: dict[str, Any], named: str
) -> None:
    local.bedrock.add_job(status="Completed", creation_time=datetime.now(UTC) - timedelta(days=400))
    run = invoke(event, **settings)

    assert run.result is None
    assert named in str(run.error)
    assert local.bedrock.request_counts() == {}, "nothing listed, nothing deleted"
    assert len(local.bedrock.surviving_job_arns()) == 1
