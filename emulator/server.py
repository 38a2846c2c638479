"""A local Amazon Bedrock emulator for evaluation jobs, speaking botocore's rest-json wire format.

This module holds the public class; the rest is split by concern:
contract (what botocore's model says), wire (error shape, JSON, timestamps), jobs (a job and
its response shapes), validation, tokens (nextToken), item_errors (BatchDelete's per-item
codes and their sources), faults, store and state (the jobs and counters), operations (one
function per Bedrock operation), transport (HTTP) and admin (the /_emulator/ routes).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from emulator import operations as ops
from emulator.admin import serve_admin
from emulator.contract import OPERATIONS
from emulator.faults import FaultConfig
from emulator.item_errors import INJECTED
from emulator.jobs import DEFAULT_MODEL, Job, check_seed, default_configs
from emulator.state import EmulatorState
from emulator.transport import HttpService, json_body, parse_query
from emulator.transport import route as _route
from emulator.wire import JSON, ApiError, now_us, to_us

__all__ = ["DEFAULT_DELETING_SECONDS", "OPERATIONS", "ApiError", "BedrockEmulator", "FaultConfig", "_route"]

#: How long a job accepted by BatchDeleteEvaluationJob stays listed as Deleting. AWS documents
#: no duration for the Deleting state, only that it exists (EvaluationJobStatus) and that the
#: batch delete answers with it (HTTP 202, jobStatus "Deleting"): the deletion is asynchronous.
#: 60 s is long enough that a run, and a test that lists right after deleting, sees what real
#: callers see: deleted jobs still listed, as Deleting.
DEFAULT_DELETING_SECONDS = 60.0

_BODY_OPERATIONS = {
    "CreateEvaluationJob": ops.create,
    "BatchDeleteEvaluationJob": ops.batch_delete,
    "TagResource": ops.tag,
    "UntagResource": ops.untag,
    "ListTagsForResource": ops.list_tags,
}
_LABEL_OPERATIONS = {"GetEvaluationJob": ops.get, "StopEvaluationJob": ops.stop}


class BedrockEmulator(HttpService):
    """Bedrock evaluation-job API on 127.0.0.1, with seeded fault injection and counters."""

    def __init__(
        self,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        seed: int = 0,
        deleting_seconds: float = DEFAULT_DELETING_SECONDS,
        *,
        port: int = 0,
        faults: FaultConfig | None = None,
    ) -> None:
        super().__init__(port)
        self.region = region
        self.account_id = account_id
        self._state = EmulatorState(region, account_id, seed, deleting_seconds, faults or FaultConfig())

    @property
    def deleting_seconds(self) -> float:
        return self._state.deleting_seconds

    @deleting_seconds.setter
    def deleting_seconds(self, seconds: float) -> None:
        with self._state.lock:
            self._state.deleting_seconds = seconds

    @property
    def faults(self) -> FaultConfig:
        return self._state.faults

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._state.set_faults(config)

    def fail_item(self, arn: str, code: str = INJECTED.code, message: str = INJECTED.message) -> None:
        """Every BatchDeleteEvaluationJob answers `arn` with this per-item error until cleared."""
        with self._state.lock:
            self._state.item_failures[arn] = (code, message)

    def clear_item_failures(self) -> None:
        with self._state.lock:
            self._state.item_failures.clear()

    def add_malformed_summary(self, summary: Mapping[str, Any]) -> None:
        """Serve `summary` as-is (whatever is wrong with it) at the start of every first list page.

        Stands in for a service-side bug or a model change: the janitor must skip such entries.
        """
        with self._state.lock:
            self._state.malformed_summaries.append(JSON.encode(dict(summary)))

    def request_counts(self) -> dict[str, int]:
        with self._state.lock:
            return dict(self._state.requests)

    def fault_counts(self) -> dict[str, int]:
        with self._state.lock:
            return dict(self._state.fault_counts)

    def reset_counts(self) -> None:
        with self._state.lock:
            self._state.requests.clear()
            self._state.fault_counts.clear()

    def add_job(
        self,
        name: str | None = None,
        status: str = "Completed",
        creation_time: datetime | None = None,
        *,
        application_type: str = "ModelEvaluation",
        job_type: str = "Automated",
        tags: Mapping[str, str] | None = None,
        last_modified_time: datetime | None = None,
        model_identifiers: Sequence[str] | None = None,
        task_types: Sequence[str] | None = None,
        description: str | None = None,
    ) -> str:
        """Seeds a job directly (no request counted) and returns its ARN.

        A job seeded as Deleting stays Deleting (a stuck delete): a BatchDelete accepts it again
        but never removes it.
        """
        check_seed(name, status, application_type, job_type)
        created = to_us(creation_time) if creation_time is not None else now_us()
        modified = to_us(last_modified_time) if last_modified_time is not None else created
        with self._state.lock:
            store = self._state.store
            job_id = store.new_id()
            job_name = name or f"eval-job-{job_id}"
            if store.name_taken(job_name):
                raise ValueError(f"a job named {job_name!r} already exists")
            models, tasks = model_identifiers or [DEFAULT_MODEL], task_types or ["Generation"]
            evaluation, inference, output = default_configs(
                job_type, application_type, models, tasks, job_name
            )
            job = Job(
                arn=store.arn(job_id),
                job_id=job_id,
                name=job_name,
                status=status,
                created_us=created,
                modified_us=modified,
                role_arn=f"arn:aws:iam::{self.account_id}:role/BedrockEvaluationRole",
                job_type=job_type,
                application_type=application_type,
                evaluation_config=evaluation,
                inference_config=inference,
                output_data_config=output,
                tags=dict(tags or {}),
                description=description,
            )
            store.insert(job)
            return job.arn

    def get_job(self, arn: str) -> dict[str, Any] | None:
        """The job as GetEvaluationJob returns it through boto3 (datetimes), plus ``tags``."""
        with self._state.lock:
            self._state.store.purge()
            job = self._state.store.find(arn)
            return None if job is None else job.snapshot()

    def job_arns(self, status: str | None = None) -> list[str]:
        """ARNs oldest first (Deleting ones included), optionally only those in ``status``."""
        with self._state.lock:
            self._state.store.purge()
            return self._state.store.arns(status)

    def surviving_job_arns(self) -> list[str]:
        """ARNs oldest first of the jobs nobody has deleted: those not Deleting."""
        deleting = set(self.job_arns("Deleting"))
        return [arn for arn in self.job_arns() if arn not in deleting]

    def _serve(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
        """Answers one API request; subclasses (emulator.quota) may refuse it before calling this."""
        found = _route(method, path)
        if found is None:
            raise ApiError("UnknownOperationException", f"No route for {method} {path}.", 404)
        op, identifier = found
        error, latency = self._state.admit(op)
        if latency > 0:
            time.sleep(latency)
        if error is not None:
            raise error
        status = OPERATIONS[op][2]
        if op == "ListEvaluationJobs":
            return status, ops.list_jobs(self._state, parse_query(query))
        if identifier is not None:
            return status, _LABEL_OPERATIONS[op](self._state, identifier)
        return status, _BODY_OPERATIONS[op](self._state, json_body(body))

    def _admin(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
        return serve_admin(self, method, path, query, body)
