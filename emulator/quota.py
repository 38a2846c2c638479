"""A request-rate quota for the emulator: one token bucket per operation, HTTP 429 beyond it.

The emulator answers every request through `BedrockEmulator._serve(request)`, so a subclass can
refuse a request before it is served, without touching emulator/server.py. A refusal looks like
the operation's service's (emulator/dialects.py): from Bedrock, status 429,
`x-amzn-ErrorType: ThrottlingException` and `{"message": "Rate exceeded"}`; from the tagging
API's GetResources, status 400 and `{"__type": "ThrottledException", "Message": "Rate exceeded"}`.
A refused request is still a request: it is counted in `request_counts()` and in
`fault_counts()`, and it is delayed by the configured latency like any other reply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.contract import ALL_OPERATIONS
from emulator.dialects import dialect
from emulator.server import BedrockEmulator, _route
from emulator.transport import Request

THROTTLING_MESSAGE = "Rate exceeded"


@dataclass
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; one token per request."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a quota needs rate > 0 and burst >= 1")
        self.tokens = self.burst

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class OperationWindow:
    """When an operation's accepted requests arrived: their throughput under the quota."""

    accepted: int = 0
    refused: int = 0
    first: float | None = None
    last: float | None = None

    def rate(self) -> float | None:
        """Accepted requests per second between the first and the last accepted one."""
        if self.first is None or self.last is None or self.last <= self.first:
            return None
        return (self.accepted - 1) / (self.last - self.first)


class QuotaEmulator(BedrockEmulator):
    """The emulator with a per-operation request-rate quota (`quotas`: operation -> requests/s,
    operations named as in `request_counts()`, GetResources included)."""

    def __init__(
        self, *args: Any, quotas: Mapping[str, float], burst: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unknown = set(quotas) - set(ALL_OPERATIONS)
        if unknown:
            raise ValueError(f"unknown operations: {sorted(unknown)}")
        self.quotas = dict(quotas)
        self.burst = burst
        self._buckets = {op: TokenBucket(rate, burst or rate) for op, rate in self.quotas.items()}
        self._windows = {op: OperationWindow() for op in self.quotas}
        self._quota_lock = threading.Lock()
        #: (monotonic time, operation, accepted) for every quota-limited request, in arrival order.
        self.timeline: list[tuple[float, str, bool]] = []

    def _serve(self, request: Request) -> tuple[int, str]:
        route = _route(request)
        bucket = self._buckets.get(route[0]) if route is not None else None
        if route is None or bucket is None:
            return super()._serve(request)
        op = route[0]
        with self._quota_lock:
            now = time.monotonic()
            allowed = bucket.take(now)
            window = self._windows[op]
            self.timeline.append((now, op, allowed))
            if allowed:
                window.accepted += 1
                window.first = now if window.first is None else window.first
                window.last = now
            else:
                window.refused += 1
        if allowed:
            return super()._serve(request)
        latency = self._state.refuse(op)
        if latency > 0:
            time.sleep(latency)
        raise dialect(op).throttled(THROTTLING_MESSAGE)

    def quota_windows(self) -> dict[str, dict[str, float | int | None]]:
        with self._quota_lock:
            return {
                op: {
                    "quotaPerSecond": self.quotas[op],
                    "accepted": window.accepted,
                    "refused": window.refused,
                    "acceptedPerSecond": window.rate(),
                }
                for op, window in self._windows.items()
            }
