"""Admin routes under /_emulator/, for control from another process; not counted, never faulted."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.faults import FaultConfig
from emulator.item_errors import INJECTED
from emulator.wire import JSON, ApiError, from_us, json_body, parse_query, parse_time

if TYPE_CHECKING:
    from emulator.server import BedrockEmulator

AdminHandler = Callable[["BedrockEmulator", str, bytes], object]


def _counts(emu: BedrockEmulator, query: str, body: bytes) -> object:
    return {"requests": emu.request_counts(), "faults": emu.fault_counts()}


def _jobs(emu: BedrockEmulator, query: str, body: bytes) -> object:
    return {"jobArns": emu.job_arns(parse_query(query).get("status"))}


def _seed_kwargs(body: bytes) -> dict[str, Any]:
    """A seeding method's keyword arguments, its times given as ISO 8601 strings."""
    kwargs = json_body(body)
    for key in ("creation_time", "last_modified_time"):
        if isinstance(kwargs.get(key), str):
            kwargs[key] = from_us(parse_time(kwargs[key], key))
    return kwargs


def _add_job(emu: BedrockEmulator, query: str, body: bytes) -> object:
    return {"jobArn": emu.add_job(**_seed_kwargs(body))}


def _add_prompt_optimization_job(emu: BedrockEmulator, query: str, body: bytes) -> object:
    return {"jobArn": emu.add_prompt_optimization_job(**_seed_kwargs(body))}


def _add_batch_evaluation(emu: BedrockEmulator, query: str, body: bytes) -> object:
    return {"batchEvaluationArn": emu.add_batch_evaluation(**_seed_kwargs(body))}


def _leftovers(emu: BedrockEmulator, query: str, body: bytes) -> object:
    # ?kind=promptOptimizationJobs|batchEvaluations|evaluationJobs[&status=...]
    params = parse_query(query)
    return {"arns": emu.leftover_arns(params["kind"], params.get("status"))}


def _faults(emu: BedrockEmulator, query: str, body: bytes) -> object:
    emu.faults = FaultConfig.from_json(json_body(body))
    return emu.faults.to_json()


def _reset_counts(emu: BedrockEmulator, query: str, body: bytes) -> object:
    emu.reset_counts()
    return {}


def _fail_item(emu: BedrockEmulator, query: str, body: bytes) -> object:
    data = json_body(body)
    emu.fail_item(
        str(data["jobArn"]), str(data.get("code", INJECTED.code)), str(data.get("message", INJECTED.message))
    )
    return {}


def _clear_item_failures(emu: BedrockEmulator, query: str, body: bytes) -> object:
    emu.clear_item_failures()
    return {}


def _tag_index_lag(emu: BedrockEmulator, query: str, body: bytes) -> object:
    emu.tag_index_lag_seconds = float(json_body(body)["seconds"])
    return {"seconds": emu.tag_index_lag_seconds}


def _retain_tag_deny(emu: BedrockEmulator, query: str, body: bytes) -> object:
    # {"tagKey": "janitor:retain", "mode": "call" | "item"}; {"tagKey": null} turns it off.
    data = json_body(body)
    emu.enforce_retain_tag_deny(data["tagKey"], data.get("mode", "call"))
    deny = emu.retain_tag_deny
    return {"tagKey": None, "mode": None} if deny is None else {"tagKey": deny.tag_key, "mode": deny.mode}


ADMIN_ROUTES: dict[tuple[str, str], AdminHandler] = {
    ("GET", "/_emulator/counts"): _counts,
    ("GET", "/_emulator/jobs"): _jobs,
    ("POST", "/_emulator/jobs"): _add_job,
    ("POST", "/_emulator/prompt-optimization-jobs"): _add_prompt_optimization_job,
    ("POST", "/_emulator/batch-evaluations"): _add_batch_evaluation,
    ("GET", "/_emulator/leftovers"): _leftovers,
    ("POST", "/_emulator/faults"): _faults,
    ("POST", "/_emulator/reset-counts"): _reset_counts,
    ("POST", "/_emulator/fail-item"): _fail_item,
    ("POST", "/_emulator/clear-item-failures"): _clear_item_failures,
    ("POST", "/_emulator/tag-index-lag"): _tag_index_lag,
    ("POST", "/_emulator/retain-tag-deny"): _retain_tag_deny,
}


def serve_admin(emu: BedrockEmulator, method: str, path: str, query: str, body: bytes) -> tuple[int, str]:
    handler = ADMIN_ROUTES.get((method, path.rstrip("/")))
    if handler is None:
        raise ApiError("UnknownOperationException", f"No admin route for {method} {path}.", 404)
    try:
        return 200, JSON.encode(handler(emu, query, body))
    except (TypeError, ValueError, KeyError) as exc:
        raise ApiError("ValidationException", f"Invalid admin request: {exc}") from None
