"""Telling a systemic error (the same refusal on every call) from failures of single jobs.

When the role lacks a permission, an SCP denies an action or the credentials expired, every call
of that operation fails the same way: going on would only make thousands of doomed requests and
report thousands of failures. A run of SYSTEMIC_ERROR_THRESHOLD consecutive calls of one
operation failing with the same code that counts toward the stop (janitor.core.error_codes) is taken
as such an error, and the run stops.
Pure: no AWS, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from janitor.core.error_codes import Treatment, treatment_of

#: Consecutive calls of one operation failing alike before the run stops. Small, so a denied
#: action costs a few dozen requests at most; large enough that a handful of jobs refused one
#: by one (an SCP on some of them, say) never stops a run.
SYSTEMIC_ERROR_THRESHOLD = 10


@dataclass(frozen=True, slots=True)
class SystemicError:
    operation: str
    code: str
    message: str
    consecutive_calls: int
    #: The IAM prefix of the operation's service, for the advice (`bedrock`, `bedrock-agentcore`).
    service: str = "bedrock"

    def describe(self) -> str:
        return (
            f"{self.operation} failed with {self.code} on {self.consecutive_calls} consecutive "
            f"call(s) ({self.message}); the run stopped rather than repeat it. {self.advice()}"
        )

    def advice(self) -> str:
        if self.operation == "GetResources":
            return (
                "Allow tag:GetResources to the function's role, or, where an SCP denies it, "
                "deploy with tagLookup=perJob (cdk deploy -c tagLookup=perJob)."
            )
        if treatment_of(self.code) is not Treatment.SYSTEMIC:
            return "Read the error above; the next run tries again."
        if "AccessDenied" in self.code or self.code in {"UnauthorizedOperation", "403"}:
            return (
                f"Allow {self.service}:{self.operation} to the function's role, and check SCPs and "
                "permission boundaries for an explicit deny."
            )
        return "The function's credentials were refused: check its role and the account's STS settings."

    def to_dict(self) -> dict[str, str | int]:
        return {
            "operation": self.operation,
            "code": self.code,
            "message": self.message,
            "consecutiveCalls": self.consecutive_calls,
        }


@dataclass(slots=True)
class _Streak:
    code: str
    message: str
    calls: int


class ConsecutiveFailures:
    """Per operation, the current streak of calls refused with one code that counts toward the stop."""

    def __init__(self, threshold: int = SYSTEMIC_ERROR_THRESHOLD) -> None:
        self.threshold = threshold
        self._streaks: dict[str, _Streak] = {}

    def succeeded(self, operation: str) -> None:
        """A call was answered normally: whatever failed before was not systemic."""
        self._streaks.pop(operation, None)

    def failed(self, operation: str, code: str, message: str) -> SystemicError | None:
        """Count a failed call; the SystemicError once the streak reaches the threshold.

        A retried failure (a throttle, a server fault) says nothing about permissions, so it
        neither counts nor breaks a streak; another code that counts starts a new one.
        """
        if not treatment_of(code).counts_toward_stop:
            return None
        streak = self._streaks.get(operation)
        if streak is None or streak.code != code:
            streak = self._streaks[operation] = _Streak(code, message, 0)
        streak.calls += 1
        if streak.calls >= self.threshold:
            return SystemicError(operation, code, message, streak.calls)
        return None
