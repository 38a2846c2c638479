"""A local Amazon Bedrock emulator for evaluation jobs, speaking botocore's rest-json wire format.

Routes, status codes, enums and patterns are copied from botocore's ``bedrock`` model
(API 2023-04-20, botocore 1.44.5) rather than imported, so the server needs only the standard
library; tests/emulator/test_emulator_model.py fails if a botocore upgrade changes any of them.

Model patterns are Smithy patterns (not implicitly anchored); the emulator applies them as full
matches because that is how the service behaves for names and ARNs.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import copy
import heapq
import json
import random
import re
import socket
import string
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote

JOB_NAME_RE = re.compile(r"[a-z0-9](-*[a-z0-9]){0,62}")
ROLE_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+")
JOB_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:evaluation-job/[a-z0-9]{12}")
JOB_ID_RE = re.compile(r"[a-z0-9]{12}")
S3_URI_RE = re.compile(
    r"s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"
)
TAG_RE = re.compile(r"[a-zA-Z0-9\s._:/=+@-]*")

JOB_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting")
FINISHED_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
APPLICATION_TYPES = ("ModelEvaluation", "RagEvaluation")
JOB_TYPES = ("Human", "Automated")
SORT_BY = ("CreationTime",)
SORT_ORDERS = ("Ascending", "Descending")
MAX_RESULTS_RANGE = (1, 1000)
# The model gives no default page size; 100 keeps an unbounded call cheap and still
# exercises pagination for callers that forget to pass maxResults.
DEFAULT_MAX_RESULTS = 100
BATCH_DELETE_RANGE = (1, 25)
MAX_ARN_LENGTH = 1011
MAX_TAGS = 200

# Operation name -> (method, URI template, success status), as in the model.
OPERATIONS: dict[str, tuple[str, str, int]] = {
    "CreateEvaluationJob": ("POST", "/evaluation-jobs", 202),
    "GetEvaluationJob": ("GET", "/evaluation-jobs/{jobIdentifier}", 200),
    "ListEvaluationJobs": ("GET", "/evaluation-jobs", 200),
    "BatchDeleteEvaluationJob": ("POST", "/evaluation-jobs/batch-delete", 202),
    "StopEvaluationJob": ("POST", "/evaluation-job/{jobIdentifier}/stop", 200),
    "TagResource": ("POST", "/tagResource", 200),
    "UntagResource": ("POST", "/untagResource", 200),
    "ListTagsForResource": ("POST", "/listTagsForResource", 200),
}
ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "ConflictException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ThrottlingException": 429,
    "InternalServerException": 500,
}

# Per-item BatchDelete error codes. The service documents them only as "HTTP status codes";
# 409 marks "exists but not deletable in its current state" apart from a malformed request.
ITEM_NOT_FOUND = ("404", "Unable to locate this job to delete.")
ITEM_NOT_FINISHED_CODE = "409"
ITEM_INTERNAL_ERROR = ("500", "Internal error deleting this job.")

_ID_ALPHABET = string.ascii_lowercase + string.digits
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_DEFAULT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
_EVALUATOR_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class ApiError(Exception):
    """An error answered in the rest-json error shape."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else ERROR_STATUS.get(code, 400)


def _invalid(member: str, constraint: str, value: object = None) -> ApiError:
    shown = "" if value is None else f" '{value}'"
    return ApiError(
        "ValidationException",
        f"1 validation error detected: Value{shown} at '{member}' failed to satisfy constraint: {constraint}",
    )


def _to_us(dt: datetime) -> int:
    # Naive datetimes are taken as UTC, as botocore does when it serializes them.
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _EPOCH) // _ONE_US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _iso(us: int) -> str:
    dt = _from_us(us)
    # Millisecond precision like the service, unless the caller seeded finer times: then the
    # full value is kept so that a filter on exactly that instant behaves as expected.
    frac = f"{dt.microsecond // 1000:03d}" if dt.microsecond % 1000 == 0 else f"{dt.microsecond:06d}"
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{frac}Z"


def _parse_time(value: str, member: str) -> int:
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", value):
            return int(Decimal(value) * 1_000_000)
        return _to_us(datetime.fromisoformat(value))
    except (ValueError, InvalidOperation, OverflowError):
        raise _invalid(member, "Member must be an ISO 8601 timestamp", value) from None


def _now_us() -> int:
    return _to_us(datetime.now(UTC))


@dataclass(frozen=True)
class FaultConfig:
    """Faults injected into Bedrock requests, decided by ``random.Random(seed)``."""

    latency_seconds: float = 0.0
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    item_failure_rate: float = 0.0
    operations: frozenset[str] | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "server_error_rate", "item_failure_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {rate}")
        if self.throttle_rate + self.server_error_rate > 1.0:
            raise ValueError("throttle_rate + server_error_rate must not exceed 1")
        if self.latency_seconds < 0:
            raise ValueError("latency_seconds must not be negative")
        if self.operations is not None:
            ops = frozenset(self.operations)
            unknown = ops - OPERATIONS.keys()
            if unknown:
                raise ValueError(f"unknown operations: {sorted(unknown)}")
            object.__setattr__(self, "operations", ops)

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultConfig:
        kwargs = dict(data)
        ops = kwargs.get("operations")
        if ops is not None:
            if isinstance(ops, str):
                ops = [o for o in ops.split(",") if o]
            kwargs["operations"] = frozenset(ops)
        return cls(**kwargs)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = None if self.operations is None else sorted(self.operations)
        return data


@dataclass
class _Job:
    arn: str
    job_id: str
    name: str
    status: str
    created_us: int
    modified_us: int
    role_arn: str
    job_type: str
    application_type: str
    evaluation_config: dict[str, Any]
    inference_config: dict[str, Any]
    output_data_config: dict[str, Any]
    tags: dict[str, str]
    description: str | None = None
    kms_key_id: str | None = None
    # Serialized list summary, reused across pages until the job changes.
    _summary: str | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[int, str]:
        return (self.created_us, self.arn)

    def set_status(self, status: str) -> None:
        self.status = status
        self.modified_us = max(_now_us(), self.created_us)
        self._summary = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "jobName": self.name,
            "status": self.status,
            "jobArn": self.arn,
            "roleArn": self.role_arn,
            "jobType": self.job_type,
            "applicationType": self.application_type,
            "evaluationConfig": self.evaluation_config,
            "inferenceConfig": self.inference_config,
            "outputDataConfig": self.output_data_config,
            "creationTime": _iso(self.created_us),
            "lastModifiedTime": _iso(self.modified_us),
        }
        if self.description is not None:
            out["jobDescription"] = self.description
        if self.kms_key_id is not None:
            out["customerEncryptionKeyId"] = self.kms_key_id
        if self.status == "Failed":
            out["failureMessages"] = ["Emulated failure."]
        return out

    def summary_json(self) -> str:
        if self._summary is None:
            summary: dict[str, Any] = {
                "jobArn": self.arn,
                "jobName": self.name,
                "status": self.status,
                "creationTime": _iso(self.created_us),
                "jobType": self.job_type,
                "evaluationTaskTypes": _task_types(self.evaluation_config),
                "modelIdentifiers": _model_ids(self.inference_config),
                "applicationType": self.application_type,
            }
            rag = _rag_ids(self.inference_config)
            if rag:
                summary["ragIdentifiers"] = rag
            self._summary = _JSON.encode(summary)
        return self._summary


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _task_types(evaluation_config: Mapping[str, Any]) -> list[str]:
    inner = evaluation_config.get("automated") or evaluation_config.get("human") or {}
    out: list[str] = []
    for cfg in _dicts(inner.get("datasetMetricConfigs") if isinstance(inner, dict) else None):
        task = cfg.get("taskType")
        if isinstance(task, str) and task not in out:
            out.append(task)
    return out or ["Generation"]


def _model_ids(inference_config: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for model in _dicts(inference_config.get("models")):
        bedrock_model = model.get("bedrockModel")
        if isinstance(bedrock_model, dict) and isinstance(bedrock_model.get("modelIdentifier"), str):
            out.append(bedrock_model["modelIdentifier"])
    return out


def _rag_ids(inference_config: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for rag in _dicts(inference_config.get("ragConfigs")):
        kb = rag.get("knowledgeBaseConfig")
        if not isinstance(kb, dict):
            continue
        retrieve = kb.get("retrieveConfig")
        generate = kb.get("retrieveAndGenerateConfig")
        if isinstance(generate, dict):
            retrieve = generate.get("knowledgeBaseConfiguration")
        if isinstance(retrieve, dict) and isinstance(retrieve.get("knowledgeBaseId"), str):
            out.append(retrieve["knowledgeBaseId"])
    return out


def _default_configs(
    job_type: str,
    application_type: str,
    model_identifiers: Sequence[str],
    task_types: Sequence[str],
    name: str,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Plausible, model-valid configs for seeded jobs, so GetEvaluationJob looks real."""
    rag = application_type == "RagEvaluation"
    metrics = ["Builtin.ContextRelevance"] if rag else ["Builtin.Accuracy", "Builtin.Robustness"]
    dataset: dict[str, Any] = {"name": "Builtin.BoolQ"}
    if job_type == "Human" or rag:
        dataset = {"name": "custom-prompts", "datasetLocation": {"s3Uri": "s3://eval-datasets/prompts.jsonl"}}
    if job_type == "Human":
        metrics = ["helpfulness"]
    dataset_metrics = [{"taskType": t, "dataset": dataset, "metricNames": metrics} for t in task_types]
    evaluation: dict[str, Any]
    if job_type == "Human":
        evaluation = {
            "human": {
                "humanWorkflowConfig": {
                    "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:"
                    "flow-definition/eval-review"
                },
                "customMetrics": [{"name": "helpfulness", "ratingMethod": "ThumbsUpDown"}],
                "datasetMetricConfigs": dataset_metrics,
            }
        }
    else:
        automated: dict[str, Any] = {"datasetMetricConfigs": dataset_metrics}
        if rag:
            automated["evaluatorModelConfig"] = {
                "bedrockEvaluatorModels": [{"modelIdentifier": _EVALUATOR_MODEL}]
            }
        evaluation = {"automated": automated}
    inference: dict[str, Any]
    if rag:
        inference = {
            "ragConfigs": [
                {
                    "knowledgeBaseConfig": {
                        "retrieveConfig": {
                            "knowledgeBaseId": "KB4EXAMPLE",
                            "knowledgeBaseRetrievalConfiguration": {
                                "vectorSearchConfiguration": {"numberOfResults": 5}
                            },
                        }
                    }
                }
            ]
        }
    else:
        inference = {
            "models": [
                {"bedrockModel": {"modelIdentifier": m, "inferenceParams": '{"temperature":0.0}'}}
                for m in model_identifiers
            ]
        }
    output = {"s3Uri": f"s3://eval-results/{name}/"}
    return evaluation, inference, output


def _require_dict(body: Mapping[str, Any], member: str) -> dict[str, Any]:
    value = body.get(member)
    if value is None:
        raise _invalid(member, "Member must not be null")
    if not isinstance(value, dict):
        raise _invalid(member, "Member must be a structure")
    return value


def _require_union(body: Mapping[str, Any], member: str, options: Sequence[str]) -> dict[str, Any]:
    value = _require_dict(body, member)
    chosen = [k for k in options if value.get(k) is not None]
    if len(chosen) != 1:
        raise _invalid(member, f"Member must set exactly one of {', '.join(options)}")
    return value


def _require_str(
    body: Mapping[str, Any],
    member: str,
    pattern: re.Pattern[str] | None = None,
    length: tuple[int, int] = (0, 1 << 20),
    required: bool = True,
) -> str | None:
    value = body.get(member)
    if value is None:
        if required:
            raise _invalid(member, "Member must not be null")
        return None
    if not isinstance(value, str):
        raise _invalid(member, "Member must be a string")
    if not length[0] <= len(value) <= length[1]:
        raise _invalid(
            member,
            f"Member must have length between {length[0]} and {length[1]}, inclusive",
            value,
        )
    if pattern is not None and not pattern.fullmatch(value):
        raise _invalid(member, f"Member must satisfy regular expression pattern: {pattern.pattern}", value)
    return value


def _parse_tags(value: object, member: str) -> dict[str, str]:
    if not isinstance(value, list):
        raise _invalid(member, "Member must be a list")
    if len(value) > MAX_TAGS:
        raise _invalid(member, f"Member must have length less than or equal to {MAX_TAGS}")
    tags: dict[str, str] = {}
    for i, tag in enumerate(value, 1):
        if not isinstance(tag, dict):
            raise _invalid(f"{member}.{i}.member", "Member must be a structure")
        key = _require_str(tag, "key", TAG_RE, (1, 128))
        val = _require_str(tag, "value", TAG_RE, (0, 256))
        assert key is not None
        assert val is not None
        tags[key] = val
    return tags


def _validate_dataset_metrics(evaluation_config: Mapping[str, Any]) -> None:
    kind = "automated" if evaluation_config.get("automated") is not None else "human"
    inner = evaluation_config[kind]
    prefix = f"evaluationConfig.{kind}.datasetMetricConfigs"
    if not isinstance(inner, dict):
        raise _invalid(f"evaluationConfig.{kind}", "Member must be a structure")
    configs = inner.get("datasetMetricConfigs")
    if not isinstance(configs, list) or not 1 <= len(configs) <= 5:
        raise _invalid(prefix, "Member must have length between 1 and 5, inclusive")
    for i, cfg in enumerate(configs, 1):
        if not isinstance(cfg, dict):
            raise _invalid(f"{prefix}.{i}.member", "Member must be a structure")
        for required in ("taskType", "dataset", "metricNames"):
            if cfg.get(required) is None:
                raise _invalid(f"{prefix}.{i}.member.{required}", "Member must not be null")


def _enum(params: Mapping[str, str], member: str, allowed: Sequence[str]) -> str | None:
    value = params.get(member)
    if value is not None and value not in allowed:
        raise _invalid(member, f"Member must satisfy enum value set: [{', '.join(allowed)}]", value)
    return value


@dataclass(frozen=True)
class _ListQuery:
    after_us: int | None
    before_us: int | None
    status: str | None
    application_type: str | None
    name_contains: str | None
    descending: bool
    max_results: int
    cursor: tuple[int, str] | None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> _ListQuery:
        after = params.get("creationTimeAfter")
        before = params.get("creationTimeBefore")
        _enum(params, "sortBy", SORT_BY)
        descending = (_enum(params, "sortOrder", SORT_ORDERS) or "Descending") == "Descending"
        name_contains = _require_str(params, "nameContains", JOB_NAME_RE, (1, 63), required=False)
        max_results = DEFAULT_MAX_RESULTS
        if "maxResults" in params:
            try:
                max_results = int(params["maxResults"])
            except ValueError:
                raise _invalid("maxResults", "Member must be an integer", params["maxResults"]) from None
            lo, hi = MAX_RESULTS_RANGE
            if not lo <= max_results <= hi:
                raise _invalid(
                    "maxResults", f"Member must have value between {lo} and {hi}, inclusive", max_results
                )
        return cls(
            after_us=_parse_time(after, "creationTimeAfter") if after is not None else None,
            before_us=_parse_time(before, "creationTimeBefore") if before is not None else None,
            status=_enum(params, "statusEquals", JOB_STATUSES),
            application_type=_enum(params, "applicationTypeEquals", APPLICATION_TYPES),
            name_contains=name_contains,
            descending=descending,
            max_results=max_results,
            cursor=_decode_token(params["nextToken"], descending) if "nextToken" in params else None,
        )

    def matches(self, job: _Job) -> bool:
        return (
            (self.status is None or job.status == self.status)
            and (self.application_type is None or job.application_type == self.application_type)
            and (self.name_contains is None or self.name_contains in job.name)
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Benchmarks open many keep-alive connections at once; the default backlog of 5 resets them.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], emulator: BedrockEmulator) -> None:
        self.emulator = emulator
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, a reverse DNS lookup that can hang
        # for seconds on a machine without network.
        TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conns_lock:
            if alive:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self) -> None:
        # Keep-alive connections would otherwise keep being served by their threads after stop().
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-reply (timeouts, Ctrl-C) are routine, not worth a traceback.
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # http.server's own replies (send_error for a malformed request line, 100-continue) write
    # headers and body separately; with Nagle on, such a keep-alive reply waits ~40 ms for the
    # client's delayed ACK. _send below avoids it by writing once, but keep both safeguards.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._send_error(ApiError("ValidationException", "Invalid Content-Length header."))
            return
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        emulator = self.server.emulator
        try:
            if path.startswith("/_emulator/"):
                status, payload = emulator._admin(self.command, path, query, body)
            else:
                status, payload = emulator._serve(self.command, path, query, body)
        except ApiError as err:
            self._send_error(err)
            return
        except Exception as exc:  # a bug must still produce a parseable reply
            self._send_error(ApiError("InternalServerException", f"Emulator error: {exc!r}"))
            return
        self._send(status, payload.encode())

    def _send_error(self, err: ApiError) -> None:
        self._send(err.status, _JSON.encode({"message": err.message}).encode(), err.code)

    def _send(self, status: int, body: bytes, error_type: str | None = None) -> None:
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"x-amzn-RequestId: {uuid.uuid4()}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
        ]
        if error_type is not None:
            lines.append(f"x-amzn-ErrorType: {error_type}")
        if self.close_connection:
            lines.append("Connection: close")
        # One write per reply: half the syscalls of send_response/end_headers/write.
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


_FLAT_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/evaluation-jobs"): "ListEvaluationJobs",
    ("POST", "/evaluation-jobs"): "CreateEvaluationJob",
    ("POST", "/evaluation-jobs/batch-delete"): "BatchDeleteEvaluationJob",
    ("POST", "/tagResource"): "TagResource",
    ("POST", "/untagResource"): "UntagResource",
    ("POST", "/listTagsForResource"): "ListTagsForResource",
}


def _route(method: str, path: str) -> tuple[str, str | None] | None:
    """(operation, decoded jobIdentifier label) for a request, or None for an unknown route."""
    op = _FLAT_ROUTES.get((method, path))
    if op is not None:
        return (op, None)
    # botocore percent-encodes the whole ARN into one path segment (':' and '/' included).
    parts = path.split("/")
    if method == "GET" and len(parts) == 3 and parts[1] == "evaluation-jobs" and parts[2]:
        return ("GetEvaluationJob", unquote(parts[2]))
    if method == "POST" and len(parts) == 4 and parts[1] == "evaluation-job" and parts[3] == "stop":
        return ("StopEvaluationJob", unquote(parts[2]))
    return None


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError("ValidationException", "Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError("ValidationException", "Request body must be a JSON object.")
    return data


def _query(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


class BedrockEmulator:
    """Bedrock evaluation-job API on 127.0.0.1, with seeded fault injection and counters."""

    def __init__(
        self,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        seed: int = 0,
        deleting_seconds: float = 0.0,
        *,
        port: int = 0,
        faults: FaultConfig | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.deleting_seconds = deleting_seconds
        self.port = port
        self._lock = threading.Lock()
        self._id_rng = random.Random(seed)
        self._used_ids: set[str] = set()
        self._jobs: dict[str, _Job] = {}
        self._arn_by_id: dict[str, str] = {}
        self._arn_by_name: dict[str, str] = {}
        self._arn_by_token: dict[str, str] = {}
        # (creationTime µs, ARN), sorted: list pages bisect instead of sorting every job.
        self._keys: list[tuple[int, str]] = []
        self._deleting: list[tuple[float, str]] = []  # heap of (monotonic deadline, ARN)
        self._faults = faults or FaultConfig()
        self._fault_rng = random.Random(self._faults.seed)
        self._item_failures: dict[str, tuple[str, str]] = {}
        self._malformed_summaries: list[str] = []
        self._requests: Counter[str] = Counter()
        self._fault_counts: Counter[str] = Counter()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> BedrockEmulator:
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._server = _Server(("127.0.0.1", self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # stop() waits up to one poll interval
            name=f"bedrock-emulator-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> BedrockEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- admin API -----------------------------------------------------------------------

    @property
    def faults(self) -> FaultConfig:
        return self._faults

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        with self._lock:
            self._faults = config
            self._fault_rng = random.Random(config.seed)

    def fail_item(self, arn: str, code: str = "500", message: str = ITEM_INTERNAL_ERROR[1]) -> None:
        with self._lock:
            self._item_failures[arn] = (code, message)

    def add_malformed_summary(self, summary: Mapping[str, Any]) -> None:
        """Serve `summary` as-is (whatever is wrong with it) at the start of every first list page.

        Stands in for a service-side bug or a model change: the janitor must skip such entries.
        """
        with self._lock:
            self._malformed_summaries.append(_JSON.encode(dict(summary)))

    def clear_item_failures(self) -> None:
        with self._lock:
            self._item_failures.clear()

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._requests)

    def fault_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._fault_counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._requests.clear()
            self._fault_counts.clear()

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

        A job seeded as Deleting stays Deleting (a stuck delete) until a BatchDelete removes it.
        """
        if status not in JOB_STATUSES:
            raise ValueError(f"status must be one of {JOB_STATUSES}")
        if application_type not in APPLICATION_TYPES:
            raise ValueError(f"application_type must be one of {APPLICATION_TYPES}")
        if job_type not in JOB_TYPES:
            raise ValueError(f"job_type must be one of {JOB_TYPES}")
        if name is not None and not JOB_NAME_RE.fullmatch(name):
            raise ValueError(f"job name {name!r} does not match {JOB_NAME_RE.pattern}")
        created = _to_us(creation_time) if creation_time is not None else _now_us()
        modified = _to_us(last_modified_time) if last_modified_time is not None else created
        with self._lock:
            job_id = self._new_id_locked()
            job_name = name or f"eval-job-{job_id}"
            if job_name in self._arn_by_name:
                raise ValueError(f"a job named {job_name!r} already exists")
            evaluation, inference, output = _default_configs(
                job_type,
                application_type,
                list(model_identifiers or [_DEFAULT_MODEL]),
                list(task_types or ["Generation"]),
                job_name,
            )
            job = _Job(
                arn=self._arn(job_id),
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
            self._insert_locked(job)
            return job.arn

    def get_job(self, arn: str) -> dict[str, Any] | None:
        """The job as GetEvaluationJob returns it through boto3 (datetimes), plus ``tags``."""
        with self._lock:
            self._purge_locked()
            job = self._find_locked(arn)
            if job is None:
                return None
            out = copy.deepcopy(job.describe())
            out["creationTime"] = _from_us(job.created_us)
            out["lastModifiedTime"] = _from_us(job.modified_us)
            out["tags"] = dict(job.tags)
            return out

    def job_arns(self, status: str | None = None) -> list[str]:
        """ARNs oldest first, optionally only those in ``status``."""
        with self._lock:
            self._purge_locked()
            return [a for _, a in self._keys if status is None or self._jobs[a].status == status]

    # -- state helpers (caller holds the lock) -------------------------------------------

    def _arn(self, job_id: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{self.account_id}:evaluation-job/{job_id}"

    def _new_id_locked(self) -> str:
        while True:
            job_id = "".join(self._id_rng.choices(_ID_ALPHABET, k=12))
            if job_id not in self._used_ids:
                self._used_ids.add(job_id)
                return job_id

    def _insert_locked(self, job: _Job) -> None:
        self._jobs[job.arn] = job
        self._arn_by_id[job.job_id] = job.arn
        self._arn_by_name[job.name] = job.arn
        bisect.insort(self._keys, job.key)

    def _remove_locked(self, job: _Job) -> None:
        if self._jobs.pop(job.arn, None) is None:
            return
        self._arn_by_id.pop(job.job_id, None)
        self._arn_by_name.pop(job.name, None)
        i = bisect.bisect_left(self._keys, job.key)
        if i < len(self._keys) and self._keys[i] == job.key:
            del self._keys[i]

    def _purge_locked(self) -> None:
        now = time.monotonic()
        while self._deleting and self._deleting[0][0] <= now:
            _, arn = heapq.heappop(self._deleting)
            job = self._jobs.get(arn)
            if job is not None and job.status == "Deleting":
                self._remove_locked(job)

    def _find_locked(self, identifier: str) -> _Job | None:
        job = self._jobs.get(identifier)
        if job is None and JOB_ID_RE.fullmatch(identifier):
            arn = self._arn_by_id.get(identifier)
            job = self._jobs.get(arn) if arn else None
        return job

    def _existing_locked(self, identifier: str) -> _Job:
        self._purge_locked()
        job = self._find_locked(identifier)
        if job is None:
            raise ApiError("ResourceNotFoundException", f"Evaluation job {identifier} not found.")
        return job

    # -- request handling ----------------------------------------------------------------

    def _serve(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
        route = _route(method, path)
        if route is None:
            raise ApiError("UnknownOperationException", f"No route for {method} {path}.", 404)
        op, identifier = route
        with self._lock:
            self._requests[op] += 1
            faults = self._faults
            error: ApiError | None = None
            if faults.applies_to(op) and (faults.throttle_rate or faults.server_error_rate):
                draw = self._fault_rng.random()
                if draw < faults.throttle_rate:
                    error = ApiError("ThrottlingException", "Rate exceeded.")
                elif draw < faults.throttle_rate + faults.server_error_rate:
                    error = ApiError("InternalServerException", "Injected internal server error.")
                if error is not None:
                    self._fault_counts[op] += 1
            latency = faults.latency_seconds if faults.applies_to(op) else 0.0
        if latency > 0:
            time.sleep(latency)
        if error is not None:
            raise error
        status = OPERATIONS[op][2]
        if op == "ListEvaluationJobs":
            return status, self._list(_query(query))
        if op == "GetEvaluationJob":
            assert identifier is not None
            return status, self._get(identifier)
        if op == "StopEvaluationJob":
            assert identifier is not None
            return status, self._stop(identifier)
        data = _json_body(body)
        handlers = {
            "CreateEvaluationJob": self._create,
            "BatchDeleteEvaluationJob": self._batch_delete,
            "TagResource": self._tag,
            "UntagResource": self._untag,
            "ListTagsForResource": self._list_tags,
        }
        return status, handlers[op](data)

    def _check_identifier(self, identifier: str) -> None:
        if len(identifier) > MAX_ARN_LENGTH or not (
            JOB_ARN_RE.fullmatch(identifier) or JOB_ID_RE.fullmatch(identifier)
        ):
            raise _invalid(
                "jobIdentifier",
                f"Member must satisfy regular expression pattern: {JOB_ARN_RE.pattern}",
                identifier,
            )

    def _create(self, data: dict[str, Any]) -> str:
        name = _require_str(data, "jobName", JOB_NAME_RE, (1, 63))
        role_arn = _require_str(data, "roleArn", ROLE_ARN_RE, (0, 2048))
        description = _require_str(data, "jobDescription", None, (1, 200), required=False)
        kms = _require_str(data, "customerEncryptionKeyId", None, (1, 2048), required=False)
        token = _require_str(data, "clientRequestToken", None, (1, 256), required=False)
        app_type = data.get("applicationType") or "ModelEvaluation"
        if app_type not in APPLICATION_TYPES:
            allowed = ", ".join(APPLICATION_TYPES)
            raise _invalid("applicationType", f"Member must satisfy enum value set: [{allowed}]", app_type)
        evaluation = _require_union(data, "evaluationConfig", ("automated", "human"))
        _validate_dataset_metrics(evaluation)
        inference = _require_union(data, "inferenceConfig", ("models", "ragConfigs"))
        output = _require_dict(data, "outputDataConfig")
        _require_str(output, "s3Uri", S3_URI_RE, (1, 1024))
        tags = _parse_tags(data.get("jobTags") or [], "jobTags")
        assert name is not None
        assert role_arn is not None
        with self._lock:
            self._purge_locked()
            # Same token, same job: what the service does for a retried create.
            if token is not None and token in self._arn_by_token and self._arn_by_token[token] in self._jobs:
                return _JSON.encode({"jobArn": self._arn_by_token[token]})
            if name in self._arn_by_name:
                raise ApiError("ConflictException", f"An evaluation job named {name} already exists.")
            job_id = self._new_id_locked()
            now = _now_us()
            job = _Job(
                arn=self._arn(job_id),
                job_id=job_id,
                name=name,
                status="InProgress",
                created_us=now,
                modified_us=now,
                role_arn=role_arn,
                job_type="Human" if evaluation.get("human") is not None else "Automated",
                application_type=app_type,
                evaluation_config=evaluation,
                inference_config=inference,
                output_data_config=output,
                tags=tags,
                description=description,
                kms_key_id=kms,
            )
            self._insert_locked(job)
            if token is not None:
                self._arn_by_token[token] = job.arn
            return _JSON.encode({"jobArn": job.arn})

    def _get(self, identifier: str) -> str:
        self._check_identifier(identifier)
        with self._lock:
            return _JSON.encode(self._existing_locked(identifier).describe())

    def _stop(self, identifier: str) -> str:
        self._check_identifier(identifier)
        with self._lock:
            job = self._existing_locked(identifier)
            if job.status not in ("InProgress", "Stopping"):
                raise ApiError(
                    "ConflictException", f"Evaluation job {job.arn} is {job.status} and cannot be stopped."
                )
            # InProgress -> Stopping -> Stopped happens at once: no emulated inference to wind down.
            job.set_status("Stopped")
            return "{}"

    def _list(self, params: Mapping[str, str]) -> str:
        query = _ListQuery.parse(params)
        with self._lock:
            self._purge_locked()
            page, last, more = self._page_locked(query)
            if query.cursor is None:
                page = self._malformed_summaries + page
        out = '{"jobSummaries":[' + ",".join(page) + "]"
        if more and last is not None:
            out += ',"nextToken":' + _JSON.encode(_encode_token(last, query.descending))
        return out + "}"

    def _page_locked(self, q: _ListQuery) -> tuple[list[str], tuple[int, str] | None, bool]:
        keys = self._keys
        lo = 0 if q.after_us is None else bisect.bisect_left(keys, (q.after_us + 1, ""))
        hi = len(keys) if q.before_us is None else bisect.bisect_left(keys, (q.before_us, ""))
        if q.cursor is not None:
            if q.descending:
                hi = min(hi, bisect.bisect_left(keys, q.cursor))
            else:
                lo = max(lo, bisect.bisect_right(keys, q.cursor))
        indices = range(hi - 1, lo - 1, -1) if q.descending else range(lo, hi)
        page: list[str] = []
        last: tuple[int, str] | None = None
        for i in indices:
            job = self._jobs[keys[i][1]]
            if q.matches(job):
                # One match past a full page proves there is a next page, so the last page
                # never carries a token.
                if len(page) == q.max_results:
                    return page, last, True
                page.append(job.summary_json())
                last = keys[i]
        return page, last, False

    def _batch_delete(self, data: dict[str, Any]) -> str:
        identifiers = data.get("jobIdentifiers")
        lo, hi = BATCH_DELETE_RANGE
        if not isinstance(identifiers, list) or not lo <= len(identifiers) <= hi:
            raise _invalid("jobIdentifiers", f"Member must have length between {lo} and {hi}, inclusive")
        for i, arn in enumerate(identifiers, 1):
            if not isinstance(arn, str) or len(arn) > MAX_ARN_LENGTH or not JOB_ARN_RE.fullmatch(arn):
                raise _invalid(
                    f"jobIdentifiers.{i}.member",
                    f"Member must satisfy regular expression pattern: ^({JOB_ARN_RE.pattern})$",
                    arn,
                )
        accepted: list[dict[str, str]] = []
        errors: list[dict[str, str]] = []
        with self._lock:
            self._purge_locked()
            removals: list[_Job] = []
            # A repeated ARN is answered once, at its first position.
            for arn in dict.fromkeys(identifiers):
                error, job = self._delete_item_locked(arn)
                if error is not None:
                    errors.append({"jobIdentifier": arn, "code": error[0], "message": error[1]})
                    continue
                accepted.append({"jobIdentifier": arn, "jobStatus": "Deleting"})
                if job is not None:
                    removals.append(job)
            if self.deleting_seconds > 0:
                deadline = time.monotonic() + self.deleting_seconds
                for job in removals:
                    heapq.heappush(self._deleting, (deadline, job.arn))
            else:
                for job in removals:
                    self._remove_locked(job)
        return _JSON.encode({"errors": errors, "evaluationJobs": accepted})

    def _delete_item_locked(self, arn: str) -> tuple[tuple[str, str] | None, _Job | None]:
        """(per-item error, job newly moved to Deleting); both None for a job already Deleting."""
        forced = self._item_failures.get(arn)
        if forced is not None:
            self._fault_counts["BatchDeleteEvaluationJob"] += 1
            return forced, None
        job = self._jobs.get(arn)
        if job is None:
            return ITEM_NOT_FOUND, None
        if job.status == "Deleting":
            return None, None
        if job.status not in FINISHED_STATUSES:
            message = f"Job is {job.status}; only Completed, Failed or Stopped jobs can be deleted."
            return (ITEM_NOT_FINISHED_CODE, message), None
        faults = self._faults
        if (
            faults.item_failure_rate > 0
            and faults.applies_to("BatchDeleteEvaluationJob")
            and self._fault_rng.random() < faults.item_failure_rate
        ):
            self._fault_counts["BatchDeleteEvaluationJob"] += 1
            return ITEM_INTERNAL_ERROR, None
        job.set_status("Deleting")
        return None, job

    def _tagged_job_locked(self, data: Mapping[str, Any]) -> _Job:
        arn = _require_str(data, "resourceARN", None, (20, MAX_ARN_LENGTH))
        assert arn is not None
        self._purge_locked()
        job = self._jobs.get(arn)
        if job is None:
            raise ApiError("ResourceNotFoundException", f"Resource {arn} not found.")
        return job

    def _tag(self, data: dict[str, Any]) -> str:
        if data.get("tags") is None:
            raise _invalid("tags", "Member must not be null")
        tags = _parse_tags(data["tags"], "tags")
        with self._lock:
            self._tagged_job_locked(data).tags.update(tags)
        return "{}"

    def _untag(self, data: dict[str, Any]) -> str:
        keys = data.get("tagKeys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _invalid("tagKeys", "Member must be a list of strings")
        with self._lock:
            job = self._tagged_job_locked(data)
            for key in keys:
                job.tags.pop(key, None)
        return "{}"

    def _list_tags(self, data: dict[str, Any]) -> str:
        with self._lock:
            tags = [{"key": k, "value": v} for k, v in self._tagged_job_locked(data).tags.items()]
        return _JSON.encode({"tags": tags})

    def _admin(self, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
        """Out-of-process control; not counted and never faulted."""
        handler = self._admin_routes().get((method, path.rstrip("/")))
        if handler is None:
            raise ApiError("UnknownOperationException", f"No admin route for {method} {path}.", 404)
        try:
            return 200, _JSON.encode(handler(query, body))
        except (TypeError, ValueError, KeyError) as exc:
            raise ApiError("ValidationException", f"Invalid admin request: {exc}") from None

    def _admin_routes(self) -> dict[tuple[str, str], Callable[[str, bytes], object]]:
        def counts(query: str, body: bytes) -> object:
            return {"requests": self.request_counts(), "faults": self.fault_counts()}

        def jobs(query: str, body: bytes) -> object:
            return {"jobArns": self.job_arns(_query(query).get("status"))}

        def add_job(query: str, body: bytes) -> object:
            kwargs = _json_body(body)
            for key in ("creation_time", "last_modified_time"):
                if isinstance(kwargs.get(key), str):
                    kwargs[key] = _from_us(_parse_time(kwargs[key], key))
            return {"jobArn": self.add_job(**kwargs)}

        def faults(query: str, body: bytes) -> object:
            self.faults = FaultConfig.from_json(_json_body(body))
            return self.faults.to_json()

        def reset_counts(query: str, body: bytes) -> object:
            self.reset_counts()
            return {}

        def fail_item(query: str, body: bytes) -> object:
            data = _json_body(body)
            self.fail_item(
                str(data["jobArn"]),
                str(data.get("code", ITEM_INTERNAL_ERROR[0])),
                str(data.get("message", ITEM_INTERNAL_ERROR[1])),
            )
            return {}

        def clear_item_failures(query: str, body: bytes) -> object:
            self.clear_item_failures()
            return {}

        return {
            ("GET", "/_emulator/counts"): counts,
            ("GET", "/_emulator/jobs"): jobs,
            ("POST", "/_emulator/jobs"): add_job,
            ("POST", "/_emulator/faults"): faults,
            ("POST", "/_emulator/reset-counts"): reset_counts,
            ("POST", "/_emulator/fail-item"): fail_item,
            ("POST", "/_emulator/clear-item-failures"): clear_item_failures,
        }


def _encode_token(key: tuple[int, str], descending: bool) -> str:
    raw = _JSON.encode([1, "D" if descending else "A", key[0], key[1]]).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_token(token: str, descending: bool) -> tuple[int, str]:
    """The cursor is the last (creationTime, ARN) returned, so deletions never shift a page."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        version, order, created, arn = json.loads(raw)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ApiError("ValidationException", "The nextToken is invalid or expired.") from None
    if not (
        version == 1
        and isinstance(created, int)
        and isinstance(arn, str)
        and JOB_ARN_RE.fullmatch(arn) is not None
    ):
        raise ApiError("ValidationException", "The nextToken is invalid or expired.")
    if order != ("D" if descending else "A"):
        raise ApiError("ValidationException", "The nextToken was issued for a different sortOrder.")
    return (created, arn)
