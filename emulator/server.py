"""A local Amazon Bedrock emulator for evaluation jobs, speaking botocore's rest-json wire format,
and the Resource Groups Tagging API's GetResources over the same jobs, in JSON 1.1, on the same port.

This module holds the public class; the rest is split by concern:
contract (what botocore's models say), wire (error shapes, JSON, timestamps), jobs (a job and
its response shapes), validation, tokens (nextToken), item_errors (BatchDelete's per-item
codes and their sources), faults, dialects (each API's throttle, server error and denial), iam
(IAM's wording, the retain-tag Deny), store and state (the jobs and counters), tag_index (the
tagging API's lagging view of the tags), operations (one function per Bedrock operation),
tagging (GetResources), transport (HTTP) and admin (the /_emulator/ routes). The other kinds,
advanced prompt optimization jobs and AgentCore batch evaluations, live in emulator/kinds/,
their seeding API in kinds/api.py (mixed in here).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from emulator import operations as ops
from emulator.admin import serve_admin
from emulator.contract import OPERATIONS, TAGGING_OPERATIONS
from emulator.faults import FaultConfig
from emulator.iam import RetainDenyMode, RetainTagDeny
from emulator.item_errors import INJECTED
from emulator.kinds.api import KIND_HANDLERS, KindsApi
from emulator.kinds.contract import KIND_OPERATIONS
from emulator.state import EmulatorState
from emulator.tagging import get_resources
from emulator.transport import HttpService, Request
from emulator.transport import route as _route
from emulator.wire import JSON, ApiError, json_body, now_us, parse_query, to_us

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


class BedrockEmulator(KindsApi, HttpService):
    """Bedrock evaluation-job API on 127.0.0.1, with seeded fault injection and counters; and
    the other kinds' (emulator/kinds/) on the same port."""

    def __init__(
        self,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        seed: int = 0,
        deleting_seconds: float = DEFAULT_DELETING_SECONDS,
        *,
        port: int = 0,
        faults: FaultConfig | None = None,
        tag_index_lag_seconds: float = 0.0,
        account_of_key: Callable[[str], str | None] | None = None,
    ) -> None:
        """`account_of_key` tells which account an access key id belongs to (None: unknown), as
        AWS does from the credentials a request is signed with; without it, or for an unknown
        key, a request acts in `account_id`. The Region is the one the request is signed for."""
        super().__init__(port)
        self.region = region
        self.account_id = account_id
        self._account_of_key = account_of_key
        self._state = EmulatorState(
            region, account_id, seed, deleting_seconds, faults or FaultConfig(), tag_index_lag_seconds
        )
        #: (account, Region) pairs whose Region the account has not enabled.
        self._disabled_regions: set[tuple[str, str]] = set()

    @property
    def deleting_seconds(self) -> float:
        return self._state.deleting_seconds

    @deleting_seconds.setter
    def deleting_seconds(self, seconds: float) -> None:
        with self._state.lock:
            self._state.deleting_seconds = seconds

    @property
    def tag_index_lag_seconds(self) -> float:
        """How long a tag change takes to reach GetResources (emulator/tag_index.py).

        Setting it applies to changes made from then on; those already made keep their time.
        """
        return self._state.tag_index_lag

    @tag_index_lag_seconds.setter
    def tag_index_lag_seconds(self, seconds: float) -> None:
        self._state.set_tag_index_lag(seconds)

    def enforce_retain_tag_deny(
        self, tag_key: str | None = "janitor:retain", mode: RetainDenyMode = "call"
    ) -> None:
        """Make BatchDeleteEvaluationJob refuse jobs tagged ``<tag_key>=true`` (any case) as the
        janitor role's IAM Deny would, the whole call (mode "call") or per item ("item");
        ``tag_key=None`` stops enforcing it. See emulator.iam.RetainTagDeny."""
        deny = None if tag_key is None else RetainTagDeny(tag_key, mode)
        with self._state.lock:
            self._state.retain_tag_deny = deny

    @property
    def retain_tag_deny(self) -> RetainTagDeny | None:
        return self._state.retain_tag_deny

    @property
    def faults(self) -> FaultConfig:
        return self._state.faults

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._state.set_faults(config)

    def fail_item(self, arn: str, code: str = INJECTED.code, message: str = INJECTED.message) -> None:
        """Every BatchDeleteEvaluationJob (or BatchDeleteAdvancedPromptOptimizationJob) answers
        `arn` with this per-item error until cleared; for a batch evaluation, DeleteBatchEvaluation
        fails with this code (an HTTP status or an error name) and its HTTP status."""
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
        account_id: str | None = None,
        region: str | None = None,
        output_s3_uri: str | None = None,
    ) -> str:
        """Seeds a job directly (no request counted) and returns its ARN; in the emulator's own
        account and Region unless `account_id` or `region` say otherwise.

        With `output_s3_uri`, the job's `outputDataConfig` is `{"s3Uri": output_s3_uri}`, taken
        as given (even a URI CreateEvaluationJob would refuse), so a test can seed exactly the
        output location it means the janitor to read; without it, a plausible default.

        A job seeded as Deleting stays Deleting (a stuck delete): a BatchDelete accepts it again
        but never removes it. Its `tags` count as set long ago: GetResources sees them at once,
        whatever `tag_index_lag_seconds` says.
        """
        return ops.seed_job(
            self._state.for_caller(account_id or self.account_id, region or self.region),
            name,
            status,
            to_us(creation_time) if creation_time is not None else now_us(),
            application_type=application_type,
            job_type=job_type,
            tags=tags,
            modified_us=to_us(last_modified_time) if last_modified_time is not None else None,
            model_identifiers=model_identifiers,
            task_types=task_types,
            description=description,
            output_s3_uri=output_s3_uri,
        )

    def get_job(self, arn: str) -> dict[str, Any] | None:
        """The job as GetEvaluationJob returns it through boto3 (datetimes), plus ``tags``."""
        parts = arn.split(":")
        store = self._state.store_of(parts[4], parts[3]) if len(parts) > 5 else self._state.store
        with self._state.lock:
            store.purge()
            job = store.find(arn)
            return None if job is None else job.snapshot()

    def set_status(self, arn: str, status: str) -> None:
        """Change a job's status directly (no request counted): a test seam for a job that is no
        longer what a plan saw. A finished job has no such transition in AWS, but whatever reads
        a plan again must not trust it. Any kind's ARN."""
        parts = arn.split(":")
        stores = self._state.stores_of(parts[4], parts[3])
        with self._state.lock:
            store = stores.owner_of(arn)
            if store is None:
                raise KeyError(arn)
            store.resources[arn].set_status(status)

    def job_arns(
        self, status: str | None = None, *, account_id: str | None = None, region: str | None = None
    ) -> list[str]:
        """ARNs oldest first (Deleting ones included), optionally only those in ``status``; of
        the emulator's own account and Region unless `account_id` or `region` say otherwise."""
        store = self._state.store_of(account_id or self.account_id, region or self.region)
        with self._state.lock:
            store.purge()
            return store.arns(status)

    def surviving_job_arns(self, *, account_id: str | None = None, region: str | None = None) -> list[str]:
        """ARNs oldest first of the jobs nobody has deleted: those not Deleting."""
        deleting = set(self.job_arns("Deleting", account_id=account_id, region=region))
        return [arn for arn in self.job_arns(account_id=account_id, region=region) if arn not in deleting]

    def disable_region(self, account_id: str, region: str) -> None:
        """Make `region` one `account_id` has not enabled (an opt-in Region): every request
        there is refused as AWS refuses it, UnrecognizedClientException, HTTP 403, "The
        security token included in the request is invalid" (the account's credentials are not
        valid in a Region it has not enabled)."""
        with self._state.lock:
            self._disabled_regions.add((account_id, region))

    def _serve(self, request: Request) -> tuple[int, str]:
        """Answers one API request; subclasses (emulator.quota) may refuse it before calling this."""
        caller = self._caller(request)
        if caller in self._disabled_regions:
            raise ApiError(
                "UnrecognizedClientException", "The security token included in the request is invalid.", 403
            )
        return _answer(self._state.for_caller(*caller), request)

    def _caller(self, request: Request) -> tuple[str, str]:
        """(account, Region) a request acts in: its credentials' account, its signed Region."""
        scope = request.credential_scope
        if scope is None:
            return self.account_id, self.region
        key, region = scope
        account = self._account_of_key(key) if self._account_of_key is not None else None
        return account or self.account_id, region

    def _admin(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
        return serve_admin(self, method, path, query, body)


def _answer(state: EmulatorState, request: Request) -> tuple[int, str]:
    """(status, JSON body) for one API request, after its faults; or raises its ApiError."""
    found = _route(request)
    if found is None:
        if request.json_1_1:
            # What JSON services answer for a target they do not know.
            raise ApiError(
                "UnknownOperationException",
                f"No operation {request.target}.",
                400,
                "com.amazon.coral.service",
            )
        raise ApiError("UnknownOperationException", f"No route for {request.method} {request.path}.", 404)
    op, identifier = found
    error, latency = state.admit(op)
    if latency > 0:
        time.sleep(latency)
    if error is not None:
        raise error
    if op in TAGGING_OPERATIONS:
        return 200, get_resources(state, request.body)
    if op in KIND_HANDLERS:
        return KIND_OPERATIONS[op][2], KIND_HANDLERS[op](state, identifier, request.query, request.body)
    status = OPERATIONS[op][2]
    if op == "ListEvaluationJobs":
        return status, ops.list_jobs(state, parse_query(request.query))
    if identifier is not None:
        return status, _LABEL_OPERATIONS[op](state, identifier)
    return status, _BODY_OPERATIONS[op](state, json_body(request.body))
