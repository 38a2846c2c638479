"""The janitor's settings: each declared once, as a field of Settings (type, default, bounds,
description), and named after that field wherever it is written (janitor.config.naming).

The function reads them from its environment once, at cold start; the stack validates its
context with the same model before it synthesizes anything, and the command line its options.
A bad value fails with a message naming the setting as it was written there and saying what it
accepts, so the problem shows up before anything is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from janitor.config.naming import Style, setting_name
from janitor.config.setting_errors import SettingProblem, SettingsError
from janitor.config.setting_types import (
    BUCKET_PATTERN,
    ROLE_NAME_PATTERN,
    AccountIdSet,
    BucketSet,
    CsvSet,
    Days,
    Deletions,
    ParentIdSet,
    RegionSet,
    StrictBoolText,
)
from janitor.core.kind import Kind
from janitor.core.selection import SelectionPolicy, retention_cutoff
from janitor.kinds import DEFAULT_KINDS, KINDS
from janitor.kinds.evaluation_jobs import APPLICATION_TYPES, EVALUATION_JOBS, FINISHED_STATUSES

DEFAULT_RETAIN_TAG_KEY = "janitor:retain"
#: Tag lookups and delete batches in flight at once. Bedrock calls are I/O-bound; 16 threads fit
#: comfortably in a 256 MB function and stay far below any published Bedrock control-plane rate.
DEFAULT_MAX_CONCURRENCY = 16
#: Setting -> the name it had before (as a field name, so every case style is derived). The old
#: context key still works, with a warning at synth; the old variable fails the cold start, since
#: a function reading only the new one would silently fall back to the default.
RENAMED = {"older_than_days": "retention_days", "max_deletions": "max_deletions_per_run"}
#: Settings the stack sets from what it creates (the topic, the results bucket, the state
#: machine), never a person: they have no context key.
WIRED_BY_THE_STACK = frozenset({"notification_topic_arn", "results_bucket", "state_machine_arn"})


def _named(info: ValidationInfo, field: str) -> str:
    """Another setting, named as the settings being validated were written."""
    context = info.context or {}
    return str(context.get("written_as", {}).get(field) or setting_name(field, context.get("style", "field")))


class Settings(BaseModel):
    """The janitor's configuration, one field per setting, keyed by the field's name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: CsvSet = Field(
        DEFAULT_KINDS,
        description="Which leftovers to clean: evaluationJobs, promptOptimizationJobs, batchEvaluations; the role may act on these only.",
    )
    older_than_days: Days = Field(
        30, description="A job is old when its creation time is more than this many days ago."
    )
    eligible_statuses: CsvSet = Field(
        FINISHED_STATUSES,
        description="A subset of Completed, Failed and Stopped; a status of an unfinished job is refused and never deleted.",
    )
    application_types: CsvSet = Field(
        APPLICATION_TYPES,
        description="Which evaluation jobs to clean: ModelEvaluation, RagEvaluation or both.",
    )
    retain_tag_key: str = Field(
        DEFAULT_RETAIN_TAG_KEY,
        min_length=1,
        max_length=128,
        description="A job tagged with this key and the value true (any case) is never deleted; also the IAM Deny's condition key.",
    )
    name_exclude_regex: re.Pattern[str] | None = Field(
        None,
        description="A Python regular expression searched in each job's name; a job that matches is kept, e.g. ^keep-|golden.",
    )
    max_deletions: Deletions = Field(
        1000, description="At most this many deletions a run, oldest first; the rest waits for the next run."
    )
    dry_run: StrictBoolText = Field(
        False, description="true: every scheduled run selects and reports, but deletes nothing."
    )
    notification_topic_arn: str = Field(pattern=r"^arn:aws[a-z-]*:sns:", description="Set by the stack.")
    max_concurrency: int = Field(
        DEFAULT_MAX_CONCURRENCY, ge=1, le=64, description="Tag lookups and delete calls in flight at once."
    )
    time_reserve_seconds: int = Field(
        60,
        ge=1,
        le=900,
        description="No new batch starts with less time than this left, so the report still fits.",
    )
    tag_lookup: Literal["batched", "perJob"] = Field(
        "batched",
        description="batched: tag:GetResources, 100 jobs a call; perJob: one "
        "bedrock:ListTagsForResource per job (where an SCP denies GetResources).",
    )
    min_older_than_days: Days = Field(
        7, description="The lowest olderThanDays an invocation may ask for; at most olderThanDays."
    )
    max_deletions_ceiling: Deletions = Field(
        10_000, description="The highest maxDeletions an invocation may ask for; at least maxDeletions."
    )
    target_regions: RegionSet = Field(
        frozenset(),
        description="The Regions an invocation's target may name and an organization run cleans; set, the schedule starts the organization run; empty: the function's own Region.",
    )
    member_role_name: str | None = Field(
        None,
        pattern=ROLE_NAME_PATTERN,
        description="The role assumed in member accounts, deployed there by the StackSet; only with organizationUnits or memberAccounts (default BedrockEvaluationJanitorMember).",
    )
    organization_units: ParentIdSet = Field(
        frozenset(),
        description="Root or OU ids whose active accounts (nested OUs included) are cleaned; the StackSet deploys the member role to them.",
    )
    member_accounts: AccountIdSet = Field(
        frozenset(), description="Accounts cleaned besides those under organizationUnits."
    )
    exclude_accounts: AccountIdSet = Field(
        frozenset(), description="Accounts never cleaned and never given the member role."
    )
    results_bucket: str | None = Field(None, pattern=BUCKET_PATTERN, description="Set by the stack.")
    state_machine_arn: str | None = Field(
        None, pattern=r"^arn:aws[a-z-]*:states:", description="Set by the stack."
    )
    delete_outputs: StrictBoolText = Field(
        False, description="true: delete each deleted job's S3 outputs too, only in outputBuckets."
    )
    output_buckets: BucketSet = Field(
        frozenset(), description="The only buckets outputs may be deleted from; required with deleteOutputs."
    )
    delete_output_versions: StrictBoolText = Field(
        False, description="In a versioned bucket, remove every version under a job's prefix."
    )

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

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: frozenset[str]) -> frozenset[str]:
        unknown = sorted(kinds - KINDS.keys())
        if unknown or not kinds:
            raise ValueError(
                f"unknown kind {', '.join(unknown) or '(none given)'}; choose from {', '.join(KINDS)}"
            )
        return kinds

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

    @field_validator("name_exclude_regex", mode="before")
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
        retention = info.data.get("older_than_days")
        if retention is not None and floor > retention:
            raise ValueError(f"must not exceed {_named(info, 'older_than_days')} ({retention})")
        return floor

    @field_validator("output_buckets")
    @classmethod
    def _buckets_when_deleting_outputs(cls, buckets: frozenset[str], info: ValidationInfo) -> frozenset[str]:
        deleting = info.data.get("delete_outputs")
        if deleting and not buckets:
            raise ValueError(
                f"is required with {_named(info, 'delete_outputs')}=true: name the buckets outputs "
                "may be deleted from"
            )
        if buckets and deleting is False:
            raise ValueError(
                f"means nothing without {_named(info, 'delete_outputs')}=true: set both, or neither"
            )
        return buckets

    @field_validator("delete_output_versions")
    @classmethod
    def _versions_only_when_deleting_outputs(cls, versions: bool, info: ValidationInfo) -> bool:
        if versions and info.data.get("delete_outputs") is False:
            raise ValueError(
                f"means nothing without {_named(info, 'delete_outputs')}=true: set both, or neither"
            )
        return versions

    @field_validator("max_deletions_ceiling")
    @classmethod
    def _ceiling_admits_the_cap(cls, ceiling: int, info: ValidationInfo) -> int:
        cap = info.data.get("max_deletions")
        if cap is not None and ceiling < cap:
            raise ValueError(f"must be at least {_named(info, 'max_deletions')} ({cap})")
        return ceiling

    @property
    def enabled_kinds(self) -> list[Kind]:
        """The kinds this deployment cleans, in the order a run cleans them."""
        return [kind for name, kind in KINDS.items() if name in self.kinds]

    def selection_policy(self, now: datetime, kind: Kind = EVALUATION_JOBS) -> SelectionPolicy:
        return SelectionPolicy(
            kind=kind,
            cutoff=retention_cutoff(now, self.older_than_days),
            # eligibleStatuses narrows evaluation jobs; another kind's finished states are its own.
            statuses=self.eligible_statuses if kind is EVALUATION_JOBS else kind.finished_statuses,
            application_types=self.application_types,
            name_exclude_pattern=self.name_exclude_regex,
            retain_tag_key=self.retain_tag_key,
            max_deletions=self.max_deletions,
        )


def settings_from(
    values: Mapping[str, str], style: Style, written_as: Mapping[str, str] | None = None
) -> Settings:
    """The settings for `values` (field name -> text), or SettingsError naming each bad one as the
    person wrote it: in `style`, or by the name `written_as` gives the field (an old key)."""
    names = dict(written_as or {})
    try:
        return Settings.model_validate(values, context={"style": style, "written_as": names})
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            field = str(detail["loc"][0]) if detail["loc"] else ""
            message = "is not a setting" if detail["type"] == "extra_forbidden" else detail["msg"]
            problems.append(
                SettingProblem(
                    name=names.get(field) or setting_name(field, style),
                    message=message.removeprefix("Value error, "),
                    value=values.get(field),
                )
            )
        raise SettingsError(problems) from None
