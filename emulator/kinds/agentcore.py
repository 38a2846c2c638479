"""AgentCore's side of the wire for batch evaluations: its error shape and its request checks.

AgentCore's ValidationException requires a ``reason`` (botocore's ``bedrock-agentcore`` model),
and its ConflictException is 409 where Bedrock's is 400, so the shared validation's errors
(emulator/validation.py) are reworded here before they leave.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from emulator.contract import TAG_RE
from emulator.kinds.contract import (
    AGENTCORE_ERROR_STATUS,
    BATCH_EVALUATION_ID_RE,
    BATCH_EVALUATION_MAX_EVALUATORS,
    BATCH_EVALUATION_MAX_TAGS,
)
from emulator.kinds.store import KindHandler
from emulator.validation import require_str
from emulator.wire import JSON, ApiError, invalid

if TYPE_CHECKING:
    from emulator.state import EmulatorState

#: fail_item's code, when it is an HTTP status, as AgentCore names the error of that status.
_ERROR_OF_STATUS = {str(status): code for code, status in AGENTCORE_ERROR_STATUS.items()}


class AgentCoreError(ApiError):
    """An error in AgentCore's rest-json shape: ValidationException carries its ``reason``."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(code, message, status or AGENTCORE_ERROR_STATUS.get(code, 400))

    def body(self, json_1_1: bool) -> str:
        out = {"message": self.message}
        if self.code == "ValidationException":
            out["reason"] = "FieldValidationFailed"
        return JSON.encode(out)


def agentcore(handler: KindHandler) -> KindHandler:
    """Rewords the shared validation's and stores' errors in AgentCore's shape and statuses."""

    @functools.wraps(handler)
    def wrapped(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
        with _as_agentcore():
            return handler(state, label, query, body)

    return wrapped


@contextlib.contextmanager
def _as_agentcore() -> Iterator[None]:
    try:
        yield
    except AgentCoreError:
        raise
    except ApiError as err:
        raise AgentCoreError(err.code, err.message) from None


def item_error(code: str, message: str) -> AgentCoreError:
    """fail_item's (code, message) as DeleteBatchEvaluation's error: an HTTP status ("500") or an
    error name ("ConflictException"), answered with the other half filled in."""
    if code.isdigit():
        name = _ERROR_OF_STATUS.get(
            code, "InternalServerException" if int(code) >= 500 else "ValidationException"
        )
        return AgentCoreError(name, message, int(code))
    return AgentCoreError(code, message)


def check_id(identifier: str | None) -> str:
    if identifier is None or not BATCH_EVALUATION_ID_RE.fullmatch(identifier):
        raise invalid(
            "batchEvaluationId",
            f"Member must satisfy regular expression pattern: {BATCH_EVALUATION_ID_RE.pattern}",
            identifier,
        )
    return identifier


def parse_tags(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > BATCH_EVALUATION_MAX_TAGS:
        raise invalid("tags", f"Member must be a map of at most {BATCH_EVALUATION_MAX_TAGS} entries")
    for key, tag in value.items():
        if not (isinstance(tag, str) and TAG_RE.fullmatch(key) and TAG_RE.fullmatch(tag)):
            raise invalid("tags", f"Member must satisfy regular expression pattern: {TAG_RE.pattern}", key)
    return dict(value)


def parse_evaluators(value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > BATCH_EVALUATION_MAX_EVALUATORS:
        raise invalid(
            "evaluators", f"Member must have length less than or equal to {BATCH_EVALUATION_MAX_EVALUATORS}"
        )
    for i, evaluator in enumerate(value, 1):
        if not isinstance(evaluator, dict):
            raise invalid(f"evaluators.{i}.member", "Member must be a structure")
        require_str(evaluator, "evaluatorId", None, (1, 111))
    return value
