"""Client-side pacing: send an API operation's requests at the rate its quota lets through.

AWS throttles each API with a token bucket per account and Region. The SDK's standard retry
mode absorbs a throttle with a random, exponentially growing backoff per thread, so many worker
threads hammering one quota all end up asleep at once while its tokens go unused; botocore's
adaptive mode would pace, but its limiter is per client, and every worker has a client of its own
(see janitor.bedrock). So the workers share one `RequestPacer` per operation instead:

- On a throttle, the pacer caps the operation's request rate at HEADROOM times the rate of
  requests the service let through in the last WINDOW_SECONDS: that rate is what the quota
  allows, and the headroom keeps the bucket drained, so no token goes unused.
- While an operation is paced, a throttled request is retried as soon as the pacer gives it a
  turn, instead of after the SDK's exponential backoff (up to 20 s): the pacer already keeps the
  rate where the quota wants it, and the backoff would only leave tokens unused. The SDK's
  attempt limit still holds (its retry quota does not: for a paced throttle, the pacer is what
  limits the retries); every other error keeps the SDK's backoff.
- Each whole window without a throttle doubles the cap, and it goes away once it is far above
  anything the run sends: a quota that was raised, or a burst of throttling that has passed,
  stops slowing the run within seconds, and the next run of a warm function starts unpaced.
- The cap never goes under FLOOR_PER_SECOND.

Setting the cap from the rate let through, rather than cutting it by a factor on each throttle
(as adaptive mode does), keeps throttling that does not depend on the rate from ratcheting the
rate down: under a quota, the rate let through is the quota whatever is sent; under throttling
that strikes at random, it is a fixed share of what is sent, and the cap is HEADROOM * (1 - share)
times what is sent: at or over it while a third of requests or fewer are throttled (a quarter,
allowing for the counting noise of a one-second window; below about 20 requests/s a window holds
too few replies for the estimate to be that close).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from botocore.retries.standard import DEFAULT_MAX_ATTEMPTS

#: How far above the rate let through the cap sits: under a quota, a third of paced requests are
#: throttled (and retried at once); the higher it is, the more random throttling it shrugs off.
HEADROOM = 1.5
WINDOW_SECONDS = 1.0
#: The lowest cap, in requests per second.
FLOOR_PER_SECOND = 1.0
#: How long after the first throttle of an episode the pacer watches before it sets a cap. The
#: requests let through before that first throttle are the quota's saved-up burst, not its rate,
#: so they are left out; until then the SDK's backoff handles the throttles.
MIN_OBSERVATION_SECONDS = 0.25
#: A cap this high paces nothing a Lambda function can send: the pacer lets go of it.
CEILING_PER_SECOND = 1000.0
THROTTLING_CODES = frozenset(
    # ThrottledException: the Resource Groups Tagging API's name for it.
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
    }
)


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
        self._let_through: deque[float] = deque()
        #: When the first throttle of the current episode came (None while nothing throttles).
        self._throttled_since: float | None = None
        self._calm_since = 0.0
        self._next_slot = 0.0
        #: Requests per second, or None while the operation is not paced.
        self.rate_cap: float | None = None

    def wait_turn(self) -> None:
        """Block until the next request may go (at once while the operation is not paced)."""
        with self._lock:
            if self.rate_cap is None:
                return
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1 / self.rate_cap
        if slot > now:
            self._sleep(slot - now)

    def record_reply(self, throttled: bool) -> None:
        """Learn from one reply: a throttle sets the cap, a calm window lifts it."""
        with self._lock:
            now = self._clock()
            while self._let_through and self._let_through[0] <= now - WINDOW_SECONDS:
                self._let_through.popleft()
            if throttled:
                self._calm_since = now
                if self._throttled_since is None:
                    self._throttled_since = now
                    self._let_through.clear()
                observed = min(WINDOW_SECONDS, now - self._throttled_since)
                if observed >= MIN_OBSERVATION_SECONDS:
                    self._set_cap(max(FLOOR_PER_SECOND, HEADROOM * len(self._let_through) / observed), now)
                return
            self._let_through.append(now)
            if self._throttled_since is None or now - self._calm_since < WINDOW_SECONDS:
                return
            # Doubled for each calm window: a warm function's next run, hours later, starts unpaced.
            calm_windows = int((now - self._calm_since) / WINDOW_SECONDS)
            self._calm_since = now
            doubled = CEILING_PER_SECOND
            if self.rate_cap is not None and calm_windows < math.log2(CEILING_PER_SECOND):
                doubled = self.rate_cap * 2**calm_windows
            if doubled < CEILING_PER_SECOND:
                self._set_cap(doubled, now)
            else:
                self.rate_cap = None
                self._throttled_since = None  # the episode is over: the next throttle starts one

    def _set_cap(self, cap: float, now: float) -> None:
        if self.rate_cap is not None and cap > self.rate_cap and self._next_slot > now:
            # The turns already handed out, spaced at the new rate: a raised cap takes effect
            # now rather than after the queue built under the old one. (They are never dropped:
            # that would let requests through faster than any cap.)
            self._next_slot = now + (self._next_slot - now) * self.rate_cap / cap
        self.rate_cap = cap


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
    http_response, parsed = response
    code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
    return http_response.status_code == 429 or code in THROTTLING_CODES
