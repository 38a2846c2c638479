"""The invocation event: a scheduler envelope, `{}`, or a console user's overrides."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from janitor.config.naming import context_key
from janitor.config.setting_types import REGION_PATTERN, Days, Deletions
from janitor.config.settings import Settings

USAGE = (
    "Send {} (or a scheduler event) for a normal run, or an object with any of "
    '"dryRun" (true or false), "olderThanDays" (whole number >= 1), "maxDeletions" '
    '(whole number >= 1) and "target" ({"accountId": "<12 digits>", "region": "<Region>"}), '
    'e.g. {"dryRun": true, "olderThanDays": 7, "maxDeletions": 50}.'
)
#: Where the deployment's bounds are set.
REDEPLOY_HINT = "(set at deploy time: cdk deploy -c {key}=...)"


class InvalidInvocationError(ValueError):
    """The event is not one the janitor accepts; nothing was listed or deleted."""


class Target(BaseModel):
    """One account and Region to clean (sent by the organization run's state machine)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    account_id: str = Field(alias="accountId", pattern=r"^\d{12}$")
    region: str = Field(pattern=REGION_PATTERN)

    def describe(self) -> str:
        return f"{self.account_id} {self.region}"


class Overrides(BaseModel):
    """Per-invocation overrides of the deployed settings of the same names; absent fields keep
    the settings' values."""

    # Strict: "7" is not 7 and 1 is not true, so a typo in the console never widens a deletion.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, alias_generator=context_key)

    dry_run: bool | None = Field(None, description="Select and report, but delete nothing.")
    older_than_days: Days | None = Field(
        None, description="Retention for this run; at least the deployment's minOlderThanDays."
    )
    max_deletions: Deletions | None = Field(
        None, description="Cap for this run; at most the deployment's maxDeletionsCeiling."
    )
    target: Target | None = Field(
        None, description="Clean this account and Region instead of the function's own."
    )
    kinds: list[str] | None = Field(
        None,
        min_length=1,
        description="Clean only these of the deployment's kinds (evaluationJobs, promptOptimizationJobs, batchEvaluations).",
    )
    #: Set by the organization run's state machine (its execution name): the run writes its
    #: summary to the run's results and leaves the report and the metrics to the gathering step.
    organization_run: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,80}$")


def _is_eventbridge_envelope(event: dict[str, Any]) -> bool:
    return "detail-type" in event and "source" in event


def _describe(error: ValidationError, prefix: str = "") -> str:
    problems = []
    for detail in error.errors():
        field = prefix + ".".join(str(part) for part in detail["loc"])
        problems.append(f"{field or 'event'}: {detail['msg']}")
    return "; ".join(problems)


def parse_invocation(event: Any) -> Overrides:
    """The overrides an event asks for, or InvalidInvocationError saying what is wrong with it."""
    if not isinstance(event, dict):
        raise InvalidInvocationError(
            f"Invalid invocation event: expected a JSON object, got {type(event).__name__}. {USAGE}"
        )
    body: Any = event
    prefix = ""
    if _is_eventbridge_envelope(event):
        # Imported here, not at cold start: the package loads every Powertools event model
        # (15 ms more per fresh process, medians of 15, next to a cold start of about 330 ms),
        # and the nightly schedule and the console send plain objects; only an EventBridge
        # rule sends this envelope.
        from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

        try:
            body = EventBridgeModel.model_validate(event).detail
        except ValidationError as error:
            raise InvalidInvocationError(f"Invalid EventBridge event: {_describe(error)}. {USAGE}") from None
        prefix = "detail."
        if not isinstance(body, dict):
            raise InvalidInvocationError(f"Invalid EventBridge event: detail must be an object. {USAGE}")
    try:
        return Overrides.model_validate(body)
    except ValidationError as error:
        raise InvalidInvocationError(
            f"Invalid invocation event: {_describe(error, prefix)}. {USAGE}"
        ) from None


def apply_overrides(settings: Settings, overrides: Overrides) -> Settings:
    """The deployed settings with the invocation's overrides applied, within the deployment's bounds.

    An override may narrow a run freely; widening stops at the floor and ceiling the stack was
    deployed with, and a stack deployed as a dry run never deletes. Anything else is refused
    here, before any Bedrock call, naming the field and its limit.
    """
    problems = []
    if overrides.older_than_days is not None and overrides.older_than_days < settings.min_older_than_days:
        problems.append(
            f"olderThanDays: {overrides.older_than_days} is below this deployment's floor of "
            f"{settings.min_older_than_days} days {REDEPLOY_HINT.format(key=context_key('min_older_than_days'))}"
        )
    if overrides.max_deletions is not None and overrides.max_deletions > settings.max_deletions_ceiling:
        problems.append(
            f"maxDeletions: {overrides.max_deletions} is above this deployment's ceiling of "
            f"{settings.max_deletions_ceiling} {REDEPLOY_HINT.format(key=context_key('max_deletions_ceiling'))}"
        )
    if overrides.kinds is not None and not set(overrides.kinds) <= settings.kinds:
        # The role may act on the deployed kinds only: an override can narrow them, never widen.
        problems.append(
            f"kinds: {', '.join(sorted(set(overrides.kinds) - settings.kinds))} is not among this "
            f"deployment's kinds ({', '.join(sorted(settings.kinds))}) "
            f"{REDEPLOY_HINT.format(key=context_key('kinds'))}"
        )
    if overrides.dry_run is False and settings.dry_run:
        problems.append(
            "dryRun: this stack was deployed with dryRun=true and never deletes; "
            "redeploy with dryRun=false (cdk deploy -c dryRun=false) to let it delete"
        )
    if problems:
        raise InvalidInvocationError(
            f"Invocation refused: {'; '.join(problems)}. Nothing was listed or deleted."
        )
    return settings.model_copy(
        update={
            "dry_run": settings.dry_run if overrides.dry_run is None else overrides.dry_run,
            "older_than_days": overrides.older_than_days or settings.older_than_days,
            "max_deletions": overrides.max_deletions or settings.max_deletions,
            "kinds": frozenset(overrides.kinds) if overrides.kinds is not None else settings.kinds,
        }
    )
