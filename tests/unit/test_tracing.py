"""Tracing as deployed: the handler's segment, not a subsegment per Bedrock call."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from localdev.lambda_runtime import lambda_runtime_environment
from localdev.services import DUMMY_CREDENTIALS, REGION

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import janitor.handler
from aws_xray_sdk.core.patcher import _PATCHED_MODULES
assert not janitor.handler.tracer.disabled, "tracing is on, as in the deployed function"
print(sorted(_PATCHED_MODULES))
"""


def test_in_lambda_the_tracer_traces_but_patches_no_library() -> None:
    environment = {
        **os.environ,
        **DUMMY_CREDENTIALS,
        **lambda_runtime_environment(str(REPO / "lambda_src")),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "NOTIFICATION_TOPIC_ARN": f"arn:aws:sns:{REGION}:123456789012:janitor-failures",
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "lambda_src")]),
    }
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)

    completed = subprocess.run(
        [sys.executable, "-c", CHILD], env=environment, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "[]", "botocore calls would each become a subsegment"
