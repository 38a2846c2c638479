"""Settings read from the environment once, at cold start.

Every field maps to one environment variable (set by the CDK stack). A bad value fails the cold
start with a message that names the variable and says what it accepts, so the problem shows up
in the first invocation's error instead of as a wrong deletion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from janitor.config.deployment_file import DEPLOYMENT_FILE, DeploymentFileError, deployment_file_settings
from janitor.core.selection import APPLICATION_TYPES, FINISHED_STATUSES, SelectionPolicy, retention_cutoff

DEFAULT_RETAIN_TAG_KEY = "janitor:retain"
#: The time the run keeps in hand: no new batch starts with less than this left, so the report
#: and the SNS publish still fit before the Lambda timeout.
DEFAULT_TIME_RESERVE_SECONDS = 60
#: The deployment's bounds on what an invocation's overrides may widen (see janitor.config.overrides).
DEFAULT_MIN_OLDER_THAN_DAYS = 7
DEFAULT_MAX_DELETIONS_CEILING = 10_000
#: Tag lookups and delete batches in flight at once. Bedrock calls are I/O-bound; 16 threads fit
#: comfortably in a 256 MB function and stay far below any published Bedrock control-plane rate.
DEFAULT_MAX_CONCURRENCY = 16
#: An AWS Region name: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5.
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"
#: An IAM role name (IAM's own pattern and length).
_ROLE_NAME_PATTERN = r"^[\w+=,.@-]{1,64}$"
#: An organization's root id or an organizational unit's id (Organizations' own patterns).
_PARENT_ID_PATTERN = r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"
_ACCOUNT_ID_PATTERN = r"^\d{12}$"
#: An S3 bucket name (S3's rules for general purpose buckets, less the rarely used dots).
_BUCKET_PATTERN = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


@dataclass(frozen=True, slots=True)
class SettingProblem:
    variable: str
    message: str
    #: The value as given, or None when the variable was missing.
    value: str | None

    def describe(self) -> str:
        got = f" (got {self.value!r})" if self.value is not None else ""
        return f"{self.variable}: {self.message}{got}"


class SettingsError(ValueError):
    """The environment holds invalid settings; the message names each variable."""

    def __init__(self, problems: list[SettingProblem]) -> None:
        self.problems = problems
        super().__init__(
            "Invalid janitor configuration in the function's environment: "
            + "; ".join(problem.describe() for problem in problems)
            + ". Fix the value in the stack's context (cdk.json or `cdk deploy -c`) and redeploy."
        )


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return frozenset(part.strip() for part in value.split(",") if part.strip())
    return value


def _parse_bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
        raise ValueError("must be 'true' or 'false'")
    return value


CsvSet = Annotated[frozenset[str], BeforeValidator(_split_csv)]


def _each_matching(pattern: str, what: str) -> AfterValidator:
    """Every member of a comma-separated set must match `pattern`; the message names the rest."""
    compiled = re.compile(pattern)

    def check(values: frozenset[str]) -> frozenset[str]:
        bad = sorted(value for value in values if not compiled.match(value))
        if bad:
            raise ValueError(f"{', '.join(bad)} is not {what}")
        return values

    return AfterValidator(check)


RegionSet = Annotated[CsvSet, _each_matching(REGION_PATTERN, "a Region name such as us-east-1")]
ParentIdSet = Annotated[
    CsvSet, _each_matching(_PARENT_ID_PATTERN, "a root id (r-...) or an OU id (ou-...-...)")
]
AccountIdSet = Annotated[CsvSet, _each_matching(_ACCOUNT_ID_PATTERN, "a 12-digit account id")]
StrictBoolText = Annotated[bool, BeforeValidator(_parse_bool)]
BucketSet = Annotated[CsvSet, _each_matching(_BUCKET_PATTERN, "an S3 bucket name")]


class Settings(BaseModel):
    """The janitor's configuration; field aliases are the environment variable names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    retention_days: int = Field(30, alias="RETENTION_DAYS", ge=1, le=36500)
    eligible_statuses: CsvSet = Field(FINISHED_STATUSES, alias="ELIGIBLE_STATUSES")
    application_types: CsvSet = Field(APPLICATION_TYPES, alias="APPLICATION_TYPES")
    retain_tag_key: str = Field(DEFAULT_RETAIN_TAG_KEY, alias="RETAIN_TAG_KEY", min_length=1, max_length=128)
    name_exclude_pattern: re.Pattern[str] | None = Field(None, alias="NAME_EXCLUDE_REGEX")
    max_deletions: int = Field(1000, alias="MAX_DELETIONS_PER_RUN", ge=1, le=1_000_000)
    dry_run: StrictBoolText = Field(False, alias="DRY_RUN")
    topic_arn: str = Field(alias="NOTIFICATION_TOPIC_ARN", pattern=r"^arn:aws[a-z-]*:sns:")
    max_concurrency: int = Field(DEFAULT_MAX_CONCURRENCY, alias="MAX_CONCURRENCY", ge=1, le=64)
    time_reserve_seconds: int = Field(
        DEFAULT_TIME_RESERVE_SECONDS, alias="TIME_RESERVE_SECONDS", ge=1, le=900
    )
    #: `batched`: tags of 100 candidates per tag:GetResources call; `perJob`: one
    #: bedrock:ListTagsForResource per candidate (for accounts where an SCP denies GetResources).
    tag_lookup: Literal["batched", "perJob"] = Field("batched", alias="TAG_LOOKUP")
    #: The lowest `olderThanDays` an invocation may ask for.
    min_older_than_days: int = Field(DEFAULT_MIN_OLDER_THAN_DAYS, alias="MIN_OLDER_THAN_DAYS", ge=1, le=36500)
    #: The highest `maxDeletions` an invocation may ask for.
    max_deletions_ceiling: int = Field(
        DEFAULT_MAX_DELETIONS_CEILING, alias="MAX_DELETIONS_CEILING", ge=1, le=1_000_000
    )
    #: The Regions an invocation's `target` may name; empty: the function's own Region only.
    target_regions: RegionSet = Field(frozenset(), alias="TARGET_REGIONS")
    #: The role the function assumes in a target account other than its own; None: it cleans
    #: only its own account.
    member_role_name: str | None = Field(None, alias="MEMBER_ROLE_NAME", pattern=_ROLE_NAME_PATTERN)

    #: The organization's root or OUs whose active accounts are cleaned (enumerated every run).
    organization_units: ParentIdSet = Field(frozenset(), alias="ORGANIZATION_UNITS")
    #: Accounts cleaned besides those under `organization_units`.
    member_accounts: AccountIdSet = Field(frozenset(), alias="MEMBER_ACCOUNTS")
    #: Accounts never cleaned, wherever they are.
    exclude_accounts: AccountIdSet = Field(frozenset(), alias="EXCLUDE_ACCOUNTS")

    #: The bucket where an organization run keeps its targets and each target's result; None:
    #: this deployment runs no organization run (`organizationRun` events are refused).
    results_bucket: str | None = Field(None, alias="RESULTS_BUCKET", pattern=_BUCKET_PATTERN)
    #: The organization run's state machine, which the coordinator starts on the schedule.
    state_machine_arn: str | None = Field(None, alias="STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:")

    #: Delete what each deleted job left in S3 (opt-in): only under `<s3Uri>/<jobName>/<jobId>/`,
    #: only in `output_buckets` (janitor.outputs.locations).
    delete_outputs: StrictBoolText = Field(False, alias="DELETE_OUTPUTS")
    #: The buckets the janitor may delete outputs from; required with DELETE_OUTPUTS.
    output_buckets: BucketSet = Field(frozenset(), alias="OUTPUT_BUCKETS")
    #: In a versioned bucket, remove every version under the prefix, not just add delete markers.
    delete_output_versions: StrictBoolText = Field(False, alias="DELETE_OUTPUT_VERSIONS")

    @field_validator("member_role_name", "results_bucket", "state_machine_arn", mode="before")
    @classmethod
    def _empty_role_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("eligible_statuses")
    @classmethod
    def _only_finished_statuses(cls, statuses: frozenset[str]) -> frozenset[str]:
        not_finished = sorted(statuses - FINISHED_STATUSES)
        if not_finished:
            raise ValueError(
                f"{', '.join(not_finished)} cannot be cleaned up: only finished jobs can be "
                f"deleted; choose from {', '.join(sorted(FINISHED_STATUSES))}"
            )
        if not statuses:
            raise ValueError("needs at least one status")
        return statuses

    @field_validator("application_types")
    @classmethod
    def _known_application_types(cls, types: frozenset[str]) -> frozenset[str]:
        unknown = sorted(types - APPLICATION_TYPES)
        if unknown or not types:
            raise ValueError(
                f"unknown application type {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(sorted(APPLICATION_TYPES))}"
            )
        return types

    @field_validator("name_exclude_pattern", mode="before")
    @classmethod
    def _compile_pattern(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return re.compile(value)
            except re.error as error:
                raise ValueError(f"is not a valid regular expression: {error}") from None
        return value

    # The bounds must admit the deployment's own settings, or no scheduled run could start.
    @field_validator("min_older_than_days")
    @classmethod
    def _floor_admits_the_retention(cls, floor: int, info: ValidationInfo) -> int:
        retention = info.data.get("retention_days")
        if retention is not None and floor > retention:
            raise ValueError(f"must not exceed RETENTION_DAYS ({retention})")
        return floor

    @field_validator("output_buckets")
    @classmethod
    def _buckets_when_deleting_outputs(cls, buckets: frozenset[str], info: ValidationInfo) -> frozenset[str]:
        if info.data.get("delete_outputs") and not buckets:
            raise ValueError(
                "is required with DELETE_OUTPUTS=true: name the buckets outputs may be deleted from"
            )
        return buckets

    @field_validator("max_deletions_ceiling")
    @classmethod
    def _ceiling_admits_the_cap(cls, ceiling: int, info: ValidationInfo) -> int:
        cap = info.data.get("max_deletions")
        if cap is not None and ceiling < cap:
            raise ValueError(f"must be at least MAX_DELETIONS_PER_RUN ({cap})")
        return ceiling

    def selection_policy(self, now: datetime) -> SelectionPolicy:
        return SelectionPolicy(
            cutoff=retention_cutoff(now, self.retention_days),
            statuses=self.eligible_statuses,
            application_types=self.application_types,
            name_exclude_pattern=self.name_exclude_pattern,
            retain_tag_key=self.retain_tag_key,
            max_deletions=self.max_deletions,
        )


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings from environment variables and the deployment file, or raise
    SettingsError naming each bad one."""
    try:
        from_file = deployment_file_settings(environ)
    except DeploymentFileError as error:
        raise SettingsError([SettingProblem(DEPLOYMENT_FILE, str(error), None)]) from None
    # Two sources of one setting would leave a reader guessing which one a run used.
    twice = sorted(name for name in from_file if name in environ)
    if twice:
        raise SettingsError(
            [
                SettingProblem(name, f"is set both in the environment and in {DEPLOYMENT_FILE}", None)
                for name in twice
            ]
        )
    names = {field.alias for field in Settings.model_fields.values() if field.alias}
    relevant = {name: value for name, value in {**environ, **from_file}.items() if name in names}
    try:
        return Settings.model_validate(relevant)
    except ValidationError as error:
        raise SettingsError(
            [
                SettingProblem(
                    variable=(variable := ".".join(str(part) for part in detail["loc"])),
                    message=detail["msg"].removeprefix("Value error, "),
                    value=relevant.get(variable),
                )
                for detail in error.errors()
            ]
        ) from None
