"""Tracing as deployed: the handler's segment, not a subsegment per Bedrock call."""

from __future__ import annotations

import os
import subprocess
import sys

from localdev.lambda_runtime import CHILD_PYTHONPATH, lambda_runtime_environment
from localdev.services import DUMMY_CREDENTIALS, REGION

CHILD = """
import janitor.handlers.cleanup
from aws_xray_sdk.core.patcher import _PATCHED_MODULES
assert not janitor.handlers.cleanup.tracer.disabled, "tracing is on, as in the deployed function"
print(sorted(_PATCHED_MODULES))
"""


def test_in_lambda_the_tracer_traces_but_patches_no_library() -> None:
    environment = {
        **os.environ,
        **DUMMY_CREDENTIALS,
        **lambda_runtime_environment(),
        "POWERTOOLS_TRACE_DISABLED": "false",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "NOTIFICATION_TOPIC_ARN": f"arn:aws:sns:{REGION}:123456789012:janitor-failures",
        "PYTHONPATH": CHILD_PYTHONPATH,
    }

    completed = subprocess.run(
        [sys.executable, "-c", CHILD], env=environment, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "[]", "botocore calls would each become a subsegment"
