"""Run the janitor's handler the way Lambda does: a cold start per load, a context with a deadline."""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from janitor import SERVICE_NAME
from localdev.services import FUNCTION_ARN

HANDLER_MODULE = "janitor.handlers.cleanup"
REPO = Path(__file__).resolve().parents[1]
#: The Lambda asset's root: what Lambda puts in LAMBDA_TASK_ROOT and on sys.path.
ASSET_ROOT = REPO / "lambda_src"
#: sys.path for a child process that imports the handler (and the local harness).
CHILD_PYTHONPATH = os.pathsep.join([str(REPO), str(ASSET_ROOT)])
FUNCTION_NAME = FUNCTION_ARN.rsplit(":", 1)[-1]


@dataclass
class LocalLambdaContext:
    """The attributes of Lambda's context object that the handler and Powertools read."""

    timeout_seconds: float = 900.0
    function_name: str = FUNCTION_NAME
    function_version: str = "$LATEST"
    invoked_function_arn: str = FUNCTION_ARN
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name: str = "local"
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_runtime_environment() -> dict[str, str]:
    """The variables Lambda's Python runtime sets before it imports the handler module.

    Libraries branch on them at import: the X-Ray SDK, finding LAMBDA_TASK_ROOT, samples locally
    instead of creating two X-Ray clients for centralized sampling, and Powertools' Tracer traces.
    """
    return {
        "LAMBDA_TASK_ROOT": str(ASSET_ROOT),
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(LocalLambdaContext.memory_limit_in_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION_NAME}",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.14",
        "_HANDLER": f"{HANDLER_MODULE}.lambda_handler",
    }


def cold_start_handler_module() -> ModuleType:
    """Import janitor.handlers.cleanup afresh, as a new Lambda execution environment would.

    It reads the current environment and binds its logger to the current sys.stdout, so each
    test (and the demo) sees its own settings, endpoints and log lines.
    """
    sys.modules.pop(HANDLER_MODULE, None)
    # Powertools reuses an already configured stdlib logger; forget it so the new one writes to
    # the sys.stdout of this cold start rather than a previous test's.
    logging.Logger.manager.loggerDict.pop(SERVICE_NAME, None)
    return importlib.import_module(HANDLER_MODULE)


def emitted_metrics(lines: Iterable[Mapping[str, Any]], kind: str | None = None) -> dict[str, float]:
    """Metric name -> value from the EMF records among a run's JSON stdout lines: the totals, or
    with `kind` that kind's own (its records carry a Kind dimension)."""
    values: dict[str, float] = {}
    for line in lines:
        if line.get("Kind") != kind:
            continue
        for definition in line.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in definition["Metrics"]:
                value = line[metric["Name"]]
                # EMF carries a list of values per metric; a run adds each metric once.
                values[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return values


def json_lines(stdout: str) -> list[dict[str, Any]]:
    """The JSON records (Powertools log lines and EMF blobs) a handler wrote to stdout."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
