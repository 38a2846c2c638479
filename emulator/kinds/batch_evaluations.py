"""Amazon Bedrock AgentCore's batch evaluations: the evaluation, its store, its operations, seeding.

As botocore's ``bedrock-agentcore`` model (1.44.5) has them (rest-json, signing name
``bedrock-agentcore``); what it leaves open, as chosen here:

- ListBatchEvaluations has no sort parameter and no filter, and AWS documents no order, so the
  emulator lists in an order unrelated to creation and name: by a random rank drawn (seeded) when
  an evaluation is created. A client must not rely on any order. 100 items when maxResults is
  absent; nextToken is a cursor on (rank, ARN) in emulator/tokens.py's form.
- DeleteBatchEvaluation answers 202 ``{batchEvaluationId, batchEvaluationArn, status:
  "DELETING"}``; an evaluation stays listed as DELETING for ``deleting_seconds``, as evaluation
  jobs stay Deleting, then vanishes. It decides as every kind's delete does
  (emulator/kinds/store.py, delete_locked) and answers a refusal as an error of the whole call:
  404 ResourceNotFoundException, 409 ConflictException for an evaluation not COMPLETED,
  COMPLETED_WITH_ERRORS, FAILED or STOPPED, and for ``fail_item`` the code it was given (an HTTP
  status such as "500", or an error name) with its HTTP status; injected item failures are 500
  InternalServerException. Deleting one already DELETING is accepted again. No retain-tag Deny.
- Errors are AgentCore's: ValidationException carries its required ``reason``
  ("FieldValidationFailed"), ConflictException is 409.
- StartBatchEvaluation validates the members the model requires and a few limits, and creates
  the evaluation PENDING; nothing runs it (``set_status`` moves it on). AgentCore's own tagging
  operations are not served; tag:GetResources serves the tags.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from emulator.item_errors import NOT_FINISHED, NOT_FOUND
from emulator.kinds.agentcore import (
    AgentCoreError,
    agentcore,
    check_id,
    item_error,
    parse_evaluators,
    parse_tags,
)
from emulator.kinds.contract import (
    BATCH_EVALUATION_ARN_RE,
    BATCH_EVALUATION_CLIENT_TOKEN_LENGTH,
    BATCH_EVALUATION_FINISHED,
    BATCH_EVALUATION_ID_RE,
    BATCH_EVALUATION_MAX_RESULTS,
    BATCH_EVALUATION_NAME_RE,
    BATCH_EVALUATION_STATUSES,
)
from emulator.kinds.store import KindHandler, ResourceStore, StatusChanges, delete_locked
from emulator.tokens import decode_token, encode_token
from emulator.validation import max_results_param, optional_str, require_str, require_union
from emulator.wire import JSON, from_us, iso, json_body, now_us, parse_query

if TYPE_CHECKING:
    from emulator.state import EmulatorState

_FINISHED_WORDS = "COMPLETED, COMPLETED_WITH_ERRORS, FAILED or STOPPED"
_SUFFIX_ALPHABET = string.ascii_letters + string.digits


@dataclass
class BatchEvaluation(StatusChanges):
    arn: str
    batch_id: str
    name: str
    status: str
    created_us: int
    modified_us: int
    tags: dict[str, str]
    #: Its place in list order: random, so the list order is neither creation nor name order.
    rank: int
    data_source_config: dict[str, Any]
    evaluators: list[dict[str, Any]]
    description: str | None = None
    output_config: dict[str, Any] | None = None
    _summary: str | None = field(default=None, repr=False)

    @property
    def ident(self) -> str:
        return self.batch_id

    @property
    def key(self) -> tuple[int, str]:
        return (self.rank, self.arn)

    def _common(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "batchEvaluationId": self.batch_id,
            "batchEvaluationArn": self.arn,
            "batchEvaluationName": self.name,
            "status": self.status,
            "createdAt": iso(self.created_us),
        }
        if self.description is not None:
            out["description"] = self.description
        out["evaluators"] = self.evaluators
        if self.status == "FAILED":
            out["errorDetails"] = ["Emulated failure."]
        out["updatedAt"] = iso(self.modified_us)
        return out

    def describe(self) -> dict[str, Any]:
        """GetBatchEvaluation's answer."""
        out = self._common() | {"dataSourceConfig": self.data_source_config}
        if self.output_config is not None:
            out["outputConfig"] = self.output_config
        return out

    def started(self) -> dict[str, Any]:
        """StartBatchEvaluation's answer."""
        out = {k: v for k, v in self._common().items() if k != "updatedAt"}
        if self.output_config is not None:
            out["outputConfig"] = self.output_config
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    def snapshot(self) -> dict[str, Any]:
        """The description as boto3 parses it (datetimes), plus ``tags``."""
        out = self.describe()
        out["createdAt"] = from_us(self.created_us)
        out["updatedAt"] = from_us(self.modified_us)
        out["tags"] = dict(self.tags)
        return out

    def summary_json(self) -> str:
        if self._summary is None:
            self._summary = JSON.encode(self._common())
        return self._summary


class BatchEvaluationStore(ResourceStore[BatchEvaluation]):
    noun: ClassVar[str] = "Batch evaluation"
    deleting_status: ClassVar[str] = "DELETING"
    finished_statuses: ClassVar[frozenset[str]] = BATCH_EVALUATION_FINISHED
    id_re = BATCH_EVALUATION_ID_RE

    def new_evaluation(
        self, name: str | None, status: str, created_us: int, tags: Mapping[str, str], **details: Any
    ) -> BatchEvaluation:
        """An evaluation with a new id, ``<name>-<10 random letters and digits>``."""
        suffix = self.new_id(_SUFFIX_ALPHABET, 10)
        name = name or f"batch_eval_{suffix.lower()}"
        batch_id = f"{name}-{suffix}"
        return BatchEvaluation(
            arn=f"arn:aws:bedrock-agentcore:{self.region}:{self.account_id}:batch-evaluate/{batch_id}",
            batch_id=batch_id,
            name=name,
            status=status,
            created_us=created_us,
            modified_us=created_us,
            tags=dict(tags),
            rank=self.rank(),
            data_source_config=details.pop(
                "data_source_config",
                {"cloudWatchLogs": {"serviceNames": ["agent"], "logGroupNames": ["/aws/agentcore/agent"]}},
            ),
            evaluators=details.pop("evaluators", [{"evaluatorId": "Builtin.Helpfulness"}]),
            **details,
        )

    def arns(self, status: str | None = None) -> list[str]:
        """ARNs oldest first (the list order is random), optionally only those in ``status``."""
        found = [e for e in self.resources.values() if status is None or e.status == status]
        return [e.arn for e in sorted(found, key=lambda e: (e.created_us, e.arn))]


@agentcore
def start(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    data = json_body(body)
    name = require_str(data, "batchEvaluationName", BATCH_EVALUATION_NAME_RE)
    evaluators = parse_evaluators(data.get("evaluators"))
    source = require_union(data, "dataSourceConfig", ("cloudWatchLogs", "onlineEvaluationConfigSource"))
    token = optional_str(data, "clientToken", None, BATCH_EVALUATION_CLIENT_TOKEN_LENGTH)
    tags = parse_tags(data.get("tags"))
    description = optional_str(data, "description", None, (0, 200))
    output = data.get("outputConfig")
    with state.lock:
        store = state.stores.batch_evaluations
        store.purge()
        # Same token, same evaluation: what the service does for a retried start.
        existing = store.arn_for_token(token) if token is not None else None
        if existing is not None:
            return JSON.encode(store.resources[existing].started())
        evaluation = store.new_evaluation(
            name,
            "PENDING",
            now_us(),
            tags,
            data_source_config=source,
            evaluators=evaluators,
            description=description,
            output_config=output if isinstance(output, dict) else None,
        )
        store.insert(evaluation, seeded=False)
        if token is not None:
            store.remember_token(token, evaluation.arn)
        return JSON.encode(evaluation.started())


@agentcore
def get(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    identifier = check_id(label)
    with state.lock:
        return JSON.encode(state.stores.batch_evaluations.existing(identifier).describe())


@agentcore
def list_evaluations(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    params = parse_query(query)
    max_results = max_results_param(params, BATCH_EVALUATION_MAX_RESULTS)
    token = params.get("nextToken")
    cursor = decode_token(token, False, BATCH_EVALUATION_ARN_RE) if token is not None else None
    with state.lock:
        store = state.stores.batch_evaluations
        store.purge()
        page, last, more = store.page(cursor=cursor, descending=False, max_results=max_results)
    out = '{"batchEvaluations":[' + ",".join(page) + "]"
    if more and last is not None:
        out += ',"nextToken":' + JSON.encode(encode_token(last, False))
    return out + "}"


@agentcore
def delete(state: EmulatorState, label: str | None, query: str, body: bytes) -> str:
    identifier = check_id(label)
    with state.lock:
        store = state.stores.batch_evaluations
        store.purge()
        # Found first: with deleting_seconds=0 an accepted one is gone once deleted.
        evaluation = store.find(identifier)
        status = evaluation.status if evaluation is not None else ""
        refusal = delete_locked(
            state, store, identifier, "DeleteBatchEvaluation", NOT_FINISHED, _FINISHED_WORDS
        )
    if refusal is None and evaluation is not None:
        return JSON.encode(
            {"batchEvaluationId": identifier, "batchEvaluationArn": evaluation.arn, "status": "DELETING"}
        )
    raise _refusal(identifier, status, refusal)


def _refusal(identifier: str, status: str, refusal: dict[str, str] | None) -> AgentCoreError:
    """The per-item decision's refusal as the error of the whole call."""
    if refusal is None or refusal == NOT_FOUND.entry(identifier):
        return AgentCoreError("ResourceNotFoundException", f"Batch evaluation {identifier} not found.")
    if refusal == NOT_FINISHED.entry(identifier, status, finished=_FINISHED_WORDS):
        return AgentCoreError(
            "ConflictException",
            f"Batch evaluation {identifier} is {status}; only {_FINISHED_WORDS} "
            "batch evaluations can be deleted.",
        )
    # Forced by fail_item, or an injected item failure.
    return item_error(refusal["code"], refusal["message"])


HANDLERS: dict[str, KindHandler] = {
    "StartBatchEvaluation": start,
    "GetBatchEvaluation": get,
    "ListBatchEvaluations": list_evaluations,
    "DeleteBatchEvaluation": delete,
}


def seed(
    store: BatchEvaluationStore,
    name: str | None,
    status: str,
    created_us: int,
    tags: Mapping[str, str] | None,
) -> str:
    """BedrockEmulator.add_batch_evaluation: inserted directly, no request counted; its ARN.
    The caller holds the state's lock."""
    if status not in BATCH_EVALUATION_STATUSES:
        raise ValueError(f"status must be one of {BATCH_EVALUATION_STATUSES}")
    if name is not None and not BATCH_EVALUATION_NAME_RE.fullmatch(name):
        raise ValueError(f"batch evaluation name {name!r} does not match {BATCH_EVALUATION_NAME_RE.pattern}")
    evaluation = store.new_evaluation(name, status, created_us, tags or {})
    # Seeded tags stand for tags set long ago: the tagging API's index has them at once.
    store.insert(evaluation, seeded=True)
    return evaluation.arn
