"""The wire formats' small parts: the error shapes, compact JSON, request bodies and queries, timestamps."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from emulator.contract import ERROR_STATUS

#: Compact and UTF-8 as-is: the service's bodies carry no insignificant whitespace.
JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


class ApiError(Exception):
    """An error, answered in the error shape of the protocol the request came in (see `body`)."""

    def __init__(
        self, code: str, message: str, status: int | None = None, namespace: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else ERROR_STATUS.get(code, 400)
        #: JSON 1.1 only: errors raised by AWS's request framework rather than modeled by the
        #: service carry a namespace in ``__type`` (``com.amazon.coral.service#...``).
        self.namespace = namespace

    def body(self, json_1_1: bool) -> str:
        """rest-json: ``{"message"}`` (the code travels in x-amzn-ErrorType); JSON 1.1:
        ``{"__type", "Message"}``, as aws/aws-cli#8109 recorded from GetResources. botocore's
        json parser reads the code from ``__type`` only, dropping anything up to ``#``."""
        if not json_1_1:
            return JSON.encode({"message": self.message})
        code = self.code if self.namespace is None else f"{self.namespace}#{self.code}"
        return JSON.encode({"__type": code, "Message": self.message})


def json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError("ValidationException", "Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError("ValidationException", "Request body must be a JSON object.")
    return data


def parse_query(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def invalid(member: str, constraint: str, value: object = None) -> ApiError:
    shown = "" if value is None else f" '{value}'"
    return ApiError(
        "ValidationException",
        f"1 validation error detected: Value{shown} at '{member}' failed to satisfy constraint: {constraint}",
    )


def to_us(dt: datetime) -> int:
    # Naive datetimes are taken as UTC, as botocore does when it serializes them.
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def iso(us: int) -> str:
    """ISO 8601 with microseconds: the model's timestamp format (iso8601) at the service's precision.

    The real creationTime and lastModifiedTime values Cloud Custodian recorded (e.g. microsecond
    791678 in tests/data/placebo/bedrock_evaluation_job/ of cloud-custodian/cloud-custodian) carry
    six fractional digits, not milliseconds.
    """
    dt = from_us(us)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond:06d}Z"


def parse_time(value: str, member: str) -> int:
    """A query-string timestamp (ISO 8601 or epoch seconds, as botocore may send) in µs."""
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", value):
            return int(Decimal(value) * 1_000_000)
        return to_us(datetime.fromisoformat(value))
    except (ValueError, InvalidOperation, OverflowError):
        raise invalid(member, "Member must be an ISO 8601 timestamp", value) from None


def now_us() -> int:
    return to_us(datetime.now(UTC))
