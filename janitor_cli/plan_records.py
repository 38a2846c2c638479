"""The plan file's shape (janitor_cli.plan_file): every key required, nothing else allowed, no
type coerced; each planned item names its kind, and its ARN must be one of that kind's."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from janitor.config.naming import context_key
from janitor.core.kind import Kind
from janitor.kinds import KINDS
from janitor.kinds.evaluation_jobs import EVALUATION_JOBS

_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")


def a_noun(kind: Kind) -> str:
    """`an evaluation job`, `a batch evaluation`."""
    return f"{'an' if kind.noun[0] in 'aeiou' else 'a'} {kind.noun}"


def _aware_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time text")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone (a plan's times are UTC: ...+00:00)")
    return parsed


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


AwareTime = Annotated[datetime, BeforeValidator(_aware_time)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class JobRecord(_Strict):
    """One planned resource. `kind` comes first, so the ARN is checked against its kind."""

    kind: str
    job_arn: str = Field(alias="jobArn")
    job_name: str = Field(alias="jobName")
    status: str
    creation_time: AwareTime = Field(alias="creationTime")
    #: An evaluation job's ModelEvaluation or RagEvaluation; null for every other kind.
    application_type: str | None = Field(alias="applicationType")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"{kind!r} is not a kind of leftover; the kinds are {', '.join(KINDS)}")
        return kind

    @field_validator("job_arn")
    @classmethod
    def _arn_of_its_kind(cls, arn: str, info: ValidationInfo) -> str:
        kind = KINDS.get(info.data.get("kind", ""))
        if kind is not None and not kind.arn_pattern.fullmatch(arn):
            raise ValueError(f"{arn!r} is not {a_noun(kind)}'s ARN")
        return arn

    @model_validator(mode="after")
    def _application_type_of_its_kind(self) -> JobRecord:
        # An evaluation job without one would pass every application-type setting.
        if (self.kind == EVALUATION_JOBS.name) != (self.application_type is not None):
            has = "needs" if self.kind == EVALUATION_JOBS.name else "has no"
            raise ValueError(f"applicationType: {a_noun(KINDS[self.kind])} {has} application type")
        return self


class SettingsRecord(_Strict):
    """The settings a plan was made with, named as the settings are (janitor.config.naming)."""

    model_config = ConfigDict(alias_generator=context_key)

    kinds: list[str]
    older_than_days: int
    max_deletions: int
    name_exclude_regex: str | None
    application_types: list[str]
    eligible_statuses: list[str]
    retain_tag_key: str


class TargetRecord(_Strict):
    account_id: Annotated[str, _matching(_ACCOUNT, "a 12-digit account id")] = Field(alias="accountId")
    region: Annotated[str, _matching(_REGION, "a Region name such as us-east-1")]
    profile: str | None
    jobs: list[JobRecord]


class PlanRecord(_Strict):
    kind: str
    version: int
    created_at: AwareTime = Field(alias="createdAt")
    settings: SettingsRecord
    targets: list[TargetRecord]
    digest: str


def first_problem(error: ValidationError) -> str:
    """The first problem pydantic found, where it is in the file: `targets[0].jobs[1].jobArn: ...`."""
    problems: list[Any] = error.errors()
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in problems[0]["loc"])
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where.lstrip('.') or 'the plan'}: {problems[0]['msg'].removeprefix('Value error, ')}{more}"
