"""The request pacer: a cap learnt from what a quota lets through, and lifted when throttling stops."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from janitor.pacing import (
    CEILING_PER_SECOND,
    FLOOR_PER_SECOND,
    HEADROOM,
    MIN_OBSERVATION_SECONDS,
    WINDOW_SECONDS,
    RequestPacer,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def paced(clock: FakeClock) -> RequestPacer:
    return RequestPacer(clock=clock, sleep=clock.sleep)


def replies(
    pacer: RequestPacer, clock: FakeClock, per_second: float, seconds: float, throttle_every: int
) -> None:
    """Replies arriving evenly at `per_second`, every `throttle_every`-th one a throttle (0: none)."""
    for i in range(1, round(per_second * seconds) + 1):
        clock.now += 1 / per_second
        pacer.record_reply(throttled=throttle_every > 0 and i % throttle_every == 0)


def test_an_operation_is_not_paced_until_it_is_throttled() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    replies(pacer, clock, per_second=200, seconds=3, throttle_every=0)

    pacer.wait_turn()

    assert pacer.rate_cap is None
    assert clock.slept == []


def start_episode(pacer: RequestPacer, clock: FakeClock, per_second: float) -> float:
    """A first throttle, half a second of replies let through at `per_second`, then a throttle.

    Returns the cap that sets.
    """
    pacer.record_reply(throttled=True)
    replies(pacer, clock, per_second=per_second, seconds=WINDOW_SECONDS / 2, throttle_every=0)
    pacer.record_reply(throttled=True)
    assert pacer.rate_cap is not None
    return pacer.rate_cap


def test_a_throttle_caps_the_rate_at_the_headroom_over_what_the_last_second_let_through() -> None:
    clock = FakeClock()
    pacer = paced(clock)

    cap = start_episode(pacer, clock, per_second=40)

    assert cap == pytest.approx(HEADROOM * 40, rel=0.05)


def test_what_was_let_through_before_the_first_throttle_is_the_burst_not_the_rate() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    replies(pacer, clock, per_second=1000, seconds=0.01, throttle_every=0)  # a burst of 10
    pacer.record_reply(throttled=True)
    assert pacer.rate_cap is None, "one throttle says nothing about the rate yet"
    clock.now += MIN_OBSERVATION_SECONDS / 2
    pacer.record_reply(throttled=True)
    assert pacer.rate_cap is None, "nor does a fraction of a second"

    replies(pacer, clock, per_second=10, seconds=0.5, throttle_every=0)
    pacer.record_reply(throttled=True)

    # 5 let through in 0.625 s since the first throttle: 8/s, the burst left out.
    assert pacer.rate_cap == pytest.approx(HEADROOM * 5 / (MIN_OBSERVATION_SECONDS / 2 + 0.5))


def test_the_cap_never_falls_under_the_floor() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    replies(pacer, clock, per_second=20, seconds=1, throttle_every=1)  # nothing let through

    assert pacer.rate_cap == FLOOR_PER_SECOND


def test_turns_are_spaced_by_the_cap() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    cap = start_episode(pacer, clock, per_second=10)
    start = clock.now
    for _ in range(4):
        pacer.wait_turn()

    assert clock.slept == pytest.approx([1 / cap] * 3)
    assert clock.now - start == pytest.approx(3 / cap)


def test_a_calm_window_doubles_the_cap_and_a_high_cap_is_lifted() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    first_cap = start_episode(pacer, clock, per_second=100)

    replies(pacer, clock, per_second=100, seconds=1.1 * WINDOW_SECONDS, throttle_every=0)
    assert pacer.rate_cap == pytest.approx(2 * first_cap)

    replies(pacer, clock, per_second=100, seconds=10, throttle_every=0)
    assert pacer.rate_cap is None, f"a cap over {CEILING_PER_SECOND}/s paces nothing"


def test_under_a_quota_the_cap_settles_at_the_headroom_over_the_quota() -> None:
    """A token bucket lets 10 requests/s through whatever is sent: the cap follows the quota."""
    clock = FakeClock()
    pacer = paced(clock)
    quota, burst = 10.0, 10.0
    tokens, refilled_at = burst, clock.now
    for _ in range(600):
        pacer.wait_turn()
        clock.now += 0.001  # the request's round trip
        tokens, refilled_at = min(burst, tokens + (clock.now - refilled_at) * quota), clock.now
        let_through = tokens >= 1
        tokens -= 1 if let_through else 0
        pacer.record_reply(throttled=not let_through)

    assert pacer.rate_cap == pytest.approx(HEADROOM * quota, rel=0.25)


@given(
    per_second=st.floats(min_value=20, max_value=500),
    throttle_every=st.integers(min_value=4, max_value=50),
)
def test_throttling_that_ignores_the_rate_never_caps_under_what_is_sent(
    per_second: float, throttle_every: int
) -> None:
    """Throttles striking a quarter of requests or fewer, whatever the rate, must not slow the run.

    From 20 requests/s up: below that, a one-second window holds too few replies to count on.
    """
    clock = FakeClock()
    pacer = paced(clock)

    replies(pacer, clock, per_second=per_second, seconds=5, throttle_every=throttle_every)

    assert pacer.rate_cap is None or pacer.rate_cap >= per_second * 0.95


@given(
    gaps=st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=200),
    throttles=st.lists(st.booleans(), min_size=1, max_size=200),
)
def test_the_cap_is_never_under_the_floor_whatever_the_replies(
    gaps: list[float], throttles: list[bool]
) -> None:
    clock = FakeClock()
    pacer = paced(clock)
    for gap, throttled in zip(gaps, throttles, strict=False):
        clock.now += gap
        pacer.record_reply(throttled)
        assert pacer.rate_cap is None or pacer.rate_cap >= FLOOR_PER_SECOND


def test_a_raised_cap_respaces_the_turns_already_handed_out() -> None:
    clock = FakeClock()
    waits: list[float] = []
    pacer = RequestPacer(clock=clock, sleep=waits.append)  # sleepers side by side: time stands
    pacer.record_reply(throttled=True)
    replies(pacer, clock, per_second=20, seconds=0.5, throttle_every=1)  # nothing let through
    assert pacer.rate_cap == FLOOR_PER_SECOND
    queued_at = clock.now
    for _ in range(10):  # ten threads take turns a second apart: the queue ends 10 s on
        pacer.wait_turn()
    replies(pacer, clock, per_second=50, seconds=1.1 * WINDOW_SECONDS, throttle_every=0)
    assert pacer.rate_cap == 2 * FLOOR_PER_SECOND
    waits.clear()

    pacer.wait_turn()

    # What was left of the queue, at twice the rate: neither waited out nor dropped (within the
    # 0.1 s of replies after the raise).
    assert waits == [pytest.approx((queued_at + 10 - clock.now) / 2, abs=0.1)]


def test_the_next_run_of_a_warm_function_starts_unpaced() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    start_episode(pacer, clock, per_second=10)  # the run ends while its operation is paced
    clock.now += 24 * 3600

    pacer.record_reply(throttled=False)  # the first reply of the next night's run

    assert pacer.rate_cap is None
