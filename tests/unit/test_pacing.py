"""The request pacer: a cap just under what a quota lets through, probed upward, let go of when
the throttling turns out not to follow the rate."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.quota import TokenBucket
from janitor.aws.pacing import (
    CEILING_PER_SECOND,
    MIN_REPLIES_TO_PACE,
    PROBE_GROWTH,
    SHARE_OF_LET_THROUGH,
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
    pacer: RequestPacer, clock: FakeClock, per_second: float, seconds: float, throttle_every: int = 0
) -> None:
    """Replies arriving evenly at `per_second`, every `throttle_every`-th one a throttle (0: none)."""
    for i in range(1, round(per_second * seconds) + 1):
        clock.now += 1 / per_second
        pacer.record_reply(throttled=throttle_every > 0 and i % throttle_every == 0)


def start_episode(pacer: RequestPacer, clock: FakeClock, per_second: float) -> float:
    """A window of replies let through at `per_second`, then the first throttle: the cap it sets."""
    replies(pacer, clock, per_second, WINDOW_SECONDS)
    pacer.record_reply(throttled=True)
    assert pacer.rate_cap is not None
    return pacer.rate_cap


def test_an_operation_is_not_paced_until_it_is_throttled() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    replies(pacer, clock, per_second=200, seconds=3)

    pacer.wait_turn()

    assert pacer.rate_cap is None
    assert clock.slept == []


def test_the_first_throttle_caps_at_what_the_last_window_let_through() -> None:
    clock = FakeClock()
    pacer = paced(clock)

    assert start_episode(pacer, clock, per_second=40) == pytest.approx(40)


def test_the_first_throttle_of_a_later_window_caps_just_under_the_rate_let_through() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    start_episode(pacer, clock, per_second=40)  # a burst: the first guess overshoots
    replies(pacer, clock, per_second=20, seconds=1.1 * WINDOW_SECONDS)  # the quota's rate

    pacer.record_reply(throttled=True)
    assert pacer.rate_cap == pytest.approx(SHARE_OF_LET_THROUGH * 20, rel=0.06)
    cap = pacer.rate_cap

    replies(pacer, clock, per_second=20, seconds=0.2, throttle_every=2)
    assert pacer.rate_cap == cap, "the rest of the window's throttles were sent before the cap"


def test_a_throttle_among_the_first_few_replies_sets_no_cap() -> None:
    """A run's first replies: a throttle after fewer than MIN_REPLIES_TO_PACE let through says
    nothing about a quota (a cap of 1-4/s set from them held a randomly throttled run there)."""
    clock = FakeClock()
    pacer = paced(clock)
    for _ in range(MIN_REPLIES_TO_PACE - 1):
        clock.now += 0.01
        pacer.record_reply(throttled=False)

    pacer.record_reply(throttled=True)

    assert pacer.rate_cap is None


def test_a_cap_dragged_down_to_a_thin_window_is_let_go() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    start_episode(pacer, clock, per_second=40)
    replies(pacer, clock, per_second=MIN_REPLIES_TO_PACE - 1, seconds=1.1 * WINDOW_SECONDS)

    pacer.record_reply(throttled=True)

    assert pacer.rate_cap is None, "so few replies a second cannot tell a quota from chance"
    replies(pacer, clock, per_second=40, seconds=2 * WINDOW_SECONDS, throttle_every=3)
    assert pacer.rate_cap is None, "and the SDK's backoff keeps the throttles for a while"


def test_turns_are_spaced_by_the_cap() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    cap = start_episode(pacer, clock, per_second=10)
    start = clock.now
    for _ in range(4):
        pacer.wait_turn()

    assert clock.now - start == pytest.approx(3 / cap)


def test_calm_windows_raise_the_cap_ever_faster_and_a_high_cap_is_lifted() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    first_cap = start_episode(pacer, clock, per_second=100)
    replies(pacer, clock, per_second=100, seconds=1.05 * WINDOW_SECONDS)  # closes the throttled window

    replies(pacer, clock, per_second=100, seconds=WINDOW_SECONDS)
    assert pacer.rate_cap == pytest.approx(first_cap * PROBE_GROWTH)
    replies(pacer, clock, per_second=100, seconds=WINDOW_SECONDS)
    assert pacer.rate_cap == pytest.approx(first_cap * PROBE_GROWTH**3)

    replies(pacer, clock, per_second=100, seconds=6 * WINDOW_SECONDS)
    assert pacer.rate_cap is None, f"a cap over {CEILING_PER_SECOND}/s paces nothing"


def test_the_next_run_of_a_warm_function_starts_unpaced() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    start_episode(pacer, clock, per_second=10)  # the run ends while its operation is paced
    clock.now += 24 * 3600

    pacer.record_reply(throttled=False)  # the first reply of the next night's run

    assert pacer.rate_cap is None


def test_a_lowered_cap_respaces_the_turns_already_handed_out() -> None:
    """Ten workers queue at 100/s; the cap then drops to 7.6/s: the queue waits at the new rate
    (kept at the old one, it would send the last nine within 0.09 s, over the quota)."""
    clock = FakeClock()
    lock, released, waiting = threading.Lock(), threading.Event(), threading.Semaphore(0)

    def sleep(seconds: float) -> None:
        waiting.release()
        released.wait()
        with lock:  # each sleeper moves the shared clock on: time only goes forward
            clock.now += seconds

    pacer = RequestPacer(clock=clock, sleep=sleep)
    start_episode(pacer, clock, per_second=100)
    replies(pacer, clock, per_second=8, seconds=WINDOW_SECONDS)  # the next window: 8/s let through
    assert pacer.rate_cap == pytest.approx(100)
    queued_at = clock.now
    served: list[float] = []

    def worker_turn() -> None:
        pacer.wait_turn()
        served.append(clock())

    workers = [threading.Thread(target=worker_turn) for _ in range(10)]
    for worker in workers:
        worker.start()
    for _ in range(9):  # the first goes at once; nine wait for their turns
        assert waiting.acquire(timeout=10)

    pacer.record_reply(throttled=True)  # the window's first throttle: 0.95 * 8/s
    released.set()
    for worker in workers:
        worker.join(timeout=10)

    lowered = SHARE_OF_LET_THROUGH * 8
    assert pacer.rate_cap == pytest.approx(lowered)
    assert max(served) >= queued_at + 8 / lowered


def simulate(
    pacer: RequestPacer,
    clock: FakeClock,
    wanted_per_second: float,
    seconds: float,
    throttled: Callable[[], bool],
) -> tuple[int, int]:
    """One sender that wants `wanted_per_second` and waits for its turns; `throttled()` answers
    each request. Returns (requests sent, requests throttled)."""
    sent = refused = 0
    end, wanted_at = clock.now + seconds, clock.now
    while clock.now < end:
        clock.now = max(clock.now, wanted_at)
        pacer.wait_turn()
        wanted_at = clock.now + 1 / wanted_per_second
        refusal = throttled()
        sent, refused = sent + 1, refused + refusal
        pacer.record_reply(refusal)
    return sent, refused


@settings(max_examples=25, deadline=None)
@given(
    quota=st.floats(min_value=10, max_value=300),
    burst_share=st.floats(min_value=0.5, max_value=2),
    wanted_share=st.floats(min_value=1.5, max_value=10),
)
def test_under_a_quota_the_pacer_uses_it_and_is_rarely_throttled(
    quota: float, burst_share: float, wanted_share: float
) -> None:
    """The emulator's token bucket (refilled at `quota`/s, holding `burst_share` seconds of it), a sender that
    wants more: at least 90% of the quota's throughput, at most 10% of requests throttled."""
    clock = FakeClock()
    pacer = paced(clock)
    bucket = TokenBucket(quota, max(1.0, burst_share * quota), updated=clock.now)
    seconds = 30.0

    sent, refused = simulate(pacer, clock, wanted_share * quota, seconds, lambda: not bucket.take(clock.now))

    assert sent - refused >= 0.9 * quota * seconds
    assert refused <= 0.1 * sent


@settings(max_examples=25, deadline=None)
@given(
    wanted=st.floats(min_value=5, max_value=500),
    share=st.floats(min_value=0.1, max_value=0.5),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_throttling_that_ignores_the_rate_never_drags_the_rate_down(
    wanted: float, share: float, seed: int
) -> None:
    """Throttles striking a share of requests whatever the rate: at least half the rate wanted.

    After a calm second (the first throttles of a run come after some replies let through).
    """
    clock = FakeClock()
    pacer = paced(clock)
    replies(pacer, clock, per_second=wanted, seconds=WINDOW_SECONDS)
    rng = random.Random(seed)
    seconds = 30.0

    sent, _ = simulate(pacer, clock, wanted, seconds, lambda: rng.random() < share)

    assert sent >= 0.5 * wanted * seconds


@given(
    gaps=st.lists(st.floats(min_value=0, max_value=3), min_size=1, max_size=200),
    throttles=st.lists(st.booleans(), min_size=1, max_size=200),
)
def test_a_cap_is_only_ever_set_from_enough_replies_whatever_they_are(
    gaps: list[float], throttles: list[bool]
) -> None:
    clock = FakeClock()
    pacer = paced(clock)
    for gap, throttled in zip(gaps, throttles, strict=False):
        clock.now += gap
        pacer.record_reply(throttled)
        if pacer.rate_cap is not None:
            assert pacer.rate_cap >= SHARE_OF_LET_THROUGH * MIN_REPLIES_TO_PACE / WINDOW_SECONDS
