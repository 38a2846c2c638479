"""The stack's own settings (the schedule, the function's size, the organization run's shape),
declared once like the function's (janitor.config.settings): one field per setting, whose name
gives the CDK context key (janitor.config.naming.context_key) and the construct's argument."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from typing import Annotated, Any

from aws_cdk import aws_logs as logs
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .schedule_expression import as_schedule

#: The member role's name when memberRoleName is not set (the StackSet deploys it under this name).
DEFAULT_MEMBER_ROLE_NAME = "BedrockEvaluationJanitorMember"
#: Step Functions' Distributed Map runs at most 10,000 child workflows at once.
MAX_PARALLEL_TARGETS = 10_000
_ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")
#: The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION = {
    days: getattr(logs.RetentionDays, name)
    for days, name in {
        1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS",
        30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS",
        150: "FIVE_MONTHS", 180: "SIX_MONTHS", 365: "ONE_YEAR", 400: "THIRTEEN_MONTHS",
        545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS", 1827: "FIVE_YEARS",
        2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
        3653: "TEN_YEARS",
    }.items()
}  # fmt: skip


def as_text(value: Any) -> str:
    """A context value as text: cdk.json holds JSON types, `-c key=value` gives strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def _as_bool(value: Any) -> bool:
    text = as_text(value).strip().lower()
    if text not in {"true", "false"}:
        raise ValueError("must be true or false")
    return text == "true"


def _as_int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        try:
            number = int(as_text(value).strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return parse


def _as_emails(value: Any) -> tuple[str, ...]:
    emails = tuple(part.strip() for part in as_text(value).split(",") if part.strip())
    bad = [email for email in emails if not _EMAIL.match(email)]
    if bad:
        raise ValueError(f"{', '.join(bad)} is not an email address")
    return emails


def _as_time_zone(value: Any) -> str:
    name = as_text(value).strip()
    # zoneinfo reads the host's database and, where the host has none, the pinned tzdata package.
    zones = zoneinfo.available_timezones()
    if not zones:
        raise ValueError("cannot be checked: no time zone database (pip install -r requirements.txt)")
    if name not in zones:
        raise ValueError("must be an IANA time zone such as UTC or Europe/Berlin")
    return name


def _as_reserved_concurrency(value: Any) -> int | None:
    text = as_text(value).strip()
    if not text:
        return None
    # 0 is a valid Lambda setting, but it throttles every invocation: the janitor would never run.
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise ValueError("must be a whole number of at least 1, or unset to reserve none")
    return int(text)


def _as_organization_id(value: Any) -> str | None:
    text = as_text(value).strip()
    if text and not _ORGANIZATION_ID.match(text):
        raise ValueError(
            "must be an organization id: o- followed by 10 to 32 lowercase letters or digits, such as "
            "o-a1b2c3d4e5 (aws organizations describe-organization --query Organization.Id)"
        )
    return text or None


def _as_call_as(value: Any) -> str:
    text = as_text(value).strip()
    if text not in {"SELF", "DELEGATED_ADMIN"}:
        raise ValueError(
            "must be SELF (deployed in the management account) or DELEGATED_ADMIN (in a StackSets "
            "delegated administrator account)"
        )
    return text


def _as_log_retention_days(value: Any) -> int:
    days = _as_int(1, 3653)(value)
    if days not in LOG_RETENTION:
        raise ValueError(f"must be one of {', '.join(map(str, LOG_RETENTION))}")
    return days


def _as_schedule_expression(value: Any) -> str:
    expression, _ = as_schedule(value)
    return expression


class StackSettings(BaseModel):
    """One field per stack setting; values arrive as the context holds them (JSON or text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schedule_expression: Annotated[str, BeforeValidator(_as_schedule_expression)] = Field(
        "cron(0 3 * * ? *)",
        description="When the janitor runs: rate(...) or a 6-field cron(...), at least twice a week (the heartbeat alarm looks back at most 7 days); an organization run at most hourly.",
    )
    schedule_time_zone: Annotated[str, BeforeValidator(_as_time_zone)] = Field(
        "UTC", description="An IANA time zone for the schedule."
    )
    schedule_enabled: Annotated[bool, BeforeValidator(_as_bool)] = Field(
        True, description="false disables the schedule and its heartbeat alarm."
    )
    notification_emails: Annotated[tuple[str, ...], BeforeValidator(_as_emails)] = Field(
        (), description="Addresses subscribed to the failure topic, comma-separated."
    )
    log_retention_days: Annotated[int, BeforeValidator(_as_log_retention_days)] = Field(
        90, description="How long the function's logs are kept (a CloudWatch Logs period)."
    )
    memory_size_mb: Annotated[int, BeforeValidator(_as_int(128, 10240))] = Field(
        512, description="The function's memory, which also sets its CPU share."
    )
    timeout_seconds: Annotated[int, BeforeValidator(_as_int(60, 900))] = Field(
        900, description="The function's timeout; at least timeReserveSeconds + 60."
    )
    reserved_concurrency: Annotated[int | None, BeforeValidator(_as_reserved_concurrency)] = Field(
        None,
        description="The function's reserved concurrency, a whole number of at least 1; empty reserves none.",
    )
    organization_id: Annotated[str | None, BeforeValidator(_as_organization_id)] = Field(
        None,
        description="The organization's id (o-...), for the member role's aws:PrincipalOrgID condition; required with organizationUnits.",
    )
    max_parallel_targets: Annotated[int, BeforeValidator(_as_int(1, MAX_PARALLEL_TARGETS))] = Field(
        10, description="Targets (account and Region) an organization run cleans at once, 1 to 10,000."
    )
    stack_set_call_as: Annotated[str, BeforeValidator(_as_call_as)] = Field(
        "SELF", description="SELF (management account) or DELEGATED_ADMIN, for the member role's StackSet."
    )
    create_test_event_registry: Annotated[bool, BeforeValidator(_as_bool)] = Field(
        False,
        description="Deprecated and ignored: the stack creates the console's lambda-testevent-schemas registry where it is missing.",
    )
