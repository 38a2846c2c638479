"""Bedrock's advanced prompt optimization jobs: the job, its store, its four operations, seeding.

As botocore's ``bedrock`` model (1.44.5) has them; what it leaves open, as chosen here:

- ListAdvancedPromptOptimizationJobs pages like ListEvaluationJobs: 100 jobs when maxResults is
  absent, newest first unless sortOrder says Ascending, and a nextToken that is a cursor on
  (creationTime, jobArn) valid only for the sortOrder it was issued for (emulator/tokens.py).
  It has no filters: no time, status or name filter exists in the model.
- BatchDeleteAdvancedPromptOptimizationJob answers per item exactly as BatchDeleteEvaluationJob
  does (emulator/item_errors.py: "404", the invented "409" for a job not Completed,
  PartiallyCompleted, Failed or Stopped, "500" for injected failures), but takes bare 12-character
  ids as well as ARNs and answers each item under the identifier it was given. The retain-tag
  Deny is not applied: whether IAM honours aws:ResourceTag on this action is unconfirmed.
- Bedrock's TagResource, UntagResource and ListTagsForResource serve these jobs' ARNs too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from emulator.contract import MAX_ARN_LENGTH, S3_URI_RE, SORT_BY, SORT_ORDERS
from emulator.item_errors import NOT_FINISHED
from emulator.kinds.contract import (
    PROMPT_OPTIMIZATION_ARN_RE,
    PROMPT_OPTIMIZATION_BATCH_RANGE,
    PROMPT_OPTIMIZATION_FINISHED,
    PROMPT_OPTIMIZATION_IDENTIFIER_RE,
    PROMPT_OPTIMIZATION_MAX_RESULTS,
    PROMPT_OPTIMIZATION_NAME_LENGTH,
    PROMPT_OPTIMIZATION_NAME_RE,
    PROMPT_OPTIMIZATION_STATUSES,
)
from emulator.kinds.store import KindHandler, ResourceStore, StatusChanges, delete_locked
from emulator.tokens import decode_token, encode_token
from emulator.validation import (
    batch_identifiers,
    enum_param,
    max_results_param,
    optional_str,
    parse_tags,
    require_dict,
    require_str,
)
from emulator.wire import JSON, ApiError, from_us, invalid, iso, json_body, now_us, parse_query

if TYPE_CHECKING:
    from emulator.state import EmulatorState

_FINISHED_WORDS = "Completed, PartiallyCompleted, Failed or Stopped"
_DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@dataclass
class PromptOptimizationJob(StatusChanges):
    arn: str
    job_id: str
    name: str
    status: str
    created_us: int
    modified_us: int
    tags: dict[str, str]
    input_config: dict[str, Any]
    output_config: dict[str, Any]
    model_configurations: list[dict[str, Any]]
    description: str | None = None
    encryption_key_arn: str | None = None
    # Serialized list summary, reused across pages until the job changes.
    _summary: str | None = field(default=None, repr=False)

    @property
    def ident(self) -> str:
        return self.job_id

    @property
    def key(self) -> tuple[int, str]:
        return (self.created_us, self.arn)

    def describe(self) -> dict[str, Any]:
        """GetAdvancedPromptOptimizationJob's answer."""
        out: dict[str, Any] = {"jobArn": self.arn, "jobName": self.name}
        if self.description is not None:
            out["jobDescription"] = self.description
        out |= {
            "jobStatus": self.status,
            "inputConfig": self.input_config,
            "outputConfig": self.output_config,
            "creationTime": iso(self.created_us),
            "lastModifiedTime": iso(self.modified_us),
            "modelConfigurations": self.model_configurations,
        }
        if self.encryption_key_arn is not None:
            out["encryptionKeyArn"] = self.encryption_key_arn
        if self.status in ("Failed", "PartiallyCompleted"):
            out["failureMessage"] = "Emulated failure."
        return out

    def snapshot(self) -> dict[str, Any]:
        """The description as boto3 parses it (datetimes), plus ``tags``."""
        out = self.describe()
        out["creationTime"] = from_us(self.created_us)
        out["lastModifiedTime"] = from_us(self.modified_us)
        out["tags"] = dict(self.tags)
        return out

    def summary_json(self) -> str:
        """This job's entry in jobSummaries, as JSON."""
        if self._summary is None:
            self._summary = JSON.encode(
                {
                    "jobArn": self.arn,
                    "jobName": self.name,
                    "jobStatus": self.status,
                    "creationTime": iso(self.created_us),
                    "lastModifiedTime": iso(self.modified_us),
                }
            )
        return self._summary


class PromptOptimizationStore(ResourceStore[PromptOptimizationJob]):
    noun: ClassVar[str] = "Advanced prompt optimization job"
    finished_statuses: ClassVar[frozenset[str]] = PROMPT_OPTIMIZATION_FINISHED

    def arn(self, job_id: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{self.account_id}:advanced-prompt-optimization-job/{job_id}"

    def new_job(
        self, name: str | None, status: str, created_us: int, tags: Mapping[str, str], **details: Any
    ) -> PromptOptimizationJob:
        """A job with a new id, named `name` or after its id; plausible configs unless given."""
        job_id = self.new_id()
        name = name or f"prompt-opt-{job_id}"
        return PromptOptimizationJob(
            arn=self.arn(job_id),
            job_id=job_id,
            name=name,
            status=status,
            created_us=created_us,
            modified_us=created_us,
            tags=dict(tags),
            input_config=details.pop("input_config", {"s3Uri": "s3://prompt-optimization/input.jsonl"}),
            output_config=details.pop("output_config", {"s3Uri": f"s3://prompt-optimization/{name}/"}),
            model_configurations=details.pop("model_configurations", [{"modelId": _DEFAULT_MODEL}]),
            **details,
        )


def _check_identifier(identifier: str) -> None:
    if len(identifier) > MAX_ARN_LENGTH or not PROMPT_OPTIMIZATION_IDENTIFIER_RE.fullmatch(identifier):
        raise invalid(
            "jobIdentifier",
            f"Member must satisfy regular expression pattern: {PROMPT_OPTIMIZATION_IDENTIFIER_RE.pattern}",
            identifier,
        )


def _models(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    models = data.get("modelConfigurations")
    if not isinstance(models, list) or not 1 <= len(models) <= 5:
        raise invalid("modelConfigurations", "Member must have length between 1 and 5, inclusive")
    for i, model in enumerate(models, 1):
        if not isinstance(model, dict):
            raise invalid(f"modelConfigurations.{i}.member", "Member must be a structure")
        require_str(model, "modelId", None, (0, 2048))
    return models


def create(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    data = json_body(body)
    # Members in the model's order, so the first bad one is the one reported.
    name = require_str(data, "jobName", PROMPT_OPTIMIZATION_NAME_RE, PROMPT_OPTIMIZATION_NAME_LENGTH)
    description = optional_str(data, "jobDescription", None, (1, 500))
    token = optional_str(data, "clientToken", None, (1, 256))
    input_config = require_dict(data, "inputConfig")
    require_str(input_config, "s3Uri", S3_URI_RE, (1, 1024))
    output_config = require_dict(data, "outputConfig")
    if not require_str(output_config, "s3Uri", S3_URI_RE, (1, 1024)).endswith("/"):
        raise invalid("outputConfig.s3Uri", "Member must end with '/'")
    key_arn = optional_str(data, "encryptionKeyArn", None, (1, 2048))
    tags = parse_tags(data.get("tags") or [], "tags")
    models = _models(data)
    with state.lock:
        store = state.stores.prompt_optimization
        store.purge()
        # Same token, same job: what the service does for a retried create.
        existing = store.arn_for_token(token) if token is not None else None
        if existing is not None:
            return JSON.encode({"jobArn": existing})
        if store.name_taken(name):
            raise ApiError(
                "ConflictException", f"An advanced prompt optimization job named {name} already exists."
            )
        job = store.new_job(
            name,
            "InProgress",
            now_us(),
            tags,
            input_config=input_config,
            output_config=output_config,
            model_configurations=models,
            description=description,
            encryption_key_arn=key_arn,
        )
        store.insert(job, seeded=False)
        if token is not None:
            store.remember_token(token, job.arn)
        return JSON.encode({"jobArn": job.arn})


def get(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    identifier = label or ""
    _check_identifier(identifier)
    with state.lock:
        return JSON.encode(state.stores.prompt_optimization.existing(identifier).describe())


def list_jobs(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    params = parse_query(query)
    enum_param(params, "sortBy", SORT_BY)
    descending = (enum_param(params, "sortOrder", SORT_ORDERS) or "Descending") == "Descending"
    max_results = max_results_param(params, PROMPT_OPTIMIZATION_MAX_RESULTS)
    token = params.get("nextToken")
    cursor = decode_token(token, descending, PROMPT_OPTIMIZATION_ARN_RE) if token is not None else None
    with state.lock:
        store = state.stores.prompt_optimization
        store.purge()
        page, last, more = store.page(cursor=cursor, descending=descending, max_results=max_results)
    out = '{"jobSummaries":[' + ",".join(page) + "]"
    if more and last is not None:
        out += ',"nextToken":' + JSON.encode(encode_token(last, descending))
    return out + "}"


def batch_delete(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    identifiers = batch_identifiers(
        json_body(body), PROMPT_OPTIMIZATION_IDENTIFIER_RE, PROMPT_OPTIMIZATION_BATCH_RANGE
    )
    accepted: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    with state.lock:
        store = state.stores.prompt_optimization
        store.purge()
        # A repeated identifier is answered once, at its first position.
        for identifier in dict.fromkeys(identifiers):
            error = delete_locked(
                state,
                store,
                identifier,
                "BatchDeleteAdvancedPromptOptimizationJob",
                NOT_FINISHED,
                _FINISHED_WORDS,
            )
            if error is not None:
                errors.append(error)
            else:
                accepted.append({"jobIdentifier": identifier, "jobStatus": "Deleting"})
    return JSON.encode({"errors": errors, "advancedPromptOptimizationJobs": accepted})


HANDLERS: dict[str, KindHandler] = {
    "CreateAdvancedPromptOptimizationJob": create,
    "GetAdvancedPromptOptimizationJob": get,
    "ListAdvancedPromptOptimizationJobs": list_jobs,
    "BatchDeleteAdvancedPromptOptimizationJob": batch_delete,
}


def seed(
    store: PromptOptimizationStore,
    name: str | None,
    status: str,
    created_us: int,
    tags: Mapping[str, str] | None,
) -> str:
    """BedrockEmulator.add_prompt_optimization_job: inserted directly, no request counted; its
    ARN. The caller holds the state's lock."""
    if status not in PROMPT_OPTIMIZATION_STATUSES:
        raise ValueError(f"status must be one of {PROMPT_OPTIMIZATION_STATUSES}")
    if name is not None and not (
        PROMPT_OPTIMIZATION_NAME_RE.fullmatch(name) and len(name) <= PROMPT_OPTIMIZATION_NAME_LENGTH[1]
    ):
        raise ValueError(f"job name {name!r} does not match {PROMPT_OPTIMIZATION_NAME_RE.pattern}")
    job = store.new_job(name, status, created_us, tags or {})
    if store.name_taken(job.name):
        raise ValueError(f"a job named {job.name!r} already exists")
    # Seeded tags stand for tags set long ago: the tagging API's index has them at once.
    store.insert(job, seeded=True)
    return job.arn
