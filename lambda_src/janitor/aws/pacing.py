"""Client-side pacing: send an API operation's requests at the rate its quota lets through.

AWS throttles each API with a token bucket per account and Region, shared with every other
caller in the account. The SDK's standard retry mode absorbs a throttle with a random,
exponentially growing backoff per thread, so many worker threads hammering one quota all end up
asleep at once while its tokens go unused; botocore's adaptive mode would pace, but its limiter
is per client, every worker has a client of its own (see janitor.aws.worker_clients), and it cuts
its rate on every throttle, so throttling that strikes at random ratchets it down (docs/performance.md).
So the workers share one `RequestPacer` per operation instead, which works in
windows of WINDOW_SECONDS from an operation's first throttle:

- The first throttle caps the operation at what the service let through in the last window
  (the quota's burst included: a first guess). From then on, the first throttle of each window
  caps it at SHARE_OF_LET_THROUGH of the rate let through in the last window: under a quota that
  rate is the quota's, whatever was sent, so the cap sits just under it and almost nothing
  sent at the cap is throttled. A good citizen of a quota shared with the account's other users.
- Each window without a throttle raises the cap: by PROBE_GROWTH after one, and ever faster
  (PROBE_GROWTH ** (2**k - 1) after k in a row), so a quota that was raised, or throttling that
  has passed, stops slowing the run within seconds, and the next run of a warm function, hours
  later, starts unpaced (the cap goes once it exceeds CEILING_PER_SECOND). Under a steady
  quota, the one gentle step over it costs about one throttle every other window.
- Throttling that does not depend on the rate (a service shedding load at random) would drag a
  cap set from the rate let through down window after window. A quota leaves windows at the cap
  calm; random throttling does not: after RATE_INDEPENDENT_WINDOWS throttled windows in a row
  while paced, the pacer lets go for HOLD_SECONDS and leaves those throttles to the SDK's
  backoff; so it does when a throttle finds fewer than MIN_REPLIES_TO_PACE replies let through
  in the last window, which cannot tell a quota from chance (and sets no first cap either).
- While an operation is paced, a throttled request is retried as soon as the pacer gives it a
  turn, instead of after the SDK's exponential backoff (up to 20 s): the pacer already keeps the
  rate where the quota wants it. The SDK's attempt limit still holds; every other error keeps
  the SDK's backoff.

Measured (tests/unit/test_pacing.py simulates a token bucket; `make bench`, the emulator's):
under quotas of 10-300 requests/s with bursts of half to twice the rate, at least 90% of the
quota's throughput with at most 10% of requests throttled; under throttling that strikes 10-50%
of requests at random, at least half the rate wanted (from 5 requests/s). Quotas under about
MIN_REPLIES_TO_PACE requests/s are left to the SDK's backoff.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from botocore.retries.standard import DEFAULT_MAX_ATTEMPTS

from janitor.core.error_codes import treatment_of

WINDOW_SECONDS = 1.0
#: The cap's share of the rate let through: under 1, so that requests sent at the cap leave the
#: quota's bucket a little to spare (for the account's other callers, and against timing jitter).
SHARE_OF_LET_THROUGH = 0.95
#: How far one calm window raises the cap; k calm windows in a row raise it PROBE_GROWTH ** (2**k - 1).
PROBE_GROWTH = 1.125
#: Calm windows in a row after which the cap is far above anything a Lambda function sends.
MAX_CALM_RUN = 7
#: Throttled windows in a row, while paced, that show the throttling does not follow the rate.
RATE_INDEPENDENT_WINDOWS = 4
#: How long the pacer leaves rate-independent throttling to the SDK's backoff before it paces again.
HOLD_SECONDS = 10.0
#: How often a request waiting for its turn looks again at the cap.
RECHECK_SECONDS = 0.05
#: Fewer replies let through in the last window than this cannot tell a quota from throttling
#: at random: such a throttle sets no cap (and lets go of one), leaving it to the SDK's backoff.
#: Without this rule, a random throttle among a run's first replies set a cap of 1-4 requests/s
#: that 30% random throttling then held there: 1,900 deletions took 64 s, 35 s unpaced
#: (`python -m benchmarks.retry_layers`, docs/performance.md). Quotas under about this many requests/s are
#: left to the SDK's backoff.
MIN_REPLIES_TO_PACE = 5
#: A cap this high paces nothing a Lambda function can send: the pacer lets go of it.
CEILING_PER_SECOND = 1000.0


class RequestPacer:
    """The pace of one API operation, shared by every thread that calls it."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        #: When each reply let through in the last window arrived.
        self._let_through: deque[float] = deque()
        #: Turns are numbered as handed out; turn n's slot is _anchor_time + (n - _anchor_turn) / cap.
        self._issued = 0
        self._anchor_turn: float = 0
        self._anchor_time = 0.0
        #: Requests per second, or None while the operation is not paced.
        self.rate_cap: float | None = None
        #: The start of the current window while paced (None while not).
        self._window_start: float | None = None
        self._window_throttled = False
        self._calm_run = 0
        self._throttled_run = 0
        #: The cap the last throttle set, which calm windows raise.
        self._base_cap = 0.0
        self._hold_until = float("-inf")

    def wait_turn(self) -> None:
        """Block until the next request may go (at once while the operation is not paced)."""
        with self._lock:
            if self.rate_cap is None:
                return
            now = self._clock()
            if self._slot_of(self._issued) < now:  # nobody waiting: this turn is now
                self._anchor_turn, self._anchor_time = self._issued, now
            turn = self._issued
            self._issued += 1
        while True:
            with self._lock:
                if self.rate_cap is None:
                    return
                now = self._clock()
                slot = self._slot_of(turn)
            if slot <= now:
                return
            # In steps, so that a cap changed meanwhile respaces the turns already handed out.
            self._sleep(min(slot - now, RECHECK_SECONDS))

    def _slot_of(self, turn: float) -> float:
        assert self.rate_cap is not None
        return self._anchor_time + (turn - self._anchor_turn) / self.rate_cap

    def record_reply(self, throttled: bool) -> None:
        """Learn from one reply: a throttle sets the cap, calm windows raise it."""
        with self._lock:
            now = self._clock()
            while self._let_through and self._let_through[0] <= now - WINDOW_SECONDS:
                self._let_through.popleft()
            self._close_windows(now)
            if not throttled:
                self._let_through.append(now)
            elif now < self._hold_until:
                return  # rate-independent throttling: the SDK's backoff handles it
            elif self._window_start is None:
                if len(self._let_through) < MIN_REPLIES_TO_PACE:
                    return  # too few replies to tell a quota from random throttling
                # The first throttle: what came through in the last window (the burst included)
                # is the first guess; from now on, the window let through measures the rate.
                self._window_start, self._window_throttled = now, True
                self._calm_run = self._throttled_run = 0
                self._set_cap(len(self._let_through) / WINDOW_SECONDS, now)
                self._let_through.clear()
            elif not self._window_throttled:
                self._window_throttled = True
                if len(self._let_through) < MIN_REPLIES_TO_PACE:
                    # A cap dragged down this far by throttles is the mark of random throttling.
                    self._hold_until = now + HOLD_SECONDS
                    self._let_go()
                    return
                self._set_cap(SHARE_OF_LET_THROUGH * len(self._let_through) / WINDOW_SECONDS, now)

    def _close_windows(self, now: float) -> None:
        """Count the windows that ended before `now`: lift, hold or raise the cap accordingly."""
        if self._window_start is None:
            return
        ended = int((now - self._window_start) / WINDOW_SECONDS)
        if ended == 0:
            return
        self._window_start += ended * WINDOW_SECONDS
        calm = ended
        if self._window_throttled:
            self._window_throttled, calm = False, ended - 1
            self._calm_run, self._throttled_run = 0, self._throttled_run + 1
            if self._throttled_run >= RATE_INDEPENDENT_WINDOWS:
                self._hold_until = now + HOLD_SECONDS
                self._let_go()
                return
        if calm:
            self._calm_run, self._throttled_run = self._calm_run + calm, 0
            if self._calm_run >= MAX_CALM_RUN:
                self._let_go()
                return
            raised = self._base_cap * PROBE_GROWTH ** (2**self._calm_run - 1)
            if raised >= CEILING_PER_SECOND:
                self._let_go()
            else:
                self._respace(raised, now)

    def _set_cap(self, cap: float, now: float) -> None:
        self._base_cap = cap
        self._calm_run = 0
        self._respace(self._base_cap, now)

    def _respace(self, cap: float, now: float) -> None:
        """Pace at `cap` from now on, the turns already handed out included (a lowered cap that
        waited for them would let a second of requests through at the old rate)."""
        if self.rate_cap is not None:
            due_now = self._anchor_turn + (now - self._anchor_time) * self.rate_cap
            self._anchor_turn = min(due_now, self._issued)
        else:
            self._anchor_turn = self._issued
        self._anchor_time = now
        self.rate_cap = cap

    def _let_go(self) -> None:
        """Stop pacing: the next throttle (after any hold) starts afresh."""
        self.rate_cap = None
        self._window_start = None
        self._window_throttled = False
        self._calm_run = self._throttled_run = 0


class OperationPacing:
    """A `RequestPacer` per API operation, fed by the botocore clients attached to it."""

    def __init__(self, pacer_factory: Callable[[], RequestPacer] = RequestPacer) -> None:
        self._pacer_factory = pacer_factory
        self._pacers: dict[str, RequestPacer] = {}
        self._lock = threading.Lock()

    def pacer(self, operation: str) -> RequestPacer:
        with self._lock:
            if operation not in self._pacers:
                self._pacers[operation] = self._pacer_factory()
            return self._pacers[operation]

    def attach(self, client: Any) -> None:
        """Pace every attempt `client` sends, retries included, and learn from every reply."""
        service = client.meta.service_model.service_id.hyphenize()
        max_attempts = client.meta.config.retries.get("total_max_attempts", DEFAULT_MAX_ATTEMPTS)
        client.meta.events.register(f"before-send.{service}", self._before_send)
        # First, so that the delay returned for a paced throttle wins over the retry handler's
        # backoff (botocore sleeps for the first answer that is not None). The retry handler
        # still runs after it and keeps its own accounts.
        client.meta.events.register_first(
            f"needs-retry.{service}",
            lambda response, operation, attempts, **_: self._after_attempt(
                response, operation.name, attempts, max_attempts
            ),
        )

    def _before_send(self, event_name: str, **_: Any) -> None:
        # before-send.<service>.<Operation>; returning None lets botocore send the request.
        self.pacer(event_name.rsplit(".", 1)[-1]).wait_turn()

    def _after_attempt(self, response: Any, operation: str, attempts: int, max_attempts: int) -> float | None:
        # No response: the request never got a reply (a connection error), which says nothing
        # about the quota. None leaves the retry decision to the retry handler.
        if response is None:
            return None
        throttled = is_throttle(response)
        pacer = self.pacer(operation)
        pacer.record_reply(throttled)
        if throttled and pacer.rate_cap is not None and attempts < max_attempts:
            return 0.0  # retry now: wait_turn spaces the retry
        return None


def is_throttle(response: tuple[Any, dict[str, Any]]) -> bool:
    """A throttle by janitor.core.error_codes' table: a 429, or a throttle's code on any status."""
    http_response, parsed = response
    code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
    return treatment_of(str(code or ""), http_response.status_code).paced
