"""Request builders and raw-HTTP helpers shared by the emulator tests."""

from __future__ import annotations

import http.client
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pytest
    from botocore.exceptions import ClientError

    from emulator import BedrockEmulator

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
MISSING_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:evaluation-job/zzzzzzzzzzzz"


def job_request(name: str, **overrides: Any) -> dict[str, Any]:
    """CreateEvaluationJob arguments for a minimal automated model evaluation."""
    return {
        "jobName": name,
        "roleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/EvaluationRole",
        "evaluationConfig": {
            "automated": {
                "datasetMetricConfigs": [
                    {
                        "taskType": "Summarization",
                        "dataset": {"name": "Builtin.Gigaword"},
                        "metricNames": ["Builtin.Accuracy"],
                    }
                ]
            }
        },
        "inferenceConfig": {
            "models": [{"bedrockModel": {"modelIdentifier": "amazon.titan-text-express-v1"}}]
        },
        "outputDataConfig": {"s3Uri": "s3://eval-results/out/"},
        **overrides,
    }


def raw_request(
    emu: BedrockEmulator, method: str, path: str, body: bytes | None = None
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, parsed JSON body) of one unsigned request: what is on the wire."""
    url = urlsplit(emu.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        conn.close()


def raw_rpc(
    emu: BedrockEmulator, operation: str, payload: dict[str, Any] | bytes
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, parsed JSON body) of one unsigned JSON 1.1 tagging API request."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    url = urlsplit(emu.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"ResourceGroupsTaggingAPI_20170126.{operation}",
        }
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        conn.close()


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def names(summaries: Any) -> list[str]:
    return [s["jobName"] for s in summaries]
