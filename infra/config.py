"""CDK context -> one validated JanitorConfig. Every error names the context key.

Each setting is declared once: the function's in janitor.config.settings (so the stack can never
deploy a value the function would refuse at cold start), the stack's in infra.stack_settings.
Their field names give the context keys; a key that is not set takes the declared default
(cdk.json lists them all); `cdk deploy -c key=value` overrides one (values then arrive as text).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_logs as logs
from pydantic import ValidationError

from janitor.aws.regions import unknown_region_message
from janitor.config.deployment_file import LIST_VARIABLES
from janitor.config.naming import Style, context_key, environment_variable, setting_name
from janitor.config.setting_errors import SettingsError
from janitor.config.settings import RENAMED, WIRED_BY_THE_STACK, Settings, settings_from
from janitor.core.kind import Kind

from .cleanup_permissions import OutputPermissions
from .schedule_expression import FLEXIBLE_WINDOW_SECONDS, schedule_period_seconds
from .stack_settings import DEFAULT_MEMBER_ROLE_NAME, LOG_RETENTION, StackSettings, as_text

#: Context key -> the function's setting (a field of janitor.config.settings.Settings) it sets.
FUNCTION_SETTINGS: dict[str, str] = {
    context_key(field): field for field in Settings.model_fields if field not in WIRED_BY_THE_STACK
}
#: Old context key -> the key that replaced it; still read, with a warning at synth.
DEPRECATED_KEYS = {context_key(old): context_key(new) for new, old in RENAMED.items()}
#: Context key -> the stack's setting (a field of infra.stack_settings.StackSettings) it sets.
STACK_SETTINGS: dict[str, str] = {context_key(field): field for field in StackSettings.model_fields}
CONTEXT_KEYS = (*FUNCTION_SETTINGS, *STACK_SETTINGS)
#: Context keys of the CDK and of other tools, allowed by prefix: feature flags (@aws-cdk/...),
#: the CLI's own (aws:cdk:..., cli-telemetry, acknowledged-issue-numbers); lookups hold a colon.
OTHER_TOOLS_PREFIXES = ("@", "aws:", "aws-cdk", "cdk", "cli-", "acknowledged-issue-numbers")
#: The shortest schedule period of an organization run, in seconds.
MIN_RUN_PERIOD = 3600


#: Where a person fixes a bad value, by how the settings were written.
_ADVICE = {
    "context": (
        "Invalid CDK context",
        "Fix it in cdk.json or on the command line (cdk deploy -c key=value).",
    ),
    "field": ("Invalid BedrockEvaluationJanitor arguments", "Fix the construct's keyword arguments."),
}


class ConfigError(ValueError):
    """Invalid settings; the message names each bad one as it was written. Nothing is synthesized."""

    def __init__(self, problems: list[str], style: Style = "context") -> None:
        self.problems = problems
        what, advice = _ADVICE.get(style, _ADVICE["context"])
        super().__init__(f"{what}: " + "; ".join(problems) + f". {advice}")


@dataclass(frozen=True)
class JanitorConfig:
    #: The function's environment, less the topic ARN (the stack adds it).
    function_environment: dict[str, str]
    #: The list settings that are set (accounts, OUs, Regions, buckets), for the asset's
    #: deployment file: never in the environment, which Lambda caps at 4 KB.
    deployment_file: dict[str, str]
    retain_tag_key: str
    #: The kinds of leftover the deployment cleans, in the order a run cleans them: the role
    #: may act on these only.
    kinds: tuple[Kind, ...]
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
    #: What synth should warn about (deprecated keys), one sentence each.
    warnings: tuple[str, ...] = ()

    @property
    def fans_out(self) -> bool:
        """The schedule starts the organization run's state machine instead of the function."""
        return bool(self.target_regions or self.organization_units or self.member_accounts)

    @property
    def cross_account(self) -> bool:
        return bool(self.organization_units or self.member_accounts)


def _stack_settings(values: Mapping[str, Any], style: Style) -> tuple[StackSettings | None, list[str]]:
    """The stack's settings from the context keys that are set, or the problems, each naming its
    setting as written in `style`."""
    given = {field: values[key] for key, field in STACK_SETTINGS.items() if values[key] is not None}
    try:
        return StackSettings.model_validate(given), []
    except ValidationError as error:
        return None, [
            f"{setting_name(str(detail['loc'][0]), style)}: {detail['msg'].removeprefix('Value error, ')} "
            f"(got {detail['input']!r})"
            for detail in error.errors()
        ]


def config_from_arguments(arguments: Mapping[str, Any]) -> JanitorConfig:
    """The construct's keyword arguments (settings' field names) as a validated JanitorConfig."""
    known = {*FUNCTION_SETTINGS.values(), *STACK_SETTINGS.values()}
    unknown = sorted(set(arguments) - known)
    if unknown:
        raise ConfigError([f"{name}: is not a setting" for name in unknown], "field")
    by_key = {context_key(field): value for field, value in arguments.items()}
    return load_config(by_key.get, style="field")


def unknown_key_problems(given: Iterable[str]) -> list[str]:
    """A context key the app does not know, named with the closest one it does: a typo such as
    retentionDay would otherwise deploy the default silently. Keys the CDK and other tools set
    (feature flags, lookups, the CLI's own) are theirs, told apart by their form."""
    known = [*CONTEXT_KEYS, *DEPRECATED_KEYS]
    problems = []
    for key in sorted(given):
        if key in known or key.startswith(OTHER_TOOLS_PREFIXES) or ":" in key:
            continue
        closest = [DEPRECATED_KEYS.get(match, match) for match in difflib.get_close_matches(key, known, n=1)]
        hint = f"; did you mean {closest[0]}?" if closest else ""
        problems.append(f"{key}: is not a setting of this app{hint}")
    return problems


def load_config(
    context: Callable[[str], Any], style: Style = "context", given: Iterable[str] = ()
) -> JanitorConfig:
    """Read every context key through `context` (e.g. `app.node.try_get_context`) and validate it.
    A key that is not set takes its declared default; a problem names its setting as `style` writes
    it. `given`: every key the context holds, each of which must be known."""
    values = {key: context(key) for key in CONTEXT_KEYS}
    warnings = []
    written_as = {}
    for old, new in DEPRECATED_KEYS.items():
        if (value := context(old)) is not None:
            values[new] = value
            written_as[FUNCTION_SETTINGS[new]] = old
            warnings.append(
                f"{old} is deprecated and will be removed: use {new} (its value {value!r} is used)"
            )

    texts = {
        field: as_text(values[key]) for key, field in FUNCTION_SETTINGS.items() if values[key] is not None
    }
    problems: list[str] = unknown_key_problems(given)
    try:
        settings = settings_from({**texts, "notification_topic_arn": "arn:aws:sns:synth"}, style, written_as)
    except SettingsError as error:
        problems += [problem.describe() for problem in error.problems]
        settings = None
    stack, stack_problems = _stack_settings(values, style)
    problems += stack_problems
    if settings is not None and stack is not None:
        problems += _combined_problems(settings, stack, values, style)
    if problems or settings is None or stack is None:
        raise ConfigError(problems, style)
    cross_account = bool(settings.organization_units or settings.member_accounts)
    if cross_account:
        settings = settings.model_copy(
            update={"member_role_name": settings.member_role_name or DEFAULT_MEMBER_ROLE_NAME}
        )
    environment = {
        environment_variable(field): setting_text(getattr(settings, field))
        for field in FUNCTION_SETTINGS.values()
        # Without member accounts the function assumes no role anywhere.
        if field != "member_role_name" or cross_account
    }
    deployment_file = {
        variable: value for variable in LIST_VARIABLES if (value := environment.pop(variable).strip())
    }
    return JanitorConfig(
        function_environment=environment,
        deployment_file=deployment_file,
        retain_tag_key=settings.retain_tag_key,
        kinds=tuple(settings.enabled_kinds),
        tag_lookup=settings.tag_lookup,
        schedule_expression=stack.schedule_expression,
        schedule_time_zone=stack.schedule_time_zone,
        schedule_enabled=stack.schedule_enabled,
        schedule_period_seconds=schedule_period_seconds(stack.schedule_expression),
        notification_emails=stack.notification_emails,
        log_retention=LOG_RETENTION[stack.log_retention_days],
        memory_size_mb=stack.memory_size_mb,
        timeout_seconds=stack.timeout_seconds,
        reserved_concurrency=stack.reserved_concurrency,
        target_regions=tuple(sorted(settings.target_regions)),
        organization_units=tuple(sorted(settings.organization_units)),
        member_accounts=tuple(sorted(settings.member_accounts)),
        exclude_accounts=tuple(sorted(settings.exclude_accounts)),
        member_role_name=settings.member_role_name if cross_account else None,
        organization_id=stack.organization_id,
        max_parallel_targets=stack.max_parallel_targets,
        stack_set_call_as=stack.stack_set_call_as,
        outputs=OutputPermissions(tuple(sorted(settings.output_buckets)), settings.delete_output_versions)
        if settings.delete_outputs
        else None,
        create_test_event_registry=stack.create_test_event_registry,
        warnings=tuple(warnings),
    )


def setting_text(value: Any) -> str:
    """A setting's value as its environment variable holds it (what the function parses back)."""
    if isinstance(value, re.Pattern):
        return str(value.pattern)
    if isinstance(value, frozenset):
        return ",".join(sorted(value))
    return as_text(value)


def _combined_problems(
    settings: Settings, stack: StackSettings, written: Mapping[str, Any], style: Style
) -> list[str]:
    """What only the function's and the stack's settings together can get wrong; `written`: the
    values by context key as given, to show each as the person wrote it."""

    def name(field: str) -> str:
        return setting_name(field, style)

    problems = []
    if (unknown := unknown_region_message(settings.target_regions)) is not None:
        problems.append(f"{name('target_regions')}: {unknown} (got {written['targetRegions']!r})")
    if stack.timeout_seconds < settings.time_reserve_seconds + 60:
        problems.append(
            f"{name('timeout_seconds')}: must leave at least a minute of work beyond "
            f"{name('time_reserve_seconds')} ({settings.time_reserve_seconds}) (got {written['timeoutSeconds']!r})"
        )
    if settings.organization_units and not stack.organization_id:
        problems.append(
            f"{name('organization_id')}: required with {name('organization_units')}, for the member "
            "role's aws:PrincipalOrgID condition (got '')"
        )
    fans_out = bool(settings.target_regions or settings.organization_units or settings.member_accounts)
    if fans_out and schedule_period_seconds(stack.schedule_expression) < MIN_RUN_PERIOD:
        problems.append(
            f"{name('schedule_expression')}: an organization run needs at least an hour between runs "
            f"(its state machine times out {FLEXIBLE_WINDOW_SECONDS // 60} minutes before the next is "
            f"due) (got {written['scheduleExpression']!r})"
        )
    return problems
