"""The Bedrock evaluation-job operations: one function per operation, over the emulator's state.

Each takes the validated request parts and returns the JSON body of the success response, or
raises ApiError for the service's error shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emulator.contract import MAX_ARN_LENGTH
from emulator.item_errors import ACCESS_DENIED, EVALUATION_JOBS_FINISHED, NOT_FINISHED
from emulator.jobs import DEFAULT_MODEL, Job, check_seed, default_configs
from emulator.kinds.store import ResourceStore, Stored, delete_locked
from emulator.state import EmulatorState
from emulator.tokens import encode_token
from emulator.validation import (
    CreateRequest,
    ListQuery,
    batch_identifiers,
    check_identifier,
    parse_tags,
    require_str,
)
from emulator.wire import JSON, ApiError, invalid, now_us


def create(state: EmulatorState, data: Mapping[str, Any]) -> str:
    request = CreateRequest.parse(data)
    with state.lock:
        store = state.store
        store.purge()
        # Same token, same job: what the service does for a retried create.
        if request.client_token is not None:
            existing = store.arn_for_token(request.client_token)
            if existing is not None:
                return JSON.encode({"jobArn": existing})
        if store.name_taken(request.name):
            raise ApiError("ConflictException", f"An evaluation job named {request.name} already exists.")
        job_id = store.new_id()
        now = now_us()
        job = Job(
            arn=store.arn(job_id),
            job_id=job_id,
            name=request.name,
            status="InProgress",
            created_us=now,
            modified_us=now,
            role_arn=request.role_arn,
            job_type="Human" if request.evaluation_config.get("human") is not None else "Automated",
            application_type=request.application_type,
            evaluation_config=request.evaluation_config,
            inference_config=request.inference_config,
            output_data_config=request.output_data_config,
            tags=request.tags,
            description=request.description,
            kms_key_id=request.kms_key_id,
        )
        store.insert(job, seeded=False)
        if request.client_token is not None:
            store.remember_token(request.client_token, job.arn)
        return JSON.encode({"jobArn": job.arn})


def get(state: EmulatorState, identifier: str) -> str:
    check_identifier(identifier)
    with state.lock:
        return JSON.encode(state.store.existing(identifier).describe())


def stop(state: EmulatorState, identifier: str) -> str:
    check_identifier(identifier)
    with state.lock:
        job = state.store.existing(identifier)
        if job.status not in ("InProgress", "Stopping"):
            raise ApiError(
                "ConflictException", f"Evaluation job {job.arn} is {job.status} and cannot be stopped."
            )
        # InProgress -> Stopping -> Stopped happens at once: no emulated inference to wind down.
        job.set_status("Stopped")
        return "{}"


def list_jobs(state: EmulatorState, params: Mapping[str, str]) -> str:
    query = ListQuery.parse(params)
    with state.lock:
        state.store.purge()
        page, last, more = state.store.page_jobs(query)
        if query.cursor is None:
            page = state.malformed_summaries + page
    out = '{"jobSummaries":[' + ",".join(page) + "]"
    if more and last is not None:
        out += ',"nextToken":' + JSON.encode(encode_token(last, query.descending))
    return out + "}"


def batch_delete(state: EmulatorState, data: Mapping[str, Any]) -> str:
    identifiers = batch_identifiers(data)
    accepted: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    with state.lock:
        state.store.purge()
        _check_retain_deny_locked(state, identifiers)
        # A repeated ARN is answered once, at its first position.
        for arn in dict.fromkeys(identifiers):
            error = _delete_item_locked(state, arn)
            if error is not None:
                errors.append(error)
            else:
                accepted.append({"jobIdentifier": arn, "jobStatus": "Deleting"})
    return JSON.encode({"errors": errors, "evaluationJobs": accepted})


def _check_retain_deny_locked(state: EmulatorState, identifiers: list[str]) -> None:
    """In mode "call", IAM refuses the whole request if it names a job the Deny covers."""
    deny = state.retain_tag_deny
    if deny is None or deny.mode != "call":
        return
    for arn in identifiers:
        job = state.store.jobs.get(arn)
        # IAM reads the job's true tags, not the tagging API's lagging index.
        if job is not None and deny.denies(job.tags):
            state.fault_counts["BatchDeleteEvaluationJob"] += 1
            raise ApiError("AccessDeniedException", deny.message(state.account_id, arn), 403)


def _delete_item_locked(state: EmulatorState, arn: str) -> dict[str, str] | None:
    """The per-item error for `arn`, or None once the job is (or already was) Deleting."""
    job = state.store.jobs.get(arn)
    deny = state.retain_tag_deny
    # IAM decides before Bedrock acts on the item, so the Deny precedes every other answer.
    if deny is not None and deny.mode == "item" and job is not None and deny.denies(job.tags):
        state.fault_counts["BatchDeleteEvaluationJob"] += 1
        return ACCESS_DENIED.entry(arn, account_id=state.account_id)
    return delete_locked(
        state, state.store, arn, "BatchDeleteEvaluationJob", NOT_FINISHED, EVALUATION_JOBS_FINISHED
    )


def _tagged_locked(state: EmulatorState, data: Mapping[str, Any]) -> tuple[ResourceStore[Any], Stored]:
    """The resource a tagging request names: an evaluation job or a prompt optimization job, both
    Bedrock resources; and its store."""
    arn = require_str(data, "resourceARN", None, (20, MAX_ARN_LENGTH))
    stores: tuple[ResourceStore[Any], ...] = (state.store, state.stores.prompt_optimization)
    for store in stores:
        store.purge()
        found = store.resources.get(arn)
        if found is not None:
            return store, found
    raise ApiError("ResourceNotFoundException", f"Resource {arn} not found.")


def tag(state: EmulatorState, data: Mapping[str, Any]) -> str:
    if data.get("tags") is None:
        raise invalid("tags", "Member must not be null")
    tags = parse_tags(data["tags"], "tags")
    with state.lock:
        store, found = _tagged_locked(state, data)
        store.set_tags(found, {**found.tags, **tags})
    return "{}"


def untag(state: EmulatorState, data: Mapping[str, Any]) -> str:
    keys = data.get("tagKeys")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise invalid("tagKeys", "Member must be a list of strings")
    with state.lock:
        store, found = _tagged_locked(state, data)
        store.set_tags(found, {k: v for k, v in found.tags.items() if k not in keys})
    return "{}"


def list_tags(state: EmulatorState, data: Mapping[str, Any]) -> str:
    with state.lock:
        tags = [{"key": k, "value": v} for k, v in _tagged_locked(state, data)[1].tags.items()]
    return JSON.encode({"tags": tags})


def seed_job(
    state: EmulatorState,
    name: str | None,
    status: str,
    created_us: int,
    *,
    application_type: str,
    job_type: str,
    tags: Mapping[str, str] | None,
    modified_us: int | None,
    model_identifiers: Sequence[str] | None,
    task_types: Sequence[str] | None,
    description: str | None,
    output_s3_uri: str | None = None,
) -> str:
    """BedrockEmulator.add_job: a job inserted directly, no request counted; its ARN."""
    check_seed(name, status, application_type, job_type)
    with state.lock:
        store = state.store
        job_id = store.new_id()
        job_name = name or f"eval-job-{job_id}"
        if store.name_taken(job_name):
            raise ValueError(f"a job named {job_name!r} already exists")
        models, tasks = model_identifiers or [DEFAULT_MODEL], task_types or ["Generation"]
        evaluation, inference, output = default_configs(job_type, application_type, models, tasks, job_name)
        if output_s3_uri is not None:
            output = {"s3Uri": output_s3_uri}
        job = Job(
            arn=store.arn(job_id),
            job_id=job_id,
            name=job_name,
            status=status,
            created_us=created_us,
            modified_us=created_us if modified_us is None else modified_us,
            role_arn=f"arn:aws:iam::{state.account_id}:role/BedrockEvaluationRole",
            job_type=job_type,
            application_type=application_type,
            evaluation_config=evaluation,
            inference_config=inference,
            output_data_config=output,
            tags=dict(tags or {}),
            description=description,
        )
        # Seeded tags stand for tags set long ago: the tagging API's index has them at once.
        store.insert(job, seeded=True)
        return job.arn
