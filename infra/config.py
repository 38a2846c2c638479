"""CDK context -> one validated JanitorConfig. Every error names the context key.

The function's own settings are validated by the function's own model (janitor.config.settings), so
the stack can never deploy a value the function would refuse at cold start. cdk.json holds the
defaults; `cdk deploy -c key=value` overrides them (values then arrive as strings).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_logs as logs

from infra.cleanup_permissions import OutputPermissions
from infra.schedule_expression import FLEXIBLE_WINDOW_SECONDS, as_schedule
from janitor.config.deployment_file import LIST_VARIABLES
from janitor.config.settings import SettingsError, load_settings

#: Context key -> the function's environment variable it sets.
FUNCTION_SETTINGS: dict[str, str] = {
    "retentionDays": "RETENTION_DAYS",
    "eligibleStatuses": "ELIGIBLE_STATUSES",
    "applicationTypes": "APPLICATION_TYPES",
    "retainTagKey": "RETAIN_TAG_KEY",
    "nameExcludeRegex": "NAME_EXCLUDE_REGEX",
    "maxDeletionsPerRun": "MAX_DELETIONS_PER_RUN",
    "dryRun": "DRY_RUN",
    "maxConcurrency": "MAX_CONCURRENCY",
    "timeReserveSeconds": "TIME_RESERVE_SECONDS",
    "tagLookup": "TAG_LOOKUP",
    "minOlderThanDays": "MIN_OLDER_THAN_DAYS",
    "maxDeletionsCeiling": "MAX_DELETIONS_CEILING",
    "targetRegions": "TARGET_REGIONS",
    "organizationUnits": "ORGANIZATION_UNITS",
    "memberAccounts": "MEMBER_ACCOUNTS",
    "excludeAccounts": "EXCLUDE_ACCOUNTS",
    "memberRoleName": "MEMBER_ROLE_NAME",
    "deleteOutputs": "DELETE_OUTPUTS",
    "outputBuckets": "OUTPUT_BUCKETS",
    "deleteOutputVersions": "DELETE_OUTPUT_VERSIONS",
}
STACK_SETTINGS = (
    "scheduleExpression",
    "scheduleTimeZone",
    "scheduleEnabled",
    "notificationEmails",
    "logRetentionDays",
    "memorySizeMb",
    "timeoutSeconds",
    "reservedConcurrency",
    "organizationId",
    "maxParallelTargets",
    "stackSetCallAs",
    "createTestEventRegistry",
)
CONTEXT_KEYS = (*FUNCTION_SETTINGS, *STACK_SETTINGS)
#: Keys that may be absent or empty: no name filter, no reserved concurrency.
OPTIONAL_KEYS = frozenset(
    {
        "nameExcludeRegex",
        "reservedConcurrency",
        "targetRegions",
        "organizationUnits",
        "memberAccounts",
        "excludeAccounts",
        "organizationId",
        "outputBuckets",
    }
)
#: Step Functions' Distributed Map runs at most 10,000 child workflows at once.
MAX_PARALLEL_TARGETS = 10_000
#: The shortest schedule period of an organization run, in seconds.
MIN_RUN_PERIOD = 3600
_ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
#: The function's settings model names environment variables; the user wrote context keys.
_VARIABLE_NAME = re.compile(r"\b(" + "|".join(FUNCTION_SETTINGS.values()) + r")\b")

#: The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")


class ConfigError(ValueError):
    """Invalid CDK context; the message names each bad key. Nothing is synthesized."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Invalid CDK context: "
            + "; ".join(problems)
            + ". Fix it in cdk.json or on the command line (cdk deploy -c key=value)."
        )


@dataclass(frozen=True)
class JanitorConfig:
    #: The function's environment, less the topic ARN (the stack adds it).
    function_environment: dict[str, str]
    #: The list settings that are set (accounts, OUs, Regions, buckets), for the asset's
    #: deployment file: never in the environment, which Lambda caps at 4 KB.
    deployment_file: dict[str, str]
    retain_tag_key: str
    #: `batched` (tag:GetResources, 100 jobs a call) or `perJob` (bedrock:ListTagsForResource).
    tag_lookup: str
    schedule_expression: str
    schedule_time_zone: str
    schedule_enabled: bool
    #: The longest gap between two scheduled runs, for the heartbeat alarm.
    schedule_period_seconds: int
    notification_emails: tuple[str, ...]
    log_retention: logs.RetentionDays
    memory_size_mb: int
    timeout_seconds: int
    #: None: the function draws on the account's unreserved pool (the default).
    reserved_concurrency: int | None
    #: The Regions an organization run cleans; empty: no fan-out (the single-account stack).
    target_regions: tuple[str, ...] = ()
    organization_units: tuple[str, ...] = ()
    member_accounts: tuple[str, ...] = ()
    #: Never cleaned, and never given the member role by the StackSet.
    exclude_accounts: tuple[str, ...] = ()
    #: The role assumed in member accounts; None unless the deployment cleans other accounts.
    member_role_name: str | None = None
    #: For the member role's `aws:PrincipalOrgID` condition; required with organizationUnits.
    organization_id: str | None = None
    max_parallel_targets: int = 10
    #: How the StackSet is created: SELF (management account) or DELEGATED_ADMIN.
    stack_set_call_as: str = "SELF"
    #: deleteOutputs: the buckets whose job outputs the function may delete; None: it deletes none.
    outputs: OutputPermissions | None = None
    #: Create the account's `lambda-testevent-schemas` registry (once per account and Region).
    create_test_event_registry: bool = False

    @property
    def fans_out(self) -> bool:
        """The schedule starts the organization run's state machine instead of the function."""
        return bool(self.target_regions or self.organization_units or self.member_accounts)

    @property
    def cross_account(self) -> bool:
        return bool(self.organization_units or self.member_accounts)


def _in_context_terms(message: str) -> str:
    """A settings-model message with each environment variable named by its context key."""
    key_of = {variable: key for key, variable in FUNCTION_SETTINGS.items()}
    return _VARIABLE_NAME.sub(lambda match: key_of[match[1]], message)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def _as_bool(value: Any) -> bool:
    text = _as_text(value).strip().lower()
    if text not in {"true", "false"}:
        raise ValueError("must be true or false")
    return text == "true"


def _as_int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        try:
            number = int(_as_text(value).strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return parse


def _as_emails(value: Any) -> tuple[str, ...]:
    emails = tuple(part.strip() for part in _as_text(value).split(",") if part.strip())
    bad = [email for email in emails if not _EMAIL.match(email)]
    if bad:
        raise ValueError(f"{', '.join(bad)} is not an email address")
    return emails


def _as_time_zone(value: Any) -> str:
    name = _as_text(value).strip()
    # zoneinfo reads the host's database and, where the host has none, the pinned tzdata package.
    zones = zoneinfo.available_timezones()
    if not zones:
        raise ValueError("cannot be checked: no time zone database (pip install -r requirements.txt)")
    if name not in zones:
        raise ValueError("must be an IANA time zone such as UTC or Europe/Berlin")
    return name


def _as_reserved_concurrency(value: Any) -> int | None:
    text = _as_text(value).strip()
    if not text:
        return None
    # 0 is a valid Lambda setting, but it throttles every invocation: the janitor would never run.
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise ValueError("must be a whole number of at least 1, or unset to reserve none")
    return int(text)


def _as_organization_id(value: Any) -> str | None:
    text = _as_text(value).strip()
    if text and not _ORGANIZATION_ID.match(text):
        raise ValueError(
            "must be an organization id such as o-a1b2c3d4e5 (aws organizations describe-organization)"
        )
    return text or None


def _as_call_as(value: Any) -> str:
    text = _as_text(value).strip()
    if text not in {"SELF", "DELEGATED_ADMIN"}:
        raise ValueError(
            "must be SELF (deployed in the management account) or DELEGATED_ADMIN (in a StackSets "
            "delegated administrator account)"
        )
    return text


def _as_log_retention(value: Any) -> logs.RetentionDays:
    days = _as_int(1, 3653)(value)
    if days not in LOG_RETENTION:
        raise ValueError(f"must be one of {', '.join(map(str, LOG_RETENTION))}")
    return LOG_RETENTION[days]


def load_config(context: Callable[[str], Any]) -> JanitorConfig:
    """Read every context key through `context` (e.g. `app.node.try_get_context`) and validate it."""
    values = {key: context(key) for key in CONTEXT_KEYS}
    problems = [
        f"{key}: missing (cdk.json holds the defaults)"
        for key, value in values.items()
        if value is None and key not in OPTIONAL_KEYS
    ]
    if problems:
        raise ConfigError(problems)

    environment = {variable: _as_text(values[key]) for key, variable in FUNCTION_SETTINGS.items()}
    key_of = {variable: key for key, variable in FUNCTION_SETTINGS.items()}
    try:
        settings = load_settings({**environment, "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:synth"})
    except SettingsError as error:
        problems += [
            f"{key_of[p.variable]}: {_in_context_terms(p.message)} (got {p.value!r})" for p in error.problems
        ]
        settings = None

    parsed: dict[str, Any] = {}
    parsers: Mapping[str, Callable[[Any], Any]] = {
        "scheduleExpression": as_schedule,
        "scheduleTimeZone": _as_time_zone,
        "scheduleEnabled": _as_bool,
        "notificationEmails": _as_emails,
        "logRetentionDays": _as_log_retention,
        "memorySizeMb": _as_int(128, 10240),
        "timeoutSeconds": _as_int(60, 900),
        "reservedConcurrency": _as_reserved_concurrency,
        "organizationId": _as_organization_id,
        "maxParallelTargets": _as_int(1, MAX_PARALLEL_TARGETS),
        "stackSetCallAs": _as_call_as,
        "createTestEventRegistry": _as_bool,
    }
    for key, parse in parsers.items():
        try:
            parsed[key] = parse(values[key])
        except ValueError as error:
            problems.append(f"{key}: {error} (got {values[key]!r})")
    if (
        settings is not None
        and "timeoutSeconds" in parsed
        and parsed["timeoutSeconds"] < settings.time_reserve_seconds + 60
    ):
        problems.append(
            f"timeoutSeconds: must leave at least a minute of work beyond timeReserveSeconds "
            f"({settings.time_reserve_seconds}) (got {values['timeoutSeconds']!r})"
        )
    if settings is not None and settings.organization_units and not parsed.get("organizationId"):
        problems.append(
            "organizationId: required with organizationUnits, for the member role's "
            "aws:PrincipalOrgID condition (got '')"
        )
    fans_out = settings is not None and bool(
        settings.target_regions or settings.organization_units or settings.member_accounts
    )
    if fans_out and "scheduleExpression" in parsed and parsed["scheduleExpression"][1] < MIN_RUN_PERIOD:
        problems.append(
            "scheduleExpression: an organization run needs at least an hour between runs (its "
            f"state machine times out {FLEXIBLE_WINDOW_SECONDS // 60} minutes before the next is due) "
            f"(got {values['scheduleExpression']!r})"
        )
    if problems or settings is None:
        raise ConfigError(problems)
    cross_account = bool(settings.organization_units or settings.member_accounts)
    if not cross_account:
        # Without member accounts the function assumes no role anywhere.
        environment.pop("MEMBER_ROLE_NAME")
    deployment_file = {
        variable: value for variable in LIST_VARIABLES if (value := environment.pop(variable).strip())
    }

    expression, period = parsed["scheduleExpression"]
    return JanitorConfig(
        function_environment=environment,
        deployment_file=deployment_file,
        retain_tag_key=settings.retain_tag_key,
        tag_lookup=settings.tag_lookup,
        schedule_expression=expression,
        schedule_time_zone=parsed["scheduleTimeZone"],
        schedule_enabled=parsed["scheduleEnabled"],
        schedule_period_seconds=period,
        notification_emails=parsed["notificationEmails"],
        log_retention=parsed["logRetentionDays"],
        memory_size_mb=parsed["memorySizeMb"],
        timeout_seconds=parsed["timeoutSeconds"],
        reserved_concurrency=parsed["reservedConcurrency"],
        target_regions=tuple(sorted(settings.target_regions)),
        organization_units=tuple(sorted(settings.organization_units)),
        member_accounts=tuple(sorted(settings.member_accounts)),
        exclude_accounts=tuple(sorted(settings.exclude_accounts)),
        member_role_name=settings.member_role_name if cross_account else None,
        organization_id=parsed["organizationId"],
        max_parallel_targets=parsed["maxParallelTargets"],
        stack_set_call_as=parsed["stackSetCallAs"],
        outputs=OutputPermissions(tuple(sorted(settings.output_buckets)), settings.delete_output_versions)
        if settings.delete_outputs
        else None,
        create_test_event_registry=parsed["createTestEventRegistry"],
    )
