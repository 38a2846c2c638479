from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from janitor.config.function_environment import load_settings
from janitor.config.overrides import InvalidInvocationError, Overrides, apply_overrides, parse_invocation
from janitor.config.settings import Settings
from tests.events import SCHEDULED_EVENT

TOPIC = "arn:aws:sns:us-east-1:123456789012:janitor-failures"


def deployed(**environ: str) -> Settings:
    return load_settings({"NOTIFICATION_TOPIC_ARN": TOPIC, **environ})


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


def test_overrides_replace_only_what_they_name() -> None:
    settings = deployed(OLDER_THAN_DAYS="45")
    changed = apply_overrides(settings, parse_invocation({"dryRun": True, "maxDeletions": 5}))
    assert (changed.dry_run, changed.max_deletions, changed.older_than_days) == (True, 5, 45)
    older = apply_overrides(settings, parse_invocation({"olderThanDays": 7}))
    assert (older.older_than_days, older.dry_run, older.max_deletions) == (7, False, 1000)


def test_the_console_example_works_with_the_default_bounds() -> None:
    run = apply_overrides(deployed(), parse_invocation({"olderThanDays": 7, "maxDeletions": 50}))
    assert (run.older_than_days, run.max_deletions) == (7, 50)


@pytest.mark.parametrize(
    ("environ", "event", "named"),
    [
        ({}, {"olderThanDays": 1}, "olderThanDays: 1 is below this deployment's floor of 7 days"),
        (
            {},
            {"maxDeletions": 1_000_000},
            "maxDeletions: 1000000 is above this deployment's ceiling of 10000",
        ),
        ({"DRY_RUN": "true"}, {"dryRun": False}, "redeploy with dryRun=false"),
        (
            {"MIN_OLDER_THAN_DAYS": "14", "MAX_DELETIONS_CEILING": "2000"},
            {"olderThanDays": 13, "maxDeletions": 2001},
            "floor of 14 days (set at deploy time: cdk deploy -c minOlderThanDays=...); "
            "maxDeletions: 2001 is above this deployment's ceiling of 2000",
        ),
    ],
)
def test_an_override_wider_than_the_deployment_is_refused(
    environ: dict[str, str], event: dict[str, Any], named: str
) -> None:
    with pytest.raises(InvalidInvocationError) as raised:
        apply_overrides(deployed(**environ), parse_invocation(event))
    assert named in str(raised.value)


def test_the_widest_override_is_refused_whole() -> None:
    event = {"olderThanDays": 1, "maxDeletions": 1_000_000, "dryRun": False}
    with pytest.raises(InvalidInvocationError) as raised:
        apply_overrides(deployed(DRY_RUN="true"), parse_invocation(event))
    message = str(raised.value)
    assert all(field in message for field in ("olderThanDays: 1", "maxDeletions: 1000000", "dryRun:"))


@given(
    retention=st.integers(1, 400),
    floor=st.integers(1, 400),
    cap=st.integers(1, 5000),
    ceiling=st.integers(1, 10_000),
    deployed_dry_run=st.booleans(),
    older_than_days=st.none() | st.integers(1, 36500),
    max_deletions=st.none() | st.integers(1, 1_000_000),
    dry_run=st.none() | st.booleans(),
)
def test_no_override_ever_widens_a_run_past_the_deployment(
    retention: int,
    floor: int,
    cap: int,
    ceiling: int,
    deployed_dry_run: bool,
    older_than_days: int | None,
    max_deletions: int | None,
    dry_run: bool | None,
) -> None:
    if floor > retention or ceiling < cap:
        return  # such a deployment is refused at cold start (test_settings)
    settings = deployed(
        OLDER_THAN_DAYS=str(retention),
        MIN_OLDER_THAN_DAYS=str(floor),
        MAX_DELETIONS=str(cap),
        MAX_DELETIONS_CEILING=str(ceiling),
        DRY_RUN=str(deployed_dry_run).lower(),
    )
    overrides = Overrides.model_validate(
        {"dryRun": dry_run, "olderThanDays": older_than_days, "maxDeletions": max_deletions}
    )
    try:
        run = apply_overrides(settings, overrides)
    except InvalidInvocationError:
        return
    assert run.older_than_days >= floor
    assert run.max_deletions <= ceiling
    assert run.dry_run or not deployed_dry_run


def test_a_kinds_override_narrows_the_deployments_kinds_and_never_widens_them() -> None:
    both = deployed(KINDS="evaluationJobs,batchEvaluations")
    narrowed = apply_overrides(both, parse_invocation({"kinds": ["batchEvaluations"]}))
    assert [kind.name for kind in narrowed.enabled_kinds] == ["batchEvaluations"]
    with pytest.raises(InvalidInvocationError, match="kinds: promptOptimizationJobs is not among"):
        apply_overrides(both, parse_invocation({"kinds": ["evaluationJobs", "promptOptimizationJobs"]}))
    with pytest.raises(InvalidInvocationError, match="kinds"):
        parse_invocation({"kinds": []})
