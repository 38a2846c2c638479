from typing import Any

import pytest

from janitor.overrides import InvalidInvocationError, parse_invocation
from tests.events import SCHEDULED_EVENT


@pytest.mark.parametrize("event", [{}, SCHEDULED_EVENT])
def test_scheduler_events_carry_no_overrides(event: dict[str, Any]) -> None:
    overrides = parse_invocation(event)
    assert overrides.model_dump(exclude_none=True) == {}


def test_console_overrides_are_read() -> None:
    overrides = parse_invocation({"dryRun": True, "olderThanDays": 7, "maxDeletions": 50})
    assert (overrides.dry_run, overrides.older_than_days, overrides.max_deletions) == (True, 7, 50)


@pytest.mark.parametrize(
    ("event", "named"),
    [
        ({"dryrun": True}, "dryrun: Extra inputs are not permitted"),
        ({"dryRun": "true"}, "dryRun: Input should be a valid boolean"),
        ({"dryRun": 1}, "dryRun: Input should be a valid boolean"),
        ({"olderThanDays": "7"}, "olderThanDays: Input should be a valid integer"),
        ({"olderThanDays": 7.5}, "olderThanDays: Input should be a valid integer"),
        ({"olderThanDays": 0}, "olderThanDays: Input should be greater than or equal to 1"),
        ({"maxDeletions": 0}, "maxDeletions: Input should be greater than or equal to 1"),
        ({"maxDeletions": -3}, "maxDeletions: Input should be greater than or equal to 1"),
        ({"maxDeletions": {"n": 5}}, "maxDeletions: Input should be a valid integer"),
        ({**SCHEDULED_EVENT, "detail": {"maxDeletions": 0}}, "detail.maxDeletions"),
        ({**SCHEDULED_EVENT, "time": "yesterday"}, "Invalid EventBridge event: time"),
    ],
)
def test_a_bad_override_names_the_field(event: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidInvocationError) as raised:
        parse_invocation(event)
    assert named in str(raised.value)
    assert '"dryRun"' in str(raised.value), "the error shows what a valid event looks like"


@pytest.mark.parametrize("event", [None, [], "run", 7, True, [{"dryRun": True}]])
def test_an_event_that_is_not_an_object_is_refused(event: Any) -> None:
    with pytest.raises(InvalidInvocationError, match="expected a JSON object, got"):
        parse_invocation(event)
