"""Request validation: the model's constraints, answered with the service's ValidationException."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator.contract import (
    APPLICATION_TYPES,
    BATCH_DELETE_RANGE,
    JOB_ARN_RE,
    JOB_ID_RE,
    JOB_NAME_RE,
    JOB_STATUSES,
    MAX_ARN_LENGTH,
    MAX_RESULTS_RANGE,
    MAX_TAGS,
    ROLE_ARN_RE,
    S3_URI_RE,
    SORT_BY,
    SORT_ORDERS,
    TAG_RE,
)
from emulator.jobs import Job
from emulator.tokens import decode_token
from emulator.wire import invalid, parse_time

# The model gives no default page size; 100 keeps an unbounded call cheap and still
# exercises pagination for callers that forget to pass maxResults.
DEFAULT_MAX_RESULTS = 100


def require_dict(body: Mapping[str, Any], member: str) -> dict[str, Any]:
    value = body.get(member)
    if value is None:
        raise invalid(member, "Member must not be null")
    if not isinstance(value, dict):
        raise invalid(member, "Member must be a structure")
    return value


def require_union(body: Mapping[str, Any], member: str, options: Sequence[str]) -> dict[str, Any]:
    value = require_dict(body, member)
    chosen = [k for k in options if value.get(k) is not None]
    if len(chosen) != 1:
        raise invalid(member, f"Member must set exactly one of {', '.join(options)}")
    return value


def optional_str(
    body: Mapping[str, Any],
    member: str,
    pattern: re.Pattern[str] | None = None,
    length: tuple[int, int] = (0, 1 << 20),
) -> str | None:
    value = body.get(member)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(member, "Member must be a string")
    if not length[0] <= len(value) <= length[1]:
        raise invalid(
            member,
            f"Member must have length between {length[0]} and {length[1]}, inclusive",
            value,
        )
    if pattern is not None and not pattern.fullmatch(value):
        raise invalid(member, f"Member must satisfy regular expression pattern: {pattern.pattern}", value)
    return value


def require_str(
    body: Mapping[str, Any],
    member: str,
    pattern: re.Pattern[str] | None = None,
    length: tuple[int, int] = (0, 1 << 20),
) -> str:
    value = optional_str(body, member, pattern, length)
    if value is None:
        raise invalid(member, "Member must not be null")
    return value


def parse_tags(value: object, member: str) -> dict[str, str]:
    if not isinstance(value, list):
        raise invalid(member, "Member must be a list")
    if len(value) > MAX_TAGS:
        raise invalid(member, f"Member must have length less than or equal to {MAX_TAGS}")
    tags: dict[str, str] = {}
    for i, tag in enumerate(value, 1):
        if not isinstance(tag, dict):
            raise invalid(f"{member}.{i}.member", "Member must be a structure")
        tags[require_str(tag, "key", TAG_RE, (1, 128))] = require_str(tag, "value", TAG_RE, (0, 256))
    return tags


def _validate_dataset_metrics(evaluation_config: Mapping[str, Any]) -> None:
    kind = "automated" if evaluation_config.get("automated") is not None else "human"
    inner = evaluation_config[kind]
    prefix = f"evaluationConfig.{kind}.datasetMetricConfigs"
    if not isinstance(inner, dict):
        raise invalid(f"evaluationConfig.{kind}", "Member must be a structure")
    configs = inner.get("datasetMetricConfigs")
    if not isinstance(configs, list) or not 1 <= len(configs) <= 5:
        raise invalid(prefix, "Member must have length between 1 and 5, inclusive")
    for i, cfg in enumerate(configs, 1):
        if not isinstance(cfg, dict):
            raise invalid(f"{prefix}.{i}.member", "Member must be a structure")
        for required in ("taskType", "dataset", "metricNames"):
            if cfg.get(required) is None:
                raise invalid(f"{prefix}.{i}.member.{required}", "Member must not be null")


def check_identifier(identifier: str) -> None:
    """A jobIdentifier label: an evaluation-job ARN or its bare 12-character id."""
    if len(identifier) > MAX_ARN_LENGTH or not (
        JOB_ARN_RE.fullmatch(identifier) or JOB_ID_RE.fullmatch(identifier)
    ):
        raise invalid(
            "jobIdentifier",
            f"Member must satisfy regular expression pattern: {JOB_ARN_RE.pattern}",
            identifier,
        )


def batch_identifiers(
    data: Mapping[str, Any],
    pattern: re.Pattern[str] = JOB_ARN_RE,
    bounds: tuple[int, int] = BATCH_DELETE_RANGE,
) -> list[str]:
    """A batch delete's jobIdentifiers (evaluation-job ARNs unless `pattern` says otherwise); one
    bad identifier rejects the whole request."""
    identifiers = data.get("jobIdentifiers")
    lo, hi = bounds
    if not isinstance(identifiers, list) or not lo <= len(identifiers) <= hi:
        raise invalid("jobIdentifiers", f"Member must have length between {lo} and {hi}, inclusive")
    for i, arn in enumerate(identifiers, 1):
        if not isinstance(arn, str) or len(arn) > MAX_ARN_LENGTH or not pattern.fullmatch(arn):
            raise invalid(
                f"jobIdentifiers.{i}.member",
                f"Member must satisfy regular expression pattern: ^({pattern.pattern})$",
                arn,
            )
    return identifiers


@dataclass(frozen=True)
class CreateRequest:
    name: str
    role_arn: str
    description: str | None
    kms_key_id: str | None
    client_token: str | None
    application_type: str
    evaluation_config: dict[str, Any]
    inference_config: dict[str, Any]
    output_data_config: dict[str, Any]
    tags: dict[str, str]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> CreateRequest:
        # Members are checked in the model's order, so the first bad one is the one reported.
        name = require_str(data, "jobName", JOB_NAME_RE, (1, 63))
        role_arn = require_str(data, "roleArn", ROLE_ARN_RE, (0, 2048))
        description = optional_str(data, "jobDescription", None, (1, 200))
        kms_key_id = optional_str(data, "customerEncryptionKeyId", None, (1, 2048))
        client_token = optional_str(data, "clientRequestToken", None, (1, 256))
        app_type = data.get("applicationType") or "ModelEvaluation"
        if app_type not in APPLICATION_TYPES:
            allowed = ", ".join(APPLICATION_TYPES)
            raise invalid("applicationType", f"Member must satisfy enum value set: [{allowed}]", app_type)
        evaluation = require_union(data, "evaluationConfig", ("automated", "human"))
        _validate_dataset_metrics(evaluation)
        inference = require_union(data, "inferenceConfig", ("models", "ragConfigs"))
        output = require_dict(data, "outputDataConfig")
        require_str(output, "s3Uri", S3_URI_RE, (1, 1024))
        return cls(
            name=name,
            role_arn=role_arn,
            description=description,
            kms_key_id=kms_key_id,
            client_token=client_token,
            application_type=app_type,
            evaluation_config=evaluation,
            inference_config=inference,
            output_data_config=output,
            tags=parse_tags(data.get("jobTags") or [], "jobTags"),
        )


def enum_param(params: Mapping[str, str], member: str, allowed: Sequence[str]) -> str | None:
    value = params.get(member)
    if value is not None and value not in allowed:
        raise invalid(member, f"Member must satisfy enum value set: [{', '.join(allowed)}]", value)
    return value


def max_results_param(
    params: Mapping[str, str],
    bounds: tuple[int, int] = MAX_RESULTS_RANGE,
    default: int = DEFAULT_MAX_RESULTS,
) -> int:
    """The maxResults query parameter, within `bounds`."""
    if "maxResults" not in params:
        return default
    try:
        max_results = int(params["maxResults"])
    except ValueError:
        raise invalid("maxResults", "Member must be an integer", params["maxResults"]) from None
    lo, hi = bounds
    if not lo <= max_results <= hi:
        raise invalid("maxResults", f"Member must have value between {lo} and {hi}, inclusive", max_results)
    return max_results


@dataclass(frozen=True)
class ListQuery:
    after_us: int | None
    before_us: int | None
    status: str | None
    application_type: str | None
    name_contains: str | None
    descending: bool
    max_results: int
    cursor: tuple[int, str] | None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> ListQuery:
        after = params.get("creationTimeAfter")
        before = params.get("creationTimeBefore")
        enum_param(params, "sortBy", SORT_BY)
        descending = (enum_param(params, "sortOrder", SORT_ORDERS) or "Descending") == "Descending"
        return cls(
            after_us=parse_time(after, "creationTimeAfter") if after is not None else None,
            before_us=parse_time(before, "creationTimeBefore") if before is not None else None,
            status=enum_param(params, "statusEquals", JOB_STATUSES),
            application_type=enum_param(params, "applicationTypeEquals", APPLICATION_TYPES),
            name_contains=optional_str(params, "nameContains", JOB_NAME_RE, (1, 63)),
            descending=descending,
            max_results=max_results_param(params),
            cursor=decode_token(params["nextToken"], descending) if "nextToken" in params else None,
        )

    def matches(self, job: Job) -> bool:
        return (
            (self.status is None or job.status == self.status)
            and (self.application_type is None or job.application_type == self.application_type)
            and (self.name_contains is None or self.name_contains in job.name)
        )
