"""The session's timestamp parser: botocore's answers, faster, and None for what it cannot read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from botocore.utils import parse_timestamp
from hypothesis import given
from hypothesis import strategies as st

from janitor.aws.sdk import DEFAULT_TOTAL_ATTEMPTS, parse_timestamp_or_none, standard_retries

instants = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]),
)


@given(instants, st.sampled_from(["seconds", "milliseconds", "microseconds"]), st.booleans())
def test_iso_date_times_give_the_same_instant_as_botocores_parser(
    instant: datetime, timespec: str, zulu: bool
) -> None:
    text = instant.isoformat(timespec=timespec)
    if zulu and instant.utcoffset() == timedelta(0):
        text = text.replace("+00:00", "Z")

    parsed = parse_timestamp_or_none(text)

    assert parsed == parse_timestamp(text)
    assert parsed is not None
    assert parsed.utcoffset() == instant.utcoffset()


def test_forms_other_than_iso_go_to_botocores_parser() -> None:
    values: list[Any] = [1723556216, 1723556216.181, "1723556216", "Tue, 13 Aug 2024 13:36:56 GMT"]
    for value in values:
        assert parse_timestamp_or_none(value) == parse_timestamp(value)


def test_an_unparseable_value_gives_none() -> None:
    for value in ("yesterday", "2024-13-45T99:00:00Z", "", None, [1]):
        assert parse_timestamp_or_none(value) is None


def test_the_sdks_own_retry_variables_win_over_the_janitors_defaults() -> None:
    assert standard_retries({}) == {"mode": "standard", "total_max_attempts": DEFAULT_TOTAL_ATTEMPTS}
    assert standard_retries({"AWS_RETRY_MODE": "adaptive", "AWS_MAX_ATTEMPTS": "3"}) == {"mode": "adaptive"}
